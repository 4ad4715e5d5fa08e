//! Dates as Indonesians write them, shared by the examples (`#[path]`-included, so it is
//! not an example of its own).

use time::Date;

const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

const HARI: [&str; 7] = [
    "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu",
];

/// `10 Maret 2025`.
pub fn tanggal(date: Date) -> String {
    let month = BULAN[usize::from(u8::from(date.month())) - 1];
    format!("{} {month} {}", date.day(), date.year())
}

/// `Kamis, 26 November 2026`.
#[allow(dead_code)] // used by the Posyandu example only
pub fn hari_tanggal(date: Date) -> String {
    let day = HARI[usize::from(date.weekday().number_days_from_monday())];
    format!("{day}, {}", tanggal(date))
}
