//! `sehat anthro zscores`: the whole file in memory, parsed, computed and formatted in
//! parallel chunks, written in the input's order.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use clap::{Args as ClapArgs, ValueEnum};
use indicatif::ProgressBar;
use rayon::prelude::*;

use super::columns::{Standard, Who2006, Who2007};
use super::record::Fields;
use crate::error::{CliError, Result};
use crate::io::{open_input, output, progress_bar};

/// Which WHO standard to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StandardName {
    /// WHO Child Growth Standards 2006, 0-5 years (R package `anthro`).
    Who2006,
    /// WHO Growth Reference 2007, 5-19 years (R package `anthroplus`).
    Who2007,
}

/// Arguments of `sehat anthro zscores`.
#[derive(Debug, ClapArgs)]
pub struct Args {
    /// The standard: who2006 (0-5 y) or who2007 (5-19 y).
    #[arg(long, value_enum, default_value_t = StandardName::Who2006)]
    standard: StandardName,
    /// Write unrounded z-scores (flags are still computed from the rounded z, as WHO does).
    #[arg(long)]
    no_round: bool,
    /// Write to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The input CSV file (comma separated, header line).
    input: PathBuf,
}

/// Bytes per parallel chunk (cut at line ends).
const CHUNK_BYTES: usize = 1 << 20;
/// Inputs from this size on get a progress bar.
const PROGRESS_FROM_BYTES: u64 = 16 << 20;

/// Runs `sehat anthro zscores`.
pub fn run(args: &Args) -> Result {
    let file = open_input(&args.input)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let pool = BufferPool::default();
    let mut pieces = Pieces::new(file, CHUNK_BYTES, &pool);
    let first = pieces
        .first_line()
        .map_err(|e| CliError::msg(format!("cannot read {}: {e}", args.input.display())))?;
    let round = !args.no_round;
    let header = header_of(&first)?;
    match args.standard {
        StandardName::Who2006 => convert(
            pieces,
            size,
            &header,
            &Who2006::new(&header.names, round),
            args,
        ),
        StandardName::Who2007 => convert(
            pieces,
            size,
            &header,
            &Who2007::new(&header.names, round),
            args,
        ),
    }
}

/// The header line: its text (without terminator) and column names.
struct Header<'a> {
    line: &'a [u8],
    names: Vec<String>,
}

/// Reads the header from the first line of the file (byte-order mark and `\r` removed).
fn header_of(first: &[u8]) -> Result<Header<'_>> {
    let line = trim_cr(first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first));
    if line.is_empty() {
        return Err(CliError::msg("the input has no header line"));
    }
    let mut fields = Fields::default();
    fields.split(line).map_err(|e| {
        CliError::msg(format!(
            "header line, column {}: {}",
            e.column + 1,
            e.message
        ))
    })?;
    let names = (0..fields.len())
        .map(|i| {
            String::from_utf8_lossy(fields.get(line, i))
                .trim()
                .to_owned()
        })
        .collect();
    Ok(Header { line, names })
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn is_line_end(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The body of a file read in pieces of about `size` bytes, each made of whole lines,
/// so workers compute while the rest is still being read.
///
/// Line ends at the very end of the file are not rows (R's `read.csv` ignores them), but
/// an empty line between rows is one (and an error). So a piece never ends with empty
/// lines: they travel to the next piece, and only at the end of the file are they
/// dropped.
struct Pieces<'a, R> {
    source: R,
    size: usize,
    /// Bytes read but not yet handed out: the start of the next piece.
    carry: Vec<u8>,
    /// The source is exhausted.
    exhausted: bool,
    pool: &'a BufferPool,
}

impl<'a, R: Read> Pieces<'a, R> {
    fn new(source: R, size: usize, pool: &'a BufferPool) -> Self {
        Self {
            source,
            size,
            carry: Vec::new(),
            exhausted: false,
            pool,
        }
    }

