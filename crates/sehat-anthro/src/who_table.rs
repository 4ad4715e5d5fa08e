//! Tables in WHO anthro's format: reading the columns of WHO's R packages (`anthro`,
//! `anthroplus`) from CSV and writing the z-score columns they return, one contract for
//! every program that reads or writes such tables (`sehat anthro zscores`,
//! `prevalence` and `report`, the examples, your own).
//!
//! Available with the `who-table` feature.
//!
//! # The contract
//!
//! - **Lines.** The first line is the header (a UTF-8 byte-order mark and a final `\r`
//!   are removed; no column name appears twice). Every other line is one row: fields are
//!   separated by commas, may be quoted with `"` (`""` inside is a quote), and cannot hold
//!   a line break. A line ends at `\n` or `\r\n`; a blank line between rows is an error,
//!   line ends at the very end of the text are not rows. Every row has as many fields as
//!   the header.
//! - **Columns** are found by name (after trimming spaces), in any order; any may be
//!   absent, other columns are carried through. [`ZSCORES_2006`] lists what
//!   `anthro_zscores` reads (`sex`, `age`, `is_age_in_month`, `weight`, `lenhei`,
//!   `measure`, `headc`, `armc`, `triskin`, `subskin`, `oedema`), [`ZSCORES_2007`] what
//!   `anthroplus_zscores` reads (`sex`, `age_in_months`, `oedema`, `height_in_cm`,
//!   `weight_in_kg`). A [`MapOptions`] reads them from other names and codes (Kemenkes
//!   registers, dates of birth and visit).
//! - **Missing values**: an empty field or `NA`.
//! - **Numbers** as R reads them: decimals with a point, exponents, `NaN`, `Inf`. A
//!   negative age, or one that is not a finite number, is refused as WHO's packages
//!   refuse it; a measurement that is not a finite positive number leaves the indicators
//!   that use it NA and is reported in the [`Summary`].
//! - **Codes** as WHO's packages accept them: sex `1`/`2`/`m`/`f`/`M`/`F`, measure
//!   `l`/`h`/`L`/`H`, oedema `y`/`n`/`1`/`2`, and `is_age_in_month` in R's spellings of a
//!   logical (`TRUE`, `true`, `True`, `T` and `FALSE`, `false`, `False`, `F`; empty or
//!   `NA` only when there is no age).
//! - **Output**: each row as read, then the columns WHO's function appends
//!   ([`Standard::OUTPUT_HEADER`]): z-scores rounded to two decimals (unless asked
//!   otherwise) and written as the shortest text that reads back to the same double,
//!   flags `0`/`1`, `NaN` where WHO gives `NaN`, empty where it gives `NA`.
//!
//! Every error names the row (and its line), the column and what is wrong in the field.
//!
//! # Examples
//!
//! ```
//! use sehat_anthro::who_table::{MapOptions, Table};
//!
//! let csv = b"id,sex,age,is_age_in_month,weight,lenhei,measure,oedema\n\
//!             a,1,365,FALSE,9.5,75.3,l,n\n\
//!             b,2,NA,NA,8.1,NA,NA,NA\n\
//!             c,F,14.5,True,9.1,78,L,n\n";
//! let table = Table::parse(csv)?;
//! let children = table.who2006(&MapOptions::default())?;
//! assert_eq!(children.len(), 3);
//! assert_eq!(children[1].age, None);
//!
//! // The same rows with WHO's columns appended, as `anthro_zscores` returns them.
//! let mut out = Vec::new();
//! let summary = table.write_who2006(&MapOptions::default(), true, &mut out)?;
//! assert_eq!(summary.rows, 3);
//! let text = String::from_utf8(out)?;
//! assert!(text.starts_with("id,sex,age,is_age_in_month,weight,lenhei,measure,oedema,clenhei,"));
//! assert!(text.lines().nth(1).unwrap().starts_with("a,1,365,FALSE,9.5,75.3,l,n,75.3,l,0,"));
//!
//! // A negative age is refused, naming the row, its line and the column.
//! let bad = Table::parse(b"sex,age\n1,30\n2,-4\n")?;
//! let e = bad.who2006(&MapOptions::default()).unwrap_err();
//! assert_eq!(e.to_string(), "row 2 (line 3), column 2 (`age`): negative age -4");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod columns;
mod fields;
mod mapping;

