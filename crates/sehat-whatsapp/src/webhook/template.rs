//! Template webhooks: `message_template_status_update`, `message_template_quality_update`,
//! `message_template_components_update` and `template_category_update`.

use serde::Deserialize;
use serde_json::Value;

use super::lenient::{self, Extra, open_enum};
use super::timestamp::Timestamp;
use crate::ids::TemplateId;

open_enum! {
    /// A template lifecycle event (`message_template_status_update.event`).
    pub enum TemplateEvent {
        /// Approved: the template can be sent.
        Approved => "APPROVED",
        /// Rejected at review; see `reason`.
        Rejected => "REJECTED",
        /// Waiting for review.
        Pending => "PENDING",
        /// Disabled for low quality.
        Disabled => "DISABLED",
        /// Paused for low quality.
        Paused => "PAUSED",
        /// Flagged: quality dropped; it will be disabled if it does not recover.
        Flagged => "FLAGGED",
        /// Under appeal.
        InAppeal => "IN_APPEAL",
        /// Being deleted.
        PendingDeletion => "PENDING_DELETION",
        /// Deleted.
        Deleted => "DELETED",
        /// Re-enabled after a pause or an appeal.
        Reinstated => "REINSTATED",
        /// Over the template limit.
        LimitExceeded => "LIMIT_EXCEEDED",
        /// Archived.
        Archived => "ARCHIVED",
        /// Unarchived.
        Unarchived => "UNARCHIVED",
        /// Locked: cannot be edited.
        Locked => "LOCKED",
        /// Unlocked.
        Unlocked => "UNLOCKED",
    }
}

open_enum! {
    /// A template's quality score.
    pub enum QualityScore {
        /// High quality.
        Green => "GREEN",
        /// Medium quality.
        Yellow => "YELLOW",
        /// Low quality.
        Red => "RED",
        /// Not rated yet.
        Unknown => "UNKNOWN",
    }
}

/// `message_template_status_update`: a template was approved, rejected, paused, disabled, …
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TemplateStatusUpdate {
    /// What happened.
    pub event: Option<TemplateEvent>,
    /// The template id (Meta sends a number; read as its decimal text).
    #[serde(deserialize_with = "lenient::id")]
    pub message_template_id: Option<TemplateId>,
    /// The template name.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_name: Option<String>,
    /// The template language and locale (`id`, `en_US`).
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_language: Option<String>,
    /// The template category.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_category: Option<String>,
    /// Why (`NONE`, `INVALID_FORMAT`, `ABUSIVE_CONTENT`, …).
    #[serde(deserialize_with = "lenient::string")]
    pub reason: Option<String>,
    /// Fields this version does not model (`disable_info`, `other_info`, `rejection_info`).
    #[serde(flatten)]
    pub extra: Extra,
}

/// `message_template_quality_update`: a template's quality score changed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TemplateQualityUpdate {
    /// The previous score.
    pub previous_quality_score: Option<QualityScore>,
    /// The new score.
    pub new_quality_score: Option<QualityScore>,
    /// The template id.
    #[serde(deserialize_with = "lenient::id")]
    pub message_template_id: Option<TemplateId>,
    /// The template name.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_name: Option<String>,
    /// The template language.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_language: Option<String>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `message_template_components_update`: a template's components were edited.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TemplateComponentsUpdate {
    /// The template id.
    #[serde(deserialize_with = "lenient::id")]
    pub message_template_id: Option<TemplateId>,
    /// The template name.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_name: Option<String>,
    /// The template language.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_language: Option<String>,
    /// The body text.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_element: Option<String>,
    /// The header text.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_title: Option<String>,
    /// The footer text.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_footer: Option<String>,
    /// The buttons, as sent.
    pub message_template_buttons: Option<Value>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}

/// `template_category_update`: a template's category changed, or will change in 24 hours.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TemplateCategoryUpdate {
    /// The template id.
    #[serde(deserialize_with = "lenient::id")]
    pub message_template_id: Option<TemplateId>,
    /// The template name.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_name: Option<String>,
    /// The template language.
    #[serde(deserialize_with = "lenient::string")]
    pub message_template_language: Option<String>,
    /// The category before a completed change.
    #[serde(deserialize_with = "lenient::string")]
    pub previous_category: Option<String>,
    /// The new category (for an impending change: the current one).
    #[serde(deserialize_with = "lenient::string")]
    pub new_category: Option<String>,
    /// For an impending change: the category the template will get.
    #[serde(deserialize_with = "lenient::string")]
    pub correct_category: Option<String>,
    /// For an impending change: when it takes effect.
    pub category_update_timestamp: Option<Timestamp>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