    /// Appends up to `want` more bytes of the source to `buffer`.
    fn read_more(&mut self, buffer: &mut Vec<u8>, want: usize) -> std::io::Result<()> {
        let want = u64::try_from(want).unwrap_or(u64::MAX);
        let read = self.source.by_ref().take(want).read_to_end(buffer)?;
        if (read as u64) < want {
            self.exhausted = true;
        }
        Ok(())
    }

    /// The first line (without its `\n`); the rest stays for [`next_piece`](Self::next_piece).
    fn first_line(&mut self) -> std::io::Result<Vec<u8>> {
        let mut buffer = std::mem::take(&mut self.carry);
        let mut searched = 0;
        loop {
            if let Some(end) = memchr::memchr(b'\n', &buffer[searched..]) {
                let end = searched + end;
                self.carry = buffer.split_off(end + 1);
                buffer.truncate(end);
                return Ok(buffer);
            }
            searched = buffer.len();
            if self.exhausted {
                return Ok(buffer);
            }
            self.read_more(&mut buffer, self.size)?;
        }
    }

    /// The next piece: whole lines, the last with its `\n` (or none at the end of the
    /// file); `None` when no rows are left.
    fn next_piece(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut buffer = self.pool.take(self.size + self.carry.len());
        buffer.extend_from_slice(&self.carry);
        self.carry.clear();
        loop {
            if buffer.len() < self.size && !self.exhausted {
                let want = self.size - buffer.len();
                self.read_more(&mut buffer, want)?;
                continue;
            }
            if self.exhausted {
                let end = buffer
                    .iter()
                    .rposition(|&b| !is_line_end(b))
                    .map_or(0, |p| p + 1);
                buffer.truncate(end);
                if buffer.is_empty() {
                    self.pool.give(buffer);
                    return Ok(None);
                }
                return Ok(Some(buffer));
            }
            // Cut after the line end of the last line that is not empty. If that line
            // ends in several `\r` (which only the end of the file would strip), it
            // goes to the next piece whole.
            let cut = memchr::memrchr(b'\n', &buffer).and_then(|complete| {
                let last = buffer[..complete].iter().rposition(|&b| !is_line_end(b))?;
                let end = memchr::memchr(b'\n', &buffer[last..])?;
                if end <= 2 {
                    Some(last + end + 1)
                } else {
                    memchr::memrchr(b'\n', &buffer[..last]).map(|p| p + 1)
                }
            });
            match cut {
                Some(cut) => {
                    self.carry.extend_from_slice(&buffer[cut..]);
                    buffer.truncate(cut);
                    return Ok(Some(buffer));
                }
                // No complete line yet (a very long line, or only empty lines so far).
                None => {
                    let want = self.size;
                    self.read_more(&mut buffer, want)?;
                }
            }
        }
    }
}

impl<R: Read> Iterator for Pieces<'_, R> {
    type Item = std::io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_piece().transpose()
    }
}

/// A row that cannot be processed: its line within the chunk, and the problem; or a
/// failure to read the file (`line` unused).
struct ChunkError {
    line: usize,
    column: Option<usize>,
    message: String,
    read: bool,
}

