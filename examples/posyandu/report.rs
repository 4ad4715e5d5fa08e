//! The day's summary on stdout and the JSONL send log (pseudonyms only).

use std::collections::BTreeMap;
use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Duration;

use sehat::anthro::classification::{StatusGizi, TinggiBadanMenurutUmur};
use sehat::pseudonym::{ParseError, PhoneNumber};
use serde_json::json;
use time::Date;

use crate::charts::Charts;
use crate::growth::Growth;
use crate::messaging::{Delivery, Outgoing, TEMPLATE};
use crate::register::Register;
use crate::reminders::DueDose;

/// How the parents' numbers parsed.
#[derive(Debug, Default)]
pub struct PhoneTally {
    pub mobile: usize,
    pub missing: usize,
    pub rejected: BTreeMap<String, usize>,
}

impl PhoneTally {
    pub fn count(&mut self, number: &Result<PhoneNumber, ParseError>, blank: bool) {
        match number {
            Ok(_) => self.mobile += 1,
            Err(_) if blank => self.missing += 1,
            Err(error) => *self.rejected.entry(error.to_string()).or_default() += 1,
        }
    }
}

/// Everything the summary reports.
pub struct Summary<'a> {
    pub register: &'a Register,
    pub on: Date,
    pub days: u16,
    pub growth: &'a [Option<Growth>],
    pub due: &'a [Vec<DueDose>],
    pub phones: &'a PhoneTally,
    pub outgoing: &'a [Outgoing],
    pub skipped: &'a [(usize, ParseError)],
    pub delivery: &'a Delivery,
    pub log: &'a Path,
    pub log_lines: usize,
    pub charts: &'a Charts,
    pub chart_log: &'a Path,
    pub elapsed: Duration,
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Writes one JSON line per reminder sent and per family that could not be reached.
///
/// The log names the parent only by pseudonym. It leaves out the message id: a wamid
/// carries the recipient's number in base64, so it is as identifying as the number.
pub fn write_log(
    path: &Path,
    register: &Register,
    outgoing: &[Outgoing],
    skipped: &[(usize, ParseError)],
    delivery: &Delivery,
    on: Date,
) -> Result<usize, Box<dyn Error>> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut lines = 0;
    for (message, result) in outgoing.iter().zip(&delivery.results) {
        let line = json!({
            "date": on.to_string(),
            "child": register.children[message.child_index].id,
            "recipient": message.pseudonym,
            "template": TEMPLATE,
            "language": "id",
            "doses": message.reminder.doses,
            "key": result.key,
            "outcome": result.outcome,
            "status": result.status,
            "failure": result.failure,
        });
        writeln!(out, "{line}")?;
        lines += 1;
    }
    for (index, error) in skipped {
        let line = json!({
            "date": on.to_string(),
            "child": register.children[*index].id,
            "recipient": null,
            "outcome": "skipped",
            "failure": format!("no WhatsApp number: {error}"),
        });
        writeln!(out, "{line}")?;
        lines += 1;
    }
    out.flush()?;
    Ok(lines)
}

