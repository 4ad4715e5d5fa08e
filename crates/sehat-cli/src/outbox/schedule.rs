//! `sehat outbox schedule IN.csv`: messages into the outbox, idempotently by key.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;

use sehat_outbox::OutboxKeys;
use sehat_outbox::model::{MessageKey, NewMessage, Purpose, ScheduleOutcome, TimeZoneName};
use sehat_outbox::store::Store as _;
use sehat_pseudonym::{PhoneNumber, Region};
use time::OffsetDateTime;

use super::table::{Refusal, Table, field, print_refusals};
use super::when::{DayEnd, read_instant};
use super::{Target, runtime};
use crate::error::Result;

/// Arguments of `sehat outbox schedule`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: Target,
    /// The messages: columns key, phone, purpose, template, language, not_before,
    /// not_after, timezone and any number of param.NAME (named template parameters).
    #[arg(value_name = "IN.csv")]
    input: PathBuf,
}

/// The columns a schedule file must have.
pub(crate) const REQUIRED: &[&str] = &["key", "phone", "purpose", "template"];
/// The columns it may have, besides any number of [`PARAM`]`NAME`.
pub(crate) const OPTIONAL: &[&str] = &["language", "not_before", "not_after", "timezone"];
/// The prefix of the columns of named template parameters.
pub(crate) const PARAM: &str = "param.";

/// The language of a row that names none.
const DEFAULT_LANGUAGE: &str = "id";
/// How many messages one transaction schedules.
const BATCH: usize = 2_000;
/// How many transactions are in flight at once: on PostgreSQL the server stores one batch
/// while the next is sent (SQLite takes them one after the other).
const IN_FLIGHT: usize = 3;
/// How many rows are read before their messages are made, on every core.
const CHUNK: usize = 4_096;

/// One usable row.
pub(crate) struct Prepared {
    row: usize,
    message: NewMessage,
}

/// The columns of a schedule file.
struct Columns {
    key: Option<usize>,
    phone: Option<usize>,
    purpose: Option<usize>,
    template: Option<usize>,
    language: Option<usize>,
    not_before: Option<usize>,
    not_after: Option<usize>,
    timezone: Option<usize>,
    params: Vec<(String, usize)>,
}

impl Columns {
    fn of(table: &Table) -> Columns {
        Columns {
            key: table.column("key"),
            phone: table.column("phone"),
            purpose: table.column("purpose"),
            template: table.column("template"),
            language: table.column("language"),
            not_before: table.column("not_before"),
            not_after: table.column("not_after"),
            timezone: table.column("timezone"),
            params: table.prefixed(PARAM),
        }
    }
}

/// A refused field: the column and why.
type Refused = (String, String);

fn refuse(column: &str, reason: impl ToString) -> Refused {
    (column.to_owned(), reason.to_string())
}

/// Reads one row's message (the key is read by the caller).
fn message(
    record: &csv::StringRecord,
    columns: &Columns,
    key: MessageKey,
    keys: &OutboxKeys,
) -> std::result::Result<NewMessage, Refused> {
    let number = PhoneNumber::parse_mobile(field(record, columns.phone), Region::ID)
        .map_err(|e| refuse("phone", e))?;
    let purpose = field(record, columns.purpose)
        .parse::<Purpose>()
        .map_err(|e| refuse("purpose", e))?;
    let template = field(record, columns.template);
    if template.is_empty() {
        return Err(refuse("template", "empty"));
    }
    let language = match field(record, columns.language) {
        "" => DEFAULT_LANGUAGE,
        language => language,
    };
    let timezone = match field(record, columns.timezone) {
        "" => TimeZoneName::default(),
        name => TimeZoneName::new(name).map_err(|e| refuse("timezone", e))?,
    };
    let zone = timezone.zone().map_err(|e| refuse("timezone", e))?;
    let not_before = match field(record, columns.not_before) {
        // No earliest time: due at once, and the same instant on every run, so
        // scheduling the file again changes nothing.
        "" => OffsetDateTime::UNIX_EPOCH,
        text => read_instant(text, &zone, DayEnd::Start).map_err(|e| refuse("not_before", e))?,
    };
    let not_after = match field(record, columns.not_after) {
        "" => None,
        text => {
            let at = read_instant(text, &zone, DayEnd::End).map_err(|e| refuse("not_after", e))?;
            if at < not_before {
                return Err(refuse("not_after", "before not_before"));
            }
            Some(at)
        }
    };
    let token = keys
        .token_of_phone(&number)
        .map_err(|e| refuse("phone", e))?;
    let mut message = NewMessage::new(
        key,
        keys.subject_of_phone(&number),
        token,
        purpose,
        template,
        language,
        not_before,
    )
    .timezone(timezone);
    if let Some(at) = not_after {
        message = message.not_after(at);
    }
    for (name, column) in &columns.params {
        let value = record.get(*column).unwrap_or("").trim();
        if value.is_empty() {
            return Err(refuse(&format!("param.{name}"), "empty"));
        }
        message = message.param(name.clone(), value);
    }
    Ok(message)
}

