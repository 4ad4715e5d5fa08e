//! `sehat whatsapp campaign`: one template to every row of an audience CSV, on the outbox
//! engine: the journal is an SQLite outbox, every member a `campaign` message keyed by
//! the campaign's name and the member's pseudonym, so a run resumes where the last one
//! stopped and two runs at once (a cron job and a manual run) never send twice.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sehat_outbox::campaign::{Campaign, CampaignReport, Member};
use sehat_outbox::dispatch::{
    DispatchEvent, DispatchReport, Dispatcher, Pacing, RunMode, stop_signal,
};
use sehat_outbox::model::{
    ConsentAction, ConsentPolicy, ConsentScope, ConsentSource, Evidence, MessageKey, Purpose,
};
use sehat_outbox::store::Store as _;
use sehat_outbox::{Outbox, OutboxKeys};
use sehat_pseudonym::{Bsuid, PhoneNumber, Region};
use sehat_whatsapp::PhoneNumberApi;
use sehat_whatsapp::ids::WaId;
use sehat_whatsapp::limit::MessagingLimit;
use time::OffsetDateTime;

use crate::csv_input::{check_header, check_lines};
use crate::error::{CliError, Result};
use crate::io::{progress_bar, read_input};
use crate::outbox::rehearse::{RehearseLog, sqlite_files};
use crate::outbox::sender::{sending_phone, stop_on_signals};

/// Arguments of `sehat whatsapp campaign`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The template's name.
    #[arg(long)]
    template: String,
    /// The template's language code.
    #[arg(long, default_value = "id")]
    language: String,
    /// The campaign's name, part of every member's key (default: the template's name).
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The audience CSV: a `phone` column (any human format; Indonesian numbers may omit
    /// +62) and the template's parameter columns.
    #[arg(long, value_name = "FILE.csv")]
    audience: PathBuf,
    /// The journal: an SQLite outbox file, created on the first run (its keys in
    /// FILE.keys/); run again with the same file to resume.
    #[arg(long, value_name = "FILE")]
    journal: PathBuf,
    /// A column holding a positional body parameter ({{1}}, {{2}}, … in order); repeat.
    #[arg(long = "param", value_name = "COLUMN")]
    params: Vec<String>,
    /// Messages per second from the business number (1 to 1000).
    #[arg(long, default_value_t = 80, value_name = "N")]
    rate: u32,
    /// Hold messages through this period of each recipient's local day (`HH:MM-HH:MM`,
    /// such as 21:00-07:00, or `off`). Off by default, so the command sends when it is
    /// run, as it always has; `sehat outbox dispatch` applies 21:00-07:00 by default.
    #[arg(long, default_value = "off", value_name = "HH:MM-HH:MM", value_parser = crate::outbox::when::read_quiet_hours)]
    quiet_hours: sehat_outbox::quiet::QuietHours,
    /// Send through the embedded mock Graph API instead of Meta's.
    #[arg(long)]
    rehearse: bool,
    /// With --rehearse: append one JSON line per send the mock accepted (masked recipient,
    /// key, template) to FILE, before its outcome is recorded.
    #[arg(long, value_name = "FILE", requires = "rehearse")]
    rehearse_log: Option<PathBuf>,
    /// A file of opt-outs (`stop NUMBER` / `resume NUMBER` lines, numbers in any format or
    /// BSUIDs): recorded in the journal's consent registry, which also keeps the opt-outs
    /// learned from 131050 answers.
    #[arg(long, value_name = "FILE")]
    opt_outs: Option<PathBuf>,
    /// The business's messaging limit (TIER_250, TIER_2K, TIER_10K, TIER_100K,
    /// TIER_UNLIMITED, or `auto` to read it from the phone number's details): at most that
    /// many members new to the journal are sent per run; the rest wait for a later run.
    #[arg(long, value_name = "TIER")]
    messaging_limit: Option<String>,
    /// How many sends may be in flight at once.
    #[arg(long, default_value_t = 32, value_name = "N")]
    concurrency: usize,
    /// The default region for numbers written without a country code.
    #[arg(long, default_value = "ID", value_name = "REGION")]
    region: String,
    /// The business phone-number id (live runs).
    #[arg(long, env = "WHATSAPP_PHONE_NUMBER_ID", value_name = "ID")]
    phone_number_id: Option<String>,
    /// The environment variable holding the access token (live runs).
    #[arg(long, default_value = "WHATSAPP_TOKEN", value_name = "VAR")]
    token_env: String,
}

