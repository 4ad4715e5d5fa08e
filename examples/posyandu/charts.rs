//! Growth charts to the families: every child weighed on the run date gets the Buku KIA
//! weight-for-age chart as an image, with a short caption saying naik (N) or tidak naik
//! (T) and what to do.
//!
//! The judgement is sehat-anthro's `monitoring::judge` over all the child's weighings up
//! to the run date; the chart is its PNG renderer (`chart` feature). Each chart is uploaded
//! once (`POST /{phone-number-id}/media`) and sent as an image message whose caption is
//! the judgement.
//!
//! The outbox carries template messages only, so the charts are sent with the client
//! directly. They are sent at most once per child and day all the same: the key
//! `grafik/<child>/<date>` is written to the table `posyandu_chart_sends` of the same
//! SQLite file as the outbox *before* the upload, and a key already there is never sent
//! again (a second run for the same date sends no chart). A send that fails is recorded
//! with its reason and not retried, as the outbox does with a send whose answer never
//! came. The table holds keys and outcomes only: no number, no message id.
//!
//! Outside the mock, a free-form image reaches a family only inside WhatsApp's 24-hour
//! customer-service window (after the family last wrote to the number); a Posyandu that
//! sends charts to families who have not written first needs a template with an image
//! header instead.

use std::error::Error;
use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};
use sehat::anthro::Sex as AnthroSex;
use sehat::anthro::chart::{ChartIndicator, GrowthChart, Measurement};
use sehat::anthro::monitoring::{Nt, ReferralReason, VisitJudgement, Weighing, judge};
use sehat::pseudonym::{Domain, Keyset, PhoneNumber, Region, Subject};
use sehat::whatsapp::PhoneNumberApi;
use sehat::whatsapp::ids::{PhoneNumberId, WaId};
use sehat::whatsapp::message::{Content, Media, Message};
use sehat_whatsapp_mock::MockGraphApi;
use time::Date;

use crate::register::{Child, Register, Sex};

/// The table of chart sends in the outbox's SQLite file.
const TABLE: &str = "posyandu_chart_sends";

/// The MIME type of the charts.
pub const MIME: &str = "image/png";

/// What became of one child's chart.
#[derive(Debug, Clone)]
pub struct ChartResult {
    /// The child's register id.
    pub child: String,
    /// The parent's pseudonym (`None` without a usable number).
    pub recipient: Option<String>,
    /// The key in `posyandu_chart_sends`.
    pub key: String,
    /// N or T at the run date's weighing (`None`: no judgement possible, e.g. a first visit).
    pub nt: Option<Nt>,
    /// The referral reasons of that weighing.
    pub reasons: Vec<ReferralReason>,
    /// The caption sent with the chart.
    pub caption: Option<String>,
    /// The PNG's size in bytes, when it was rendered (not for a chart sent earlier).
    pub bytes: Option<usize>,
    /// `accepted`, `sent_earlier` (by an earlier run), `rejected` or `skipped`.
    pub outcome: &'static str,
    /// Why it was rejected or skipped.
    pub failure: Option<String>,
}

/// The day's charts.
#[derive(Debug, Default)]
pub struct Charts {
    /// Where the charts went.
    pub endpoint: String,
    /// One result per child weighed on the run date, in register order.
    pub results: Vec<ChartResult>,
    /// Images uploaded in this run.
    pub uploads: usize,
}

impl Charts {
    /// Results with this outcome.
    pub fn count(&self, outcome: &str) -> usize {
        self.results.iter().filter(|r| r.outcome == outcome).count()
    }

    /// Charts the API accepted in this run with this judgement.
    pub fn sent_with(&self, nt: Option<Nt>) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == "accepted" && r.nt == nt)
            .count()
    }

    /// Charts the API accepted in this run whose weighing means referral.
    pub fn sent_referrals(&self) -> usize {
        self.results
            .iter()
            .filter(|r| r.outcome == "accepted" && !r.reasons.is_empty())
            .count()
    }

    /// The largest image uploaded, in bytes.
    pub fn largest(&self) -> usize {
        self.results
            .iter()
            .filter_map(|r| r.bytes)
            .max()
            .unwrap_or(0)
    }
}

/// The outbox key of a child's chart for a day.
fn key_of(child: &Child, on: Date) -> String {
    format!("grafik/{}/{on}", child.id)
}

/// The child's first name, as the parent knows the child.
fn first_name(child: &Child) -> &str {
    child.name.split_whitespace().next().unwrap_or(&child.name)
}

