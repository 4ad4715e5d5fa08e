//! `sehat whatsapp campaign`: one template to every row of an audience CSV, resumable
//! from its journal, live through the Cloud API or rehearsed against the embedded mock.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use sehat_pseudonym::{PhoneNumber, Region};
use sehat_whatsapp::campaign::{
    Campaign, CampaignRecipient, CampaignReport, FileJournal, FileOptOuts, MessagingLimit,
    OptOutStore, recipient_key,
};
use sehat_whatsapp::ids::{PhoneNumberId, WaId};
use sehat_whatsapp::message::{Language, Message, Parameter, TemplateMessage};
use sehat_whatsapp::mock::MockGraphApi;
use sehat_whatsapp::pacing::Pacing;
use sehat_whatsapp::{Client, PhoneNumberApi};

use crate::csv_input::{check_header, check_lines};
use crate::error::{CliError, Result};
use crate::io::{progress_bar, read_input};

/// Arguments of `sehat whatsapp campaign`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The template's name.
    #[arg(long)]
    template: String,
    /// The template's language code.
    #[arg(long, default_value = "id")]
    language: String,
    /// The audience CSV: a `phone` column (any human format; Indonesian numbers may omit
    /// +62) and the template's parameter columns.
    #[arg(long, value_name = "FILE.csv")]
    audience: PathBuf,
    /// The journal file: created on the first run; run again with the same file to resume.
    #[arg(long, value_name = "FILE")]
    journal: PathBuf,
    /// A column holding a positional body parameter ({{1}}, {{2}}, … in order); repeat.
    #[arg(long = "param", value_name = "COLUMN")]
    params: Vec<String>,
    /// Messages per second from the business number (1 to 1000).
    #[arg(long, default_value_t = 80, value_name = "N")]
    rate: u32,
    /// Send through the embedded mock Graph API instead of Meta's.
    #[arg(long)]
    rehearse: bool,
    /// With --rehearse: append one JSON line per send the mock accepted (masked recipient,
    /// recipient key, template) to FILE.
    #[arg(long, value_name = "FILE", requires = "rehearse")]
    rehearse_log: Option<PathBuf>,
    /// A file of opt-outs (`stop NUMBER` / `resume NUMBER` lines), read and updated.
    #[arg(long, value_name = "FILE")]
    opt_outs: Option<PathBuf>,
    /// The business's messaging limit (TIER_250, TIER_2K, TIER_10K, TIER_100K,
    /// TIER_UNLIMITED, or `auto` to read it from the phone number's details); recipients
    /// beyond it are left for a later run.
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

fn recipients(args: &Args, rows: &[Row]) -> Result<Vec<CampaignRecipient>> {
    let language = Language::new(&args.language);
    rows.iter()
        .map(|row| {
            let mut template = TemplateMessage::new(&args.template, language.clone());
            if !row.params.is_empty() {
                template = template.body(row.params.iter().map(Parameter::text));
            }
            let to = WaId::parse(row.number.expose_wa_id())?;
            Ok(CampaignRecipient::new(Message::new(to, template)?))
        })
        .collect()
}

fn summary(report: &CampaignReport, out: &mut dyn Write) -> std::io::Result<()> {
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
    if let Some(reason) = &report.stopped {
        writeln!(out, "stopped: {reason}")?;
    }
    Ok(())
}

/// Appends the mock's accepted sends to the rehearsal log.
fn write_rehearse_log(path: &PathBuf, mock: &MockGraphApi) -> Result {
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| CliError::msg(format!("cannot open {}: {e}", path.display())))?;
    for request in mock.requests() {
        if request.method != "POST" || !request.path.ends_with("/messages") {
            continue;
        }
        let body = request.json();
        let to = body["to"].as_str().unwrap_or("");
        let recipient = WaId::new(to);
        let line = serde_json::json!({
            "recipient": recipient.to_string(),
            "key": recipient_key(&recipient.clone().into()),
            "template": body["template"]["name"],
        });
        writeln!(file, "{line}")?;
    }
    file.sync_all()?;
    Ok(())
}

