//! The WHO LMS tables, compiled from `data/*.csv` by `build.rs`.
// Table values such as L = -0.318 are data, not approximations of constants.
#![allow(clippy::approx_constant)]

use crate::lms::{Lms, Table};

include!(concat!(env!("OUT_DIR"), "/tables.rs"));
