//! `sehat outbox schedule IN.csv`: messages into the outbox, idempotently by key.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::PathBuf;

use sehat_outbox::OutboxKeys;
use sehat_outbox::input::ScheduleRequest;
use sehat_outbox::model::{MessageKey, NewMessage, Purpose, ScheduleOutcome, TimeZoneName};
use sehat_outbox::store::Store as _;
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

/// How many messages one transaction schedules.
const BATCH: usize = 2_000;
/// How many transactions are in flight at once: on PostgreSQL the server stores one batch
/// while the next is sent (SQLite takes them one after the other).
const IN_FLIGHT: usize = 3;
/// How many rows are read before their messages are made, on every core.
const CHUNK: usize = 4_096;

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

/// Reads one row's message (the key is read by the caller): the row's times are read in
/// its zone here, and everything else is checked, pseudonymized and tokenized by
/// [`sehat_outbox::input::prepare`], the library's own rules, so a file refuses what a
/// program would.
fn message(
    record: &csv::StringRecord,
    columns: &Columns,
    key: &MessageKey,
    keys: &OutboxKeys,
) -> std::result::Result<NewMessage, Refused> {
    let purpose = field(record, columns.purpose)
        .parse::<Purpose>()
        .map_err(|e| refuse("purpose", e))?;
    let timezone = field(record, columns.timezone);
    let zone = match timezone {
        "" => TimeZoneName::default(),
        name => TimeZoneName::new(name).map_err(|e| refuse("timezone", e))?,
    }
    .zone()
    .map_err(|e| refuse("timezone", e))?;
    let not_before = match field(record, columns.not_before) {
        // No earliest time: due at once, and the same instant on every run, so
        // scheduling the file again changes nothing.
        "" => OffsetDateTime::UNIX_EPOCH,
        text => read_instant(text, &zone, DayEnd::Start).map_err(|e| refuse("not_before", e))?,
    };
    let mut request = ScheduleRequest::new(
        key.as_str(),
        field(record, columns.phone),
        purpose,
        field(record, columns.template),
        not_before,
    );
    request.not_after = match field(record, columns.not_after) {
        "" => None,
        text => Some(read_instant(text, &zone, DayEnd::End).map_err(|e| refuse("not_after", e))?),
    };
    if !timezone.is_empty() {
        request.timezone = Some(timezone.to_owned());
    }
    match field(record, columns.language) {
        "" => {}
        language => language.clone_into(&mut request.language),
    }
    // An empty cell gives no parameter: one file may hold messages of several templates,
    // each with its own parameters (WhatsApp answers a missing one at send time).
    for (name, column) in &columns.params {
        let value = record.get(*column).unwrap_or("").trim();
        if !value.is_empty() {
            request.params.insert(name.clone(), value.to_owned());
        }
    }
    sehat_outbox::input::prepare(keys, &request).map_err(|e| (e.field, e.problem))
}

/// Reads every row of `table` as `sehat outbox schedule` does, storing nothing: the
/// number of usable rows; the others are refused (with a key that an earlier row of the
/// file already has among them).
pub(crate) fn prepare(
    table: &mut Table,
    keys: &OutboxKeys,
    refused: &mut Vec<Refusal>,
) -> Result<usize> {
    let mut usable = 0;
    prepare_in_batches(table, keys, refused, BATCH, &mut |batch| {
        usable += batch.len();
        true
    })?;
    Ok(usable)
}

/// Usable rows in the file's order, with their messages.
#[derive(Default)]
struct Batch {
    rows: Vec<usize>,
    messages: Vec<NewMessage>,
}

impl Batch {
    fn len(&self) -> usize {
        self.rows.len()
    }

    /// The first `n` rows (all, when there are fewer), leaving the others.
    fn take_front(&mut self, n: usize) -> Batch {
        let n = n.min(self.len());
        let rest = Batch {
            rows: self.rows.split_off(n),
            messages: self.messages.split_off(n),
        };
        std::mem::replace(self, rest)
    }
}

