//! Webhook bodies, structure-aware: the corpus holds Meta's webhook fixtures, and the
//! mutator edits them as JSON trees (swapping a value for one of another type or a known
//! field value, deleting or duplicating members, renaming keys to the names the parser
//! knows), so mutants stay webhooks and reach the lenient parsing inside each change.
//! Inputs that are not JSON are mutated byte-wise. The checks are those of `webhook_body`.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};
use serde_json::{Map, Value, json};

#[path = "../common/webhook.rs"]
mod webhook;

fuzz_target!(|data: &[u8]| webhook::check(data));

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    let mut rng = Rng(u64::from(seed) | 1);
    let parsed = serde_json::from_slice::<Value>(&data[..size]).ok();
    let Some(mut value) = parsed.filter(|_| rng.below(8) != 0) else {
        return libfuzzer_sys::fuzzer_mutate(data, size, max_size);
    };
    for _ in 0..=rng.below(3) {
        mutate(&mut value, &mut rng);
    }
    let out = if rng.below(2) == 0 {
        serde_json::to_vec(&value)
    } else {
        serde_json::to_vec_pretty(&value)
    };
    match out {
        Ok(out) if out.len() <= max_size => {
            data[..out.len()].copy_from_slice(&out);
            out.len()
        }
        _ => libfuzzer_sys::fuzzer_mutate(data, size, max_size),
    }
});

/// A small deterministic generator (xorshift64*), seeded by libFuzzer, so that a mutation
/// can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Field names and values the webhook parser branches on.
const NAMES: &[&str] = &[
    "object",
    "entry",
    "id",
    "time",
    "changes",
    "field",
    "value",
    "messaging_product",
    "metadata",
    "display_phone_number",
    "phone_number_id",
    "contacts",
    "profile",
    "name",
    "username",
    "wa_id",
    "user_id",
    "messages",
    "statuses",
    "errors",
    "from",
    "to",
    "timestamp",
    "type",
    "text",
    "body",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "reaction",
    "interactive",
    "button",
    "order",
    "system",
    "referral",
    "context",
    "button_reply",
    "list_reply",
    "title",
    "description",
    "payload",
    "emoji",
    "message_id",
    "latitude",
    "longitude",
    "mime_type",
    "sha256",
    "caption",
    "status",
    "recipient_id",
    "conversation",
    "pricing",
    "origin",
    "expiration_timestamp",
    "billable",
    "pricing_model",
    "category",
    "code",
    "message",
    "error_data",
    "details",
    "href",
    "groups",
    "group_id",
    "request_id",
    "participants",
    "user_preferences",
    "event",
    "phone",
    "customer",
    "identity",
    "new_wa_id",
    "event_type",
    "message_template_id",
    "message_template_name",
    "message_template_language",
    "reason",
    "previous_quality_score",
    "new_quality_score",
    "decision",
    "ban_info",
];

const FIELDS: &[&str] = &[
    "messages",
    "account_alerts",
    "account_review_update",
    "account_update",
    "business_capability_update",
    "calls",
    "flows",
    "group_status_update",
    "group_lifecycle_update",
    "group_participants_update",
    "group_settings_update",
    "history",
    "message_template_components_update",
    "message_template_quality_update",
    "message_template_status_update",
    "phone_number_name_update",
    "phone_number_quality_update",
    "security",
    "smb_app_state_sync",
    "smb_message_echoes",
    "template_category_update",
    "user_preferences",
    "whatsapp_business_account",
];

const TYPES: &[&str] = &[
    "text",
    "image",
    "audio",
    "video",
    "document",
    "sticker",
    "location",
    "contacts",
    "reaction",
    "interactive",
    "button",
    "order",
    "system",
    "request_welcome",
    "unknown",
    "unsupported",
    "button_reply",
    "list_reply",
    "nfm_reply",
    "sent",
    "delivered",
    "read",
    "failed",
    "deleted",
    "stop",
    "resume",
];

fn interesting(rng: &mut Rng) -> Value {
    match rng.below(16) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!([]),
        3 => json!({}),
        4 => json!(""),
        5 => json!(*rng.pick(&[0_i64, -1, 1, i64::MAX, i64::MIN, 1_750_000_000])),
        6 => json!(*rng.pick(&[u64::MAX, 1_u64 << 63])),
        7 => json!(*rng.pick(&[0.5_f64, -1e300, 1e308, 1_750_000_000.5])),
        8 => json!(*rng.pick(&[
            "1750000000",
            "-1",
            "99999999999999999999",
            " 1750000000 ",
            "1e9",
            "0x10"
        ])),
        9 => json!(*rng.pick(&[
            "6281234567890",
            "+6281234567890",
            "0812-3456-7890",
            "ID.1234567890abcdef",
            "wamid.HBgLNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjBDNzQ2RjI4OUYwRTY5MTVBAA==",
        ])),
        10 => json!(*rng.pick(&["\u{0}", "\u{feff}", "é\u{301}", "\u{202e}abc", "🙂", "\\"])),
        11 => json!("x".repeat(1 + rng.below(300))),
        12 => json!(*rng.pick(FIELDS)),
        13 => json!(*rng.pick(TYPES)),
        14 => json!(*rng.pick(NAMES)),
        _ => json!(rng.below(1_000_000)),
    }
}

/// Applies one edit at a random node of the tree.
fn mutate(value: &mut Value, rng: &mut Rng) {
    // Walk down a random path, stopping at a random depth.
    let descend = rng.below(4) != 0;
    match value {
        Value::Object(map) if !map.is_empty() && descend => {
            let key = map
                .keys()
                .nth(rng.below(map.len()))
                .cloned()
                .unwrap_or_default();
            if let Some(child) = map.get_mut(&key) {
                return mutate(child, rng);
            }
        }
        Value::Array(items) if !items.is_empty() && descend => {
            let i = rng.below(items.len());
            return mutate(&mut items[i], rng);
        }
        _ => {}
    }
    match value {
        Value::Object(map) => edit_object(map, rng),
        Value::Array(items) => match rng.below(4) {
            0 if !items.is_empty() => {
                let i = rng.below(items.len());
                let copy = items[i].clone();
                items.insert(i, copy);
            }
            1 if !items.is_empty() => {
                items.remove(rng.below(items.len()));
            }
            2 => items.push(interesting(rng)),
            _ => *value = interesting(rng),
        },
        Value::String(s) => match rng.below(4) {
            0 => s.push_str(&interesting(rng).to_string()),
            1 => {
                let mut len = rng.below(s.len() + 1);
                while !s.is_char_boundary(len) {
                    len -= 1;
                }
                s.truncate(len);
            }
            _ => *value = interesting(rng),
        },
        _ => *value = interesting(rng),
    }
}

fn edit_object(map: &mut Map<String, Value>, rng: &mut Rng) {
    let keys: Vec<String> = map.keys().cloned().collect();
    match rng.below(5) {
        0 if !keys.is_empty() => {
            map.remove(rng.pick(&keys));
        }
        1 if !keys.is_empty() => {
            // Rename a member to a name the parser knows.
            let old = rng.pick(&keys).clone();
            if let Some(v) = map.remove(&old) {
                map.insert((*rng.pick(NAMES)).to_string(), v);
            }
        }
        2 if !keys.is_empty() => {
            // Copy a member's value under another known name (a field of the wrong shape).
            let v = map[rng.pick(&keys)].clone();
            map.insert((*rng.pick(NAMES)).to_string(), v);
        }
        _ => {
            map.insert((*rng.pick(NAMES)).to_string(), interesting(rng));
        }
    }
}
