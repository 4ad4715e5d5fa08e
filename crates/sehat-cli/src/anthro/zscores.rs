//! `sehat anthro zscores`: the file read in line-aligned pieces, parsed, computed and
//! formatted in parallel, written in the input's order.

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::{Args as ClapArgs, ValueEnum};
use indicatif::ProgressBar;

use sehat_anthro::who_table::{
    Header, RowError, Standard, Summary, Who2006, Who2007, ZSCORES_2006, ZSCORES_2007, convert_rows,
};

use super::mapping::MapArgs;
use crate::error::{CliError, Result};
use crate::io::{Output, Pool, in_order, open_input, progress_bar};

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
    #[command(flatten)]
    map: MapArgs,
    /// The input CSV file (comma separated, header line).
    input: PathBuf,
}

/// Bytes per parallel chunk (cut at line ends): 256 KiB, so that a piece and its
/// output (about three times larger) stay in a core's L2 cache, and the last piece,
/// which one worker computes alone, is short. 1 MiB pieces were about 7 % slower on
/// 1M rows (interleaved runs); 128 KiB pieces were no faster.
const CHUNK_BYTES: usize = 1 << 18;
/// Inputs from this size on get a progress bar.
const PROGRESS_FROM_BYTES: u64 = 16 << 20;

/// Runs `sehat anthro zscores`.
pub fn run(args: &Args) -> Result {
    let file = open_input(&args.input)?;
    let size = file.metadata().map_or(0, |m| m.len());
    let name = args.input.display().to_string();
    let mut out = Output::create(args.output.as_deref(), &[&args.input])?;
    let summary = convert_mapped(
        file,
        size,
        args.standard,
        !args.no_round,
        &args.map,
        &name,
        &mut out,
    )?;
    out.commit()?;
    report(&summary, &name);
    Ok(())
}

/// Lists the rows with invalid measurements on stderr (the first
/// [`REPORTED_ROWS`](sehat_anthro::who_table::REPORTED_ROWS) one by one, then a count).
fn report(summary: &Summary, file: &str) {
    for (row, columns) in &summary.invalid {
        eprintln!(
            "sehat: warning: {file}: row {row} (line {}): {} not a finite positive number; \
             the indicators using it are NA",
            row + 1,
            columns.join(", ")
        );
    }
    if summary.invalid_rows > summary.invalid.len() {
        eprintln!(
            "sehat: warning: {file}: {} more rows with invalid measurements",
            summary.invalid_rows - summary.invalid.len()
        );
    }
}

/// Converts the CSV read from `input` (`size` bytes, for the progress bar; `file` names
/// it in messages) and writes the result to `out`.
///
/// # Errors
///
/// A header or row that cannot be read, naming the row and column; a read or write
/// error.
pub fn convert<R: Read + Send>(
    input: R,
    size: u64,
    standard: StandardName,
    round: bool,
    file: &str,
    out: &mut dyn Write,
) -> Result<Summary> {
    convert_mapped(input, size, standard, round, &MapArgs::default(), file, out)
}

/// [`convert`] reading the columns and codes as `map` says.
///
/// # Errors
///
/// As [`convert`], and a map that does not fit the header.
pub fn convert_mapped<R: Read + Send>(
    input: R,
    size: u64,
    standard: StandardName,
    round: bool,
    map: &MapArgs,
    file: &str,
    out: &mut dyn Write,
) -> Result<Summary> {
    let pool = Pool::default();
    let mut pieces = Pieces::new(input, CHUNK_BYTES, &pool);
    let first = pieces
        .first_line()
        .map_err(|e| CliError::msg(format!("cannot read {file}: {e}")))?;
    let header = Header::parse(&first).map_err(|e| CliError::msg(format!("{file}: {e}")))?;
    crate::csv_input::check_header(header.names(), file)?;
    match standard {
        StandardName::Who2006 => {
            let map = map.resolve(header.names(), &ZSCORES_2006)?;
            convert_with(pieces, size, &header, &Who2006::new(&map, round), file, out)
        }
        StandardName::Who2007 => {
            let map = map.resolve(header.names(), &ZSCORES_2007)?;
            convert_with(pieces, size, &header, &Who2007::new(&map, round), file, out)
        }
    }
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
    pool: &'a Pool<Vec<u8>>,
    /// Bytes searched for a place to cut, in total: stays within a small multiple of the
    /// input's size however long its lines (the tests check it).
    examined: usize,
}

impl<'a, R: Read> Pieces<'a, R> {
    fn new(source: R, size: usize, pool: &'a Pool<Vec<u8>>) -> Self {
        Self {
            source,
            size,
            carry: Vec::new(),
            exhausted: false,
            pool,
            examined: 0,
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
        let mut buffer = self.pool.buffer(self.size + self.carry.len());
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
            self.examined += buffer.len();
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
                // No complete line yet (a very long line, or only empty lines so far):
                // read as much again as is held, so that the searches over the growing
                // buffer add up to a small multiple of its final length, not its square.
                None => {
                    let want = self.size.max(buffer.len());
                    self.read_more(&mut buffer, want)?;
                }
            }
        }
    }
}

