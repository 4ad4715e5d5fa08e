//! The typed webhook fields: one table says, for each field Meta sends, which [`ChangeValue`]
//! variant and which model (in its topic module) it becomes. The enum, [`TYPED_FIELDS`],
//! the dispatch by field name and [`ChangeValue::kind`] are all generated from it, so a
//! new field is one line here and a model in its module.

use serde_json::Value;
use serde_json::value::RawValue;

use super::account::{
    AccountAlert, AccountReviewUpdate, AccountUpdate, BusinessCapabilityUpdate, FlowEvent,
    PhoneNumberNameUpdate, PhoneNumberQualityUpdate, SecurityEvent,
};
use super::calls::CallsValue;
use super::coexistence::{HistoryValue, StateSyncValue};
use super::group::GroupsValue;
use super::lenient::FieldModel;
use super::message::MessagesValue;
use super::metadata::Metadata;
use super::preference::UserPreferencesValue;
use super::template::{
    TemplateCategoryUpdate, TemplateComponentsUpdate, TemplateQualityUpdate, TemplateStatusUpdate,
};

impl FieldModel for HistoryValue {}
impl FieldModel for CallsValue {}
impl FieldModel for StateSyncValue {}
impl FieldModel for UserPreferencesValue {}
impl FieldModel for GroupsValue {}
impl FieldModel for TemplateStatusUpdate {}
impl FieldModel for TemplateQualityUpdate {}
impl FieldModel for TemplateComponentsUpdate {}
impl FieldModel for TemplateCategoryUpdate {}
impl FieldModel for AccountUpdate {}
impl FieldModel for AccountAlert {}
impl FieldModel for AccountReviewUpdate {}
impl FieldModel for BusinessCapabilityUpdate {}
impl FieldModel for PhoneNumberQualityUpdate {}
impl FieldModel for PhoneNumberNameUpdate {}
impl FieldModel for SecurityEvent {}
impl FieldModel for FlowEvent {}

/// Generates [`ChangeValue`], [`TYPED_FIELDS`], [`ChangeValue::parse`]'s dispatch and
/// [`ChangeValue::kind`] from the table below.
macro_rules! typed_fields {
    ($(
        $(#[$doc:meta])*
        $variant:ident($model:ty), kind $kind:literal: $($field:literal)|+;
    )*) => {
        /// The value of a change, typed by its field.
        #[derive(Debug, Clone)]
        #[non_exhaustive]
        pub enum ChangeValue {
            $( $(#[$doc])* $variant($model), )*
            /// A field this version does not type: the raw value.
            Unknown(Value),
            /// A typed field whose value was not an object of the documented shape: the raw
            /// value and what did not fit.
            Malformed {
                /// The raw value.
                raw: Value,
                /// What did not fit.
                error: String,
            },
        }

        /// The webhook fields this version types.
        pub const TYPED_FIELDS: &[&str] = &[$($($field,)+)*];

        impl ChangeValue {
            /// Types `value` by `field` with the table, without the exceptions of
            /// [`parse`](Self::parse).
            fn dispatch(field: &str, value: Value) -> Self {
                match field {
                    $(
                        $($field)|+ => <$model as FieldModel>::from_value(value)
                            .map_or_else(|(raw, error)| Self::Malformed { raw, error }, Self::$variant),
                    )*
                    _ => Self::Unknown(value),
                }
            }

            /// Types the value straight from its JSON text when its model can (`None`
            /// otherwise).
            fn dispatch_raw(field: &str, raw: &RawValue) -> Option<Self> {
                match field {
                    $( $($field)|+ => <$model as FieldModel>::from_raw(raw).map(Self::$variant), )*
                    _ => None,
                }
            }

            /// A short name for the kind of value (`messages`, `template_status`, `group`,
            /// `unknown`, …), used as `kind` by `sehat whatsapp inspect`.
            #[must_use]
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Self::$variant(_) => $kind, )*
                    Self::Unknown(_) => "unknown",
                    Self::Malformed { .. } => "malformed",
                }
            }
        }
    };
}

