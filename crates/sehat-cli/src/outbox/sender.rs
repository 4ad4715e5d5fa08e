//! What the dispatching commands (`outbox dispatch`, `whatsapp campaign`) share: the
//! number they send from, live or rehearsed, and a clean stop on SIGTERM or Ctrl-C.

use sehat_outbox::dispatch::StopHandle;
use sehat_whatsapp::ids::PhoneNumberId;
use sehat_whatsapp::{Client, PhoneNumberApi};
use sehat_whatsapp_mock::MockGraphApi;

use crate::error::{CliError, Result};

/// The business number to send from: the embedded mock Graph API's when `rehearse`
/// (returned too, to keep it running), else the Cloud API's with the token from
/// `$token_env`. The client's own pacer stays off: the dispatcher paces the fleet.
pub async fn sending_phone(
    rehearse: bool,
    token_env: &str,
    phone_number_id: Option<&str>,
) -> Result<(PhoneNumberApi, Option<MockGraphApi>)> {
    if rehearse {
        let mock = MockGraphApi::start().await?;
        let phone = mock
            .client()?
            .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
        return Ok((phone, Some(mock)));
    }
    let token = std::env::var(token_env).map_err(|_| {
        CliError::msg(format!(
            "the access token is read from ${token_env}, which is not set (or use --rehearse)"
        ))
    })?;
    let id = phone_number_id.ok_or_else(|| {
        CliError::msg("--phone-number-id (or $WHATSAPP_PHONE_NUMBER_ID) is needed for a live run")
    })?;
    let id =
        PhoneNumberId::parse(id).map_err(|e| CliError::msg(format!("--phone-number-id: {e}")))?;
    Ok((Client::builder(token).no_pacing().build()?.phone(id), None))
}

/// Stops the dispatcher on SIGTERM or Ctrl-C (SIGINT): no new claims, sends in flight
/// finish and are recorded.
pub async fn stop_on_signals(stop: StopHandle) {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(error) => {
            eprintln!("sehat: cannot watch SIGTERM: {error}");
            let _ = tokio::signal::ctrl_c().await;
            stop.stop();
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    eprintln!("sehat: stopping: no new claims; sends in flight finish and are recorded");
    stop.stop();
}