/// Reads every row of `table`, handing the messages of the usable rows to `store` in
/// batches of `size` (the last one smaller) as soon as they are made, so that a file of
/// any length takes the memory of a few batches; the other rows are refused (with a key
/// that an earlier row of the file already has among them). Stops reading when `store`
/// returns `false`.
///
/// Keys are read and compared row by row; the messages (number parsed, pseudonymized and
/// encrypted) are made [`CHUNK`] rows at a time on every core, in the file's order.
fn prepare_in_batches(
    table: &mut Table,
    keys: &OutboxKeys,
    refused: &mut Vec<Refusal>,
    size: usize,
    store: &mut dyn FnMut(Batch) -> bool,
) -> Result {
    let columns = Columns::of(table);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut made = Batch::default();
    let mut refusals = Vec::new();
    let mut pending: Vec<(usize, MessageKey, csv::StringRecord)> = Vec::with_capacity(CHUNK);
    let mut stopped = false;
    table.rows(
        |row, record| {
            if stopped {
                return Ok(());
            }
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
                make_messages(&mut pending, &columns, keys, &mut made, &mut refusals);
                stopped = !hand_over(&mut made, size, false, store);
            }
            Ok(())
        },
        refused,
    )?;
    if !stopped {
        make_messages(&mut pending, &columns, keys, &mut made, &mut refusals);
        hand_over(&mut made, size, true, store);
    }
    refused.extend(refusals);
    refused.sort_by_key(|r| r.row);
    Ok(())
}

/// Hands the full batches of `size` in `made` to `store`, and with `rest` the last, smaller
/// one too. `false` once `store` has refused a batch.
fn hand_over(
    made: &mut Batch,
    size: usize,
    rest: bool,
    store: &mut dyn FnMut(Batch) -> bool,
) -> bool {
    while made.len() >= size || (rest && made.len() > 0) {
        if !store(made.take_front(size)) {
            return false;
        }
    }
    true
}

/// A row's message, or its key and why the row was refused.
type Made = std::result::Result<NewMessage, (String, Refused)>;

