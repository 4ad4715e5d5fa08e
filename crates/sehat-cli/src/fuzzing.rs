//! Entry points for the fuzz targets in `fuzz/`: each runs one of the binary's readers on
//! bytes in memory, as the command does on a file, and checks what must hold for every
//! input. Not an API: it exists for `cargo fuzz` and the regression tests of its
//! findings.

use std::io::Write;

use sehat_immunization::Schedule;
use sehat_pseudonym::Region;

use crate::anthro::{StandardName, convert};

/// `sehat anthro zscores` (both standards) on `data` as the input file.
///
/// # Panics
///
/// When the reader breaks a promise: a success whose output does not have one line per
/// input row plus the header.
pub fn anthro_csv(data: &[u8]) {
    for standard in [StandardName::Who2006, StandardName::Who2007] {
        let mut out = Vec::new();
        if let Ok(summary) = convert(
            data,
            data.len() as u64,
            standard,
            true,
            "fuzz.csv",
            &mut out,
        ) {
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
/// When a success writes a different number of rows than it read.
pub fn phone_csv(data: &[u8]) {
    let data = data.strip_prefix(crate::io::BOM).unwrap_or(data);
    let mut out = Vec::new();
    if let Ok(rows) = crate::phone::normalize(data, "fuzz.csv", Region::new("ID").ok(), &mut out) {
        let _ = out.flush();
        let mut reader = csv::Reader::from_reader(out.as_slice());
        let written = reader.byte_records().count() as u64;
        assert_eq!(written, rows, "rows out equal rows in");
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
