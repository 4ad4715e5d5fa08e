//! What the dispatcher sends through, and the caller's last word before a send.

use std::future::Future;

use sehat_whatsapp::ids::PhoneNumberId;
use sehat_whatsapp::message::Message;
use sehat_whatsapp::{Error as WaError, PhoneNumberApi, SendReceipt};
use time::OffsetDateTime;

use crate::store::Claimed;

/// Where messages go: one business phone number.
///
/// Implemented by [`PhoneNumberApi`] (through
/// [`send_unpaced`](PhoneNumberApi::send_unpaced): the dispatcher paces the whole fleet
/// itself). Implement it to observe or redirect sends.
pub trait Transport: Send + Sync + 'static {
    /// The sending number: the fleet-wide pacing lane.
    fn business_number(&self) -> &PhoneNumberId;

    /// Sends one message, without pacing.
    fn send(&self, message: &Message) -> impl Future<Output = Result<SendReceipt, WaError>> + Send;
}

impl Transport for PhoneNumberApi {
    fn business_number(&self) -> &PhoneNumberId {
        self.id()
    }

    fn send(&self, message: &Message) -> impl Future<Output = Result<SendReceipt, WaError>> + Send {
        self.send_unpaced(message)
    }
}

/// The caller's check right before a message leaves (after consent): has the dose been
/// recorded since, was the appointment moved?
pub trait CheckBeforeSend: Send + Sync + 'static {
    /// What to do with this message now.
    fn check(&self, message: &Claimed) -> impl Future<Output = Verdict> + Send;
}

/// What [`CheckBeforeSend`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Send it.
    Send,
    /// Do not send it: it is no longer needed (→ `cancelled`).
    Cancel,
    /// Do not send it: another message replaces it (→ `superseded`).
    Supersede,
    /// Not now: try again at this instant.
    Defer(OffsetDateTime),
}

/// The check that lets everything through.
#[derive(Debug, Clone, Copy, Default)]
pub struct AlwaysSend;

impl CheckBeforeSend for AlwaysSend {
    async fn check(&self, _message: &Claimed) -> Verdict {
        Verdict::Send
    }
}
