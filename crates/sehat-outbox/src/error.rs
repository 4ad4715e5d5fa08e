//! The crate's top-level error.

use crate::KeysError;
use crate::store::StoreError;

/// An outbox operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The keys could not be opened or used.
    #[error(transparent)]
    Keys(#[from] KeysError),
}
