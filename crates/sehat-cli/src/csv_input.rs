//! The rules every CSV input of the binary follows, whichever command reads it (see the
//! README, "CSV input"):
//!
//! - a UTF-8 byte-order mark at the start of the file is ignored;
//! - the first line is the header, and no column name appears twice;
//! - every line is one row: a quoted field cannot hold a line break (a stray `"` would
//!   otherwise swallow the rows after it);
//! - a blank line between rows is an error naming it; blank lines at the end of the file
//!   are ignored.

use crate::error::{CliError, Result};

/// Refuses a header that names a column twice: which of the two a command would read
/// is a guess; and a header separated by semicolons, which reads as one column.
///
/// # Errors
///
/// The first repeated name, with both of its positions (1-based); a semicolon-separated
/// header, with how to save the file with commas.
pub fn check_header(names: &[String], file: &str) -> Result {
    if let [only] = names
        && only.contains(';')
    {
        // Spreadsheets set to a comma as the decimal separator (Indonesian and most
        // European settings) save "CSV" with semicolons.
        return Err(CliError::msg(format!(
            "{file}: the header is separated by semicolons ({:?}), not commas: save the \
             file as \"CSV UTF-8 (comma delimited)\" or set the spreadsheet's list \
             separator to a comma",
            excerpt(only.as_bytes())
        )));
    }
    for (later, name) in names.iter().enumerate() {
        if let Some(first) = names[..later].iter().position(|n| n == name) {
            return Err(CliError::msg(format!(
                "{file}: the header names the column `{}` twice (columns {} and {}); \
                 rename one of them",
                excerpt(name.as_bytes()),
                first + 1,
                later + 1
            )));
        }
    }
    Ok(())
}

/// The message for a blank line that is not at the end of the file.
pub fn blank_line(file: &str, line: u64) -> CliError {
    CliError::msg(format!(
        "{file}: line {line} is blank; blank lines are allowed only at the end of the file"
    ))
}

/// The message for a row whose quoted field runs over a line break.
pub fn line_break_in_field(file: &str, line: u64) -> CliError {
    CliError::msg(format!(
        "{file}: line {line}: a quoted field runs over the end of the line (a stray `\"`?); \
         fields cannot hold line breaks, so each line must be one row"
    ))
}

/// Checks, in one pass over `data` (a whole CSV file), that every line is one row, and
/// returns the number of rows after the header.
///
/// Lines end at `\n`, `\r\n` or a lone `\r`, as for the `csv` crate. Quotes are
/// followed as the `csv` crate reads them (a field that starts with `"` is quoted, `""`
/// inside it is a quote, a `"` elsewhere is text), so that it yields one record per line
/// exactly when this check passes. The `csv` crate itself skips blank lines and lets a
/// quoted field run over line ends: a stray `"` in a one-column file merged the rows
/// after it into one.
///
/// # Errors
///
/// A blank line before the last row, a quoted field that runs over the end of its line
/// (or of the file), naming the line.
pub fn check_lines(data: &[u8], file: &str) -> Result<u64> {
    // Without a quote no field can run over a line end: only the blank lines are left
    // to find, from line end to line end instead of byte by byte.
    if memchr::memchr(b'"', data).is_none() {
        return check_unquoted_lines(data, file);
    }
    check_lines_bytewise(data, file)
}

/// [`check_lines`] byte by byte, following the quotes.
fn check_lines_bytewise(data: &[u8], file: &str) -> Result<u64> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        QuoteInQuoted,
    }
    let mut state = State::FieldStart;
    let mut line: u64 = 1;
    let mut line_empty = true;
    let mut first_blank: Option<u64> = None;
    let mut lines_with_text: u64 = 0;
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        i += 1;
        if b == b'\n' || b == b'\r' {
            if state == State::Quoted {
                return Err(line_break_in_field(file, line));
            }
            if b == b'\r' && data.get(i) == Some(&b'\n') {
                i += 1;
            }
            if line_empty {
                first_blank.get_or_insert(line);
            } else {
                lines_with_text += 1;
            }
            line += 1;
            line_empty = true;
            state = State::FieldStart;
            continue;
        }
        if line_empty {
            if let Some(blank) = first_blank {
                return Err(blank_line(file, blank));
            }
            line_empty = false;
        }
        state = match (state, b) {
            (State::Quoted, b'"') => State::QuoteInQuoted,
            (State::Quoted, _) | (State::QuoteInQuoted, b'"') => State::Quoted,
            (State::FieldStart, b'"') => State::Quoted,
            (_, b',') => State::FieldStart,
            _ => State::Unquoted,
        };
    }
    if state == State::Quoted {
        return Err(CliError::msg(format!(
            "{file}: line {line}: a quoted field is not closed at the end of the file \
             (a stray `\"`?)"
        )));
    }
    if !line_empty {
        lines_with_text += 1;
    }
    Ok(lines_with_text.saturating_sub(1))
}

/// [`check_lines`] for a file without a `"`: the same answer, found at the line ends.
fn check_unquoted_lines(data: &[u8], file: &str) -> Result<u64> {
    let mut line: u64 = 1;
    let mut first_blank: Option<u64> = None;
    let mut lines_with_text: u64 = 0;
    // Where the current line starts, and the `\n` of a `\r\n` to pass over.
    let mut start = 0;
    let mut skip = usize::MAX;
    for at in memchr::memchr2_iter(b'\n', b'\r', data) {
        if at == skip {
            continue;
        }
        if at == start {
            first_blank.get_or_insert(line);
        } else {
            if let Some(blank) = first_blank {
                return Err(blank_line(file, blank));
            }
            lines_with_text += 1;
        }
        line += 1;
        start = at + 1;
        if data[at] == b'\r' && data.get(at + 1) == Some(&b'\n') {
            skip = at + 1;
            start = at + 2;
        }
    }
    if start < data.len() {
        if let Some(blank) = first_blank {
            return Err(blank_line(file, blank));
        }
        lines_with_text += 1;
    }
    Ok(lines_with_text.saturating_sub(1))
}

