//! The outbox's data: messages, their states, subjects and consent.
//!
//! Nothing here touches storage or the network.

mod consent;
mod key;
mod message;
mod purpose;
mod state;
mod subject;
mod zone;

pub use consent::{
    ConsentAction, ConsentPolicy, ConsentScope, ConsentSource, Evidence, UnknownText,
};
pub use key::{MAX_KEY_LEN, MessageKey, MessageKeyError};
pub use message::{NewMessage, ScheduleOutcome};
pub use purpose::{Purpose, PurposeError};
pub use state::{State, StateError};
pub use subject::{SendToken, SubjectRef, SubjectRefError, WamidMac};
pub use zone::{DEFAULT_TIMEZONE, TimeZoneError, TimeZoneName};
