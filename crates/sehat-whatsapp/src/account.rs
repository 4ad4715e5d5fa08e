//! Account data: phone numbers, the business profile and subscribed apps.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::{AppId, PhoneNumberId};
use crate::message::{BuildError, check_len};
use crate::open_enum::open_enum;

pub(crate) const PHONE_NUMBER_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating,code_verification_status,name_status,platform_type,throughput,whatsapp_business_manager_messaging_limit,messaging_limit_tier,is_official_business_account,account_mode,health_status";
pub(crate) const PROFILE_FIELDS: &str =
    "about,address,description,email,profile_picture_url,websites,vertical";

open_enum!(
    /// A phone number's quality rating.
    QualityRating {
        /// High quality.
        Green => "GREEN",
        /// Medium quality.
        Yellow => "YELLOW",
        /// Low quality.
        Red => "RED",
        /// Not rated yet.
        Na => "NA",
        /// Unknown.
        Unknown => "UNKNOWN",
    }
);

/// A business phone number (`GET /{phone-number-id}`, `GET /{waba-id}/phone_numbers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhoneNumber {
    /// The phone-number id.
    pub id: PhoneNumberId,
    /// The number as displayed (`+62 21-5555-0100`). It is the business's own number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_phone_number: Option<String>,
    /// The verified business name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_name: Option<String>,
    /// The quality rating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quality_rating: Option<QualityRating>,
    /// `VERIFIED`, `NOT_VERIFIED`, `EXPIRED`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_verification_status: Option<String>,
    /// The display-name review status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_status: Option<String>,
    /// `CLOUD_API`, `ON_PREMISE` or `NOT_APPLICABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_type: Option<String>,
    /// The throughput level, `{"level": "STANDARD" | "HIGH" | …}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput: Option<Value>,
    /// The messaging limit of the business portfolio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_business_manager_messaging_limit: Option<Value>,
    /// Deprecated per-number tier, still sent by some accounts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messaging_limit_tier: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// The business profile shown to users.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BusinessProfile {
    /// The "About" text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// Postal address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Contact email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Profile picture URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_picture_url: Option<String>,
    /// Web sites (at most two).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    /// Industry (`HEALTH`, `GOVT`, `NONPROFIT`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vertical: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// A business profile update: only the fields set are sent.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[non_exhaustive]
pub struct BusinessProfileUpdate {
    /// At most 139 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    /// At most 256 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// At most 512 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// At most 128 characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// A handle from the resumable upload API.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile_picture_handle: Option<String>,
    /// At most two, 256 characters each.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub websites: Option<Vec<String>>,
    /// The industry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vertical: Option<String>,
}

impl BusinessProfileUpdate {
    pub(crate) fn validate(&self) -> Result<(), BuildError> {
        let texts = [
            ("about", &self.about, 139),
            ("address", &self.address, 256),
            ("description", &self.description, 512),
            ("email", &self.email, 128),
        ];
        for (field, value, max) in texts {
            if let Some(value) = value {
                check_len(field, value, max)?;
            }
        }
        if let Some(websites) = &self.websites {
            if websites.len() > 2 {
                return Err(BuildError::TooMany {
                    field: "websites".into(),
                    count: websites.len(),
                    max: 2,
                });
            }
            for (i, site) in websites.iter().enumerate() {
                check_len(&format!("websites[{i}]"), site, 256)?;
            }
        }
        Ok(())
    }
}

/// An app subscribed to a WABA's webhooks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscribedApp {
    /// The app.
    pub whatsapp_business_api_data: AppData,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

/// An app's id, name and link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AppData {
    /// The app id.
    pub id: AppId,
    /// The app name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The app link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}
