//! The local check of a template message against its template.

use std::collections::BTreeSet;

use super::{ComponentType, ParameterFormat, Template, TemplateCheckError, TemplateStatus};
use crate::message::{ButtonSubType, ParameterValue, TemplateComponent, TemplateMessage};

/// The placeholders of a text, in order of first appearance, without repeats.
pub(crate) fn placeholders(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let name = after[..end].trim().to_owned();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
        rest = &after[end + 2..];
    }
    found
}

fn format_name(named: bool) -> &'static str {
    if named { "named" } else { "positional" }
}

impl Template {
    /// Checks that `message` fits this template: same name and language, an approved
    /// template, a header parameter of the header's format, exactly the body's
    /// parameters (count for positional templates, names for named ones), and button
    /// parameters only for buttons that take them.
    ///
    /// # Errors
    ///
    /// The first [`TemplateCheckError`] found.
    ///
    /// # Examples
    ///
    /// ```
    /// use sehat_whatsapp::message::{Language, TemplateMessage};
    /// use sehat_whatsapp::template::{Template, TemplateCheckError};
    ///
    /// let template: Template = serde_json::from_value(serde_json::json!({
    ///     "id": "1", "name": "pengingat_imunisasi", "language": "id",
    ///     "status": "APPROVED", "category": "UTILITY", "parameter_format": "NAMED",
    ///     "components": [{"type": "BODY", "text": "Halo, jadwal imunisasi {{nama_anak}} pada {{tanggal}}."}]
    /// }))?;
    /// let ok = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
    ///     .named_body([("nama_anak", "Budi"), ("tanggal", "6 Desember")]);
    /// assert!(template.check(&ok).is_ok());
    /// let missing = TemplateMessage::new("pengingat_imunisasi", Language::new("id"))
    ///     .named_body([("nama_anak", "Budi")]);
    /// assert!(matches!(template.check(&missing), Err(TemplateCheckError::MissingParameter { .. })));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn check(&self, message: &TemplateMessage) -> Result<(), TemplateCheckError> {
        if message.name() != self.name || message.language().code() != self.language {
            return Err(TemplateCheckError::WrongTemplate {
                message_name: message.name().to_owned(),
                message_language: message.language().code().to_owned(),
                template_name: self.name.clone(),
                template_language: self.language.clone(),
            });
        }
        if self.status != TemplateStatus::Approved {
            return Err(TemplateCheckError::NotApproved {
                name: self.name.clone(),
                status: self.status.to_string(),
            });
        }
        let named_template = self.parameter_format == Some(ParameterFormat::Named);
        let component = |kind: ComponentType| self.components.iter().find(|c| c.kind == kind);

        // Header.
        let header_param = message.components().iter().find_map(|c| match c {
            TemplateComponent::Header(params) => Some(params),
            _ => None,
        });
        let header = component(ComponentType::Header);
        let header_format = header.map(|h| {
            h.format
                .clone()
                .unwrap_or_else(|| "TEXT".into())
                .to_ascii_uppercase()
        });
        match (header_format.as_deref(), header_param) {
            (None, Some(_)) => {
                return Err(TemplateCheckError::UnexpectedComponent {
                    component: "header".into(),
                });
            }
            (Some("TEXT"), params) => {
                let text = header.and_then(|h| h.text.as_deref()).unwrap_or("");
                let params = params.map_or(&[][..], Vec::as_slice);
                check_text_params("header", text, params, named_template)?;
            }
            (Some(format), Some(params)) => {
                let found = params.first().map_or("none", |p| p.value().type_name());
                if !found.eq_ignore_ascii_case(format) {
                    return Err(TemplateCheckError::HeaderFormat {
                        expected: format.to_owned(),
                        found: found.to_owned(),
                    });
                }
            }
            (Some(format), None) => {
                return Err(TemplateCheckError::HeaderFormat {
                    expected: format.to_owned(),
                    found: "none".into(),
                });
            }
            (None, None) => {}
        }

        // Body.
        let body_text = component(ComponentType::Body)
            .and_then(|b| b.text.as_deref())
            .unwrap_or("");
        let body_params = message
            .components()
            .iter()
            .find_map(|c| match c {
                TemplateComponent::Body(params) => Some(params.as_slice()),
                _ => None,
            })
            .unwrap_or(&[]);
        check_text_params("body", body_text, body_params, named_template)?;