/// Reads every row of `table`: the messages of the usable rows, the others refused
/// (with a key that an earlier row of the file already has among them).
///
/// Keys are read and compared row by row; the messages (number parsed, pseudonymized and
/// encrypted) are made [`CHUNK`] rows at a time on every core, in the file's order.
pub(crate) fn prepare(
    table: &mut Table,
    keys: &OutboxKeys,
    refused: &mut Vec<Refusal>,
) -> Result<Vec<Prepared>> {
    let columns = Columns::of(table);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut prepared = Vec::new();
    let mut refusals = Vec::new();
    let mut pending: Vec<(usize, MessageKey, csv::StringRecord)> = Vec::with_capacity(CHUNK);
    table.rows(
        |row, record| {
            let key = match MessageKey::new(field(record, columns.key)) {
                Ok(key) => key,
                Err(e) => {
                    refusals.push(Refusal {
                        row,
                        key: None,
                        what: "key".into(),
                        reason: e.to_string(),
                    });
                    return Ok(());
                }
            };
            if let Some(first) = seen.get(key.as_str()) {
                let (what, reason) = refuse("key", format!("the same key is on row {first}"));
                refusals.push(Refusal {
                    row,
                    key: Some(key.as_str().to_owned()),
                    what,
                    reason,
                });
                return Ok(());
            }
            seen.insert(key.as_str().to_owned(), row);
            pending.push((row, key, record.clone()));
            if pending.len() == CHUNK {
                make_messages(&mut pending, &columns, keys, &mut prepared, &mut refusals);
            }
            Ok(())
        },
        refused,
    )?;
    make_messages(&mut pending, &columns, keys, &mut prepared, &mut refusals);
    refused.extend(refusals);
    refused.sort_by_key(|r| r.row);
    Ok(prepared)
}

/// A row's message, or its key and why the row was refused.
type Made = std::result::Result<NewMessage, (String, Refused)>;

/// The messages of the `pending` rows (emptied), made in parallel and kept in row order.
fn make_messages(
    pending: &mut Vec<(usize, MessageKey, csv::StringRecord)>,
    columns: &Columns,
    keys: &OutboxKeys,
    prepared: &mut Vec<Prepared>,
    refusals: &mut Vec<Refusal>,
) {
    use rayon::prelude::*;
    let made: Vec<(usize, Made)> = pending
        .par_drain(..)
        .map(|(row, key, record)| {
            let text = key.as_str().to_owned();
            (
                row,
                message(&record, columns, key, keys).map_err(|e| (text, e)),
            )
        })
        .collect();
    for (row, result) in made {
        match result {
            Ok(message) => prepared.push(Prepared { row, message }),
            Err((key, (what, reason))) => refusals.push(Refusal {
                row,
                key: Some(key),
                what,
                reason,
            }),
        }
    }
}

/// Runs `sehat outbox schedule`.
pub fn run(args: Args) -> Result {
    let keys = args.target.keys()?;
    let mut table = Table::open(&args.input, REQUIRED, OPTIONAL, Some(PARAM))?;
    let mut refused = Vec::new();
    let prepared = prepare(&mut table, &keys, &mut refused)?;
    let (rows, messages): (Vec<usize>, Vec<NewMessage>) =
        prepared.into_iter().map(|p| (p.row, p.message)).unzip();
    let done = runtime()?.block_on(async {
        use futures_util::{StreamExt as _, TryStreamExt as _};
        let outbox = args.target.open(keys).await?;
        let store = outbox.store();
        let now = OffsetDateTime::now_utc();
        // Outcomes in the file's order. A failed batch stops the run; the batches stored
        // already stay (scheduling the file again is idempotent).
        futures_util::stream::iter(messages.chunks(BATCH))
            .map(|chunk| store.schedule(chunk, now))
            .buffered(IN_FLIGHT)
            .try_concat()
            .await
            .map_err(crate::error::CliError::from)
    })?;
    let outcomes = rows.into_iter().zip(&messages).zip(done);
    let (mut new, mut updated, mut unchanged) = (0, 0, 0);
    for ((row, message), outcome) in outcomes {
        match outcome {
            ScheduleOutcome::New => new += 1,
            ScheduleOutcome::Updated => updated += 1,
            ScheduleOutcome::Unchanged => unchanged += 1,
            ScheduleOutcome::Refused { state } => refused.push(Refusal {
                row,
                key: Some(message.key.as_str().to_owned()),
                what: format!("already {state}"),
                reason: format!("the message is {state}; only a scheduled message changes"),
            }),
        }
    }
    refused.sort_by_key(|r| r.row);
    let mut out = std::io::stdout().lock();
    writeln!(out, "new: {new}")?;
    writeln!(out, "updated: {updated}")?;
    writeln!(out, "unchanged: {unchanged}")?;
    print_refusals(&mut out, &refused)?;
    Ok(())
}