/// The messages of the `pending` rows (emptied), made in parallel and kept in row order.
fn make_messages(
    pending: &mut Vec<(usize, MessageKey, csv::StringRecord)>,
    columns: &Columns,
    keys: &OutboxKeys,
    made: &mut Batch,
    refusals: &mut Vec<Refusal>,
) {
    use rayon::prelude::*;
    let results: Vec<(usize, Made)> = pending
        .par_drain(..)
        .map(|(row, key, record)| {
            let made = message(&record, columns, &key, keys);
            (row, made.map_err(|e| (key.as_str().to_owned(), e)))
        })
        .collect();
    for (row, result) in results {
        match result {
            Ok(message) => {
                made.rows.push(row);
                made.messages.push(message);
            }
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
///
/// The file is read on a thread of its own while the batches made from it are stored, at
/// most [`IN_FLIGHT`] at once and as many waiting, so memory does not grow with the file.
pub fn run(args: Args) -> Result {
    let keys = args.target.keys()?;
    let mut table = Table::open(&args.input, REQUIRED, OPTIONAL, Some(PARAM))?;
    let (mut refused, counts) = runtime()?.block_on(async {
        use futures_util::{StreamExt as _, TryStreamExt as _};
        let outbox = args.target.open(keys).await?;
        let store = outbox.store();
        let now = OffsetDateTime::now_utc();
        let (send, receive) = tokio::sync::mpsc::channel::<Batch>(IN_FLIGHT);
        let keys = outbox.shared_keys();
        let reader = tokio::task::spawn_blocking(move || {
            let mut refused = Vec::new();
            prepare_in_batches(&mut table, &keys, &mut refused, BATCH, &mut |batch| {
                // Refused only when the storing side has stopped (a failed batch).
                send.blocking_send(batch).is_ok()
            })
            .map(|()| refused)
        });
        // Outcomes in the file's order. A failed batch stops the run; the batches stored
        // already stay (scheduling the file again is idempotent).
        let batches = futures_util::stream::unfold(receive, |mut receive| async move {
            receive.recv().await.map(|batch| (batch, receive))
        });
        let stored = batches
            .map(|batch| async move {
                let outcomes = store.schedule(&batch.messages, now).await?;
                Ok::<_, crate::error::CliError>((batch, outcomes))
            })
            .buffered(IN_FLIGHT)
            .try_fold(
                Counts::default(),
                |mut counts, (batch, outcomes)| async move {
                    counts.add(batch, outcomes);
                    Ok(counts)
                },
            )
            .await;
        // On a failed batch the receiver is gone by now, so the reader stops at its next
        // batch; its own error (an unreadable row) comes first, being the earlier one.
        let read = reader
            .await
            .map_err(|e| crate::error::CliError::msg(format!("reading the file failed: {e}")))?;
        let mut refused = read?;
        let mut counts = stored?;
        refused.append(&mut counts.refused);
        Ok::<_, crate::error::CliError>((refused, counts))
    })?;
    refused.sort_by_key(|r| r.row);
    let mut out = std::io::stdout().lock();
    writeln!(out, "new: {}", counts.new)?;
    writeln!(out, "updated: {}", counts.updated)?;
    writeln!(out, "unchanged: {}", counts.unchanged)?;
    print_refusals(&mut out, &refused)?;
    Ok(())
}

/// What the store made of the batches.
#[derive(Default)]
struct Counts {
    new: usize,
    updated: usize,
    unchanged: usize,
    /// Rows whose message is already past `scheduled`.
    refused: Vec<Refusal>,
}

impl Counts {
    fn add(&mut self, batch: Batch, outcomes: Vec<ScheduleOutcome>) {
        let rows = batch.rows.into_iter().zip(batch.messages).zip(outcomes);
        for ((row, message), outcome) in rows {
            match outcome {
                ScheduleOutcome::New => self.new += 1,
                ScheduleOutcome::Updated => self.updated += 1,
                ScheduleOutcome::Unchanged => self.unchanged += 1,
                ScheduleOutcome::Refused { state } => self.refused.push(Refusal {
                    row,
                    key: Some(message.key.as_str().to_owned()),
                    what: format!("already {state}"),
                    reason: format!("the message is {state}; only a scheduled message changes"),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of `n` rows; row `bad` (1-based) has a number that is not a mobile one.
    fn table(n: usize, bad: usize) -> Table {
        let mut csv = String::from("key,phone,purpose,template\n");
        for row in 1..=n {
            let phone = if row == bad {
                "021 555 0199".to_owned()
            } else {
                format!("0812{:08}", 10_000_000 + row)
            };
            csv.push_str(&format!("k/{row},{phone},reminder,imunisasi\n"));
        }
        Table::read(
            csv.into_bytes(),
            "in.csv".into(),
            REQUIRED,
            OPTIONAL,
            Some(PARAM),
        )
        .unwrap()
    }

    #[test]
    fn batches_come_in_row_order_and_refused_rows_are_left_out() {
        let keys = OutboxKeys::generate().unwrap();
        let rows = CHUNK + 1_000;
        let mut table = table(rows, 2_500);
        let (mut refused, mut batches) = (Vec::new(), Vec::new());
        prepare_in_batches(&mut table, &keys, &mut refused, 1_500, &mut |batch| {
            batches.push(batch);
            true
        })
        .unwrap();
        let sizes: Vec<usize> = batches.iter().map(Batch::len).collect();
        // Rows 1–4,096 (one refused) are made first: two batches, 1,095 left over; the
        // last 1,000 rows make it 2,095: one more batch and the rest.
        assert_eq!(sizes, [1_500, 1_500, 1_500, 595]);
        let used: Vec<usize> = batches.iter().flat_map(|b| b.rows.clone()).collect();
        let expected: Vec<usize> = (1..=rows).filter(|&r| r != 2_500).collect();
        assert_eq!(used, expected);
        for batch in &batches {
            for (row, message) in batch.rows.iter().zip(&batch.messages) {
                assert_eq!(message.key.as_str(), format!("k/{row}"));
            }
        }
        assert_eq!(refused.len(), 1);
        assert_eq!((refused[0].row, refused[0].what.as_str()), (2_500, "phone"));
    }

    #[test]
    fn a_store_that_stops_stops_the_reading() {
        let keys = OutboxKeys::generate().unwrap();
        let mut table = table(3 * CHUNK, 0);
        let (mut refused, mut calls) = (Vec::new(), 0);
        prepare_in_batches(&mut table, &keys, &mut refused, 100, &mut |_| {
            calls += 1;
            false
        })
        .unwrap();
        assert_eq!(calls, 1);
        assert!(refused.is_empty());
    }
}
