//! `GRAFIK`: the growth chart of the child the bot last talked about with the sender.
//!
//! "The child the bot last talked about" is the last measurement the sender had the bot
//! judge (`BB 8.2 TB 71 umur 10 bulan L`): the bot keeps it in memory, keyed by the
//! sender's keyed pseudonym (never the number), for as long as it runs, and at most for
//! [`MAX_SENDERS`] senders (the oldest is forgotten first). `GRAFIK` (any case, spaces
//! around it ignored) answers with that child's chart as a PNG image: weight-for-age when
//! a weight was given, else length/height-for-age. With no measurement from the sender,
//! it answers with a short text saying how to send one.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use crate::anthro::chart::{ChartIndicator, GrowthChart, Measurement as Point};

use super::nutrition::Measurement;

/// The most senders whose last child is remembered.
pub const MAX_SENDERS: usize = 10_000;

/// The MIME type of the charts.
pub const MIME: &str = "image/png";

/// The answer when the bot knows no child of the sender.
pub const NO_CHILD: &str = "Maaf, saya belum tahu anak yang mana. Kirim dulu berat, \
panjang atau tinggi, umur dan jenis kelamin anak, misalnya\n  BB 8,2 TB 71 umur 10 bulan L\n\
lalu ketik GRAFIK untuk melihat grafik pertumbuhannya.";

/// Whether a text asks for the chart.
pub fn is_request(text: &str) -> bool {
    text.trim().eq_ignore_ascii_case("grafik")
}

/// The last child each sender talked about, by pseudonym.
#[derive(Debug, Default)]
pub struct LastChild {
    inner: Mutex<Remembered>,
}

#[derive(Debug, Default)]
struct Remembered {
    /// Pseudonym to (sequence number, measurement).
    by_sender: HashMap<String, (u64, Measurement)>,
    next: u64,
}

impl LastChild {
    /// Remembers the child the sender just talked about.
    pub fn remember(&self, sender: &str, child: Measurement) {
        let mut r = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if r.by_sender.len() >= MAX_SENDERS && !r.by_sender.contains_key(sender) {
            let oldest = r
                .by_sender
                .iter()
                .min_by_key(|(_, (n, _))| *n)
                .map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                r.by_sender.remove(&oldest);
            }
        }
        let n = r.next;
        r.next += 1;
        r.by_sender.insert(sender.to_owned(), (n, child));
    }

    /// The child the sender last talked about.
    pub fn get(&self, sender: &str) -> Option<Measurement> {
        let r = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        r.by_sender.get(sender).map(|(_, m)| *m)
    }
}

/// The child's chart as PNG, with its caption.
///
/// # Errors
///
/// A sentence for the sender when the measurement is off the chart.
pub fn render(child: &Measurement) -> Result<(Vec<u8>, String), String> {
    let age_days = child.age_days();
    let (indicator, value, what) = match (child.weight_kg, child.lenhei) {
        (Some(kg), _) => (ChartIndicator::WeightForAge, kg, "berat badan"),
        (None, Some((cm, _))) => (
            ChartIndicator::LengthHeightForAge,
            cm,
            "panjang/tinggi badan",
        ),
        (None, None) => return Err("Tidak ada berat atau panjang/tinggi untuk digambar.".into()),
    };
    let months = (age_days / crate::anthro::DAYS_PER_MONTH).floor();
    let png = GrowthChart::new(child.sex, indicator, vec![Point::new(age_days, value)])
        .and_then(|c| c.to_png())
        .map_err(|_| {
            "Maaf, grafik hanya untuk anak umur 0–60 bulan dengan ukuran yang masuk akal."
                .to_owned()
        })?;
    let advice = match indicator {
        ChartIndicator::WeightForAge => {
            "Bila titiknya di bawah garis merah atau di atas garis oranye, bawa anak ke \
             petugas kesehatan atau Puskesmas."
        }
        _ => {
            "Bila titiknya di bawah garis -2 SD, anak pendek (stunting): bawa anak ke \
              petugas kesehatan atau Puskesmas."
        }
    };
    let caption = format!(
        "Grafik {what} menurut umur (standar WHO, seperti di Buku KIA), anak umur {months} \
         bulan. {advice}"
    );
    Ok((png, caption))
}
