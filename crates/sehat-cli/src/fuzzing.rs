//! Entry points for the fuzz targets in `fuzz/`: each runs one of the binary's readers on
//! bytes in memory, as the command does on a file, and checks what must hold for every
//! input. Not an API: it exists for `cargo fuzz` and the regression tests of its
//! findings.

use std::io::Write;

use sehat_immunization::Schedule;
use sehat_pseudonym::Region;

use crate::anthro::{StandardName, convert};

/// The rows of a file whose lines end at `\n` (and, with `lone_cr`, also at `\r\n` or
/// a lone `\r`), line ends at the very end of the file ignored, the header not counted:
/// what a reader must report, counted without any of its code.
fn rows_by_lines(data: &[u8], lone_cr: bool) -> usize {
    let end = data
        .iter()
        .rposition(|&b| b != b'\n' && b != b'\r')
        .map_or(0, |p| p + 1);
    let body = &data[..end];
    if !lone_cr {
        return body.iter().filter(|&&b| b == b'\n').count();
    }
    let mut count = 0;
    let mut i = 0;
    while i < body.len() {
        if body[i] == b'\r' && body.get(i + 1) == Some(&b'\n') {
            i += 1;
        }
        if body[i] == b'\n' || body[i] == b'\r' {
            count += 1;
        }
        i += 1;
    }
    count
}

/// `sehat anthro zscores` (both standards) on `data` as the input file.
///
/// # Panics
///
/// When the reader breaks a promise: a success that did not read one row per line, or
/// whose output does not have one line per row plus the header.
pub fn anthro_csv(data: &[u8]) {
    for standard in [StandardName::Who2006, StandardName::Who2007] {
        let mut out = Vec::new();
        let size = data.len() as u64;
        if let Ok(summary) = convert(data, size, standard, true, "fuzz.csv", &mut out) {
            assert_eq!(summary.rows, rows_by_lines(data, false), "one row per line");
            let lines = out.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(lines, summary.rows + 1, "one output line per row");
            assert!(summary.invalid_rows <= summary.rows);
        }
    }
}

/// `sehat phone normalize` on `data` as the input file.
///
/// # Panics
///
/// When a success did not read one row per line, or wrote a different number of rows
/// than it read.
pub fn phone_csv(data: &[u8]) {
    let data = data.strip_prefix(crate::io::BOM).unwrap_or(data);
    let mut out = Vec::new();
    let region = Region::new("ID").ok();
    if let Ok(rows) = crate::phone::normalize(data, "fuzz.csv", region, &mut out) {
        let _ = out.flush();
        assert_eq!(rows, rows_by_lines(data, true) as u64, "one row per line");
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let written = reader.byte_records().count() as u64;
        assert_eq!(written, rows, "rows out equal rows read");
    }
}

/// `sehat immunization forecast` on `data` as the cases file, with both schedules.
pub fn immunization_json(data: &[u8]) {
    for schedule in [Schedule::cdsi_us(), Schedule::id_kemenkes()]
        .into_iter()
        .flatten()
    {
        let _ = crate::immunization::forecast_data(data, "fuzz.json", schedule);
    }
}
