//! `sehat outbox consent IN.csv`: opt-ins and opt-outs with their evidence.

use std::io::Write as _;
use std::path::PathBuf;

use sehat_outbox::OutboxKeys;
use sehat_outbox::model::{
    ConsentAction, ConsentScope, ConsentSource, Evidence, Purpose, SubjectRef, TimeZoneName,
};
use sehat_outbox::store::{Store, StoreError};
use sehat_pseudonym::{Bsuid, PhoneNumber, Region};
use time::OffsetDateTime;

use super::table::{Refusal, Table, field, print_refusals};
use super::when::{DayEnd, read_instant};
use super::{Target, runtime};
use crate::error::Result;

/// Arguments of `sehat outbox consent`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// The consent records: columns phone (a number in any format, or a BSUID), purpose
    /// (reminder, appointment, campaign, education or all), action (opt_in or opt_out),
    /// at (when it was given; empty: now) and evidence (a document reference).
    #[arg(value_name = "IN.csv")]
    input: PathBuf,
}

/// One usable consent record.
pub(crate) struct Record {
    /// The data row it came from.
    row: usize,
    subject: SubjectRef,
    scope: ConsentScope,
    action: ConsentAction,
    evidence: Evidence,
    /// Whether the row gave `at` (otherwise it is the time of the import).
    dated: bool,
}

type Refused = (&'static str, String);

fn subject(text: &str, keys: &OutboxKeys) -> std::result::Result<SubjectRef, Refused> {
    match PhoneNumber::parse_mobile(text, Region::ID) {
        Ok(number) => Ok(keys.subject_of_phone(&number)),
        Err(phone_error) => match Bsuid::new(text) {
            Ok(id) => Ok(keys.subject_of_bsuid(&id)),
            Err(_) => Err((
                "phone",
                format!("neither a mobile number nor a BSUID: {phone_error}"),
            )),
        },
    }
}

fn record(
    row_number: usize,
    row: &csv::StringRecord,
    table_columns: &[Option<usize>; 5],
    keys: &OutboxKeys,
    now: OffsetDateTime,
) -> std::result::Result<Record, Refused> {
    let [phone, purpose, action, at, evidence] = *table_columns;
    let subject = subject(field(row, phone), keys)?;
    let scope = field(row, purpose)
        .parse::<ConsentScope>()
        .map_err(|e| ("purpose", e.to_string()))?;
    let action = field(row, action)
        .parse::<ConsentAction>()
        .map_err(|e| ("action", format!("{e} (expected opt_in or opt_out)")))?;
    let zone = TimeZoneName::default()
        .zone()
        .map_err(|e| ("at", e.to_string()))?;
    let (at, dated) = match field(row, at) {
        "" => (now, false),
        text => (
            read_instant(text, &zone, DayEnd::Start).map_err(|e| ("at", e))?,
            true,
        ),
    };
    let mut evidence_of = Evidence::new(ConsentSource::Csv, at);
    let reference = field(row, evidence);
    if !reference.is_empty() {
        evidence_of = evidence_of.reference(reference);
    }
    Ok(Record {
        row: row_number,
        subject,
        scope,
        action,
        evidence: evidence_of,
        dated,
    })
}

/// The columns a consent file must have.
pub(crate) const REQUIRED: &[&str] = &["phone", "purpose", "action"];
/// The columns it may have.
pub(crate) const OPTIONAL: &[&str] = &["at", "evidence"];

/// Reads every row of `table`: the records of the usable rows, the others refused. A
/// row without `at` was given `now`.
pub(crate) fn read(
    table: &mut Table,
    keys: &OutboxKeys,
    now: OffsetDateTime,
    refused: &mut Vec<Refusal>,
) -> Result<Vec<Record>> {
    let columns = ["phone", "purpose", "action", "at", "evidence"].map(|c| table.column(c));
    let mut records = Vec::new();
    let mut refusals = Vec::new();
    table.rows(
        |row, fields| {
            match record(row, fields, &columns, keys, now) {
                Ok(record) => records.push(record),
                Err((what, reason)) => refusals.push(Refusal {
                    row,
                    key: None,
                    what: what.to_owned(),
                    reason,
                }),
            }
            Ok(())
        },
        refused,
    )?;
    refused.extend(refusals);
    refused.sort_by_key(|r| r.row);
    Ok(records)
}

/// What becomes of a row without `at`, by the person's latest records for the purposes
/// it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Undated {
    /// Recorded at the time of the import (every dated row too).
    Record,
    /// Already in effect for every purpose it covers: nothing to add, so a list kept
    /// without dates can be imported again without growing the history.
    InEffect,
    /// An opt-in over an opt-out. With only the time of the import it would come after
    /// every record so far, so a list imported again would opt back in someone who has
    /// sent `BERHENTI` since. (An opt-out is never held back.)
    OptInOverOptOut,
}