pub use columns::{
    CodeColumn, KEMENKES_2006, KEMENKES_2007, Standard, Who2006, Who2007, ZSCORES_2006,
    ZSCORES_2007, measure, oedema, sex,
};
pub use fields::{
    FieldError, Fields, code, is_missing, number, number_field, write_f64, write_rounded,
};
pub use mapping::{ColumnMap, DateFormat, Dates, MapError, MapOptions, Preset, Targets, ValueMap};

use crate::{Child, SchoolAgeChild};

/// The UTF-8 byte-order mark, ignored at the start of a table.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// At most the first 40 characters of a value, for messages: a value can be megabytes
/// long.
pub(crate) fn excerpt(text: &[u8]) -> String {
    const SHOWN: usize = 40;
    let text = String::from_utf8_lossy(text);
    match text.char_indices().nth(SHOWN) {
        None => text.into_owned(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

/// A table that cannot be read: its header, the options that map its columns, or a row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TableError {
    /// The text is empty or its first line is.
    #[error("the input has no header line")]
    NoHeader,
    /// The header line cannot be split into fields.
    #[error("header line, column {}: {}", .0.column + 1, .0.message)]
    Header(FieldError),
    /// The header names a column twice: which of the two to read would be a guess.
    #[error(
        "the header names the column `{}` twice (columns {first} and {second}); rename one \
         of them",
        excerpt(.name.as_bytes())
    )]
    DuplicateColumn {
        /// The name.
        name: String,
        /// Its first position (1-based).
        first: usize,
        /// Its second position (1-based).
        second: usize,
    },
    /// Map options that do not fit the header.
    #[error(transparent)]
    Map(#[from] MapError),
    /// A row that cannot be read.
    #[error(transparent)]
    Row(#[from] RowError),
}

/// A row that cannot be read: which row, which column, what is wrong.
///
/// # Examples
///
/// ```
/// use sehat_anthro::who_table::{MapOptions, Table, TableError};
///
/// let table = Table::parse(b"sex,age,weight\n1,300,9.1\n2,310,heavy\n")?;
/// let Err(TableError::Row(e)) = table.who2006(&MapOptions::default()) else {
///     panic!("the second row cannot be read");
/// };
/// assert_eq!((e.row, e.line(), e.column, e.column_name.as_str()), (2, 3, Some(2), "weight"));
/// assert_eq!(e.message, "`heavy` is not a number");
/// # Ok::<(), TableError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row} (line {}){}: {message}", self.line(), self.place())]
pub struct RowError {
    /// The row, counted from 1 after the header.
    pub row: usize,
    /// The column (0-based), when the problem is in one field.
    pub column: Option<usize>,
    /// That column's name in the header (empty when there is no column).
    pub column_name: String,
    /// What is wrong.
    pub message: String,
}

impl RowError {
    /// The line of the row in the text (the header is line 1).
    pub fn line(&self) -> usize {
        self.row + 1
    }

    fn place(&self) -> String {
        match self.column {
            Some(c) => format!(", column {} (`{}`)", c + 1, self.column_name),
            None => String::new(),
        }
    }
}

/// The header line of a table: its text (without line end) and column names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    line: &'a [u8],
    names: Vec<String>,
}

impl<'a> Header<'a> {
    /// Reads the header from the first line of a table (without its `\n`; a
    /// byte-order mark and a final `\r` are removed).
    ///
    /// # Errors
    ///
    /// An empty line, a field that cannot be split, a name given twice.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_anthro::who_table::Header;
    ///
    /// let header = Header::parse(b"\xEF\xBB\xBFsex, age ,weight\r")?;
    /// assert_eq!(header.names(), ["sex", "age", "weight"]);
    /// assert_eq!(header.line(), b"sex, age ,weight");
    /// assert!(Header::parse(b"sex,age,sex").is_err());
    /// # Ok::<(), sehat_anthro::who_table::TableError>(())
    /// ```
    pub fn parse(first: &'a [u8]) -> Result<Self, TableError> {
        let line = trim_cr(first.strip_prefix(BOM).unwrap_or(first));
        if line.is_empty() {
            return Err(TableError::NoHeader);
        }
        let mut fields = Fields::default();
        fields.split(line).map_err(TableError::Header)?;
        let names: Vec<String> = (0..fields.len())
            .map(|i| {
                String::from_utf8_lossy(fields.get(line, i))
                    .trim()
                    .to_owned()
            })
            .collect();
        for (later, name) in names.iter().enumerate() {
            if let Some(first) = names[..later].iter().position(|n| n == name) {
                return Err(TableError::DuplicateColumn {
                    name: name.clone(),
                    first: first + 1,
                    second: later + 1,
                });
            }
        }
        Ok(Self { line, names })
    }

    /// The header line as written (without byte-order mark and line end).
    pub fn line(&self) -> &'a [u8] {
        self.line
    }

    /// The column names, trimmed.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Writes the output header for `S`: this line, `,` and [`Standard::OUTPUT_HEADER`],
    /// and a `\n`.
    pub fn write_output<S: Standard>(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.line);
        out.push(b',');
        out.extend_from_slice(S::OUTPUT_HEADER.as_bytes());
        out.push(b'\n');
    }

    fn row_error(&self, row: usize, column: Option<usize>, message: String) -> RowError {
        RowError {
            row,
            column,
            column_name: column
                .and_then(|c| self.names.get(c))
                .cloned()
                .unwrap_or_default(),
            message,
        }
    }
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Calls `row` for every line of `body` (rows after the header; line ends at its very end
/// already removed), split into fields: the one loop that applies the rules on lines.
/// Returns the number of rows.
#[inline]
fn for_each_row(
    body: &[u8],
    header: &Header<'_>,
    mut row: impl FnMut(usize, &[u8], &Fields) -> Result<(), FieldError>,
) -> Result<usize, RowError> {
    let columns = header.names.len();
    let mut fields = Fields::default();
    let mut count = 0;
    let mut rest = body;
    while !rest.is_empty() {
        // The fields and the end of the line in one pass.
        let end = fields
            .split_line(rest)
            .map_err(|e| header.row_error(count + 1, Some(e.column), e.message))?;
        let line = trim_cr(&rest[..end]);
        rest = rest.get(end + 1..).unwrap_or_default();
        if line.is_empty() {
            return Err(header.row_error(
                count + 1,
                None,
                "blank line; blank lines are allowed only at the end of the file".into(),
            ));
        }
        if fields.len() != columns {
            return Err(header.row_error(
                count + 1,
                None,
                format!("{} fields, the header has {columns}", fields.len()),
            ));
        }
        row(count, line, &fields)
            .map_err(|e| header.row_error(count + 1, Some(e.column), e.message))?;
        count += 1;
    }
    Ok(count)
}

/// What [`convert_rows`] found besides its output: the number of rows, and the rows
/// (0-based) with a measurement that is not a finite positive number, with the indices
/// of those columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    /// Rows read and written.
    pub rows: usize,
    /// Rows (0-based within the text converted) with invalid measurements, and the
    /// columns (0-based) holding them.
    pub invalid: Vec<(usize, Vec<usize>)>,
}

