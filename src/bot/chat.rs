//! What the bot answers: the menu, the three services, and help for anything else.

use crate::immunization::Schedule;
use crate::whatsapp::message::{Content, Interactive, ListRow, ListSection, Text};
use crate::whatsapp::webhook::{InteractiveReply, MessageContent};
use time::Date;

use super::{nutrition, vaccines};

/// What a message asked for, for the logs (never the message itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// A greeting, `MENU`, or a first contact.
    Menu,
    /// A nutrition-status question, understood or not.
    Nutrition,
    /// An immunization question, understood or not.
    Immunization,
    /// A choice in one of the bot's lists.
    ListReply,
    /// Anything else.
    Help,
}

impl Intent {
    /// The intent's name in the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Menu => "menu",
            Self::Nutrition => "nutrition",
            Self::Immunization => "immunization",
            Self::ListReply => "list_reply",
            Self::Help => "help",
        }
    }
}

/// Health campaigns: the list row id, its title (at most 24 characters), a short
/// description, and the answer.
const CAMPAIGNS: [(&str, &str, &str, &str); 4] = [
    (
        "kampanye:vitamin-a",
        "Bulan Vitamin A",
        "Februari dan Agustus",
        "*Bulan Vitamin A* — setiap Februari dan Agustus di Posyandu.\n\
         • Bayi 6–11 bulan: kapsul biru (100.000 IU).\n\
         • Anak 12–59 bulan: kapsul merah (200.000 IU).",
    ),
    (
        "kampanye:imunisasi-kejar",
        "Imunisasi kejar",
        "Terlambat? Masih bisa dikejar",
        "*Imunisasi kejar* — anak yang terlambat atau belum lengkap imunisasinya masih bisa \
         dikejar sampai umur 59 bulan. Kirim IMUNISASI dengan tanggal lahir dan vaksin yang \
         sudah diberikan untuk melihat dosis berikutnya.",
    ),
    (
        "kampanye:asi",
        "Pekan ASI Sedunia",
        "1–7 Agustus",
        "*Pekan ASI Sedunia* — 1–7 Agustus. ASI saja sampai umur 6 bulan, lalu ASI \
         dilanjutkan sampai 2 tahun atau lebih bersama makanan pendamping (MP-ASI).",
    ),
    (
        "kampanye:stunting",
        "Cegah stunting",
        "Timbang dan ukur tiap bulan",
        "*Cegah stunting* — timbang dan ukur panjang/tinggi anak setiap bulan di Posyandu. \
         Kirim BB, PB/TB, umur dan jenis kelamin untuk melihat status gizinya.",
    ),
];

const HELP_NUTRITION: &str = "*Status gizi anak*: kirim berat, panjang atau tinggi, umur dan \
jenis kelamin, misalnya\n  BB 8,2 TB 71 umur 10 bulan L\n\
BB = berat badan (kg); PB = panjang badan, berbaring; TB = tinggi badan, berdiri (cm). \
Umur dalam bulan, tahun atau hari (angka tanpa satuan = bulan). L = laki-laki, \
P = perempuan. Desimal boleh koma atau titik. Hasil: z-skor WHO dan kategori \
Permenkes No. 2/2020 (di bawah 24 bulan, TB dihitung sebagai PB +0,7 cm, aturan WHO).";

const HELP_IMMUNIZATION: &str = "*Jadwal imunisasi*: kirim tanggal lahir dan vaksin yang sudah \
diberikan, misalnya\n  IMUNISASI lahir 2025-03-10 HB0 BCG bOPV DPT-HB-Hib\n\
Tulis nama vaksin sekali untuk setiap dosis. Tanggal pemberian boleh ditulis sesudah nama \
vaksinnya (DPT-HB-Hib 2025-05-12); tanpa tanggal, dosis dianggap diberikan pada umur yang \
dianjurkan jadwal Kemenkes. Hasil: dosis berikutnya dan tanggal anjurannya.";

/// The answer to one inbound message, computed for `today`.
pub fn answer(content: &MessageContent, schedule: &Schedule, today: Date) -> (Intent, Content) {
    match content {
        MessageContent::Text(text) => {
            answer_text(text.body.as_deref().unwrap_or_default(), schedule, today)
        }
        MessageContent::Interactive(InteractiveReply::ListReply { id, .. }) => (
            Intent::ListReply,
            answer_choice(id.as_deref().unwrap_or_default()),
        ),
        MessageContent::RequestWelcome => (Intent::Menu, menu()),
        _ => (Intent::Help, help()),
    }
}

fn answer_text(text: &str, schedule: &Schedule, today: Date) -> (Intent, Content) {
    if vaccines::is_request(text) {
        let reply = vaccines::parse(text).and_then(|r| vaccines::answer(&r, schedule, today));
        return (Intent::Immunization, text_or_help(reply, HELP_IMMUNIZATION));
    }
    if nutrition::is_measurement(text) {
        let reply = nutrition::parse(text).map(|m| nutrition::answer(&m));
        return (Intent::Nutrition, text_or_help(reply, HELP_NUTRITION));
    }
    let first = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    match first.as_str() {
        "halo" | "hallo" | "hai" | "hi" | "menu" | "mulai" | "start" | "p" | "assalamualaikum"
        | "selamat" | "pagi" | "siang" | "sore" | "malam" => (Intent::Menu, menu()),
        _ => (Intent::Help, help()),
    }
}

/// The answer, or what was wrong followed by how to ask.
fn text_or_help(reply: Result<String, String>, how: &str) -> Content {
    match reply {
        Ok(text) => Text::new(text).into(),
        Err(problem) => Text::new(format!("{problem}\n\n{how}")).into(),
    }
}

fn answer_choice(id: &str) -> Content {
    match id {
        "imunisasi" => Text::new(HELP_IMMUNIZATION).into(),
        "gizi" => Text::new(HELP_NUTRITION).into(),
        "kampanye" => campaigns(),
        _ => match CAMPAIGNS.iter().find(|(row, ..)| *row == id) {
            Some((.., text)) => Text::new(*text).into(),
            None => menu(),
        },
    }
}

/// The greeting and the list of services.
pub fn menu() -> Content {
    let rows = [
        ListRow::new("imunisasi", "Jadwal imunisasi")
            .description("Vaksin berikutnya dari tanggal lahir"),
        ListRow::new("gizi", "Status gizi anak")
            .description("Z-skor WHO dari berat, panjang/tinggi, umur"),
        ListRow::new("kampanye", "Kampanye kesehatan")
            .description("Vitamin A, imunisasi kejar, ASI, stunting"),
    ];
    Interactive::list(
        "Halo! Saya asisten Posyandu untuk kader dan tenaga kesehatan. Pilih layanan:",
        "Pilih layanan",
        [ListSection::new("Layanan", rows)],
    )
    .footer("Ketik MENU kapan saja")
    .into()
}

fn campaigns() -> Content {
    let rows = CAMPAIGNS
        .iter()
        .map(|(id, title, description, _)| ListRow::new(*id, *title).description(*description));
    Interactive::list(
        "Kampanye kesehatan untuk keluarga dan kader Posyandu:",
        "Lihat kampanye",
        [ListSection::new("Kampanye", rows)],
    )
    .into()
}

/// What the bot understands.
pub fn help() -> Content {
    Text::new(format!(
        "Maaf, pesan itu belum saya pahami. Yang bisa saya bantu:\n\n{HELP_NUTRITION}\n\n\
         {HELP_IMMUNIZATION}\n\nKetik MENU untuk daftar layanan."
    ))
    .into()
}