/// Sets the line of the `index`-th record after the header (0-based) once
/// [`check_lines`] has passed: the `csv` crate counts lines ending in `\r\n` twice.
pub fn set_line(record: &mut csv::ByteRecord, index: u64) {
    let mut position = record
        .position()
        .cloned()
        .unwrap_or_else(csv::Position::new);
    position.set_line(index + 2);
    record.set_position(Some(position));
}

/// At most the first 40 characters of a value, for messages: a value can be megabytes
/// long.
pub fn excerpt(text: &[u8]) -> String {
    const SHOWN: usize = 40;
    let text = String::from_utf8_lossy(text);
    match text.char_indices().nth(SHOWN) {
        None => text.into_owned(),
        Some((cut, _)) => format!("{}… ({} bytes)", &text[..cut], text.len()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_header_separated_by_semicolons_is_named() {
        let one = vec!["key;phone;purpose;template".to_owned()];
        let error = check_header(&one, "f.csv").unwrap_err().to_string();
        assert!(error.contains("separated by semicolons"), "{error}");
        assert!(error.contains("key;phone;purpose;template"), "{error}");
        // A lone column without a semicolon, or several columns, are not that.
        assert!(check_header(&["phone".to_owned()], "f.csv").is_ok());
        let names = ["key".to_owned(), "a;b".to_owned()];
        assert!(check_header(&names, "f.csv").is_ok());
    }

    fn check_all(text: &str) -> Result<u64> {
        let rows = check_lines(text.as_bytes(), "f.csv")?;
        // The csv crate then reads exactly as many records.
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.byte_records().count() as u64, rows, "{text:?}");
        Ok(rows)
    }

    #[test]
    fn files_without_quotes_are_checked_as_byte_by_byte() {
        // Every file of up to 8 bytes from `a`, `,`, `\n` and `\r`.
        let alphabet = [b'a', b',', b'\n', b'\r'];
        let mut compared = 0;
        for len in 0..=8u32 {
            for mut k in 0..4usize.pow(len) {
                let mut data = Vec::new();
                for _ in 0..len {
                    data.push(alphabet[k % 4]);
                    k /= 4;
                }
                let fast = check_unquoted_lines(&data, "f.csv").map_err(|e| e.to_string());
                let slow = check_lines_bytewise(&data, "f.csv").map_err(|e| e.to_string());
                assert_eq!(fast, slow, "{:?}", String::from_utf8_lossy(&data));
                compared += 1;
            }
        }
        assert_eq!(compared, 87_381);
    }

    #[test]
    fn rows_are_lines() {
        assert_eq!(check_all("a,b\n1,2\n3,4\n").unwrap(), 2);
        assert_eq!(check_all("a,b\r\n1,2\r\n3,4").unwrap(), 2);
        assert_eq!(check_all("a,b\n1,\"x,y\"\n\n\n").unwrap(), 1);
        assert_eq!(check_all("a\r1\r2\r\r").unwrap(), 2);
        assert_eq!(check_all("a,b\n0\"8,\"x\"\"y\"\n\"q\"r,s\n").unwrap(), 2);
        assert_eq!(check_all("a\n").unwrap(), 0);
    }

    #[test]
    fn blank_lines_between_rows_are_refused_by_line() {
        let e = check_all("a,b\n1,2\n\n3,4\n").unwrap_err().to_string();
        assert_eq!(
            e,
            "f.csv: line 3 is blank; blank lines are allowed only at the end of the file"
        );
        let e = check_all("a\n1\r\n\r\n3\n").unwrap_err().to_string();
        assert!(e.contains("line 3 is blank"), "{e}");
        let e = check_all("a\n1\n2\n\r3\n").unwrap_err().to_string();
        assert!(e.contains("line 4 is blank"), "{e}");
        let e = check_all("\na,b\n1,2\n").unwrap_err().to_string();
        assert!(e.contains("line 1 is blank"), "{e}");
    }

    #[test]
    fn a_stray_quote_stops_at_its_line() {
        let e = check_all("input\n0812\n\"0813\n0814\n0815\n0816\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("f.csv: line 3: a quoted field runs over"),
            "{e}"
        );
        let e = check_all("input\n\"08\n12\"\n0813\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2:"), "{e}");
        let e = check_all("a,b\n1,\"2").unwrap_err().to_string();
        assert!(e.contains("line 2: a quoted field is not closed"), "{e}");
    }

    #[test]
    fn repeated_column_names_are_refused() {
        let names = ["sex", "age", "sex"].map(String::from);
        assert_eq!(
            check_header(&names, "f.csv").unwrap_err().to_string(),
            "f.csv: the header names the column `sex` twice (columns 1 and 3); rename one of them"
        );
        assert!(check_header(&["sex".into(), "Sex".into()], "f.csv").is_ok());
    }

    #[test]
    fn excerpts_are_short() {
        assert_eq!(excerpt(b"abc"), "abc");
        let long = "é".repeat(100);
        assert_eq!(
            excerpt(long.as_bytes()),
            format!("{}… (200 bytes)", "é".repeat(40))
        );
    }
}
