//! The libphonenumber engine, one per thread.
//!
//! rlibphonenumber's patterns are `regex` values, and a `regex` value serves its scratch
//! space quickly only to the thread that used it first; every other thread takes it from
//! a locked pool. Under parallel load (the CLI's workers, a server's request threads)
//! that lock costs more than the matching. Each thread therefore gets its own engine,
//! built on first use (about 10 ms and a few MB of metadata); the patterns it compiles
//! are its own.

use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberUtil};

thread_local! {
    static ENGINE: Option<PhoneNumberUtil> = PhoneNumberUtil::new().ok();
}

/// Runs `f` with this thread's engine (the shared one if this thread's cannot be built,
/// or while the thread is being torn down).
pub(super) fn with<R>(f: impl Fn(&PhoneNumberUtil) -> R) -> R {
    ENGINE
        .try_with(|engine| engine.as_ref().map(&f))
        .ok()
        .flatten()
        .unwrap_or_else(|| f(&PHONE_NUMBER_UTIL))
}
