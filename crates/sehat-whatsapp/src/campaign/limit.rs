//! The business's messaging limit: unique users reached in a moving 24-hour window.

use std::collections::{HashMap, VecDeque};

/// The length of the messaging-limit window, in milliseconds.
pub const WINDOW_MS: u64 = 24 * 60 * 60 * 1000;

/// A messaging-limit tier (`whatsapp_business_manager_messaging_limit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MessagingLimit {
    /// 250 unique users per 24 h (new businesses).
    Tier250,
    /// 1,000 unique users per 24 h (the tier before October 2025).
    Tier1K,
    /// 2,000 unique users per 24 h (the scaling path since October 2025).
    Tier2K,
    /// 10,000 unique users per 24 h.
    Tier10K,
    /// 100,000 unique users per 24 h.
    Tier100K,
    /// No limit.
    Unlimited,
}

impl MessagingLimit {
    /// Parses the API's value (`TIER_250`, `TIER_1K`, `TIER_2K`, `TIER_10K`, `TIER_100K`,
    /// `TIER_UNLIMITED`; case-insensitive).
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::campaign::MessagingLimit;
    /// assert_eq!(MessagingLimit::from_api("TIER_2K"), Some(MessagingLimit::Tier2K));
    /// assert_eq!(MessagingLimit::Tier2K.max_users(), Some(2000));
    /// assert_eq!(MessagingLimit::from_api("TIER_UNLIMITED").and_then(|t| t.max_users()), None);
    /// assert_eq!(MessagingLimit::from_api("TIER_3"), None);
    /// ```
    #[must_use]
    pub fn from_api(value: &str) -> Option<Self> {
        Some(match value.trim().to_ascii_uppercase().as_str() {
            "TIER_250" => Self::Tier250,
            "TIER_1K" => Self::Tier1K,
            "TIER_2K" => Self::Tier2K,
            "TIER_10K" => Self::Tier10K,
            "TIER_100K" => Self::Tier100K,
            "TIER_UNLIMITED" | "UNLIMITED" => Self::Unlimited,
            _ => return None,
        })
    }

    /// The tier a phone number's details report: `whatsapp_business_manager_messaging_limit`
    /// (a string, or an object holding one), else the deprecated `messaging_limit_tier`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::account::PhoneNumber;
    /// use sehat_whatsapp::campaign::MessagingLimit;
    /// let number: PhoneNumber = serde_json::from_str(
    ///     r#"{"id":"106540352242922","whatsapp_business_manager_messaging_limit":"TIER_2K"}"#)?;
    /// assert_eq!(MessagingLimit::of_phone_number(&number), Some(MessagingLimit::Tier2K));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    #[must_use]
    pub fn of_phone_number(number: &crate::account::PhoneNumber) -> Option<Self> {
        let current = match &number.whatsapp_business_manager_messaging_limit {
            Some(serde_json::Value::String(tier)) => Self::from_api(tier),
            Some(serde_json::Value::Object(fields)) => fields
                .values()
                .filter_map(serde_json::Value::as_str)
                .find_map(Self::from_api),
            _ => None,
        };
        current.or_else(|| {
            number
                .messaging_limit_tier
                .as_deref()
                .and_then(Self::from_api)
        })
    }

    /// The most unique users per moving 24 h, or `None` when unlimited.
    #[must_use]
    pub fn max_users(self) -> Option<usize> {
        match self {
            Self::Tier250 => Some(250),
            Self::Tier1K => Some(1_000),
            Self::Tier2K => Some(2_000),
            Self::Tier10K => Some(10_000),
            Self::Tier100K => Some(100_000),
            Self::Unlimited => None,
        }
    }
}

/// The users reached in the last 24 h, by recipient key.
#[derive(Debug, Default)]
pub(crate) struct ReachWindow {
    max: Option<usize>,
    last: HashMap<String, u64>,
    order: VecDeque<(u64, String)>,
}

impl ReachWindow {
    pub fn new(limit: MessagingLimit) -> Self {
        Self {
            max: limit.max_users(),
            ..Self::default()
        }
    }

    fn expire(&mut self, now_ms: u64) {
        while let Some((at, key)) = self.order.front() {
            if at.saturating_add(WINDOW_MS) > now_ms {
                break;
            }
            if self.last.get(key) == Some(at) {
                self.last.remove(key);
            }
            self.order.pop_front();
        }
    }

    /// Records a reach that already happened (from the journal).
    pub fn seed(&mut self, key: &str, at_ms: u64, now_ms: u64) {
        if at_ms.saturating_add(WINDOW_MS) <= now_ms {
            return;
        }
        let entry = self.last.entry(key.to_owned()).or_insert(at_ms);
        *entry = (*entry).max(at_ms);
        self.order.push_back((at_ms, key.to_owned()));
    }

    /// Sorts seeded entries by time (the journal is in order, but batches interleave).
    pub fn finish_seeding(&mut self, now_ms: u64) {
        self.order.make_contiguous().sort_by_key(|(at, _)| *at);
        self.expire(now_ms);
    }

    /// Whether `key` may be reached now; counts it when so.
    pub fn admit(&mut self, key: &str, now_ms: u64) -> bool {
        self.expire(now_ms);
        let Some(max) = self.max else {
            return true;
        };
        if !self.last.contains_key(key) && self.last.len() >= max {
            return false;
        }
        self.last.insert(key.to_owned(), now_ms);
        self.order.push_back((now_ms, key.to_owned()));
        true
    }

    /// Forgets a reach that did not happen after all (the send failed).
    pub fn release(&mut self, key: &str, now_ms: u64) {
        if self.last.get(key) == Some(&now_ms) {
            self.last.remove(key);
        }
    }

    #[cfg(test)]
    pub fn reached(&self) -> usize {
        self.last.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_unique_users_and_moves() {
        let mut window = ReachWindow::new(MessagingLimit::Tier250);
        for i in 0..250 {
            assert!(window.admit(&format!("u{i}"), 1_000));
        }
        assert!(!window.admit("u250", 2_000));
        // Someone already reached is not a new user.
        assert!(window.admit("u7", 3_000));
        assert_eq!(window.reached(), 250);
        // 24 h after the first reaches, they leave the window (u7 stays: reached again).
        assert!(window.admit("u250", 1_000 + WINDOW_MS));
        assert_eq!(window.reached(), 2);
    }

    #[test]
    fn seeded_reaches_count() {
        let mut window = ReachWindow::new(MessagingLimit::Tier250);
        let now = 10 * WINDOW_MS;
        for i in 0..250 {
            window.seed(&format!("u{i}"), now - 1_000, now);
        }
        window.seed("old", now - WINDOW_MS, now);
        window.finish_seeding(now);
        assert_eq!(window.reached(), 250);
        assert!(!window.admit("new", now));
        assert!(window.admit("u3", now));
    }
}
