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
const PROGRESS_FROM_BYTES: usize = 16 << 20;

/// Runs `sehat anthro zscores`.
pub fn run(args: &Args) -> Result {
    let mut file = open_input(&args.input)?;
    // Sized from the file's length so the whole input is read without reallocating.
    let size = file
        .metadata()
        .map_or(0, |m| usize::try_from(m.len()).unwrap_or(0));
    let mut data = Vec::with_capacity(size.saturating_add(1));
    file.read_to_end(&mut data)
        .map_err(|e| CliError::msg(format!("cannot read {}: {e}", args.input.display())))?;
    let round = !args.no_round;
    let header = header_of(&data)?;
    match args.standard {
        StandardName::Who2006 => convert(&data, &header, &Who2006::new(&header.names, round), args),
        StandardName::Who2007 => convert(&data, &header, &Who2007::new(&header.names, round), args),
    }
}

/// The header line: its text (without terminator), column names, and where the data
/// starts.
struct Header<'a> {
    line: &'a [u8],
    names: Vec<String>,
    body_start: usize,
}

fn header_of(data: &[u8]) -> Result<Header<'_>> {
    let bom = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let data = &data[bom..];
    let end = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let line = trim_cr(&data[..end]);
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
    Ok(Header {
        line,
        names,
        body_start: bom + (end + 1).min(data.len()),
    })
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Cuts `body` into chunks of about `CHUNK_BYTES`, each ending at a line end.
fn chunks(body: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::with_capacity(body.len() / CHUNK_BYTES + 1);
    let mut rest = body;
    while !rest.is_empty() {
        let cut = if rest.len() <= CHUNK_BYTES {
            rest.len()
        } else {
            rest[CHUNK_BYTES..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(rest.len(), |p| CHUNK_BYTES + p + 1)
        };
        let (chunk, tail) = rest.split_at(cut);
        out.push(chunk);
        rest = tail;
    }
    out
}

/// A row that cannot be processed: its line within the chunk, and the problem.
struct ChunkError {
    line: usize,
    column: Option<usize>,
    message: String,
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
        })?;
        if fields.len() != columns {
            return Err(ChunkError {
                line: count,
                column: None,
                message: format!("{} fields, the header has {columns}", fields.len()),
            });
        }
        out.extend_from_slice(line);
        standard
            .append(line, &fields, &mut out)
            .map_err(|e| ChunkError {
                line: count,
                column: Some(e.column),
                message: e.message,
            })?;
        out.push(b'\n');
        count += 1;
    }
    Ok((out, count))
}

fn convert<S: Standard>(data: &[u8], header: &Header<'_>, standard: &S, args: &Args) -> Result {
    let mut body = &data[header.body_start.min(data.len())..];
    // Line ends at the very end of the file are not rows.
    while let Some(rest) = body
        .strip_suffix(b"\n")
        .or_else(|| body.strip_suffix(b"\r"))
    {
        body = rest;
    }
    let columns = header.names.len();
    let chunks: &[&[u8]] = &chunks(body);
    // A progress bar (on a terminal only) for files that take more than a moment.
    let bar = if body.len() >= PROGRESS_FROM_BYTES {
        progress_bar(body.len() as u64, "bytes")
    } else {
        ProgressBar::hidden()
    };
    // The chunks are taken in order by rayon's workers; a writer thread (which owns
    // stdout or the output file) puts finished chunks back in order and writes them
    // while later ones are computed. The first failure stops everyone.
    let (sender, receiver) = mpsc::channel::<(usize, ChunkResult)>();
    let pool = &BufferPool::default();
    let stop = &AtomicBool::new(false);
    let bar = &bar;
    std::thread::scope(|scope| {
        let writer = scope.spawn(move || {
            let written =
                write_in_order(&receiver, chunks, S::OUTPUT_HEADER, header, args, pool, bar);
            if written.is_err() {
                stop.store(true, Ordering::Relaxed);
            }
            written
        });
        chunks
            .iter()
            .enumerate()
            .par_bridge()
            .for_each_with(sender, |sender, (index, chunk)| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let result = process_chunk(chunk, columns, standard, pool);
                if sender.send((index, result)).is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
            });
        writer
            .join()
            .unwrap_or_else(|_| Err(CliError::msg("the output writer stopped unexpectedly")))
    })
}

/// The output of one chunk and its number of rows, or the row that cannot be processed.
type ChunkResult = std::result::Result<(Vec<u8>, usize), ChunkError>;

/// Writes the header, then the chunks in input order as they arrive; stops at the first
/// chunk with a row that cannot be processed and reports it with its place in the file.
fn write_in_order(
    receiver: &mpsc::Receiver<(usize, ChunkResult)>,
    chunks: &[&[u8]],
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
                Ok((text, rows)) => {
                    out.write_all(&text)?;
                    rows_before += rows;
                    bar.inc(chunks.get(next).map_or(0, |c| c.len() as u64));
                    pool.give(text);
                    next += 1;
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
