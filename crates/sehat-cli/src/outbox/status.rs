//! `sehat outbox status` (counts by state and purpose, as JSON) and `sehat outbox purge`.

use std::io::Write as _;

use sehat_outbox::model::{Purpose, State};
use sehat_outbox::store::{StateCount, Store as _};
use serde_json::{Map, Value, json};
use time::{Duration, OffsetDateTime};

use super::{Target, runtime};
use crate::error::{CliError, Result};

/// Arguments of `sehat outbox status`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    target: Target,
}

/// Arguments of `sehat outbox purge`.
#[derive(Debug, clap::Args)]
pub struct PurgeArgs {
    #[command(flatten)]
    target: Target,
    /// Purge messages that reached a final state more than DAYS days ago.
    #[arg(long, value_name = "DAYS")]
    older_than: u32,
}

/// The status document: every state and purpose, zeros included.
///
/// ```json
/// {"total": 3,
///  "by_state": {"scheduled": 1, "sent": 2, …},
///  "by_purpose": {"reminder": {"total": 3, "scheduled": 1, "sent": 2, …}, …},
///  "counts": [{"state": "sent", "purpose": "reminder", "count": 2}, …]}
/// ```
fn document(counts: &[StateCount]) -> Value {
    let of = |state: State, purpose: Option<Purpose>| -> u64 {
        counts
            .iter()
            .filter(|c| c.state == state && purpose.is_none_or(|p| c.purpose == p))
            .map(|c| c.count)
            .sum()
    };
    let mut by_state = Map::new();
    for state in State::ALL {
        by_state.insert(state.as_str().to_owned(), json!(of(state, None)));
    }
    let mut by_purpose = Map::new();
    for purpose in Purpose::ALL {
        let mut states = Map::new();
        let total: u64 = counts
            .iter()
            .filter(|c| c.purpose == purpose)
            .map(|c| c.count)
            .sum();
        states.insert("total".to_owned(), json!(total));
        for state in State::ALL {
            states.insert(state.as_str().to_owned(), json!(of(state, Some(purpose))));
        }
        by_purpose.insert(purpose.as_str().to_owned(), Value::Object(states));
    }
    let mut sorted = counts.to_vec();
    sorted.sort();
    json!({
        "total": counts.iter().map(|c| c.count).sum::<u64>(),
        "by_state": by_state,
        "by_purpose": by_purpose,
        "counts": sorted
            .iter()
            .map(|c| json!({"state": c.state.as_str(), "purpose": c.purpose.as_str(), "count": c.count}))
            .collect::<Vec<_>>(),
    })
}

/// Runs `sehat outbox status`.
pub fn run_status(args: StatusArgs) -> Result {
    let keys = args.target.keys()?;
    let counts = runtime()?.block_on(async {
        let outbox = args.target.open(keys).await?;
        outbox.store().counts().await.map_err(CliError::from)
    })?;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &document(&counts))?;
    writeln!(out)?;
    Ok(())
}

/// Runs `sehat outbox purge`.
pub fn run_purge(args: PurgeArgs) -> Result {
    let keys = args.target.keys()?;
    let before = OffsetDateTime::now_utc() - Duration::days(i64::from(args.older_than));
    let purged = runtime()?.block_on(async {
        let outbox = args.target.open(keys).await?;
        outbox
            .store()
            .purge_tokens(before)
            .await
            .map_err(CliError::from)
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "purged: {purged}")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_lists_every_state_and_purpose() {
        let counts = [
            StateCount {
                state: State::Sent,
                purpose: Purpose::Reminder,
                count: 2,
            },
            StateCount {
                state: State::Scheduled,
                purpose: Purpose::Campaign,
                count: 5,
            },
        ];
        let doc = document(&counts);
        assert_eq!(doc["total"], 7);
        assert_eq!(doc["by_state"]["sent"], 2);
        assert_eq!(doc["by_state"]["unknown"], 0);
        assert_eq!(doc["by_purpose"]["campaign"]["scheduled"], 5);
        assert_eq!(doc["by_purpose"]["campaign"]["total"], 5);
        assert_eq!(doc["by_purpose"]["education"]["total"], 0);
        assert_eq!(doc["counts"].as_array().unwrap().len(), 2);
    }
}