impl<R: Read> Iterator for Pieces<'_, R> {
    type Item = std::io::Result<Vec<u8>>;

    /// After a read error, that error and then the end: the bytes around the failure
    /// are unknown, so nothing after it is handed out.
    fn next(&mut self) -> Option<Self::Item> {
        let piece = self.next_piece();
        if piece.is_err() {
            self.exhausted = true;
            self.carry.clear();
        }
        piece.transpose()
    }
}

/// Why a piece has no output: a row that cannot be processed (counted in the piece), or
/// the file could not be read (the message says so).
enum PieceError {
    Row(RowError),
    Read(String),
}

fn convert_with<S: Standard, R: Read + Send>(
    pieces: Pieces<'_, R>,
    size: u64,
    header: &Header<'_>,
    standard: &S,
    file: &str,
    out: &mut dyn Write,
) -> Result<Summary> {
    // A progress bar (on a terminal only) for files that take more than a moment.
    let bar = if size >= PROGRESS_FROM_BYTES {
        progress_bar(size, "bytes")
    } else {
        ProgressBar::hidden()
    };
    // Rayon's workers take the pieces in turn (reading the next one is part of taking
    // it); this thread, which owns stdout or the output file, writes finished pieces in
    // order while later ones are computed. Input pieces and output texts are recycled
    // separately: they differ in size.
    let input_pool = pieces.pool;
    let pool = &Pool::default();
    let mut first = Vec::new();
    header.write_output::<S>(&mut first);
    out.write_all(&first)?;
    let mut summary = Summary::default();
    let written = in_order(
        pieces,
        |piece| match piece {
            Ok(piece) => {
                let mut text = pool.buffer(piece.len() * 3 + 1024);
                let result = convert_rows(&piece, header, standard, &mut text)
                    .map(|converted| (text, converted, piece.len()))
                    .map_err(PieceError::Row);
                input_pool.give(piece);
                result
            }
            Err(e) => Err(PieceError::Read(format!("cannot read {file}: {e}"))),
        },
        |result| match result {
            Ok((text, converted, input_bytes)) => {
                out.write_all(&text)?;
                summary.add(converted, header);
                bar.inc(input_bytes as u64);
                pool.give(text);
                Ok(())
            }
            Err(PieceError::Read(message)) => Err(CliError::msg(message)),
            // The row counted in the whole file.
            Err(PieceError::Row(e)) => Err(CliError::msg(format!(
                "{file}: {}",
                RowError {
                    row: summary.rows + e.row,
                    ..e
                }
            ))),
        },
    );
    out.flush()?;
    match written {
        Ok(()) => bar.finish_and_clear(),
        Err(_) => bar.abandon(),
    }
    written.map(|()| summary)
}

#[cfg(test)]
mod tests {
    use super::super::next_random;
    use super::*;

    fn trim_cr(line: &[u8]) -> &[u8] {
        line.strip_suffix(b"\r").unwrap_or(line)
    }

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
        let pool = Pool::default();
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

    /// A line of 16 MiB in pieces of 256 KiB: the searches for a place to cut add up to
    /// a small multiple of the input, not the ~2 GB that rescanning the growing buffer
    /// after every 256 KiB read took (64 MiB lines took 11.3 s that way).
    #[test]
    fn a_long_line_is_searched_a_bounded_number_of_times() {
        let length = 16 << 20;
        let mut content = b"a,b\n1,".to_vec();
        content.resize(content.len() + length, b'x');
        content.extend_from_slice(b"\n2,y\n");
        let pool = Pool::default();
        let mut pieces = Pieces::new(content.as_slice(), CHUNK_BYTES, &pool);
        pieces.first_line().unwrap();
        let mut body = Vec::new();
        for piece in pieces.by_ref() {
            body.extend_from_slice(&piece.unwrap());
        }
        assert_eq!(body, &content[4..content.len() - 1]);
        assert!(
            pieces.examined <= 3 * content.len(),
            "{} bytes searched for {} bytes",
            pieces.examined,
            content.len()
        );
    }

    #[test]
    fn pieces_hold_the_same_rows_as_the_whole_file() {
        let alphabet = [b'a', b'1', b',', b'\n', b'\n', b'\r'];
        let mut state: u64 = 11;
        let mut next = || next_random(&mut state) >> 33;
        for _ in 0..20_000 {
            let length = (next() % 40) as usize;
            let content: Vec<u8> = (0..length)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            let size = 1 + (next() % 12) as usize;
            let pool = Pool::default();
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
