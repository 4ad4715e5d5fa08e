//! Account and phone-number webhooks: `account_update`, `account_alerts`,
//! `account_review_update`, `business_capability_update`, `phone_number_quality_update`,
//! `phone_number_name_update`, `security` and `flows`.

use serde::Deserialize;

use super::lenient::{self, Extra};
use crate::ids::FlowId;

/// `account_update`: verification, violations, restrictions, bans, sharing, deletion of a
/// WhatsApp Business Account.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AccountUpdate {
    /// What happened (`ACCOUNT_VIOLATION`, `ACCOUNT_RESTRICTION`, `DISABLED_UPDATE`,
    /// `PARTNER_ADDED`, `BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE`, …).
    #[serde(deserialize_with = "lenient::string")]
    pub event: Option<String>,
    /// The business phone number concerned, when one is.
    #[serde(deserialize_with = "lenient::string")]
    pub phone_number: Option<String>,
    /// Fields this version does not model (`violation_info`, `restriction_info`,
    /// `ban_info`, `lock_info`, `waba_info`, …).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `account_alerts.alert_info`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AlertInfo {
    /// `CRITICAL`, `WARNING` or `INFORMATIONAL`.
    #[serde(deserialize_with = "lenient::string")]
    pub alert_severity: Option<String>,
    /// `ACTIVE` or `NONE`.
    #[serde(deserialize_with = "lenient::string")]
    pub alert_status: Option<String>,
    /// The alert type (`OBA_APPROVED`, `PROFILE_PICTURE_LOST`, …).
    #[serde(deserialize_with = "lenient::string")]
    pub alert_type: Option<String>,
    /// A human-readable description.
    #[serde(deserialize_with = "lenient::string")]
    pub alert_description: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `account_alerts`: messaging-limit, business-profile and Official Business Account alerts.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AccountAlert {
    /// `BUSINESS`, `PHONE_NUMBER` or `CURRENT_STATUS_ID`.
    #[serde(deserialize_with = "lenient::string")]
    pub entity_type: Option<String>,
    /// The business portfolio or phone number id.
    #[serde(deserialize_with = "lenient::string")]
    pub entity_id: Option<String>,
    /// The alert.
    pub alert_info: Option<AlertInfo>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `account_review_update`: the account was reviewed against policy.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct AccountReviewUpdate {
    /// `APPROVED`, `REJECTED`, `PENDING` or `DEFERRED`.
    #[serde(deserialize_with = "lenient::string")]
    pub decision: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `business_capability_update`: messaging-limit or phone-number-limit changes.
///
/// Limits are kept as Meta's text: a number (`2000`, `-1` for unlimited) or a tier
/// (`TIER_2K`, `TIER_UNLIMITED`), since both spellings are sent.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct BusinessCapabilityUpdate {
    /// The business portfolio's messaging limit (deprecated per-phone spelling).
    #[serde(deserialize_with = "lenient::string")]
    pub max_daily_conversation_per_phone: Option<String>,
    /// The business portfolio's messaging limit.
    #[serde(deserialize_with = "lenient::string")]
    pub max_daily_conversations_per_business: Option<String>,
    /// The maximum number of phone numbers in the portfolio.
    #[serde(deserialize_with = "lenient::int")]
    pub max_phone_numbers_per_business: Option<i64>,
    /// The maximum number of phone numbers per WhatsApp Business Account.
    #[serde(deserialize_with = "lenient::int")]
    pub max_phone_numbers_per_waba: Option<i64>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `phone_number_quality_update`: a phone number's messaging limit or throughput changed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PhoneNumberQualityUpdate {
    /// The business display phone number.
    #[serde(deserialize_with = "lenient::string")]
    pub display_phone_number: Option<String>,
    /// `ONBOARDING`, `THROUGHPUT_UPGRADE`, `UPGRADE`, `DOWNGRADE`, `FLAGGED`, `UNFLAGGED`, …
    #[serde(deserialize_with = "lenient::string")]
    pub event: Option<String>,
    /// The current limit tier (deprecated by Meta in 2026).
    #[serde(deserialize_with = "lenient::string")]
    pub current_limit: Option<String>,
    /// The previous limit tier.
    #[serde(deserialize_with = "lenient::string")]
    pub old_limit: Option<String>,
    /// The business portfolio's messaging limit tier.
    #[serde(deserialize_with = "lenient::string")]
    pub max_daily_conversations_per_business: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `phone_number_name_update`: a display-name review decision.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PhoneNumberNameUpdate {
    /// The business display phone number.
    #[serde(deserialize_with = "lenient::string")]
    pub display_phone_number: Option<String>,
    /// `APPROVED`, `REJECTED`, `DEFERRED`, …
    #[serde(deserialize_with = "lenient::string")]
    pub decision: Option<String>,
    /// The display name asked for.
    #[serde(deserialize_with = "lenient::string")]
    pub requested_verified_name: Option<String>,
    /// Why it was rejected.
    #[serde(deserialize_with = "lenient::string")]
    pub rejection_reason: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `security`: two-step verification PIN changes and reset requests.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SecurityEvent {
    /// The business display phone number.
    #[serde(deserialize_with = "lenient::string")]
    pub display_phone_number: Option<String>,
    /// `PIN_CHANGED`, `PIN_RESET_REQUEST`, …
    #[serde(deserialize_with = "lenient::string")]
    pub event: Option<String>,
    /// Who asked.
    #[serde(deserialize_with = "lenient::string")]
    pub requester: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

crate::redact::masked_debug!(SecurityEvent {
    display_phone_number: shown,
    event: shown,
    requester: hidden,
    extra: shown,
});

/// `flows`: a Flow's status changed or its endpoint misbehaves.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct FlowEvent {
    /// `FLOW_STATUS_CHANGE`, `CLIENT_ERROR_RATE`, `ENDPOINT_ERROR_RATE`,
    /// `ENDPOINT_LATENCY`, `ENDPOINT_AVAILABILITY`, …
    #[serde(deserialize_with = "lenient::string")]
    pub event: Option<String>,
    /// A human-readable description.
    #[serde(deserialize_with = "lenient::string")]
    pub message: Option<String>,
    /// The Flow id.
    #[serde(deserialize_with = "lenient::id")]
    pub flow_id: Option<FlowId>,
    /// The previous status (`DRAFT`, `PUBLISHED`, `THROTTLED`, `BLOCKED`, `DEPRECATED`).
    #[serde(deserialize_with = "lenient::string")]
    pub old_status: Option<String>,
    /// The new status.
    #[serde(deserialize_with = "lenient::string")]
    pub new_status: Option<String>,
    /// Fields this version does not model (error rates, thresholds, …).
    #[serde(flatten)]
    pub extra: Extra,
}
