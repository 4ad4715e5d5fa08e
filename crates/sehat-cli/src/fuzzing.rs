//! Entry points for the fuzz targets in `fuzz/`: each runs one of the binary's readers on
//! bytes in memory, as the command does on a file, and checks what must hold for every
//! input. Not an API: it exists for `cargo fuzz` and the regression tests of its
//! findings.

use std::io::Write;
use std::sync::OnceLock;

use sehat_immunization::Schedule;
use sehat_outbox::OutboxKeys;
use sehat_pseudonym::Region;
use time::OffsetDateTime;

use crate::anthro::prevalence::{Input, write_table};
use crate::anthro::{StandardName, convert};
use crate::outbox::table::{Refusal, Table};
use crate::outbox::{consent, schedule};

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

/// The keys every run of [`outbox_csv`] pseudonymizes with (made once: a fresh keyset
/// per input would only slow the fuzzer down).
fn outbox_keys() -> Option<&'static OutboxKeys> {
    static KEYS: OnceLock<Option<OutboxKeys>> = OnceLock::new();
    KEYS.get_or_init(|| OutboxKeys::generate().ok()).as_ref()
}

/// Checks the promises of the outbox readers for one read of `data`: every row after the
/// header was either used or refused, once, and a refusal never shows a phone number of
/// its row.
fn check_outbox_read(data: &[u8], used: usize, refused: &[Refusal]) {
    let rows = rows_by_lines(data, true);
    assert_eq!(used + refused.len(), rows, "every row used or refused");
    assert!(
        refused.windows(2).all(|w| w[0].row < w[1].row),
        "one refusal per row, in row order"
    );
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(data);
    let phone = reader
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|name| name.trim() == "phone"));
    for (index, record) in reader.byte_records().enumerate() {
        let Some(text) = record
            .ok()
            .and_then(|r| phone.and_then(|p| r.get(p).map(<[u8]>::to_vec)))
        else {
            continue;
        };
        let text = String::from_utf8_lossy(&text);
        let text = text.trim();
        // What error messages mask as a phone number: seven digits or more.
        if text.chars().filter(char::is_ascii_digit).count() < 7 {
            continue;
        }
        for refusal in refused.iter().filter(|r| r.row == index + 1) {
            assert!(
                !refusal.to_string().contains(text),
                "refusal shows the phone field: {refusal}"
            );
        }
    }
}

/// `sehat outbox schedule` and `sehat outbox consent` on `data` as the input file, up to
/// the database: the rows read, checked and pseudonymized.
///
/// # Panics
///
/// When a read that succeeded neither used nor refused a row (or did both), or when a
/// refusal shows the row's phone field.
pub fn outbox_csv(data: &[u8]) {
    let data = data.strip_prefix(crate::io::BOM).unwrap_or(data);
    let Some(keys) = outbox_keys() else {
        return;
    };
    let table = |required, optional, prefix| {
        Table::read(data.to_vec(), "fuzz.csv".into(), required, optional, prefix)
    };
    if let Ok(mut table) = table(
        schedule::REQUIRED,
        schedule::OPTIONAL,
        Some(schedule::PARAM),
    ) {
        let mut refused = Vec::new();
        if let Ok(usable) = schedule::prepare(&mut table, keys, &mut refused) {
            check_outbox_read(data, usable, &refused);
        }
    }
    if let Ok(mut table) = table(consent::REQUIRED, consent::OPTIONAL, None) {
        let mut refused = Vec::new();
        let now = OffsetDateTime::UNIX_EPOCH;
        if let Ok(records) = consent::read(&mut table, keys, now, &mut refused) {
            check_outbox_read(data, records.len(), &refused);
        }
    }
}

/// `sehat anthro prevalence` (both standards) on `data` as the input file.
///
/// # Panics
///
/// When a read that succeeded did not read one row per line, or a table does not print
/// as one line per row plus the header.
pub fn prevalence_csv(data: &[u8]) {
    let data = data.strip_prefix(crate::io::BOM).unwrap_or(data);
    let Ok(input) = Input::read(data, "fuzz.csv") else {
        return;
    };
    assert_eq!(
        input.row_count(),
        rows_by_lines(data, true),
        "one row per line"
    );
    for standard in [StandardName::Who2006, StandardName::Who2007] {
        if let Ok(table) = input.prevalence(standard) {
            let mut out = Vec::new();
            assert!(write_table(&mut out, &table).is_ok(), "writes to memory");
            let lines = out.iter().filter(|&&b| b == b'\n').count();
            assert_eq!(lines, table.rows.len() + 1, "one output line per row");
        }
    }
}