fn anthro_sex(sex: Sex) -> AnthroSex {
    match sex {
        Sex::Boy => AnthroSex::Male,
        Sex::Girl => AnthroSex::Female,
    }
}

/// The caption: the judgement and what to do, in Bahasa Indonesia.
pub fn caption(name: &str, judgement: &VisitJudgement) -> String {
    let mut text = match judgement.nt {
        Some(Nt::Naik) => format!("Grafik berat badan {name}: NAIK (N)."),
        Some(Nt::TidakNaik) => format!("Grafik berat badan {name}: TIDAK NAIK (T)."),
        None => format!(
            "Grafik berat badan {name}: belum bisa dinilai naik atau tidak naik \
             (perlu penimbangan bulan lalu)."
        ),
    };
    for reason in &judgement.reasons {
        let line = match reason {
            ReferralReason::TidakNaikTwice => " Dua kali berturut-turut tidak naik (2T).",
            ReferralReason::BelowRedLine => " Berat badan di bawah garis merah.",
            ReferralReason::AboveOrangeLine => " Berat badan di atas garis oranye.",
            _ => continue,
        };
        text.push_str(line);
    }
    if judgement.referral() {
        text.push_str(" Mohon bawa anak ke petugas kesehatan atau Puskesmas.");
    } else {
        text.push_str(
            " Lanjutkan ASI dan makanan bergizi, dan datang lagi ke Posyandu bulan depan.",
        );
    }
    text
}

/// The child's weighings up to `on`, in date order.
fn weighings(child: &Child, on: Date) -> Vec<Weighing> {
    child
        .visits
        .iter()
        .filter(|v| v.date <= on)
        .filter_map(|v| v.weight_kg.map(|kg| Weighing::new(v.date, kg)))
        .collect()
}

/// The judgement of the weighing on `on`, from all weighings up to it.
fn judge_on(child: &Child, weighings: &[Weighing], on: Date) -> Result<VisitJudgement, String> {
    let judged =
        judge(anthro_sex(child.sex), child.birth_date, weighings).map_err(|e| e.to_string())?;
    weighings
        .iter()
        .zip(judged)
        .rfind(|(w, _)| w.date == on)
        .map(|(_, j)| j)
        .ok_or_else(|| "no weight on the run date".to_owned())
}

/// The weight-for-age chart as PNG.
fn render(child: &Child, weighings: &[Weighing], on: Date) -> Result<Vec<u8>, String> {
    let points = weighings
        .iter()
        .map(|w| Measurement::new((w.date - child.birth_date).whole_days() as f64, w.weight_kg))
        .collect();
    GrowthChart::new(anthro_sex(child.sex), ChartIndicator::WeightForAge, points)
        .and_then(|c| c.with_caption(first_name(child)))
        .and_then(|c| {
            c.with_latest_note(format!(
                "ditimbang {:02}-{:02}-{}",
                on.day(),
                u8::from(on.month()),
                on.year()
            ))
        })
        .and_then(|c| c.to_png())
        .map_err(|e| e.to_string())
}

/// The chart-send table, created when missing.
fn open_table(outbox: &Path) -> Result<Connection, Box<dyn Error>> {
    let db =
        Connection::open(outbox).map_err(|e| format!("cannot open {}: {e}", outbox.display()))?;
    db.busy_timeout(std::time::Duration::from_secs(5))?;
    db.execute_batch(&format!(
        "CREATE TABLE IF NOT EXISTS {TABLE} (
             key TEXT PRIMARY KEY,
             outcome TEXT NOT NULL,
             failure TEXT,
             recorded_at TEXT NOT NULL
         )"
    ))?;
    Ok(db)
}

