//! Reading the outbox commands' CSV files: a header naming the columns, then one row per
//! message or consent record. A row that cannot be used is refused with its row number
//! and the reason; the other rows still count.

use std::fmt;
use std::path::Path;

use crate::csv_input::{check_header, check_lines, excerpt};
use crate::error::{CliError, Result};
use crate::io::read_input;

/// A row that was not used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The data row (1 = the first row after the header).
    pub row: usize,
    /// The message key, when the row has a usable one.
    pub key: Option<String>,
    /// The column at fault, or what refused it (`duplicate`, `outbox`).
    pub what: String,
    /// Why. A reason may quote the refused value; a phone number in it (one in the wrong
    /// column) is masked when the refusal is shown.
    pub reason: String,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The file's line: the header is line 1, and every row is one line.
        write!(f, "row {} (line {})", self.row, self.row + 1)?;
        // A key or a reason may hold a phone number: never shown whole.
        let mask = sehat_whatsapp::mask_identifiers;
        if let Some(key) = &self.key {
            write!(f, ", key {:?}", mask(key))?;
        }
        write!(f, ": {}: {}", self.what, mask(&self.reason))
    }
}

/// A CSV file with named columns.
pub struct Table {
    file: String,
    header: Vec<String>,
    reader: csv::Reader<std::io::Cursor<Vec<u8>>>,
}

impl Table {
    /// Opens `path` and reads its header; every column must be one of `required`,
    /// `optional`, or (with `prefix`) start with it.
    pub fn open(
        path: &Path,
        required: &[&str],
        optional: &[&str],
        prefix: Option<&str>,
    ) -> Result<Table> {
        let data = read_input(path)?;
        Table::read(data, path.display().to_string(), required, optional, prefix)
    }

    /// [`open`](Self::open) on the contents of `file` (without its byte-order mark).
    pub fn read(
        data: Vec<u8>,
        file: String,
        required: &[&str],
        optional: &[&str],
        prefix: Option<&str>,
    ) -> Result<Table> {
        // The CLI's one rule for CSV input (README, "CSV input"): one row per line, blank
        // lines only at the end, a byte-order mark ignored.
        check_lines(&data, &file)?;
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(std::io::Cursor::new(data));
        // Column names as a spreadsheet may type them (`Phone`, `KEY`, `Param.nama`) are
        // the columns they name; a parameter's own name stays as written.
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| CliError::msg(format!("{file}: cannot read the header line: {e}")))?
            .iter()
            .map(|h| column_name(h.trim(), required, optional, prefix))
            .collect();
        if header.iter().all(String::is_empty) {
            return Err(CliError::msg(format!(
                "{file}: no header line: the file is empty (the first line names the columns: {})",
                required.join(", ")
            )));
        }
        check_header(&header, &file)?;
        for name in &header {
            let known = required.contains(&name.as_str())
                || optional.contains(&name.as_str())
                || prefix.is_some_and(|p| name.len() > p.len() && name.starts_with(p));
            if !known {
                let mut expected: Vec<String> = required
                    .iter()
                    .chain(optional)
                    .map(|s| (*s).to_owned())
                    .collect();
                if let Some(p) = prefix {
                    expected.push(format!("{p}NAME"));
                }
                return Err(CliError::msg(format!(
                    "{file}: unknown column {:?} (expected {})",
                    excerpt(name.as_bytes()),
                    expected.join(", ")
                )));
            }
        }
        for name in required {
            if !header.iter().any(|h| h == name) {
                return Err(CliError::msg(format!(
                    "{file}: no column {name:?} in the header"
                )));
            }
        }
        Ok(Table {
            file,
            header,
            reader,
        })
    }

    /// The position of a column.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The columns whose names start with `prefix`, as (name after the prefix, position).
    pub fn prefixed(&self, prefix: &str) -> Vec<(String, usize)> {
        self.header
            .iter()
            .enumerate()
            .filter_map(|(i, h)| h.strip_prefix(prefix).map(|n| (n.to_owned(), i)))
            .collect()
    }

    /// Calls `each` with every data row's number and fields; a row that cannot be read
    /// (a field count other than the header's, invalid UTF-8) is refused instead.
    pub fn rows(
        &mut self,
        mut each: impl FnMut(usize, &csv::StringRecord) -> Result,
        refused: &mut Vec<Refusal>,
    ) -> Result {
        let width = self.header.len();
        let mut record = csv::StringRecord::new();
        let mut row = 0;
        loop {
            row += 1;
            match self.reader.read_record(&mut record) {
                Ok(false) => return Ok(()),
                Ok(true) if record.len() != width => refused.push(Refusal {
                    row,
                    key: None,
                    what: "row".into(),
                    reason: format!("{} fields where the header has {width}", record.len()),
                }),
                Ok(true) => each(row, &record)?,
                Err(e) => match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => refused.push(Refusal {
                        row,
                        key: None,
                        what: "row".into(),
                        reason: "not valid UTF-8".into(),
                    }),
                    _ => {
                        return Err(CliError::msg(format!("{}, row {row}: {e}", self.file)));
                    }
                },
            }
        }
    }
}

/// `name` as the column it names, compared without regard to letter case: one of
/// `required` or `optional`, or `prefix` followed by the name as written; otherwise as is.
fn column_name(name: &str, required: &[&str], optional: &[&str], prefix: Option<&str>) -> String {
    if let Some(known) = required
        .iter()
        .chain(optional)
        .find(|known| known.eq_ignore_ascii_case(name))
    {
        return (*known).to_owned();
    }
    if let Some(p) = prefix
        && let Some(head) = name.get(..p.len())
        && head.eq_ignore_ascii_case(p)
    {
        return format!("{p}{}", &name[p.len()..]);
    }
    name.to_owned()
}

/// A field's trimmed text ("" when the column is absent).
pub fn field(record: &csv::StringRecord, column: Option<usize>) -> &str {
    column.and_then(|c| record.get(c)).unwrap_or("").trim()
}

/// Prints a summary of refusals: the count, then `(reason: n, …)` by the column at
/// fault, and one line per refused row.
pub fn print_refusals(out: &mut dyn std::io::Write, refused: &[Refusal]) -> std::io::Result<()> {
    let mut by_what: std::collections::BTreeMap<&str, usize> = Default::default();
    for r in refused {
        *by_what.entry(r.what.as_str()).or_default() += 1;
    }
    let reasons: Vec<String> = by_what.iter().map(|(w, n)| format!("{w}: {n}")).collect();
    if reasons.is_empty() {
        writeln!(out, "refused: 0")?;
    } else {
        writeln!(out, "refused: {} ({})", refused.len(), reasons.join(", "))?;
    }
    for r in refused {
        writeln!(out, "refused {r}")?;
    }
    Ok(())
}
