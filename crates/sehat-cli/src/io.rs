//! Shared input and output plumbing: `--output FILE` written safely or stdout, progress
//! bars, recycled buffers, and work done in parallel but written in input order.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use tempfile::NamedTempFile;

use crate::error::{CliError, Result};

/// Buffer size of the writers.
const WRITE_BUFFER: usize = 1 << 20;

/// The destination of a command: stdout, or a file that appears only when the command
/// succeeds.
///
/// A file is written to a temporary file in the same directory (mode 0600: the outputs
/// of this binary hold identifiers, pseudonyms or health data), which
/// [`commit`](Self::commit) flushes, syncs to disk and renames over the destination. An
/// `Output` dropped without `commit` (the command failed) removes its temporary file and
/// leaves the destination as it was. An output that is one of the command's inputs is
/// refused before anything is written.
pub struct Output {
    target: Target,
}

enum Target {
    Stdout(BufWriter<io::StdoutLock<'static>>),
    File {
        writer: BufWriter<NamedTempFile>,
        path: PathBuf,
        overwrite: bool,
    },
}

impl Output {
    /// The file at `path` (replaced when the command succeeds), or stdout when `None`.
    ///
    /// # Errors
    ///
    /// `path` is one of `inputs` (the same file by path, link or inode), a directory,
    /// or its directory cannot hold a temporary file.
    pub fn create(path: Option<&Path>, inputs: &[&Path]) -> Result<Self> {
        match path {
            None => Ok(Self::stdout()),
            Some(path) => Self::file(path, inputs, true),
        }
    }

    /// A new file at `path` (never replacing an existing one), or stdout when `None`.
    ///
    /// # Errors
    ///
    /// As [`create`](Self::create), and when `path` exists.
    pub fn create_new(path: Option<&Path>, inputs: &[&Path]) -> Result<Self> {
        match path {
            None => Ok(Self::stdout()),
            Some(path) if fs::symlink_metadata(path).is_ok() => Err(CliError::msg(format!(
                "{} already exists; it is never overwritten",
                path.display()
            ))),
            Some(path) => Self::file(path, inputs, false),
        }
    }

    fn stdout() -> Self {
        Self {
            target: Target::Stdout(BufWriter::with_capacity(WRITE_BUFFER, io::stdout().lock())),
        }
    }

    fn file(path: &Path, inputs: &[&Path], overwrite: bool) -> Result<Self> {
        let path = destination(path, inputs)?;
        let directory = directory_of(&path);
        let name = path
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy());
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".partial");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o600));
        }
        let temporary = builder.tempfile_in(directory).map_err(|e| {
            CliError::msg(format!(
                "cannot create output file {}: cannot create a temporary file in {}: {e}",
                path.display(),
                directory.display()
            ))
        })?;
        Ok(Self {
            target: Target::File {
                writer: BufWriter::with_capacity(WRITE_BUFFER, temporary),
                path,
                overwrite,
            },
        })
    }

    /// Finishes the output: flushes stdout, or syncs the temporary file and renames it
    /// to the destination (then syncs the directory, so that the rename survives a
    /// crash).
    ///
    /// # Errors
    ///
    /// Writing, syncing or renaming fails (the temporary file is then removed), or, for
    /// [`create_new`](Self::create_new), the destination appeared meanwhile.
    pub fn commit(self) -> Result {
        match self.target {
            Target::Stdout(mut writer) => Ok(writer.flush()?),
            Target::File {
                writer,
                path,
                overwrite,
            } => {
                let failed = |e: &dyn std::fmt::Display| {
                    CliError::msg(format!("cannot write output file {}: {e}", path.display()))
                };
                let temporary = writer.into_inner().map_err(|e| failed(e.error()))?;
                temporary.as_file().sync_all().map_err(|e| failed(&e))?;
                if overwrite {
                    temporary.persist(&path).map_err(|e| failed(&e.error))?;
                } else {
                    temporary
                        .persist_noclobber(&path)
                        .map_err(|e| failed(&e.error))?;
                }
                // Not every platform can open a directory; the file itself is synced.
                if let Ok(directory) = File::open(directory_of(&path)) {
                    directory.sync_all().map_err(|e| failed(&e))?;
                }
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Stdout(writer) => writer.write(buf),
            Target::File { writer, .. } => writer.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.target {
            Target::Stdout(writer) => writer.write_all(buf),
            Target::File { writer, .. } => writer.write_all(buf),
        }
    }

    /// Flushes the buffer; only [`Output::commit`] makes a file appear.
    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Stdout(writer) => writer.flush(),
            Target::File { writer, .. } => writer.flush(),
        }
    }
}

/// The directory a file is in (`.` for a bare file name).
fn directory_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The file an output path names: a symbolic link is followed (the file it points to
/// is replaced, as writing through the link would), and the result must not be one of
/// `inputs`.
fn destination(path: &Path, inputs: &[&Path]) -> Result<PathBuf> {
    let target = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => fs::canonicalize(path).map_err(|e| {
            CliError::msg(format!(
                "cannot write output file {}: it is a symbolic link that cannot be followed: {e}",
                path.display()
            ))
        })?,
        _ => path.to_path_buf(),
    };
    let Ok(meta) = fs::metadata(&target) else {
        // Nothing there yet, so it is none of the inputs (which exist).
        return Ok(target);
    };
    if meta.is_dir() {
        return Err(CliError::msg(format!(
            "cannot write output file {}: it is a directory",
            path.display()
        )));
    }
    if let Some(input) = inputs.iter().find(|input| same_file(&target, input)) {
        return Err(CliError::msg(format!(
            "refusing to write {}: it is the input file {} (write to another file)",
            path.display(),
            input.display()
        )));
    }
    Ok(target)
}

/// True when `a` and `b` both exist and are one file (or directory): by path once links
/// are followed, or by device and inode, which catches hard links that no path
/// comparison does.
pub fn same_file(a: &Path, b: &Path) -> bool {
    let (Ok(meta_a), Ok(meta_b)) = (fs::metadata(a), fs::metadata(b)) else {
        return false;
    };
    same_inode(&meta_a, &meta_b)
        || fs::canonicalize(a).is_ok_and(|c| fs::canonicalize(b).is_ok_and(|d| c == d))
}

/// True when two files' metadata name the same file (device and inode), which catches
/// hard links that no path comparison does.
#[cfg(unix)]
fn same_inode(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_inode(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

/// Reads a whole input file, without a UTF-8 byte-order mark at its start, with an
/// error that names it.
pub fn read_input(path: &Path) -> Result<Vec<u8>> {
    let mut data = fs::read(path)
        .map_err(|e| CliError::msg(format!("cannot read input file {}: {e}", path.display())))?;
    if data.starts_with(BOM) {
        data.drain(..BOM.len());
    }
    Ok(data)
}

/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

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
