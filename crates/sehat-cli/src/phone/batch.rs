//! Shared plumbing of the `phone` commands: a CSV read in batches, each batch turned into
//! encoded output lines in parallel chunks, written in input order.

use std::io::{Read, Write};

use rayon::prelude::*;

use crate::error::{CliError, Result};
use crate::io::{open_input, progress_bar};

/// Records read before a batch is processed.
const BATCH_ROWS: usize = 1 << 16;
/// Records per parallel chunk.
const CHUNK_ROWS: usize = 2048;

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
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(data);
    let names = reader
        .headers()
        .map_err(|e| CliError::msg(format!("{file}: cannot read the header line: {e}")))?
        .iter()
        .map(str::to_owned)
        .collect();
    let input_header = Header { names };
    let (output_header, state) = header(&input_header)?;
    {
        let mut writer = csv::Writer::from_writer(&mut *out);
        writer.write_record(&output_header)?;
        writer.flush()?;
    }
    let progress = progress_bar(data.len() as u64, "bytes");
    let mut rows = 0u64;
    // Two sets of records, reused from batch to batch (reading allocates only while a
    // field outgrows every earlier one): one is read while the other is encoded.
    let new_batch = || {
        let mut batch = Vec::new();
        batch.resize_with(BATCH_ROWS, csv::ByteRecord::new);
        batch
    };
    let (mut current, mut next) = (new_batch(), new_batch());
    let mut filled = fill(&mut reader, &mut current, file)?;
    // The output of the batch before, written while this one is encoded.
    let mut pending: Vec<Vec<u8>> = Vec::new();
    while filled > 0 {
        // The pool's workers encode this batch; meanwhile this thread writes the
        // previous batch's output and reads the next batch, so no core waits on I/O.
        let mut encoded = None;
        let (written, next_filled) = rayon::in_place_scope(|scope| {
            let batch = &current[..filled];
            let (state, row, encoded) = (&state, &row, &mut encoded);
            scope.spawn(move |_| *encoded = Some(encode(batch, state, row)));
            let written = write_all(out, &pending);
            (written, fill(&mut reader, &mut next, file))
        });
        written?;
        pending = encoded.unwrap_or_else(|| Err(CliError::msg("a batch was not encoded")))?;
        rows += filled as u64;
        progress.set_position(reader.position().byte());
        filled = match next_filled {
            Ok(filled) => filled,
            Err(e) => {
                write_all(out, &pending)?;
                return Err(e);
            }
        };
        std::mem::swap(&mut current, &mut next);
    }
    write_all(out, &pending)?;
    progress.finish_and_clear();
    out.flush()?;
    Ok(rows)
}

/// Writes encoded chunks in order.
fn write_all(out: &mut dyn Write, chunks: &[Vec<u8>]) -> Result {
    for chunk in chunks {
        out.write_all(chunk)?;
    }
    Ok(())
}

/// Reads up to `batch.len()` records into `batch`; returns how many.
fn fill(
    reader: &mut csv::Reader<&[u8]>,
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
        filled += 1;
    }
    Ok(filled)
}

/// Encodes the output lines of `records` in parallel chunks, in order.
fn encode<S, F>(records: &[csv::ByteRecord], state: &S, row: &F) -> Result<Vec<Vec<u8>>>
where
    S: Sync,
    F: Fn(&S, &csv::ByteRecord, &mut csv::Writer<Vec<u8>>) -> Result + Sync,
{
    records
        .par_chunks(CHUNK_ROWS)
        .map(|chunk| {
            let mut writer = csv::WriterBuilder::new()
                .flexible(true)
                .from_writer(Vec::with_capacity(chunk.len() * 64));
            for record in chunk {
                row(state, record, &mut writer)?;
            }
            writer
                .into_inner()
                .map_err(|e| CliError::msg(format!("cannot encode output: {e}")))
        })
        .collect()
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

/// Reads a whole input file, with an error that names it.
pub fn read_input(path: &std::path::Path) -> Result<Vec<u8>> {
    let mut data = Vec::new();
    open_input(path)?
        .read_to_end(&mut data)
        .map_err(|e| CliError::msg(format!("cannot read input file {}: {e}", path.display())))?;
    Ok(data)
}
