//! The business's messaging limit: how many unique users it may reach in a moving 24-hour
//! window.

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
    /// use sehat_whatsapp::limit::MessagingLimit;
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
    /// use sehat_whatsapp::limit::MessagingLimit;
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
