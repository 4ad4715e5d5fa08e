//! Errors for codes and values that WHO's packages refuse.

use thiserror::Error;

/// A code or value that WHO's `anthro`/`anthroplus` packages reject (the R functions
/// abort the whole call on it).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// A sex code other than `1`, `2`, `m`, `f`, `M`, `F`.
    #[error("invalid sex code `{0}` (expected 1, 2, m, f, M or F)")]
    Sex(String),
    /// A measure code other than `l`, `h`, `L`, `H`.
    #[error("invalid measure code `{0}` (expected l, h, L or H)")]
    Measure(String),
    /// An oedema code other than `y`, `n`, `Y`, `N`, `1`, `2`.
    #[error("invalid oedema code `{0}` (expected y, n, Y, N, 1 or 2)")]
    Oedema(String),
}
