//! Shared test helpers.

#![allow(dead_code)]

pub mod conformance;
pub mod harness;
pub mod upgrade;
