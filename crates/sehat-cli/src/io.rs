//! Shared input and output plumbing: `--output FILE` or stdout, and progress bars.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

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