/// Writes one JSON line per child weighed on the run date: the chart's judgement,
/// caption and outcome, the parent named by pseudonym only.
pub fn write_chart_log(path: &Path, charts: &Charts, on: Date) -> Result<usize, Box<dyn Error>> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let file = File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    let mut out = BufWriter::new(file);
    for result in &charts.results {
        let line = json!({
            "date": on.to_string(),
            "child": result.child,
            "recipient": result.recipient,
            "key": result.key,
            "nt": result.nt.map(|nt| nt.code()),
            "reasons": result.reasons.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "caption": result.caption,
            "mime_type": crate::charts::MIME,
            "bytes": result.bytes,
            "outcome": result.outcome,
            "failure": result.failure,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(charts.results.len())
}

/// Prints the day's summary.
pub fn print_summary(s: &Summary<'_>) {
    let children = s.register.children.len();
    let villages: std::collections::BTreeSet<&str> = s
        .register
        .children
        .iter()
        .map(|c| c.village.as_str())
        .collect();
    println!(
        "Posyandu reminder day: {}, {} ({} villages)",
        s.register.puskesmas,
        s.on,
        villages.len()
    );
    println!();

    let measured: Vec<&Growth> = s.growth.iter().flatten().collect();
    let with_haz = measured.iter().filter(|g| g.haz.is_some()).count();
    let with_whz = measured.iter().filter(|g| g.whz.is_some()).count();
    let stunted = measured.iter().filter(|g| g.stunted()).count();
    let wasted = measured.iter().filter(|g| g.wasted()).count();
    let count_tb =
        |c: TinggiBadanMenurutUmur| measured.iter().filter(|g| g.tb_u == Some(c)).count();
    let count_gizi = |c: StatusGizi| measured.iter().filter(|g| g.status_gizi == Some(c)).count();
    println!("Growth (WHO Child Growth Standards, latest weighing)");
    println!("  children in the register        {children}");
    println!("  weighed and measured            {}", measured.len());
    println!(
        "  stunted (TB/U < -2 SD)          {stunted} of {with_haz} ({:.1} %): sangat pendek {}, pendek {}",
        percent(stunted, with_haz),
        count_tb(TinggiBadanMenurutUmur::SangatPendek),
        count_tb(TinggiBadanMenurutUmur::Pendek),
    );
    println!(
        "  wasted (BB/TB < -2 SD)          {wasted} of {with_whz} ({:.1} %): gizi buruk {}, gizi kurang {}",
        percent(wasted, with_whz),
        count_gizi(StatusGizi::GiziBuruk),
        count_gizi(StatusGizi::GiziKurang),
    );
    println!(
        "  at risk of overweight or above  {}",
        count_gizi(StatusGizi::BerisikoGiziLebih)
            + count_gizi(StatusGizi::GiziLebih)
            + count_gizi(StatusGizi::Obesitas)
    );
    println!();

    let flagged: Vec<(usize, &Growth)> = s
        .growth
        .iter()
        .enumerate()
        .filter_map(|(i, g)| g.as_ref().map(|g| (i, g)))
        .filter(|(_, g)| g.stunted() || g.wasted())
        .collect();
    println!(
        "For the health worker: {} children stunted or wasted (first 10)",
        flagged.len()
    );
    println!(
        "  {:<9} {:<14} {:>6} {:>6} {:>6}  {:<14} BB/TB",
        "child", "village", "TB/U", "BB/TB", "BB/U", "TB/U"
    );
    for (index, g) in flagged.iter().take(10) {
        let child = &s.register.children[*index];
        let z = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"));
        println!(
            "  {:<9} {:<14} {:>6} {:>6} {:>6}  {:<14} {}",
            child.id,
            child.village,
            z(g.haz),
            z(g.whz),
            z(g.waz),
            g.tb_u.map_or("-", |c| c.label_id()),
            g.status_gizi.map_or("-", |c| c.label_id()),
        );
    }
    println!();

    let due_children = s.due.iter().filter(|d| !d.is_empty()).count();
    let doses: usize = s.due.iter().map(Vec::len).sum();
    let overdue: usize = s.due.iter().flatten().filter(|d| d.overdue).count();
    let mut by_vaccine: BTreeMap<&str, usize> = BTreeMap::new();
    for dose in s.due.iter().flatten() {
        *by_vaccine.entry(dose.group.as_str()).or_default() += 1;
    }
    println!(
        "Immunization (id-kemenkes), due or overdue by {} ({} days)",
        s.on + time::Duration::days(i64::from(s.days) - 1),
        s.days
    );
    println!("  children to remind              {due_children}");
    println!("  doses due                       {doses} ({overdue} overdue)");
    let list: Vec<String> = by_vaccine.iter().map(|(v, n)| format!("{v} {n}")).collect();
    println!("  by vaccine                      {}", list.join(", "));
    let mut by_band: BTreeMap<String, usize> = BTreeMap::new();
    for dose in s.due.iter().flatten() {
        let band = dose.band.clone().unwrap_or_else(|| "no band".to_owned());
        *by_band.entry(band).or_default() += 1;
    }
    let list: Vec<String> = by_band.iter().map(|(b, n)| format!("{b} {n}")).collect();
    println!("  by Buku KIA band                {}", list.join(", "));
    println!();

    println!("Parents' numbers (normalized to E.164, pseudonymized)");
    println!("  WhatsApp-capable mobile         {}", s.phones.mobile);
    println!("  no number in the register       {}", s.phones.missing);
    for (reason, n) in &s.phones.rejected {
        println!("  not usable: {reason:<20} {n}");
    }
    println!();

    let d = s.delivery;
    println!(
        "WhatsApp reminders ({}, template {TEMPLATE}, UTILITY, id)",
        d.endpoint
    );
    println!(
        "  families to remind              {}",
        s.outgoing.len() + s.skipped.len()
    );
    println!("  skipped, no usable number       {}", s.skipped.len());
    println!("  due on a later day (scheduled)  {}", d.count("scheduled"));
    println!(
        "  sent by an earlier run          {}",
        d.count("sent_earlier")
    );
    println!("  sent (accepted by the API)      {}", d.accepted());
    for (status, n) in d.by_status() {
        println!("    {status:<29} {n}");
    }
    for (reason, n) in d.failures() {
        println!("  failed: {reason:<23} {n}");
    }
    println!("  earlier reminders sent now      {}", d.earlier_sent);
    println!("  cancelled (doses given since)   {}", d.cancelled);
    println!("  superseded by today's reminder  {}", d.superseded);
    println!(
        "  status webhooks received        {} (signatures verified)",
        d.webhooks
    );
    println!();

    let c = s.charts;
    println!(
        "Growth charts (weight-for-age PNG, image message, {})",
        c.endpoint
    );
    println!("  weighed on the run date         {}", c.results.len());
    println!(
        "  charts sent (accepted)          {} (N {}, T {}, not judged {}; referrals {})",
        c.count("accepted"),
        c.sent_with(Some(sehat::anthro::monitoring::Nt::Naik)),
        c.sent_with(Some(sehat::anthro::monitoring::Nt::TidakNaik)),
        c.sent_with(None),
        c.sent_referrals(),
    );
    println!(
        "  images uploaded                 {} ({}, largest {} bytes)",
        c.uploads,
        crate::charts::MIME,
        c.largest()
    );
    println!(
        "  charts sent by an earlier run   {}",
        c.count("sent_earlier")
    );
    println!("  charts rejected                 {}", c.count("rejected"));
    println!("  charts not sent (no number/PNG) {}", c.count("skipped"));
    println!();
    println!(
        "Send log: {} ({} lines, pseudonyms only); chart log: {} ({} lines); outbox: {}",
        s.log.display(),
        s.log_lines,
        s.chart_log.display(),
        c.results.len(),
        d.outbox
    );
    println!("Done in {:.2} s", s.elapsed.as_secs_f64());
}
