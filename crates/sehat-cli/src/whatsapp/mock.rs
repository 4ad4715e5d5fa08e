//! `sehat whatsapp mock serve`: the mock Graph API as a long-running server on loopback, so
//! a bot written in any language can be tested offline against it.

use std::io::Write;

use secrecy::{ExposeSecret, SecretString};
use sehat_whatsapp_mock::{MockGraphApi, ServerLimits};
use tokio::signal::unix::{SignalKind, signal};

use crate::error::{CliError, Result};

/// The `sehat whatsapp mock` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Serve the mock Graph API on 127.0.0.1 until SIGTERM or Ctrl-C.
    ///
    /// The first line of stdout is the base URL (`http://127.0.0.1:PORT/`); give it to the
    /// client in place of `https://graph.facebook.com/` and call `{base}v26.0/...` (any
    /// `vNN.N` version is accepted). Any non-empty bearer token is accepted. The mock answers
    /// sends, read receipts and typing indicators, media upload, lookup, download and
    /// delete, templates, phone numbers, registration, the business profile, subscribed
    /// apps and groups, shaped as Meta answers them; a send missing a field Meta requires
    /// is refused with Meta's error.
    Serve(ServeArgs),
}

/// Arguments of `sehat whatsapp mock serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The port on 127.0.0.1 to listen on; 0 picks a free one (read it from the first line
    /// of stdout).
    #[arg(long, default_value_t = 0, value_name = "N")]
    port: u16,
    /// The most connections open at once (lowered to three quarters of `ulimit -n`); at
    /// the cap the oldest idle connection of the client holding the most is closed for
    /// the newcomer, and any connection idle for 10 s is closed.
    #[arg(long, default_value_t = ServerLimits::default().max_connections, value_name = "N")]
    max_connections: usize,
    /// Post signed status webhooks (`sent`, `delivered`, `read`; only `sent` for a reaction)
    /// for every message the mock accepts to this URL, as Meta posts them to a webhook
    /// callback. Needs --app-secret or --app-secret-env.
    #[arg(long, value_name = "URL", requires = "secret")]
    webhook_url: Option<String>,
    /// The app secret that signs the status webhooks (X-Hub-Signature-256). A value on the
    /// command line is visible to other local users: use a test secret here, or
    /// --app-secret-env.
    #[arg(
        long,
        value_name = "SECRET",
        group = "secret",
        requires = "webhook_url"
    )]
    app_secret: Option<String>,
    /// The environment variable holding the app secret, instead of --app-secret.
    #[arg(
        long,
        value_name = "VAR",
        group = "secret",
        conflicts_with = "app_secret",
        requires = "webhook_url"
    )]
    app_secret_env: Option<String>,
}

/// Runs one `sehat whatsapp mock` subcommand.
pub fn run(command: Command) -> Result {
    match command {
        Command::Serve(args) => serve(args),
    }
}

/// The webhook callback and its secret, checked before the server starts.
fn webhooks(args: &ServeArgs) -> Result<Option<(String, SecretString)>> {
    let Some(url) = &args.webhook_url else {
        return Ok(None);
    };
    let host = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) {
        return Err(CliError::msg(format!(
            "--webhook-url {url:?}: expected an http:// or https:// URL with a host"
        )));
    }
    let secret = match (&args.app_secret, &args.app_secret_env) {
        (Some(secret), _) => secret.clone(),
        (None, Some(var)) => std::env::var(var).map_err(|_| {
            CliError::msg(format!(
                "--app-secret-env: environment variable {var} is not set (or not UTF-8)"
            ))
        })?,
        (None, None) => {
            return Err(CliError::msg(
                "--webhook-url needs --app-secret or --app-secret-env to sign the webhooks",
            ));
        }
    };
    if secret.is_empty() {
        return Err(CliError::msg("the app secret is empty"));
    }
    Ok(Some((url.clone(), SecretString::from(secret))))
}

/// Runs `sehat whatsapp mock serve`.
fn serve(args: ServeArgs) -> Result {
    let webhooks = webhooks(&args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        // Watch the signals before announcing the URL: a script that reads the URL and
        // stops the server at once must find it ready to stop cleanly.
        let mut term = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut limits = ServerLimits::default();
        limits.max_connections = args.max_connections;
        let mock = MockGraphApi::start_with_limits(args.port, limits)
            .await
            .map_err(|e| CliError::msg(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?
            // A long-running server keeps no history of requests: its memory stays flat.
            .without_recording();
        let mock = match &webhooks {
            Some((url, secret)) => {
                mock.with_status_webhooks(url.clone(), secret.expose_secret().to_owned())
            }
            None => mock,
        };
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{}", mock.base_url())?;
            out.flush()?;
        }
        eprintln!(
            "sehat: mock Graph API on {base} (e.g. POST {base}v26.0/{phone}/messages); \
             phone-number id {phone}, WABA id {waba}, any bearer token; {hooks}; \
             SIGTERM or Ctrl-C stops it",
            base = mock.base_url(),
            phone = MockGraphApi::PHONE_NUMBER_ID,
            waba = MockGraphApi::WABA_ID,
            hooks = match &webhooks {
                Some((url, _)) => format!("signed status webhooks to {url}"),
                None => "no status webhooks".to_owned(),
            },
        );
        let stopped_by = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = interrupt.recv() => "SIGINT",
        };
        mock.stop().await;
        eprintln!("sehat: mock Graph API stopped ({stopped_by})");
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn args(url: Option<&str>, secret: Option<&str>) -> ServeArgs {
        ServeArgs {
            port: 0,
            max_connections: ServerLimits::default().max_connections,
            webhook_url: url.map(str::to_owned),
            app_secret: secret.map(str::to_owned),
            app_secret_env: None,
        }
    }

    #[test]
    fn webhook_urls_are_checked_before_the_server_starts() {
        assert!(webhooks(&args(None, None)).unwrap().is_none());
        let (url, secret) = webhooks(&args(Some("http://127.0.0.1:9/hook"), Some("s3cret")))
            .unwrap()
            .unwrap();
        assert_eq!(url, "http://127.0.0.1:9/hook");
        assert_eq!(secret.expose_secret(), "s3cret");
        for bad in [
            "127.0.0.1:9/hook",
            "ftp://host/",
            "http:///path",
            "https://",
        ] {
            let error = webhooks(&args(Some(bad), Some("s"))).unwrap_err();
            assert!(
                error.to_string().contains("--webhook-url"),
                "{bad}: {error}"
            );
        }
        assert!(webhooks(&args(Some("http://h/"), Some(""))).is_err());
        assert!(webhooks(&args(Some("http://h/"), None)).is_err());
    }
}
