//! The handle for one WhatsApp Business Account, and template calls by template id.

use http::Method;
use serde::Deserialize;

use crate::account::{PHONE_NUMBER_FIELDS, PhoneNumber, SubscribedApp};
use crate::client::{Body, Call, Client};
use crate::error::Error;
use crate::ids::{TemplateId, WabaId};
use crate::message::BuildError;
use crate::retry::Idempotency;
use crate::template::{CreatedTemplate, NewTemplate, Page, Template, TemplateEdit, TemplateQuery};

/// Templates, phone numbers and subscribed apps of one WhatsApp Business Account.
///
/// Get one from [`Client::waba`].
#[derive(Debug, Clone)]
pub struct WabaApi {
    client: Client,
    id: WabaId,
}

impl WabaApi {
    pub(crate) fn new(client: Client, id: WabaId) -> Self {
        Self { client, id }
    }

    /// The WABA id.
    #[must_use]
    pub fn id(&self) -> &WabaId {
        &self.id
    }

    /// One page of templates (`GET /{waba-id}/message_templates`); pass the page's
    /// [`next_cursor`](Page::next_cursor) as `after` for the next one.
    ///
    /// # Errors
    ///
    /// [`Error::Api`], transport and decode errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// use sehat_whatsapp::template::TemplateQuery;
    /// let mut query = TemplateQuery::default();
    /// query.status = Some("APPROVED".into());
    /// loop {
    ///     let page = waba.templates(&query).await?;
    ///     for template in &page.data {
    ///         println!("{} {}", template.name, template.language);
    ///     }
    ///     match page.next_cursor() {
    ///         Some(after) => query.after = Some(after.to_owned()),
    ///         None => break,
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn templates(&self, query: &TemplateQuery) -> Result<Page<Template>, Error> {
        let query = query.to_query();
        self.client
            .call(Call {
                method: Method::GET,
                segments: &[self.id.as_str(), "message_templates"],
                query: &query,
                body: Body::None,
                endpoint: "GET /{waba-id}/message_templates",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// The template with exactly this name and language, if any (every page is read).
    ///
    /// # Errors
    ///
    /// As [`templates`](Self::templates).
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// let template = waba.template_by_name("pengingat_imunisasi", "id").await?;
    /// # Ok(()) }
    /// ```
    pub async fn template_by_name(
        &self,
        name: &str,
        language: &str,
    ) -> Result<Option<Template>, Error> {
        let mut query = TemplateQuery {
            name: Some(name.to_owned()),
            ..TemplateQuery::default()
        };
        loop {
            let page = self.templates(&query).await?;
            let next = page.next_cursor().map(str::to_owned);
            if let Some(found) = page
                .data
                .into_iter()
                .find(|t| t.name == name && t.language == language)
            {
                return Ok(Some(found));
            }
            match next {
                Some(after) => query.after = Some(after),
                None => return Ok(None),
            }
        }
    }

    /// Creates a template (`POST /{waba-id}/message_templates`) after checking its name,
    /// body and lengths locally.
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for a template that fails the local checks; [`Error::Api`].
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// use sehat_whatsapp::template::{ComponentDef, NewTemplate, TemplateCategory};
    /// let template = NewTemplate::new(
    ///     "pengingat_imunisasi",
    ///     TemplateCategory::Utility,
    ///     "id",
    ///     vec![ComponentDef::body(
    ///         "Halo, jadwal imunisasi {{nama_anak}} pada {{tanggal}}.",
    ///         Some(serde_json::json!({"body_text_named_params": [
    ///             {"param_name": "nama_anak", "example": "Budi"},
    ///             {"param_name": "tanggal", "example": "6 Desember"}]})),
    ///     )],
    /// )
    /// .named_parameters();
    /// let created = waba.create_template(&template).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_template(&self, template: &NewTemplate) -> Result<CreatedTemplate, Error> {
        template.validate()?;
        self.client
            .call(Call {
                method: Method::POST,
                segments: &[self.id.as_str(), "message_templates"],
                query: &[],
                body: Body::json(template, "template")?,
                endpoint: "POST /{waba-id}/message_templates",
                idempotency: Idempotency::Send,
            })
            .await
    }

    /// Deletes a template: every language of `name`, or only the one with `id`.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// waba.delete_template("pengingat_lama", None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_template(&self, name: &str, id: Option<&TemplateId>) -> Result<(), Error> {
        let mut query = vec![("name", name.to_owned())];
        if let Some(id) = id {
            query.push(("hsm_id", id.as_str().to_owned()));
        }
        self.client
            .call_success(Call {
                method: Method::DELETE,
                segments: &[self.id.as_str(), "message_templates"],
                query: &query,
                body: Body::None,
                endpoint: "DELETE /{waba-id}/message_templates",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// The WABA's phone numbers (`GET /{waba-id}/phone_numbers`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`], transport and decode errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// for number in waba.phone_numbers().await?.data {
    ///     println!("{} {:?}", number.id, number.display_phone_number);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn phone_numbers(&self) -> Result<Page<PhoneNumber>, Error> {
        self.client
            .call(Call {
                method: Method::GET,
                segments: &[self.id.as_str(), "phone_numbers"],
                query: &[("fields", PHONE_NUMBER_FIELDS.to_owned())],
                body: Body::None,
                endpoint: "GET /{waba-id}/phone_numbers",
                idempotency: Idempotency::Idempotent,
            })
            .await
    }

    /// The apps subscribed to the WABA's webhooks (`GET /{waba-id}/subscribed_apps`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`], transport and decode errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// let apps = waba.subscribed_apps().await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribed_apps(&self) -> Result<Vec<SubscribedApp>, Error> {
        #[derive(Deserialize)]
        struct Data {
            #[serde(default)]
            data: Vec<SubscribedApp>,
        }
        let data: Data = self
            .client
            .call(Call {
                method: Method::GET,
                segments: &[self.id.as_str(), "subscribed_apps"],
                query: &[],
                body: Body::None,
                endpoint: "GET /{waba-id}/subscribed_apps",
                idempotency: Idempotency::Idempotent,
            })
            .await?;
        Ok(data.data)
    }

    /// Subscribes the token's app to the WABA's webhooks (the usual fix when webhooks do
    /// not arrive).
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// waba.subscribe_app().await?;
    /// # Ok(()) }
    /// ```
    pub async fn subscribe_app(&self) -> Result<(), Error> {
        self.subscription(Method::POST, "POST /{waba-id}/subscribed_apps")
            .await
    }

    /// Unsubscribes the token's app.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(waba: sehat_whatsapp::WabaApi) -> Result<(), sehat_whatsapp::Error> {
    /// waba.unsubscribe_app().await?;
    /// # Ok(()) }
    /// ```
    pub async fn unsubscribe_app(&self) -> Result<(), Error> {
        self.subscription(Method::DELETE, "DELETE /{waba-id}/subscribed_apps")
            .await
    }

    async fn subscription(&self, method: Method, endpoint: &'static str) -> Result<(), Error> {
        self.client
            .call_success(Call {
                method,
                segments: &[self.id.as_str(), "subscribed_apps"],
                query: &[],
                body: Body::None,
                endpoint,
                idempotency: Idempotency::Idempotent,
            })
            .await
    }
}

impl Client {
    /// A template by id (`GET /{template-id}`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`], transport and decode errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), sehat_whatsapp::Error> {
    /// let template = client.template(&"1192339204654487".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn template(&self, id: &TemplateId) -> Result<Template, Error> {
        self.call(Call {
            method: Method::GET,
            segments: &[id.as_str()],
            query: &[],
            body: Body::None,
            endpoint: "GET /{template-id}",
            idempotency: Idempotency::Idempotent,
        })
        .await
    }

    /// Edits a template (`POST /{template-id}`).
    ///
    /// # Errors
    ///
    /// [`Error::Build`] for an empty edit; [`Error::Api`] and transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), sehat_whatsapp::Error> {
    /// use sehat_whatsapp::template::{TemplateCategory, TemplateEdit};
    /// let mut edit = TemplateEdit::default();
    /// edit.category = Some(TemplateCategory::Utility);
    /// client.edit_template(&"1192339204654487".into(), &edit).await?;
    /// # Ok(()) }
    /// ```
    pub async fn edit_template(&self, id: &TemplateId, edit: &TemplateEdit) -> Result<(), Error> {
        if edit.category.is_none() && edit.components.is_none() {
            return Err(Error::Build(BuildError::Empty {
                field: "template edit".into(),
            }));
        }
        self.call_success(Call {
            method: Method::POST,
            segments: &[id.as_str()],
            query: &[],
            body: Body::json(edit, "template edit")?,
            endpoint: "POST /{template-id}",
            idempotency: Idempotency::Idempotent,
        })
        .await
    }
}