/// Sends the chart of every child weighed on `on` to the family: through the real Cloud
/// API when `WHATSAPP_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` are set, else through the
/// mock Graph API. `outbox` is the outbox's SQLite file, which remembers what was sent.
pub async fn send(
    outbox: &Path,
    register: &Register,
    on: Date,
    keyset: &Keyset,
    domain: &Domain,
) -> Result<Charts, Box<dyn Error>> {
    let weighed: Vec<&Child> = register
        .children
        .iter()
        .filter(|c| {
            c.visits
                .iter()
                .any(|v| v.date == on && v.weight_kg.is_some())
        })
        .collect();
    let db = open_table(outbox)?;
    let live = (
        std::env::var("WHATSAPP_TOKEN"),
        std::env::var("WHATSAPP_PHONE_NUMBER_ID"),
    );
    let (phone, endpoint, _mock) = match live {
        (Ok(token), Ok(id)) => (
            sehat::whatsapp::Client::builder(token)
                .build()?
                .phone(PhoneNumberId::new(id)),
            "WhatsApp Cloud API".to_owned(),
            None,
        ),
        _ => {
            let mock = MockGraphApi::start().await?;
            let phone = mock
                .client()?
                .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
            let endpoint = format!("mock Graph API at {}", mock.addr());
            (phone, endpoint, Some(mock))
        }
    };
    let pseudonymizer = keyset.pseudonymizer(domain);
    let mut charts = Charts {
        endpoint,
        ..Charts::default()
    };
    for child in weighed {
        let key = key_of(child, on);
        let number = PhoneNumber::parse_mobile(&child.parent_phone, Region::ID);
        let recipient = number
            .as_ref()
            .ok()
            .map(|n| pseudonymizer.pseudonymize(&Subject::phone(n)).to_string());
        let mut result = ChartResult {
            child: child.id.clone(),
            recipient,
            key: key.clone(),
            nt: None,
            reasons: Vec::new(),
            caption: None,
            bytes: None,
            outcome: "skipped",
            failure: None,
        };
        let weighings = weighings(child, on);
        let judgement = match judge_on(child, &weighings, on) {
            Ok(judgement) => judgement,
            Err(problem) => {
                result.failure = Some(format!("no judgement: {problem}"));
                charts.results.push(result);
                continue;
            }
        };
        result.nt = judgement.nt;
        result.reasons.clone_from(&judgement.reasons);
        let text = caption(first_name(child), &judgement);
        result.caption = Some(text.clone());
        let number = match number {
            Ok(number) => number,
            Err(error) => {
                result.failure = Some(format!("no WhatsApp number: {error}"));
                charts.results.push(result);
                continue;
            }
        };
        if claimed(&db, &key)? {
            result.outcome = "sent_earlier";
            charts.results.push(result);
            continue;
        }
        let png = match render(child, &weighings, on) {
            Ok(png) => png,
            Err(problem) => {
                result.failure = Some(format!("no chart: {problem}"));
                charts.results.push(result);
                continue;
            }
        };
        result.bytes = Some(png.len());
        let (outcome, failure) =
            send_one(&db, &phone, &key, &number, png, text, &mut charts).await?;
        result.outcome = outcome;
        result.failure = failure;
        charts.results.push(result);
    }
    Ok(charts)
}

/// Whether an earlier run claimed the key (sent, or tried to send, the chart).
fn claimed(db: &Connection, key: &str) -> Result<bool, rusqlite::Error> {
    db.query_row(
        &format!("SELECT 1 FROM {TABLE} WHERE key = ?1"),
        params![key],
        |_| Ok(()),
    )
    .optional()
    .map(|row| row.is_some())
}

/// Claims the key, uploads the chart and sends it.
async fn send_one(
    db: &Connection,
    phone: &PhoneNumberApi,
    key: &str,
    number: &PhoneNumber,
    png: Vec<u8>,
    caption: String,
    charts: &mut Charts,
) -> Result<(&'static str, Option<String>), Box<dyn Error>> {
    let now = time::OffsetDateTime::now_utc().to_string();
    let inserted = db.execute(
        &format!(
            "INSERT INTO {TABLE} (key, outcome, recorded_at) VALUES (?1, 'sending', ?2) \
             ON CONFLICT (key) DO NOTHING"
        ),
        params![key, now],
    )?;
    if inserted == 0 {
        // Another run claimed it since `claimed` was asked.
        return Ok(("sent_earlier", None));
    }
    let outcome = async {
        let media = phone.upload_media(png, MIME, "grafik.png").await?;
        charts.uploads += 1;
        let to = WaId::from(number.expose_wa_id().to_owned());
        let message = Message::new(to, Content::Image(Media::id(media).caption(caption)))?;
        phone.send(&message).await?;
        Ok::<_, sehat::whatsapp::Error>(())
    }
    .await;
    let (state, failure) = match outcome {
        Ok(()) => ("accepted", None),
        // Errors quote outside text: numbers in it are masked before it is kept.
        Err(error) => (
            "rejected",
            Some(sehat::whatsapp::mask_identifiers(&error.to_string())),
        ),
    };
    db.execute(
        &format!("UPDATE {TABLE} SET outcome = ?1, failure = ?2 WHERE key = ?3"),
        params![state, failure, key],
    )?;
    Ok((state, failure))
}
