//! Errors of the local check of a template message against its template.

/// A template message does not fit the template it names (what Meta reports as 132000,
/// 132012 or `(#100) … Parameter name is missing or empty`), found before sending.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateCheckError {
    /// The message names another template or language.
    #[error(
        "message is for template {message_name:?} ({message_language}), not {template_name:?} ({template_language})"
    )]
    WrongTemplate {
        /// The template name in the message.
        message_name: String,
        /// The language code in the message.
        message_language: String,
        /// The template's name.
        template_name: String,
        /// The template's language.
        template_language: String,
    },
    /// A component expects a different number of parameters.
    #[error("{component} needs {expected} parameters, the message has {found}")]
    ParameterCount {
        /// `header`, `body` or `button[INDEX]`.
        component: String,
        /// The number in the template text.
        expected: usize,
        /// The number in the message.
        found: usize,
    },
    /// The template uses named parameters and the message positional ones, or the reverse.
    #[error("{component} uses {expected} parameters, the message gives {found} ones")]
    ParameterFormat {
        /// The component.
        component: String,
        /// `named` or `positional`.
        expected: &'static str,
        /// `named` or `positional`.
        found: &'static str,
    },
    /// A named parameter the template needs is missing from the message.
    #[error("{component} needs the parameter {{{{{name}}}}}, which the message lacks")]
    MissingParameter {
        /// The component.
        component: String,
        /// The parameter name.
        name: String,
    },
    /// The message gives a named parameter the template does not have.
    #[error("{component} has no parameter {{{{{name}}}}}")]
    UnknownParameter {
        /// The component.
        component: String,
        /// The parameter name.
        name: String,
    },
    /// The header parameter's type does not match the template's header format.
    #[error("the template's header is {expected}, the message's header parameter is {found}")]
    HeaderFormat {
        /// The template's header format (`TEXT`, `IMAGE`, …).
        expected: String,
        /// The message's header parameter type.
        found: String,
    },
    /// The message has a component the template does not, or a button index out of range.
    #[error("the template has no {component}")]
    UnexpectedComponent {
        /// The component.
        component: String,
    },
    /// The template is not approved, so Meta will refuse it (132001, 132015, 132016).
    #[error("template {name:?} is {status}, not APPROVED")]
    NotApproved {
        /// The template name.
        name: String,
        /// Its status.
        status: String,
    },
}