/// Runs `sehat whatsapp campaign`.
pub fn run(args: Args) -> Result {
    let region = crate::phone::region_option(&args.region)?;
    let pacing = Pacing::default()
        .number_rate(args.rate)
        .map_err(|e| CliError::msg(format!("--rate: {e}")))?;
    let limit = match &args.messaging_limit {
        None => None,
        Some(tier) if tier.eq_ignore_ascii_case("auto") => None,
        Some(tier) => Some(MessagingLimit::from_api(tier).ok_or_else(|| {
            CliError::msg(format!(
                "--messaging-limit {tier:?}: expected TIER_250, TIER_1K, TIER_2K, TIER_10K, TIER_100K or TIER_UNLIMITED"
            ))
        })?),
    };
    let rows = read_audience(&args, region)?;
    let audience = recipients(&args, &rows)?;
    let journal = FileJournal::open(&args.journal)?;
    let opt_outs: Option<Arc<dyn OptOutStore>> = match &args.opt_outs {
        Some(path) => Some(Arc::new(FileOptOuts::open(path).map_err(|e| {
            CliError::msg(format!("--opt-outs {}: {e}", path.display()))
        })?)),
        None => None,
    };
    let total = audience.len();
    let bar = progress_bar(total as u64, "recipients");
    let mut campaign = Campaign::new(journal)
        .pacing(pacing)
        .concurrency(args.concurrency)
        .on_progress({
            let bar = bar.clone();
            move |progress| bar.set_position(progress.done as u64)
        });
    if let Some(store) = opt_outs {
        campaign = campaign.opt_outs(store);
    }
    if let Some(limit) = limit {
        campaign = campaign.messaging_limit(limit);
    }
    let auto_limit = args
        .messaging_limit
        .as_deref()
        .is_some_and(|tier| tier.eq_ignore_ascii_case("auto"));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let outcome: Result<CampaignReport> = runtime.block_on(async move {
        let (phone, mock) = if args.rehearse {
            let mock = MockGraphApi::start().await?;
            let phone = mock
                .client()?
                .phone(PhoneNumberId::new(MockGraphApi::PHONE_NUMBER_ID));
            (phone, Some(mock))
        } else {
            (live_phone(&args)?, None)
        };
        if auto_limit {
            let details = phone.details().await?;
            let tier = MessagingLimit::of_phone_number(&details).ok_or_else(|| {
                CliError::msg(
                    "--messaging-limit auto: the phone number's details name no known tier",
                )
            })?;
            eprintln!("messaging limit: {tier:?}");
            campaign = campaign.messaging_limit(tier);
        }
        let result = tokio::select! {
            result = campaign.run(&phone, audience) => result.map_err(CliError::from),
            _ = tokio::signal::ctrl_c() => Err(CliError::msg(
                "interrupted; run the same command again with the same --journal to resume",
            )),
        };
        if let (Some(mock), Some(path)) = (&mock, &args.rehearse_log) {
            write_rehearse_log(path, mock)?;
        }
        result
    });
    bar.finish_and_clear();
    let report = outcome?;
    let mut out = std::io::stdout().lock();
    summary(&report, &mut out)?;
    Ok(())
}

fn live_phone(args: &Args) -> Result<PhoneNumberApi> {
    let token = std::env::var(&args.token_env).map_err(|_| {
        CliError::msg(format!(
            "the access token is read from ${}, which is not set (or use --rehearse)",
            args.token_env
        ))
    })?;
    let id = args.phone_number_id.as_deref().ok_or_else(|| {
        CliError::msg("--phone-number-id (or $WHATSAPP_PHONE_NUMBER_ID) is needed for a live run")
    })?;
    let id =
        PhoneNumberId::parse(id).map_err(|e| CliError::msg(format!("--phone-number-id: {e}")))?;
    // The campaign paces itself; the client's own pacer stays off.
    Ok(Client::builder(token).no_pacing().build()?.phone(id))
}
