//! Shared plumbing of the `phone` commands: a CSV read in batches that the workers take
//! in turn and encode, while this thread writes the finished batches in input order.

use std::io::Write;

use indicatif::ProgressBar;

use crate::csv_input::{check_header, check_lines, set_line};
use crate::error::{CliError, Result};
use crate::io::{Pool, in_order, progress_bar};

/// Records per batch: small enough that the two workers stay evenly busy to the end.
const BATCH_ROWS: usize = 4096;

/// The header of the input file.
pub struct Header {
    /// Column names, as read.
    pub names: Vec<String>,
}

impl Header {
    /// The index of a column, or an error naming the columns there are.
    pub fn require(&self, name: &str, file: &str) -> Result<usize> {
        self.find(name).ok_or_else(|| {
            CliError::msg(format!(
                "{file} has no `{name}` column (its columns: {})",
                self.names.join(", ")
            ))
        })
    }

    /// The index of a column, if present.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|column| column == name)
    }
}

/// Reads `data` as CSV with a header; `header` turns the input header into the output
/// header and a state shared by all rows; `row` writes each record's output line to a CSV
/// writer, in parallel chunks. Everything goes to `out` in input order. Returns the
/// number of rows.
pub fn process<S, F>(
    data: &[u8],
    file: &str,
    header: impl FnOnce(&Header) -> Result<(Vec<String>, S)>,
    out: &mut dyn Write,
    row: F,
) -> Result<u64>
where
    S: Sync,
    F: Fn(&S, &csv::ByteRecord, &mut csv::Writer<Vec<u8>>) -> Result + Sync,
{
    let expected_rows = check_lines(data, file)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(data);
    let names: Vec<String> = reader
        .headers()
        .map_err(|e| CliError::msg(format!("{file}: cannot read the header line: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    check_header(&names, file)?;
    let input_header = Header { names };
    let (output_header, state) = header(&input_header)?;
    {
        let mut writer = csv::Writer::from_writer(&mut *out);
        writer.write_record(&output_header)?;
        writer.flush()?;
    }
    let progress = progress_bar(data.len() as u64, "bytes");
    let spare = &Pool::default();
    let texts = &Pool::default();
    let batches = Batches {
        reader,
        read: 0,
        file,
        spare,
        progress: &progress,
        finished: false,
    };
    // The pool's workers read and encode batches in turn (reading is taking the next
    // batch); this thread, which owns the output, writes them back in order.
    let mut rows = 0u64;
    in_order(
        batches,
        |batch| {
            batch.and_then(|(records, filled)| {
                let encoded = encode(&records[..filled], &state, &row, texts.take());
                spare.give(records);
                encoded.map(|text| (text, filled))
            })
        },
        |encoded| {
            let (text, filled) = encoded?;
            out.write_all(&text)?;
            rows += filled as u64;
            texts.give(text);
            Ok(())
        },
    )?;
    progress.finish_and_clear();
    out.flush()?;
    // check_lines promised one record per line; never report success on fewer.
    if rows != expected_rows {
        return Err(CliError::msg(format!(
            "{file}: read {rows} rows from {expected_rows} lines; the file is not one row per line"
        )));
    }
    Ok(rows)
}

/// The input as batches of records: each item is a batch and how many of its records
/// were filled; after a read error, one error item and then the end.
struct Batches<'a> {
    reader: csv::Reader<&'a [u8]>,
    /// Records read so far.
    read: u64,
    file: &'a str,
    spare: &'a Pool<Vec<csv::ByteRecord>>,
    progress: &'a ProgressBar,
    finished: bool,
}

impl Iterator for Batches<'_> {
    type Item = Result<(Vec<csv::ByteRecord>, usize)>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let mut records = self.spare.take();
        if records.len() < BATCH_ROWS {
            records.resize_with(BATCH_ROWS, csv::ByteRecord::new);
        }
        match fill(&mut self.reader, &mut self.read, &mut records, self.file) {
            Ok(0) => {
                self.finished = true;
                None
            }
            Ok(filled) => {
                self.progress.set_position(self.reader.position().byte());
                Some(Ok((records, filled)))
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}

/// Reads up to `batch.len()` records into `batch`; returns how many. `read` counts the
/// records read before; each is one line of the file ([`check_lines`] passed), so its
/// line is known.
fn fill(
    reader: &mut csv::Reader<&[u8]>,
    read: &mut u64,
    batch: &mut [csv::ByteRecord],
    file: &str,
) -> Result<usize> {
    let mut filled = 0;
    while filled < batch.len() {
        let more = reader
            .read_byte_record(&mut batch[filled])
            .map_err(|e| CliError::msg(format!("{file}: {e}")))?;
        if !more {
            break;
        }
        set_line(&mut batch[filled], *read);
        *read += 1;
        filled += 1;
    }
    Ok(filled)
}

/// Encodes the output lines of `records` into `buffer` (emptied first).
fn encode<S, F>(
    records: &[csv::ByteRecord],
    state: &S,
    row: &F,
    mut buffer: Vec<u8>,
) -> Result<Vec<u8>>
where
    F: Fn(&S, &csv::ByteRecord, &mut csv::Writer<Vec<u8>>) -> Result,
{
    buffer.clear();
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(buffer);
    for record in records {
        row(state, record, &mut writer)?;
    }
    writer
        .into_inner()
        .map_err(|e| CliError::msg(format!("cannot encode output: {e}")))
}

/// The line of a record in its file, for error messages.
pub fn line_of(record: &csv::ByteRecord) -> u64 {
    record.position().map_or(0, csv::Position::line)
}

/// A field as UTF-8, or an error naming the line and column.
pub fn text<'r>(record: &'r csv::ByteRecord, index: usize, column: &str) -> Result<&'r str> {
    let bytes = record.get(index).unwrap_or_default();
    std::str::from_utf8(bytes).map_err(|_| {
        CliError::msg(format!(
            "line {}, column `{column}`: the field is not valid UTF-8",
            line_of(record)
        ))
    })
}