/// One audience row, read and checked.
struct Row {
    number: PhoneNumber,
    params: Vec<String>,
}

fn read_audience(args: &Args, region: Option<Region>) -> Result<Vec<Row>> {
    let file = args.audience.display().to_string();
    let data = read_input(&args.audience)?;
    check_lines(&data, &file)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(data.as_slice());
    let header = reader
        .headers()
        .map_err(|e| CliError::msg(format!("{file}: cannot read the header line: {e}")))?
        .clone();
    let names: Vec<String> = header.iter().map(|h| h.trim().to_owned()).collect();
    check_header(&names, &file)?;
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| CliError::msg(format!("{file}: no column {name:?} in the header")))
    };
    let phone = column("phone")?;
    let params = args
        .params
        .iter()
        .map(|name| column(name))
        .collect::<Result<Vec<_>>>()?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.map_err(|e| CliError::msg(format!("{file}, line {line}: {e}")))?;
        let raw = record.get(phone).unwrap_or("").trim();
        let number = match PhoneNumber::parse_mobile(raw, region) {
            Ok(number) => number,
            Err(e) => {
                errors.push(format!("{file}, line {line}, column phone: {e}"));
                continue;
            }
        };
        if let Some(first) = seen.insert(number.expose_wa_id().to_owned(), line) {
            errors.push(format!(
                "{file}, line {line}, column phone: the number {number} is already on line {first}"
            ));
            continue;
        }
        let mut values = Vec::with_capacity(params.len());
        for (name, &at) in args.params.iter().zip(&params) {
            let value = record.get(at).unwrap_or("");
            if value.trim().is_empty() {
                errors.push(format!(
                    "{file}, line {line}, column {name}: empty parameter"
                ));
            }
            values.push(value.to_owned());
        }
        rows.push(Row {
            number,
            params: values,
        });
    }
    if !errors.is_empty() {
        let shown: Vec<&str> = errors.iter().take(10).map(String::as_str).collect();
        let more = errors.len().saturating_sub(10);
        let mut message = format!(
            "the audience has {} bad row(s); nothing was sent:\n  {}",
            errors.len(),
            shown.join("\n  ")
        );
        if more > 0 {
            message.push_str(&format!("\n  … and {more} more"));
        }
        return Err(CliError::msg(message));
    }
    Ok(rows)
}

fn members(rows: &[Row]) -> Vec<Member> {
    rows.iter()
        .map(|row| {
            let mut member = Member::new(row.number.clone());
            for (i, value) in row.params.iter().enumerate() {
                member = member.param((i + 1).to_string(), value.clone());
            }
            member
        })
        .collect()
}