/// Processes every line of one chunk; returns the output and the number of lines.
fn process_chunk<S: Standard>(
    chunk: &[u8],
    columns: usize,
    standard: &S,
    pool: &BufferPool,
) -> std::result::Result<(Vec<u8>, usize), ChunkError> {
    let mut out = pool.take(chunk.len() * 3 + 1024);
    let mut fields = Fields::default();
    let mut count = 0;
    let mut rest = chunk;
    while !rest.is_empty() {
        let (raw, tail) = match memchr::memchr(b'\n', rest) {
            Some(end) => (&rest[..end], &rest[end + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = tail;
        let line = trim_cr(raw);
        fields.split(line).map_err(|e| ChunkError {
            line: count,
            column: Some(e.column),
            message: e.message,
            read: false,
        })?;
        if fields.len() != columns {
            return Err(ChunkError {
                line: count,
                column: None,
                message: format!("{} fields, the header has {columns}", fields.len()),
                read: false,
            });
        }
        out.extend_from_slice(line);
        standard
            .append(line, &fields, &mut out)
            .map_err(|e| ChunkError {
                line: count,
                column: Some(e.column),
                message: e.message,
                read: false,
            })?;
        out.push(b'\n');
        count += 1;
    }
    Ok((out, count))
}

fn convert<S: Standard, R: Read + Send>(
    pieces: Pieces<'_, R>,
    size: u64,
    header: &Header<'_>,
    standard: &S,
    args: &Args,
) -> Result {
    let columns = header.names.len();
    // A progress bar (on a terminal only) for files that take more than a moment.
    let bar = if size >= PROGRESS_FROM_BYTES {
        progress_bar(size, "bytes")
    } else {
        ProgressBar::hidden()
    };
    // Rayon's workers take the pieces in order (reading the next one is part of taking
    // it); a writer thread (which owns stdout or the output file) puts finished pieces
    // back in order and writes them while later ones are computed. The first failure
    // stops everyone.
    let (sender, receiver) = mpsc::channel::<(usize, ChunkResult)>();
    // Input pieces and output texts are recycled separately: they differ in size.
    let input_pool = pieces.pool;
    let pool = &BufferPool::default();
    let stop = &AtomicBool::new(false);
    let bar = &bar;
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            let written = write_in_order(&receiver, S::OUTPUT_HEADER, header, args, pool, bar);
            if written.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            written
        });
        pieces
            .enumerate()
            .par_bridge()
            .for_each_with(sender, |sender, (index, piece)| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let result = match piece {
                    Ok(piece) => {
                        let result = process_chunk(&piece, columns, standard, pool)
                            .map(|(text, rows)| (text, rows, piece.len()));
                        input_pool.give(piece);
                        result
                    }
                    Err(e) => Err(ChunkError {
                        line: 0,
                        column: None,
                        message: format!("cannot read {}: {e}", args.input.display()),
                        read: true,
                    }),
                };
                if sender.send((index, result)).is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            });
        writer
            .join()
            .unwrap_or_else(|_| Err(CliError::msg("the output writer stopped unexpectedly")))
    })
}

/// The output of one chunk, its number of rows and its input size, or the row that
/// cannot be processed.
type ChunkResult = std::result::Result<(Vec<u8>, usize, usize), ChunkError>;

/// Writes the header, then the chunks in input order as they arrive; stops at the first
/// chunk with a row that cannot be processed and reports it with its place in the file.
fn write_in_order(
    receiver: &mpsc::Receiver<(usize, ChunkResult)>,
    output_header: &str,
    header: &Header<'_>,
    args: &Args,
    pool: &BufferPool,
    bar: &ProgressBar,
) -> Result {
    let mut out = output(args.output.as_deref())?;
    out.write_all(header.line)?;
    out.write_all(b",")?;
    out.write_all(output_header.as_bytes())?;
    out.write_all(b"\n")?;
    let mut pending = BTreeMap::new();
    let mut next = 0;
    let mut rows_before = 0;
    for (index, result) in receiver {
        pending.insert(index, result);
        while let Some(result) = pending.remove(&next) {
            match result {
                Ok((text, rows, input_bytes)) => {
                    out.write_all(&text)?;
                    rows_before += rows;
                    bar.inc(input_bytes as u64);
                    pool.give(text);
                    next += 1;
                }
                Err(e) if e.read => {
                    out.flush()?;
                    bar.abandon();
                    return Err(CliError::msg(e.message));
                }
                Err(e) => {
                    out.flush()?;
                    bar.abandon();
                    return Err(describe(
                        &RowError {
                            row: rows_before + e.line + 1,
                            column: e.column,
                            message: e.message,
                        },
                        header,
                        args,
                    ));
                }
            }
        }
    }
    out.flush()?;
    bar.finish_and_clear();
    Ok(())
}

/// A row that cannot be processed, placed in the whole file.
struct RowError {
    row: usize,
    column: Option<usize>,
    message: String,
}

