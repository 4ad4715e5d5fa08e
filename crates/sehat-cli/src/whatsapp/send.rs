//! `sehat whatsapp send-template`: one template message through the Cloud API, for a
//! quick live check. The token comes from the environment, never from the command line.

use std::io::Write;

use sehat_pseudonym::{PhoneNumber, Region};
use sehat_whatsapp::ids::{BusinessScopedUserId, PhoneNumberId, Recipient, WaId};
use sehat_whatsapp::message::{Language, Message, Parameter, TemplateMessage};
use sehat_whatsapp::{Client, GraphVersion};

use crate::error::{CliError, Result};

/// Arguments of `sehat whatsapp send-template`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The recipient: a mobile number (+62 812…, or 0812… read under --region) or a
    /// business-scoped user id (ID.1349…).
    #[arg(long)]
    to: String,
    /// The region (ISO 3166-1 alpha-2) for a number written without its country code; an
    /// empty value requires the country code.
    #[arg(long, default_value = "ID", value_name = "REGION")]
    region: String,
    /// Print the message id and the user's ids in full (they are masked by default: a
    /// message id carries the recipient's number).
    #[arg(long)]
    reveal: bool,
    /// The template's name.
    #[arg(long)]
    template: String,
    /// The template's language code.
    #[arg(long, default_value = "id")]
    language: String,
    /// A positional body parameter ({{1}}, {{2}}, … in order); repeat for each.
    #[arg(long = "param", value_name = "TEXT", conflicts_with = "named")]
    params: Vec<String>,
    /// A named body parameter as NAME=VALUE ({{NAME}}); repeat for each.
    #[arg(long = "named", value_name = "NAME=VALUE")]
    named: Vec<String>,
    /// A text header parameter.
    #[arg(long, value_name = "TEXT")]
    header_text: Option<String>,
    /// biz_opaque_callback_data, echoed back in status webhooks.
    #[arg(long, value_name = "DATA")]
    callback_data: Option<String>,
    /// The business phone-number id.
    #[arg(long, env = "WHATSAPP_PHONE_NUMBER_ID", value_name = "ID")]
    phone_number_id: String,
    /// The environment variable holding the access token.
    #[arg(long, default_value = "WHATSAPP_TOKEN", value_name = "VAR")]
    token_env: String,
    /// The Graph API version (v23.0 … v26.0).
    #[arg(long, value_name = "VERSION")]
    api_version: Option<String>,
    /// Another Graph API base URL (a proxy, or the mock Graph API).
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
}

/// The recipient of `--to`: a number is normalized as the campaign command does (a mobile
/// number, read under `region` when it has no country code), anything else is read as a
/// business-scoped user id.
fn recipient(to: &str, region: Option<Region>) -> Result<Recipient> {
    let looks_like_number = to.chars().all(|c| {
        c.is_ascii_digit() || c.is_whitespace() || matches!(c, '+' | '-' | '.' | '(' | ')')
    });
    if looks_like_number {
        let number = PhoneNumber::parse_mobile(to, region).map_err(|e| {
            let hint = if region.is_none() {
                " (write the number with its country code, or give --region)"
            } else {
                ""
            };
            CliError::msg(format!("--to: {e}{hint}"))
        })?;
        Ok(WaId::parse(number.expose_wa_id())
            .map_err(|e| CliError::msg(format!("--to: {e}")))?
            .into())
    } else {
        Ok(BusinessScopedUserId::parse(to)
            .map_err(|e| CliError::msg(format!("--to: {e}")))?
            .into())
    }
}

fn version(text: &str) -> GraphVersion {
    match text.trim_start_matches('v') {
        "23.0" | "23" => GraphVersion::V23,
        "24.0" | "24" => GraphVersion::V24,
        "25.0" | "25" => GraphVersion::V25,
        "26.0" | "26" => GraphVersion::V26,
        other => GraphVersion::Custom(format!("v{other}")),
    }
}

fn template(args: &Args) -> Result<TemplateMessage> {
    let mut template = TemplateMessage::new(&args.template, Language::new(&args.language));
    if let Some(header) = &args.header_text {
        template = template.header(Parameter::text(header));
    }
    if !args.named.is_empty() {
        let mut pairs = Vec::with_capacity(args.named.len());
        for pair in &args.named {
            let (name, value) = pair
                .split_once('=')
                .ok_or_else(|| CliError::msg(format!("--named {pair:?}: expected NAME=VALUE")))?;
            pairs.push((name.trim().to_owned(), value.to_owned()));
        }
        template = template.named_body(pairs);
    } else if !args.params.is_empty() {
        template = template.body(args.params.iter().map(Parameter::text));
    }
    Ok(template)
}

/// Runs `sehat whatsapp send-template`.
pub fn run(args: Args) -> Result {
    let token = std::env::var(&args.token_env).map_err(|_| {
        CliError::msg(format!(
            "the access token is read from ${}, which is not set",
            args.token_env
        ))
    })?;
    let phone_id = PhoneNumberId::parse(&args.phone_number_id)
        .map_err(|e| CliError::msg(format!("--phone-number-id: {e}")))?;
    let region = crate::phone::region_option(&args.region)?;
    let mut message = Message::new(recipient(&args.to, region)?, template(&args)?)?;
    if let Some(data) = &args.callback_data {
        message = message.callback_data(data.clone())?;
    }
    let mut builder = Client::builder(token).no_pacing();
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url.clone());
    }
    if let Some(v) = &args.api_version {
        builder = builder.api_version(version(v));
    }
    let client = builder.build()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let receipt = runtime
        .block_on(client.phone(phone_id).send(&message))
        .map_err(|error| match error.api_error() {
            Some(api) => CliError::msg(format!(
                "{error} [kind {}, retry {}]",
                api.kind(),
                api.retry_class()
            )),
            None => CliError::from(error),
        })?;
    // Identifiers are masked unless the operator asks for them (`--reveal`).
    let show = |full: &str, masked: String| if args.reveal { full.to_owned() } else { masked };
    let contact = receipt.contacts.first();
    let line = serde_json::json!({
        "message_id": receipt.message_id().map(|id| show(id.as_str(), id.to_string())),
        "message_status": receipt.messages.first().and_then(|m| m.message_status.clone()),
        "wa_id": contact.and_then(|c| c.wa_id.as_ref()).map(|id| show(id.as_str(), id.to_string())),
        "user_id": contact.and_then(|c| c.user_id.as_ref()).map(|id| show(id.as_str(), id.to_string())),
    });
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    Ok(())
}