/// Converts rows of a table: appends each line of `body` (whole lines after the header,
/// line ends at the very end removed) to `out` with the columns of `standard`, each
/// followed by `\n`. A program reading a large file can convert pieces of whole lines
/// in parallel and write them in order, as `sehat anthro zscores` does.
///
/// # Errors
///
/// The first row that cannot be read, counted from 1 in `body`.
///
/// # Examples
///
/// ```
/// use sehat_anthro::who_table::{
///     ColumnMap, Header, MapOptions, Who2007, ZSCORES_2007, convert_rows,
/// };
///
/// let header = Header::parse(b"sex,age_in_months,height_in_cm,weight_in_kg")?;
/// let map = ColumnMap::resolve(&MapOptions::default(), header.names(), &ZSCORES_2007)?;
/// let standard = Who2007::new(&map, true);
/// let mut out = Vec::new();
/// header.write_output::<Who2007>(&mut out);
/// let converted = convert_rows(b"1,120,135.2,29.8\r\n2,150,0,40", &header, &standard, &mut out)?;
/// assert_eq!(converted.rows, 2);
/// assert_eq!(converted.invalid, [(1, vec![2])]); // a height of 0
/// let text = String::from_utf8(out)?;
/// assert_eq!(
///     text.lines().nth(1),
///     Some("1,120,135.2,29.8,1,n,16.302825531318934,-0.4,-0.28,-0.08,0,0,0")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn convert_rows<S: Standard>(
    body: &[u8],
    header: &Header<'_>,
    standard: &S,
    out: &mut Vec<u8>,
) -> Result<Converted, RowError> {
    let mut invalid = Vec::new();
    let mut invalid_columns = Vec::new();
    let rows = for_each_row(body, header, |index, line, fields| {
        out.extend_from_slice(line);
        standard.append(line, fields, out, &mut invalid_columns)?;
        if !invalid_columns.is_empty() {
            invalid.push((index, std::mem::take(&mut invalid_columns)));
        }
        out.push(b'\n');
        Ok(())
    })?;
    Ok(Converted { rows, invalid })
}