/// The message for a row that cannot be processed: file, row, line, column.
fn describe(e: &RowError, header: &Header<'_>, args: &Args) -> CliError {
    let place = match e.column {
        Some(c) => format!(
            ", column {} (`{}`)",
            c + 1,
            header.names.get(c).map_or("", String::as_str)
        ),
        None => String::new(),
    };
    CliError::msg(format!(
        "{}: row {} (line {}){place}: {}",
        args.input.display(),
        e.row,
        e.row + 1,
        e.message
    ))
}

/// Output buffers handed back by the writer, so that chunks reuse memory that is already
/// mapped instead of faulting in fresh pages.
#[derive(Default)]
struct BufferPool(std::sync::Mutex<Vec<Vec<u8>>>);

impl BufferPool {
    fn take(&self, capacity: usize) -> Vec<u8> {
        let reused = self.0.lock().ok().and_then(|mut buffers| buffers.pop());
        let mut buffer = reused.unwrap_or_default();
        buffer.reserve(capacity);
        buffer
    }

    fn give(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        if let Ok(mut buffers) = self.0.lock() {
            buffers.push(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines `process_chunk` sees in a piece.
    fn lines_of(piece: &[u8]) -> Vec<Vec<u8>> {
        let mut lines = Vec::new();
        let mut rest = piece;
        while !rest.is_empty() {
            match memchr::memchr(b'\n', rest) {
                Some(end) => {
                    lines.push(rest[..end].to_vec());
                    rest = &rest[end + 1..];
                }
                None => {
                    lines.push(rest.to_vec());
                    rest = &[];
                }
            }
        }
        lines
    }

    /// What the whole-file reading gave: the lines of the body, line ends at the very
    /// end of the file removed.
    fn expected_rows(body: &[u8]) -> Vec<Vec<u8>> {
        let end = body
            .iter()
            .rposition(|&b| !is_line_end(b))
            .map_or(0, |p| p + 1);
        lines_of(&body[..end])
    }

    #[test]
    fn pieces_are_about_the_size_asked_for() {
        let mut content = b"sex,age,weight\n".to_vec();
        for i in 0..10_000 {
            content.extend_from_slice(format!("1,{i},9.5\n").as_bytes());
        }
        let pool = BufferPool::default();
        let mut pieces = Pieces::new(content.as_slice(), 4096, &pool);
        assert_eq!(pieces.first_line().unwrap(), b"sex,age,weight");
        let mut rows = 0;
        for piece in pieces {
            let piece = piece.unwrap();
            assert!(piece.len() <= 4096 + 16, "{}", piece.len());
            assert!(piece.ends_with(b"\n") || rows + lines_of(&piece).len() == 10_000);
            rows += lines_of(&piece).len();
        }
        assert_eq!(rows, 10_000);
    }

    #[test]
    fn pieces_hold_the_same_rows_as_the_whole_file() {
        let alphabet = [b'a', b'1', b',', b'\n', b'\n', b'\r'];
        let mut state: u64 = 11;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 33
        };
        for _ in 0..20_000 {
            let length = (next() % 40) as usize;
            let content: Vec<u8> = (0..length)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let size = 1 + (next() % 12) as usize;
            let pool = BufferPool::default();
            let mut pieces = Pieces::new(content.as_slice(), size, &pool);
            let first = pieces.first_line().unwrap();
            let body = match memchr::memchr(b'\n', &content) {
                Some(end) => {
                    assert_eq!(first, &content[..end]);
                    &content[end + 1..]
                }
                None => {
                    assert_eq!(first, content);
                    &content[content.len()..]
                }
            };
            let mut rows = Vec::new();
            for piece in pieces {
                let piece = piece.unwrap();
                assert!(!piece.is_empty());
                rows.extend(lines_of(&piece).iter().map(|l| trim_cr(l).to_vec()));
            }
            let expected: Vec<Vec<u8>> = expected_rows(body)
                .iter()
                .map(|l| trim_cr(l).to_vec())
                .collect();
            assert_eq!(
                rows,
                expected,
                "{:?} in pieces of {size}",
                String::from_utf8_lossy(&content)
            );
        }
    }
}
