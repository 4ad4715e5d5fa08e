//! Shared input and output plumbing: `--output FILE` or stdout, progress bars, recycled
//! buffers, and work done in parallel but written in input order.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::error::{CliError, Result};

/// Opens the destination of a command: the file named by `--output`, or stdout.
///
/// The writer is buffered; callers flush it when they are done.
pub fn output(path: Option<&Path>) -> Result<Box<dyn Write>> {
    match path {
        Some(path) => {
            let file = File::create(path).map_err(|e| {
                CliError::msg(format!("cannot create output file {}: {e}", path.display()))
            })?;
            Ok(Box::new(BufWriter::with_capacity(1 << 20, file)))
        }
        None => Ok(Box::new(BufWriter::with_capacity(
            1 << 20,
            io::stdout().lock(),
        ))),
    }
}

/// Opens an input file, with an error that names it.
pub fn open_input(path: &Path) -> Result<File> {
    File::open(path)
        .map_err(|e| CliError::msg(format!("cannot open input file {}: {e}", path.display())))
}

/// A progress bar on stderr over `len` units, drawn only when stderr is a terminal.
pub fn progress_bar(len: u64, unit: &str) -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    let template = format!("{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit} ({{per_sec}})");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Values handed back after use (input pieces, record batches, output texts), so later
/// work reuses memory that is already mapped instead of faulting in fresh pages.
pub struct Pool<T>(Mutex<Vec<T>>);

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Self(Mutex::new(Vec::new()))
    }
}

impl<T: Default> Pool<T> {
    /// A value given back earlier, or a new one.
    pub fn take(&self) -> T {
        self.0
            .lock()
            .ok()
            .and_then(|mut spare| spare.pop())
            .unwrap_or_default()
    }

    /// Keeps `value` for a later [`take`](Self::take).
    pub fn give(&self, value: T) {
        if let Ok(mut spare) = self.0.lock() {
            spare.push(value);
        }
    }
}

impl Pool<Vec<u8>> {
    /// An empty buffer with room for `capacity` bytes.
    pub fn buffer(&self, capacity: usize) -> Vec<u8> {
        let mut buffer = self.take();
        buffer.clear();
        buffer.reserve(capacity);
        buffer
    }
}

/// Runs `work` on every item of `items` on rayon's workers and hands the results to
/// `write`, on this thread, in the items' order.
///
/// The workers take the items in turn, so producing an item (reading the next piece of
/// a file) overlaps with working on earlier ones, and `write` (which may own stdout,
/// not `Send`) runs while later items are worked on.
///
/// # Errors
///
/// The first error `write` returns; no further item is then taken.
pub fn in_order<I, T, W>(items: I, work: impl Fn(I::Item) -> T + Sync, mut write: W) -> Result
where
    I: Iterator + Send,
    I::Item: Send,
    T: Send,
    W: FnMut(T) -> Result,
{
    let stop = &AtomicBool::new(false);
    let (sender, receiver) = mpsc::channel::<(usize, T)>();
    std::thread::scope(|scope| {
        let work = &work;
        scope.spawn(move || {
            // After a failure no further item is taken, so nothing more is read.
            items
                .take_while(|_| !stop.load(Ordering::Relaxed))
                .enumerate()
                .par_bridge()
                .for_each_with(sender, |sender, (index, item)| {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    if sender.send((index, work(item))).is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                });
        });
        let mut pending = BTreeMap::new();
        let mut next = 0;
        for (index, result) in &receiver {
            pending.insert(index, result);
            while let Some(result) = pending.remove(&next) {
                if let Err(e) = write(result) {
                    stop.store(true, Ordering::Relaxed);
                    return Err(e);
                }
                next += 1;
            }
        }
        Ok(())
    })
}