/// Rows with invalid measurements that a [`Summary`] lists one by one; the rest are
/// counted.
pub const REPORTED_ROWS: usize = 20;

/// What a conversion found besides its output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Rows read (and written).
    pub rows: usize,
    /// Rows with a measurement that is not a finite positive number: the row number
    /// (from 1) and the names of the columns, for the first [`REPORTED_ROWS`] of them.
    pub invalid: Vec<(usize, Vec<String>)>,
    /// How many rows had such a measurement.
    pub invalid_rows: usize,
}

impl Summary {
    /// Adds the rows of `converted`, which follow those already counted.
    pub fn add(&mut self, converted: Converted, header: &Header<'_>) {
        for (row, columns) in converted.invalid {
            self.invalid_rows += 1;
            if self.invalid.len() < REPORTED_ROWS {
                let names = columns
                    .iter()
                    .map(|&c| header.names.get(c).cloned().unwrap_or_default())
                    .collect();
                self.invalid.push((self.rows + row + 1, names));
            }
        }
        self.rows += converted.rows;
    }
}

/// A whole table in memory: its header and its rows.
#[derive(Debug, Clone)]
pub struct Table<'a> {
    header: Header<'a>,
    body: &'a [u8],
}

impl<'a> Table<'a> {
    /// Splits `text` into its header and rows (line ends at the very end removed).
    ///
    /// # Errors
    ///
    /// A header that cannot be read ([`Header::parse`]).
    pub fn parse(text: &'a [u8]) -> Result<Self, TableError> {
        let (first, body) = match memchr::memchr(b'\n', text) {
            Some(end) => (&text[..end], &text[end + 1..]),
            None => (text, &text[text.len()..]),
        };
        let end = body
            .iter()
            .rposition(|&b| b != b'\n' && b != b'\r')
            .map_or(0, |p| p + 1);
        Ok(Self {
            header: Header::parse(first)?,
            body: &body[..end],
        })
    }

