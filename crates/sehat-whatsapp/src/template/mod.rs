//! Message templates: the typed template Meta stores, management requests, and the local
//! check of a [`TemplateMessage`](crate::message::TemplateMessage) against its template.

mod check;
mod check_error;
mod model;

pub use check_error::TemplateCheckError;
pub use model::{
    ButtonDef, ComponentDef, ComponentType, CreatedTemplate, NewTemplate, Page, Paging,
    ParameterFormat, Template, TemplateCategory, TemplateEdit, TemplateQuery, TemplateStatus,
};
