//! `value.metadata`: the business phone number a change is about, shared by the values of
//! several fields.

use serde::Deserialize;

use super::lenient::{self, Extra};
use crate::ids::PhoneNumberId;

/// `value.metadata`: the business phone number the change is about.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Metadata {
    /// The number as displayed.
    #[serde(deserialize_with = "lenient::string")]
    pub display_phone_number: Option<String>,
    /// The phone-number id, for `/{phone-number-id}/messages`.
    #[serde(deserialize_with = "lenient::id")]
    pub phone_number_id: Option<PhoneNumberId>,
    /// Fields this version does not model.
    #[serde(flatten)]
    pub extra: Extra,
}
