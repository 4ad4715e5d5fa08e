//! Stopping a dispatcher cleanly (SIGTERM, Ctrl-C).

use tokio::sync::watch;

/// Asks the dispatchers holding its [`StopSignal`]s to stop: they claim nothing more,
/// give back what they have not marked sending, finish what is in flight and return.
#[derive(Debug, Clone)]
pub struct StopHandle(watch::Sender<bool>);

/// The receiving side of a [`StopHandle`].
#[derive(Debug, Clone)]
pub struct StopSignal {
    rx: watch::Receiver<bool>,
    // Keeps the channel of a never-firing signal open.
    _keep: Option<std::sync::Arc<watch::Sender<bool>>>,
}

/// A new stop handle and its signal.
///
/// # Examples
///
/// ```
/// let (handle, signal) = sehat_outbox::dispatch::stop_signal();
/// assert!(!signal.is_stopped());
/// handle.stop();
/// assert!(signal.is_stopped());
/// ```
#[must_use]
pub fn stop_signal() -> (StopHandle, StopSignal) {
    let (tx, rx) = watch::channel(false);
    (StopHandle(tx), StopSignal { rx, _keep: None })
}

impl StopHandle {
    /// Asks every signal to stop.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }

    /// Another signal for this handle.
    #[must_use]
    pub fn signal(&self) -> StopSignal {
        StopSignal {
            rx: self.0.subscribe(),
            _keep: None,
        }
    }
}

impl StopSignal {
    /// A signal that never fires.
    #[must_use]
    pub fn never() -> StopSignal {
        let (tx, rx) = watch::channel(false);
        StopSignal {
            rx,
            _keep: Some(std::sync::Arc::new(tx)),
        }
    }

    /// Whether a stop was asked for.
    #[must_use]
    pub fn is_stopped(&self) -> bool {
        *self.rx.borrow()
    }

    /// Waits until a stop is asked for (forever if the handle is dropped without one).
    pub async fn stopped(&mut self) {
        if self.rx.wait_for(|stopped| *stopped).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
