//! Templates.

mod check_error;

pub use check_error::TemplateCheckError;
