//! Readers that produce the model: CDC's CDSi supporting-data XML and the Kemenkes TOML.
//! They import the model, never the engine or each other.

pub(crate) mod cdsi;
pub(crate) mod kemenkes;
