//! Readers that produce the model: CDC's CDSi supporting-data XML and the Kemenkes TOML.
//! They import the model, never the engine or each other.

#[cfg(feature = "cdsi-us")]
pub(crate) mod cdsi;
#[cfg(feature = "id-kemenkes")]
pub(crate) mod kemenkes;