fn summary(
    report: &CampaignReport,
    stopped: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let by_reason = |counts: &std::collections::BTreeMap<String, usize>| {
        counts
            .iter()
            .map(|(reason, n)| format!("{reason}: {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "sent: {}", report.sent)?;
    writeln!(
        out,
        "failed: {}{}",
        report.failed_total(),
        if report.failed.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_reason(&report.failed))
        }
    )?;
    writeln!(
        out,
        "retry later: {}{}",
        report.retry_later_total(),
        if report.retry_later.is_empty() {
            String::new()
        } else {
            format!(" ({})", by_reason(&report.retry_later))
        }
    )?;
    writeln!(out, "opted out: {}", report.opted_out)?;
    writeln!(out, "unknown: {}", report.unknown)?;
    writeln!(out, "skipped: {}", report.skipped)?;
    writeln!(out, "not attempted: {}", report.not_attempted)?;
    if let Some(reason) = stopped {
        writeln!(out, "stopped: {reason}")?;
    }
    Ok(())
}

/// Records the opt-outs file's lines in the consent registry (file order; the file's
/// modification time as their time, so a later opt-in by keyword still wins).
async fn import_opt_outs(path: &Path, outbox: &Outbox) -> Result {
    let shown = path.display();
    // A byte-order mark (Notepad writes one) is ignored, as in every input.
    let text = String::from_utf8(read_input(path)?)
        .map_err(|e| CliError::msg(format!("--opt-outs {shown}: not UTF-8 text: {e}")))?;
    let at = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(OffsetDateTime::from)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    let keys = outbox.keys();
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (verb, who) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let action = match verb.to_ascii_lowercase().as_str() {
            "stop" => ConsentAction::OptOut,
            "resume" => ConsentAction::OptIn,
            _ => {
                return Err(CliError::msg(format!(
                    "--opt-outs {shown}, line {line_no}: expected `stop NUMBER` or `resume NUMBER`"
                )));
            }
        };
        let who = who.trim();
        let subject = match PhoneNumber::parse_mobile(who, Region::ID) {
            Ok(number) => keys.subject_of_phone(&number),
            Err(error) => match Bsuid::new(who) {
                Ok(id) => keys.subject_of_bsuid(&id),
                Err(_) => {
                    return Err(CliError::msg(format!(
                        "--opt-outs {shown}, line {line_no}: neither a mobile number nor a BSUID: {error}"
                    )));
                }
            },
        };
        let evidence = Evidence::new(ConsentSource::Api, at)
            .reference(format!("opt-outs file line {line_no}"));
        outbox
            .store()
            .record_consent(
                &subject,
                ConsentScope::Purpose(Purpose::Campaign),
                action,
                &evidence,
            )
            .await?;
    }
    Ok(())
}

/// Runs `sehat whatsapp campaign`.
pub fn run(args: Args) -> Result {
    let region = crate::phone::region_option(&args.region)?;
    if !(1..=1000).contains(&args.rate) {
        return Err(CliError::msg(format!(
            "--rate: {} is not between 1 and 1000 messages per second",
            args.rate
        )));
    }
    let limit = match &args.messaging_limit {
        None => None,
        Some(tier) if tier.eq_ignore_ascii_case("auto") => None,
        Some(tier) => Some(MessagingLimit::from_api(tier).ok_or_else(|| {
            CliError::msg(format!(
                "--messaging-limit {tier:?}: expected TIER_250, TIER_1K, TIER_2K, TIER_10K, TIER_100K or TIER_UNLIMITED"
            ))
        })?),
    };
    let auto_limit = args
        .messaging_limit
        .as_deref()
        .is_some_and(|tier| tier.eq_ignore_ascii_case("auto"));
    let rows = read_audience(&args, region)?;
    let audience = members(&rows);
    let campaign = Campaign::new(
        args.name.clone().unwrap_or_else(|| args.template.clone()),
        &args.template,
        &args.language,
    )?;
    let journal = args.journal.display().to_string();
    let keys = OutboxKeys::open_or_create(format!("{journal}.keys"))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome: Result<(CampaignReport, DispatchReport, bool)> = runtime.block_on(async {
        let outbox = Outbox::open(&format!("sqlite:{journal}"), keys)
            .await
            .map_err(|e| CliError::msg(format!("--journal {journal}: {e}")))?;
        if let Some(path) = &args.opt_outs {
            import_opt_outs(path, &outbox).await?;
        }
        let log = match &args.rehearse_log {
            Some(path) => {
                let mut kept = sqlite_files(&args.journal);
                kept.push(PathBuf::from(format!("{journal}.keys")));
                kept.push(args.audience.clone());
                kept.extend(args.opt_outs.clone());
                Some(Arc::new(RehearseLog::open(path, &kept)?))
            }
            None => None,
        };
        let (phone, mock) = sending_phone(
            args.rehearse,
            &args.token_env,
            args.phone_number_id.as_deref(),
        )
        .await?;
        let limit = if auto_limit {
            let details = phone.details().await?;
            let tier = MessagingLimit::of_phone_number(&details).ok_or_else(|| {
                CliError::msg(
                    "--messaging-limit auto: the phone number's details name no known tier",
                )
            })?;
            eprintln!("messaging limit: {tier:?}");
            Some(tier)
        } else {
            limit
        };
        let result = send(
            &args, &campaign, &outbox, &audience, &rows, phone, limit, log,
        )
        .await;
        drop(mock);
        result
    });
    let (report, dispatched, interrupted) = outcome?;
    let mut out = std::io::stdout().lock();
    summary(&report, dispatched.stopped.as_deref(), &mut out)?;
    if interrupted {
        return Err(CliError::msg(
            "interrupted; run the same command again with the same --journal to resume",
        ));
    }
    Ok(())
}