/// The verdict on each record (dated ones are always [`Undated::Record`]).
async fn undated_verdicts<S: Store>(
    store: &S,
    records: &[Record],
) -> std::result::Result<Vec<Undated>, StoreError> {
    let mut queries = Vec::new();
    let mut owners = Vec::new();
    for (i, record) in records.iter().enumerate() {
        if record.dated {
            continue;
        }
        let purposes: &[Purpose] = match &record.scope {
            ConsentScope::Purpose(p) => std::slice::from_ref(p),
            ConsentScope::All => &Purpose::ALL,
        };
        for &purpose in purposes {
            queries.push((record.subject.clone(), purpose));
            owners.push(i);
        }
    }
    let latest = if queries.is_empty() {
        Vec::new()
    } else {
        store.consents(&queries).await?
    };
    // Per record: every covered purpose already has its action; one has an opt-out.
    let (mut in_effect, mut opted_out) = (vec![true; records.len()], vec![false; records.len()]);
    for (latest, owner) in latest.into_iter().zip(owners) {
        in_effect[owner] &= latest == Some(records[owner].action);
        opted_out[owner] |= latest == Some(ConsentAction::OptOut);
    }
    Ok(records
        .iter()
        .enumerate()
        .map(|(i, record)| match record.dated {
            true => Undated::Record,
            false if record.action == ConsentAction::OptIn && opted_out[i] => {
                Undated::OptInOverOptOut
            }
            false if in_effect[i] => Undated::InEffect,
            false => Undated::Record,
        })
        .collect())
}

/// Runs `sehat outbox consent`.
pub fn run(args: Args) -> Result {
    let keys = args.target.keys()?;
    let mut table = Table::open(&args.input, REQUIRED, OPTIONAL, None)?;
    let mut refused = Vec::new();
    let records = read(&mut table, &keys, OffsetDateTime::now_utc(), &mut refused)?;
    // A record already in the outbox (the same file imported again, the same row twice),
    // or a row without `at` whose action is already in effect, is counted as unchanged.
    let (mut opt_in, mut opt_out, mut unchanged) = (0_usize, 0_usize, 0_usize);
    runtime()?.block_on(async {
        let outbox = args.target.open(keys).await?;
        let store = outbox.store();
        let verdicts = undated_verdicts(store, &records).await?;
        for (record, verdict) in records.iter().zip(verdicts) {
            if verdict == Undated::InEffect {
                unchanged += 1;
                continue;
            }
            if verdict == Undated::OptInOverOptOut {
                refused.push(Refusal {
                    row: record.row,
                    key: None,
                    what: "at".to_owned(),
                    reason: "an opt-in without its time, for a person whose latest record \
                             is an opt-out: it cannot be placed after that opt-out (an old \
                             list imported again would undo a later BERHENTI); give the time \
                             of the consent in `at`"
                        .to_owned(),
                });
                continue;
            }
            let added = store
                .record_consent(
                    &record.subject,
                    record.scope,
                    record.action,
                    &record.evidence,
                )
                .await?;
            match (added, record.action) {
                (false, _) => unchanged += 1,
                (true, ConsentAction::OptIn) => opt_in += 1,
                (true, _) => opt_out += 1,
            }
        }
        Ok::<_, crate::error::CliError>(())
    })?;
    refused.sort_by_key(|r| r.row);
    let mut out = std::io::stdout().lock();
    writeln!(out, "recorded: {}", opt_in + opt_out)?;
    writeln!(out, "opt_in: {opt_in}")?;
    writeln!(out, "opt_out: {opt_out}")?;
    writeln!(out, "unchanged: {unchanged}")?;
    print_refusals(&mut out, &refused)?;
    Ok(())
}