    /// The header.
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The rows, as text (whole lines after the header, line ends at the very end
    /// removed), for [`convert_rows`].
    pub fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The columns of `targets`, mapped by `options`.
    ///
    /// # Errors
    ///
    /// Options that do not fit the header ([`ColumnMap::resolve`]).
    pub fn column_map(
        &self,
        options: &MapOptions,
        targets: &Targets,
    ) -> Result<ColumnMap, TableError> {
        Ok(ColumnMap::resolve(options, &self.header.names, targets)?)
    }

    /// Every row read as a child of the WHO Child Growth Standards (0–5 years), as
    /// `anthro_zscores` reads it.
    ///
    /// # Errors
    ///
    /// Options that do not fit the header, or the first row that cannot be read.
    pub fn who2006(&self, options: &MapOptions) -> Result<Vec<Child>, TableError> {
        let reader = Who2006::new(&self.column_map(options, &ZSCORES_2006)?, true);
        self.collect_rows(|line, fields| reader.child(line, fields))
    }

    /// Every row read as a child of the WHO Growth Reference 2007 (5–19 years), as
    /// `anthroplus_zscores` reads it.
    ///
    /// # Errors
    ///
    /// Options that do not fit the header, or the first row that cannot be read.
    pub fn who2007(&self, options: &MapOptions) -> Result<Vec<SchoolAgeChild>, TableError> {
        let reader = Who2007::new(&self.column_map(options, &ZSCORES_2007)?, true);
        self.collect_rows(|line, fields| reader.child(line, fields))
    }

    /// Every row read by `read`, in file order; the first row it refuses is the error.
    fn collect_rows<T>(
        &self,
        mut read: impl FnMut(&[u8], &Fields) -> Result<T, FieldError>,
    ) -> Result<Vec<T>, TableError> {
        let mut rows = Vec::new();
        for_each_row(self.body, &self.header, |_, line, fields| {
            rows.push(read(line, fields)?);
            Ok(())
        })?;
        Ok(rows)
    }

    /// Writes the table with the columns of `standard` appended (header included).
    ///
    /// # Errors
    ///
    /// The first row that cannot be read.
    pub fn write<S: Standard>(
        &self,
        standard: &S,
        out: &mut Vec<u8>,
    ) -> Result<Summary, TableError> {
        self.header.write_output::<S>(out);
        let converted = convert_rows(self.body, &self.header, standard, out)?;
        let mut summary = Summary::default();
        summary.add(converted, &self.header);
        Ok(summary)
    }

    /// Writes the table as `anthro_zscores` returns it: every row with its z-scores and
    /// flags, rounded to two decimals when `round` is true.
    ///
    /// # Errors
    ///
    /// Options that do not fit the header, or the first row that cannot be read.
    pub fn write_who2006(
        &self,
        options: &MapOptions,
        round: bool,
        out: &mut Vec<u8>,
    ) -> Result<Summary, TableError> {
        let standard = Who2006::new(&self.column_map(options, &ZSCORES_2006)?, round);
        self.write(&standard, out)
    }

    /// Writes the table as `anthroplus_zscores` returns it: every row with its
    /// z-scores and flags, rounded to two decimals when `round` is true.
    ///
    /// # Errors
    ///
    /// Options that do not fit the header, or the first row that cannot be read.
    pub fn write_who2007(
        &self,
        options: &MapOptions,
        round: bool,
        out: &mut Vec<u8>,
    ) -> Result<Summary, TableError> {
        let standard = Who2007::new(&self.column_map(options, &ZSCORES_2007)?, round);
        self.write(&standard, out)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fixed pseudo-random sequence for the tests (Knuth's MMIX linear congruential
    /// step), so that they are reproducible without a dependency.
    pub(crate) fn next_random(state: &mut u64) -> u64 {
        *state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        *state
    }

    #[test]
    fn rows_follow_the_rules_on_lines() {
        let read = |text: &str| Table::parse(text.as_bytes())?.who2006(&MapOptions::default());
        assert_eq!(read("sex,age\n1,3\r\n2,4\n\r\n\n").unwrap().len(), 2);
        assert_eq!(read("sex,age").unwrap().len(), 0);
        assert_eq!(read("").unwrap_err(), TableError::NoHeader);
        let e = read("sex,age\n1,3\n\n2,4\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "row 2 (line 3): blank line; blank lines are allowed only at the end of the file"
        );
        let e = read("sex,age\n1,3,5\n").unwrap_err();
        assert_eq!(e.to_string(), "row 1 (line 2): 3 fields, the header has 2");
        let e = read("sex,age\n1,\"3\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("row 1 (line 2), column 2 (`age`): unterminated"),
            "{e}"
        );
        let e = read("sex,age,sex\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the header names the column `sex` twice (columns 1 and 3); rename one of them"
        );
    }

    #[test]
    fn r_spellings_and_missing_values_are_read_as_the_cli_reads_them() {
        let table =
            Table::parse(b"sex,age,is_age_in_month,oedema\n1,12,True,NA\n2,NA,NA,y\nNA,400,F,n\n")
                .unwrap();
        let children = table.who2006(&MapOptions::default()).unwrap();
        assert_eq!(children[0].age, Some(crate::Age::Months(12.0)));
        assert_eq!(children[1].age, None);
        assert!(children[1].oedema);
        assert_eq!(children[2].sex, None);
        assert_eq!(children[2].age, Some(crate::Age::Days(400.0)));
        let e = Table::parse(b"sex,age,is_age_in_month\n1,12,yes\n")
            .unwrap()
            .who2006(&MapOptions::default())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "row 1 (line 2), column 3 (`is_age_in_month`): is_age_in_month `yes` is not TRUE \
             or FALSE"
        );
        let e = Table::parse(b"sex,age_in_months\n1,-1\n")
            .unwrap()
            .who2007(&MapOptions::default())
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "row 1 (line 2), column 2 (`age_in_months`): negative age -1"
        );
    }

    #[test]
    fn summaries_count_rows_across_pieces() {
        let header = Header::parse(b"sex,age,weight").unwrap();
        let map =
            ColumnMap::resolve(&MapOptions::default(), header.names(), &ZSCORES_2006).unwrap();
        let standard = Who2006::new(&map, true);
        let mut summary = Summary::default();
        let mut out = Vec::new();
        for piece in [&b"1,30,3.1\n2,40,-1\n"[..], b"1,50,0\n1,60,4"] {
            let converted = convert_rows(piece, &header, &standard, &mut out).unwrap();
            summary.add(converted, &header);
        }
        assert_eq!(summary.rows, 4);
        assert_eq!(summary.invalid_rows, 2);
        assert_eq!(
            summary.invalid,
            [
                (2, vec!["weight".to_owned()]),
                (3, vec!["weight".to_owned()])
            ]
        );
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 4);
    }
}