        // Buttons.
        let buttons = component(ComponentType::Buttons).map_or(&[][..], |b| b.buttons.as_slice());
        for (index, def) in buttons.iter().enumerate() {
            let needs_parameter = def.kind.eq_ignore_ascii_case("URL")
                && def.url.as_deref().is_some_and(|url| url.contains("{{"));
            let given = message.components().iter().any(
                |c| matches!(c, TemplateComponent::Button(b) if usize::from(b.index()) == index),
            );
            if needs_parameter && !given {
                return Err(TemplateCheckError::ParameterCount {
                    component: format!("button[{index}]"),
                    expected: 1,
                    found: 0,
                });
            }
        }
        for component in message.components() {
            if let TemplateComponent::Button(button) = component {
                let index = usize::from(button.index());
                let Some(def) = buttons.get(index) else {
                    return Err(TemplateCheckError::UnexpectedComponent {
                        component: format!("button[{index}]"),
                    });
                };
                let kind = def.kind.to_ascii_uppercase();
                let fits = match button.sub_type() {
                    ButtonSubType::QuickReply => kind == "QUICK_REPLY",
                    ButtonSubType::Url => matches!(kind.as_str(), "URL" | "OTP" | "COPY_CODE"),
                    ButtonSubType::CopyCode => kind == "COPY_CODE",
                    ButtonSubType::Flow => kind == "FLOW",
                    ButtonSubType::Catalog => kind == "CATALOG",
                    ButtonSubType::Mpm => kind == "MPM",
                };
                if !fits {
                    return Err(TemplateCheckError::UnexpectedComponent {
                        component: format!(
                            "button[{index}] of type {}",
                            button.sub_type().as_str()
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

fn check_text_params(
    component: &str,
    text: &str,
    params: &[crate::message::Parameter],
    named_template: bool,
) -> Result<(), TemplateCheckError> {
    let expected = placeholders(text);
    // A template is named when Meta says so, or when its placeholders are not numbers.
    let named = named_template
        || expected
            .iter()
            .any(|p| !p.bytes().all(|b| b.is_ascii_digit()));
    let given_named = params.iter().filter(|p| p.name().is_some()).count();
    if !params.is_empty() && given_named > 0 && !named {
        return Err(TemplateCheckError::ParameterFormat {
            component: component.into(),
            expected: format_name(false),
            found: format_name(true),
        });
    }
    if named && given_named < params.len() {
        return Err(TemplateCheckError::ParameterFormat {
            component: component.into(),
            expected: format_name(true),
            found: format_name(false),
        });
    }
    if named {
        let given: BTreeSet<&str> = params.iter().filter_map(|p| p.name()).collect();
        if let Some(name) = expected.iter().find(|name| !given.contains(name.as_str())) {
            return Err(TemplateCheckError::MissingParameter {
                component: component.into(),
                name: name.clone(),
            });
        }
        if let Some(name) = given
            .iter()
            .find(|name| !expected.iter().any(|e| e == *name))
        {
            return Err(TemplateCheckError::UnknownParameter {
                component: component.into(),
                name: (*name).to_owned(),
            });
        }
    } else if expected.len() != params.len() {
        return Err(TemplateCheckError::ParameterCount {
            component: component.into(),
            expected: expected.len(),
            found: params.len(),
        });
    }
    if component == "header"
        && let Some(param) = params.first()
        && !matches!(param.value(), ParameterValue::Text(_))
    {
        return Err(TemplateCheckError::HeaderFormat {
            expected: "TEXT".into(),
            found: param.value().type_name().into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::message::{Language, Parameter, TemplateMessage};

    fn positional(status: &str) -> Template {
        serde_json::from_value(serde_json::json!({
            "id": "1", "name": "promo", "language": "en_US", "status": status, "category": "MARKETING",
            "components": [
                {"type": "HEADER", "format": "TEXT", "text": "Sale {{1}}"},
                {"type": "BODY", "text": "Hi {{1}}, use promo code {{2}}."},
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Stop"}]}
            ]
        }))
        .unwrap()
    }

    fn message() -> TemplateMessage {
        TemplateMessage::new("promo", Language::new("en_US"))
            .header(Parameter::text("Fall"))
            .body([Parameter::text("Mark"), Parameter::text("FALL25")])
    }

    #[test]
    fn positional_templates_count_parameters() {
        let template = positional("APPROVED");
        template.check(&message()).unwrap();
        let short = TemplateMessage::new("promo", Language::new("en_US"))
            .header(Parameter::text("Fall"))
            .body([Parameter::text("Mark")]);
        assert_eq!(
            template.check(&short),
            Err(TemplateCheckError::ParameterCount {
                component: "body".into(),
                expected: 2,
                found: 1
            })
        );
        let no_header = TemplateMessage::new("promo", Language::new("en_US"))
            .body([Parameter::text("Mark"), Parameter::text("FALL25")]);
        assert_eq!(
            template.check(&no_header),
            Err(TemplateCheckError::ParameterCount {
                component: "header".into(),
                expected: 1,
                found: 0
            })
        );
        let named = TemplateMessage::new("promo", Language::new("en_US"))
            .header(Parameter::text("Fall"))
            .named_body([("a", "Mark"), ("b", "FALL25")]);
        assert_eq!(
            template.check(&named),
            Err(TemplateCheckError::ParameterFormat {
                component: "body".into(),
                expected: "positional",
                found: "named"
            })
        );
    }

    #[test]
    fn buttons_and_status_are_checked() {
        let template = positional("APPROVED");
        let extra_button = message().button(crate::message::ButtonParam::quick_reply(1, "x"));
        assert!(matches!(
            template.check(&extra_button),
            Err(TemplateCheckError::UnexpectedComponent { .. })
        ));
        let wrong_kind = message().button(crate::message::ButtonParam::url(0, "x"));
        assert!(matches!(
            template.check(&wrong_kind),
            Err(TemplateCheckError::UnexpectedComponent { .. })
        ));
        message()
            .button(crate::message::ButtonParam::quick_reply(0, "stop"))
            .validate()
            .unwrap();
        template
            .check(&message().button(crate::message::ButtonParam::quick_reply(0, "stop")))
            .unwrap();
        assert_eq!(
            positional("PAUSED").check(&message()),
            Err(TemplateCheckError::NotApproved {
                name: "promo".into(),
                status: "PAUSED".into()
            })
        );
    }

    #[test]
    fn placeholders_in_order_without_repeats() {
        assert_eq!(placeholders("Hi {{1}}, code {{2}} ({{1}})"), ["1", "2"]);
        assert_eq!(
            placeholders("{{ nama }} {{tanggal}} {{"),
            ["nama", "tanggal"]
        );
        assert!(placeholders("no placeholders").is_empty());
    }
}
