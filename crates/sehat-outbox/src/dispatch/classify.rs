//! What a send failure means for the message, by the client's error table.

use std::time::Duration;

use sehat_whatsapp::Error as WaError;
use sehat_whatsapp::error::ErrorKind;

/// How the dispatcher handles one failed send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The person stopped marketing messages (131050): record the opt-out, suppress.
    OptedOut { code: i64 },
    /// The number's throughput was exceeded (130429): hold the number for every worker.
    NumberThrottled { code: i64, wait: Duration },
    /// Too many messages to this person (131056): hold the person's lane.
    PairThrottled { code: i64, wait: Duration },
    /// No message was created; try again later.
    Retry {
        code: Option<i64>,
        reason: String,
        after: Duration,
    },
    /// No message was created, for good.
    Permanent { code: Option<i64>, reason: String },
    /// No message was created, and nothing will work until someone acts (a token, the
    /// account): stop dispatching.
    Stop { code: Option<i64>, reason: String },
    /// The request may have reached the Cloud API.
    Unknown { reason: String },
}

const SHORT: Duration = Duration::from_secs(30);
const LONG: Duration = Duration::from_secs(15 * 60);
const TEMPLATE: Duration = Duration::from_secs(60 * 60);

pub(crate) fn classify(error: &WaError) -> Failure {
    match error {
        WaError::Api {
            error, retry_after, ..
        } => {
            let kind = error.kind();
            let code = error.code();
            let reason = kind.as_str().to_owned();
            match kind {
                ErrorKind::RecipientOptedOut => Failure::OptedOut { code },
                ErrorKind::Throughput => Failure::NumberThrottled {
                    code,
                    wait: retry_after.unwrap_or(Duration::from_secs(1)),
                },
                ErrorKind::PairRateLimit => Failure::PairThrottled {
                    code,
                    wait: retry_after.unwrap_or(Duration::from_secs(6)),
                },
                ErrorKind::Transient | ErrorKind::Maintenance | ErrorKind::Media => {
                    Failure::Retry {
                        code: Some(code),
                        reason,
                        after: retry_after.unwrap_or(SHORT),
                    }
                }
                ErrorKind::MarketingLimit
                | ErrorKind::AppRateLimit
                | ErrorKind::WabaRateLimit
                | ErrorKind::SpamRateLimit => Failure::Retry {
                    code: Some(code),
                    reason,
                    after: retry_after.unwrap_or(LONG),
                },
                ErrorKind::TemplatePaused
                | ErrorKind::TemplateDisabled
                | ErrorKind::TemplateNotFound
                | ErrorKind::TemplateMismatch => Failure::Retry {
                    code: Some(code),
                    reason,
                    after: TEMPLATE,
                },
                ErrorKind::Auth
                | ErrorKind::Permission
                | ErrorKind::AccountState
                | ErrorKind::Policy
                | ErrorKind::MarketingApiRequired => Failure::Stop {
                    code: Some(code),
                    reason,
                },
                _ => Failure::Permanent {
                    code: Some(code),
                    reason,
                },
            }
        }
        WaError::OutcomeUnknown(_) => Failure::Unknown {
            reason: "no_answer".into(),
        },
        WaError::Decode { .. } => Failure::Unknown {
            reason: "undecodable_answer".into(),
        },
        // A 5xx without a Graph error (a proxy, a gateway): the request may have gone on.
        WaError::Http { status, .. } if *status >= 500 => Failure::Unknown {
            reason: format!("http_{status}"),
        },
        WaError::Http { status, .. } => Failure::Retry {
            code: None,
            reason: format!("http_{status}"),
            after: SHORT,
        },
        WaError::NotSent(_) => Failure::Retry {
            code: None,
            reason: "not_sent".into(),
            after: SHORT,
        },
        WaError::Build(_) | WaError::Template(_) => Failure::Permanent {
            code: None,
            reason: "invalid_message".into(),
        },
        _ => Failure::Permanent {
            code: None,
            reason: "error".into(),
        },
    }
}