typed_fields! {
    /// `messages`: messages, statuses and errors.
    Messages(MessagesValue), kind "messages": "messages";
    /// `smb_message_echoes`: messages the business sent from the WhatsApp Business app.
    MessageEchoes(MessagesValue), kind "message_echoes": "smb_message_echoes";
    /// `history`: chat history of a WhatsApp Business app number being onboarded.
    History(HistoryValue), kind "history": "history";
    /// `calls`: calling events.
    Calls(CallsValue), kind "calls": "calls";
    /// `smb_app_state_sync`: contact changes in the WhatsApp Business app.
    StateSync(StateSyncValue), kind "state_sync": "smb_app_state_sync";
    /// `user_preferences`: marketing opt-outs and resumes.
    UserPreferences(UserPreferencesValue), kind "user_preferences": "user_preferences";
    /// `group_lifecycle_update`, `group_participants_update`, `group_settings_update`,
    /// `group_status_update`.
    Groups(GroupsValue), kind "groups":
        "group_lifecycle_update" | "group_participants_update" | "group_settings_update"
        | "group_status_update";
    /// `message_template_status_update`.
    TemplateStatus(TemplateStatusUpdate), kind "template_status": "message_template_status_update";
    /// `message_template_quality_update` (also when Meta sends it under the status field).
    TemplateQuality(TemplateQualityUpdate), kind "template_quality": "message_template_quality_update";
    /// `message_template_components_update`.
    TemplateComponents(TemplateComponentsUpdate), kind "template_components":
        "message_template_components_update";
    /// `template_category_update`.
    TemplateCategory(TemplateCategoryUpdate), kind "template_category": "template_category_update";
    /// `account_update`.
    AccountUpdate(AccountUpdate), kind "account_update": "account_update";
    /// `account_alerts`.
    AccountAlert(AccountAlert), kind "account_alert": "account_alerts";
    /// `account_review_update`.
    AccountReview(AccountReviewUpdate), kind "account_review": "account_review_update";
    /// `business_capability_update`.
    BusinessCapability(BusinessCapabilityUpdate), kind "business_capability":
        "business_capability_update";
    /// `phone_number_quality_update`.
    PhoneNumberQuality(PhoneNumberQualityUpdate), kind "phone_number_quality":
        "phone_number_quality_update";
    /// `phone_number_name_update`.
    PhoneNumberName(PhoneNumberNameUpdate), kind "phone_number_name": "phone_number_name_update";
    /// `security`.
    Security(SecurityEvent), kind "security": "security";
    /// `flows`.
    Flows(FlowEvent), kind "flow": "flows";
}

impl ChangeValue {
    /// Types `value` by `field`; never fails (see [`Unknown`](Self::Unknown) and
    /// [`Malformed`](Self::Malformed)).
    #[must_use]
    pub fn parse(field: &str, value: Value) -> Self {
        // Meta's own docs show quality updates delivered under the status field.
        if field == "message_template_status_update"
            && value.get("new_quality_score").is_some()
            && value.get("event").is_none()
        {
            return Self::dispatch("message_template_quality_update", value);
        }
        Self::dispatch(field, value)
    }

    /// As [`parse`](Self::parse), from the value's JSON text: typed straight from the text
    /// where the field's model can, through a JSON tree otherwise. `None` only when the
    /// text is not JSON.
    pub(crate) fn parse_raw(field: &str, raw: &RawValue) -> Option<Self> {
        if field != "message_template_status_update"
            && let Some(value) = Self::dispatch_raw(field, raw)
        {
            return Some(value);
        }
        let value = serde_json::from_str::<Value>(raw.get()).ok()?;
        Some(Self::parse(field, value))
    }

    /// The id and type that best summarise the change, for one-line reports: a template
    /// id and event, a Flow id and event, an alert's entity and type, …
    #[must_use]
    pub fn summary(&self) -> (Option<&str>, Option<&str>) {
        match self {
            Self::TemplateStatus(v) => (
                v.message_template_id.as_ref().map(AsRef::as_ref),
                v.event.as_ref().map(|e| e.as_str()),
            ),
            Self::TemplateQuality(v) => (
                v.message_template_id.as_ref().map(AsRef::as_ref),
                v.new_quality_score.as_ref().map(|q| q.as_str()),
            ),
            Self::TemplateComponents(v) => {
                (v.message_template_id.as_ref().map(AsRef::as_ref), None)
            }
            Self::TemplateCategory(v) => (
                v.message_template_id.as_ref().map(AsRef::as_ref),
                v.new_category.as_deref(),
            ),
            Self::AccountUpdate(v) => (v.phone_number.as_deref(), v.event.as_deref()),
            Self::AccountAlert(v) => (
                v.entity_id.as_deref(),
                v.alert_info.as_ref().and_then(|a| a.alert_type.as_deref()),
            ),
            Self::AccountReview(v) => (None, v.decision.as_deref()),
            Self::PhoneNumberQuality(v) => (v.display_phone_number.as_deref(), v.event.as_deref()),
            Self::PhoneNumberName(v) => (v.display_phone_number.as_deref(), v.decision.as_deref()),
            Self::Security(v) => (v.display_phone_number.as_deref(), v.event.as_deref()),
            Self::Flows(v) => (v.flow_id.as_ref().map(AsRef::as_ref), v.event.as_deref()),
            Self::Calls(v) => (
                v.calls.first().and_then(|c| c.id.as_deref()),
                v.calls.first().and_then(|c| c.event.as_deref()),
            ),
            Self::History(v) => (
                None,
                v.history
                    .first()
                    .and_then(|h| h.metadata.as_ref())
                    .and_then(|m| m.get("phase"))
                    .and_then(Value::as_str),
            ),
            _ => (None, None),
        }
    }

    /// The metadata of the business phone number, for the values that carry it.
    #[must_use]
    pub fn metadata(&self) -> Option<&Metadata> {
        match self {
            Self::Messages(v) | Self::MessageEchoes(v) => v.metadata.as_ref(),
            Self::History(v) => v.metadata.as_ref(),
            Self::Calls(v) => v.metadata.as_ref(),
            Self::StateSync(v) => v.metadata.as_ref(),
            Self::UserPreferences(v) => v.metadata.as_ref(),
            Self::Groups(v) => v.metadata.as_ref(),
            _ => None,
        }
    }
}