/// Schedules the audience (within the messaging limit), dispatches until idle and reports.
#[allow(clippy::too_many_arguments)]
async fn send(
    args: &Args,
    campaign: &Campaign,
    outbox: &Outbox,
    audience: &[Member],
    rows: &[Row],
    phone: PhoneNumberApi,
    limit: Option<MessagingLimit>,
    log: Option<Arc<RehearseLog>>,
) -> Result<(CampaignReport, DispatchReport, bool)> {
    let messages = campaign.messages(outbox, audience, OffsetDateTime::UNIX_EPOCH)?;
    let keys: Vec<MessageKey> = messages.iter().map(|m| m.key.clone()).collect();
    let before = Campaign::states(outbox, &keys).await?;
    // Members new to the journal, within the messaging limit; the rest wait.
    let mut room = limit
        .and_then(MessagingLimit::max_users)
        .unwrap_or(usize::MAX);
    let mut chosen = Vec::with_capacity(messages.len());
    for (message, state) in messages.into_iter().zip(&before) {
        if state.is_some() {
            chosen.push(message);
        } else if room > 0 {
            room -= 1;
            chosen.push(message);
        }
    }
    for chunk in chosen.chunks(2_000) {
        outbox
            .store()
            .schedule(chunk, OffsetDateTime::now_utc())
            .await?;
    }
    let before = Campaign::states(outbox, &keys).await?;

    let masked: HashMap<&str, String> = keys
        .iter()
        .zip(rows)
        .map(|(key, row)| {
            (
                key.as_str(),
                WaId::new(row.number.expose_wa_id()).to_string(),
            )
        })
        .collect();
    let masked = Arc::new(
        masked
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<HashMap<String, String>>(),
    );
    let bar = progress_bar(keys.len() as u64, "recipients");
    let log_error = Arc::new(std::sync::Mutex::new(None::<std::io::Error>));
    let dispatcher = Dispatcher::new(outbox, phone)
        .concurrency(args.concurrency)
        .lease(Duration::from_secs(30))
        .quiet_hours(args.quiet_hours)
        .pacing(Pacing {
            per_second: args.rate,
            per_recipient: Some(Duration::from_secs(6)),
        })
        // The audience file is the campaign's list: members are sent unless they opted out.
        .consent_policy(ConsentPolicy::default().require_opt_in(Purpose::Campaign, false))
        .on_event({
            let bar = bar.clone();
            let failed = log_error.clone();
            move |event| {
                if let DispatchEvent::Sent { key, template, .. } = event
                    && let Some(log) = &log
                {
                    let recipient = masked.get(key.as_str()).map_or("", String::as_str);
                    if let Err(error) = log.accepted_recipient(key.as_str(), template, recipient)
                        && let Ok(mut slot) = failed.lock()
                    {
                        slot.get_or_insert(error);
                    }
                }
                if !matches!(event, DispatchEvent::Deferred { .. }) {
                    bar.inc(1);
                }
            }
        });
    let (stop, signal) = stop_signal();
    let watcher = tokio::spawn(stop_on_signals(stop));
    let dispatched = dispatcher.run(RunMode::UntilIdle, signal.clone()).await;
    watcher.abort();
    bar.finish_and_clear();
    let dispatched = dispatched?;
    if let Some(error) = log_error.lock().ok().and_then(|mut e| e.take()) {
        return Err(CliError::msg(format!(
            "cannot write the rehearsal log: {error}"
        )));
    }
    let after = Campaign::states(outbox, &keys).await?;
    Ok((
        CampaignReport::from_states(&before, &after),
        dispatched,
        signal.is_stopped(),
    ))
}
