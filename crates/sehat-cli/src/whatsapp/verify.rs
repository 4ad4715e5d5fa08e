//! `sehat whatsapp verify`: check a webhook body's `X-Hub-Signature-256` header.

use std::io::Write;
use std::path::PathBuf;

use secrecy::SecretString;
use sehat_whatsapp::webhook::{AppSecret, WebhookVerifier};
use serde_json::json;

use crate::error::{CliError, Result};
use crate::io;

/// Arguments of `sehat whatsapp verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Environment variable holding the app secret (repeat while rotating secrets: a
    /// signature under any of them is accepted).
    #[arg(long = "app-secret-env", value_name = "VAR", required = true)]
    pub app_secret_env: Vec<String>,
    /// The X-Hub-Signature-256 header value (`sha256=<hex>`), as received.
    #[arg(long, value_name = "HEADER")]
    pub signature: String,
    /// The raw webhook body, byte for byte as received.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Runs `sehat whatsapp verify`: prints one JSON line when the signature is valid, and
/// fails naming the file otherwise.
pub fn run(args: Args) -> Result {
    let mut secrets = Vec::with_capacity(args.app_secret_env.len());
    for var in &args.app_secret_env {
        match std::env::var(var) {
            Ok(value) if !value.is_empty() => {
                secrets.push(AppSecret::new(SecretString::from(value)));
            }
            Ok(_) => {
                return Err(CliError::msg(format!(
                    "environment variable {var} is empty"
                )));
            }
            Err(_) => {
                return Err(CliError::msg(format!(
                    "environment variable {var} is not set (or not UTF-8)"
                )));
            }
        }
    }
    let name = args.file.display().to_string();
    let body =
        std::fs::read(&args.file).map_err(|e| CliError::msg(format!("cannot read {name}: {e}")))?;
    let verifier = WebhookVerifier::new(secrets).max_body_len(usize::MAX);
    verifier
        .verify(&body, Some(&args.signature))
        .map_err(|e| CliError::msg(format!("{name}: {e}")))?;
    let mut out = io::Output::create(None, &[])?;
    serde_json::to_writer(
        &mut out,
        &json!({"file": name, "signature": "valid", "bytes": body.len()}),
    )?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}
