//! Media: the upload table, URL lookup, streamed download and delete.

use http::Method;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::client::{Body, Call, Client, transport_error};
use crate::error::Error;
use crate::ids::{MediaId, PhoneNumberId};
use crate::message::BuildError;
use crate::retry::Idempotency;

/// A kind of media with its own size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaKind {
    /// JPEG or PNG, 5 MB.
    Image,
    /// MP4 or 3GP, 16 MB.
    Video,
    /// AAC, AMR, MP3, M4A, OGG/Opus, 16 MB.
    Audio,
    /// Any document type, 100 MB.
    Document,
    /// WebP, 500 KB (100 KB when static).
    Sticker,
}

impl MediaKind {
    /// The largest file Meta accepts for this kind, in bytes.
    #[must_use]
    pub fn max_size(self) -> u64 {
        const MB: u64 = 1024 * 1024;
        match self {
            Self::Image => 5 * MB,
            Self::Video | Self::Audio => 16 * MB,
            Self::Document => 100 * MB,
            Self::Sticker => 500 * 1024,
        }
    }

    /// The kind for a MIME type, when Meta accepts that type.
    #[must_use]
    pub fn for_mime(mime: &str) -> Option<Self> {
        let base = mime
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        Some(match base.as_str() {
            "image/jpeg" | "image/png" => Self::Image,
            "image/webp" => Self::Sticker,
            "video/mp4" | "video/3gpp" => Self::Video,
            "audio/aac" | "audio/amr" | "audio/mpeg" | "audio/mp4" | "audio/ogg" => Self::Audio,
            "text/plain"
            | "application/pdf"
            | "application/vnd.ms-powerpoint"
            | "application/msword"
            | "application/vnd.ms-excel"
            | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            | "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Self::Document,
            _ => return None,
        })
    }
}

/// Checks an upload's MIME type and size against Meta's table.
pub(crate) fn check_upload(mime: &str, size: u64) -> Result<MediaKind, BuildError> {
    let kind = MediaKind::for_mime(mime).ok_or_else(|| BuildError::Invalid {
        field: "type".into(),
        reason: format!("{mime:?} is not a media type WhatsApp accepts"),
    })?;
    if size == 0 {
        return Err(BuildError::Empty {
            field: "file".into(),
        });
    }
    if size > kind.max_size() {
        return Err(BuildError::Invalid {
            field: "file".into(),
            reason: format!(
                "{size} bytes is over the {} byte limit for {kind:?}",
                kind.max_size()
            ),
        });
    }
    Ok(kind)
}

/// What `GET /{media-id}` answers: a short-lived download URL and the file's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MediaInfo {
    /// The media id.
    pub id: MediaId,
    /// The download URL (valid about five minutes).
    pub url: String,
    /// The MIME type.
    #[serde(default)]
    pub mime_type: String,
    /// The SHA-256 of the file, as hex.
    #[serde(default)]
    pub sha256: String,
    /// The size in bytes (sent as a number, or as a string by some versions).
    #[serde(default, deserialize_with = "size_from_number_or_string")]
    pub file_size: Option<u64>,
    /// Always `whatsapp`.
    #[serde(default)]
    pub messaging_product: String,
    /// Fields not modelled here.
    #[serde(flatten)]
    pub extra: crate::Extra,
}

fn size_from_number_or_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u64>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("file_size {n} is not a byte count"))),
        Some(Value::String(s)) => {
            s.trim().parse().map(Some).map_err(|_| {
                serde::de::Error::custom(format!("file_size {s:?} is not a byte count"))
            })
        }
        Some(other) => Err(serde::de::Error::custom(format!(
            "file_size {other} is not a byte count"
        ))),
    }
}

/// The default limit of [`Client::download_media`]: Meta's largest media (documents).
pub const DEFAULT_DOWNLOAD_LIMIT: u64 = 100 * 1024 * 1024;

impl Client {
    /// Looks up a media id's download URL and metadata (`GET /{media-id}`); pass the
    /// phone-number id to check the media belongs to that number.
    ///
    /// # Errors
    ///
    /// [`Error::Api`] (an expired or unknown id is code 100), transport and decode errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), sehat_whatsapp::Error> {
    /// let info = client.media_info(&"2621233374848975".into(), None).await?;
    /// println!("{} {:?}", info.mime_type, info.file_size);
    /// # Ok(()) }
    /// ```
    pub async fn media_info(
        &self,
        id: &MediaId,
        phone: Option<&PhoneNumberId>,
    ) -> Result<MediaInfo, Error> {
        let query: Vec<(&str, String)> = phone
            .map(|p| vec![("phone_number_id", p.as_str().to_owned())])
            .unwrap_or_default();
        self.call(Call {
            method: Method::GET,
            segments: &[id.as_str()],
            query: &query,
            body: Body::None,
            endpoint: "GET /{media-id}",
            idempotency: Idempotency::Idempotent,
        })
        .await
    }

    /// Deletes uploaded media (`DELETE /{media-id}`).
    ///
    /// # Errors
    ///
    /// [`Error::Api`] and transport errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), sehat_whatsapp::Error> {
    /// client.delete_media(&"2621233374848975".into()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete_media(&self, id: &MediaId) -> Result<(), Error> {
        self.call_success(Call {
            method: Method::DELETE,
            segments: &[id.as_str()],
            query: &[],
            body: Body::None,
            endpoint: "DELETE /{media-id}",
            idempotency: Idempotency::Idempotent,
        })
        .await
    }

    /// Downloads media by id into `writer`, streamed: looks up the URL, fetches it with
    /// the token, checks the size and the SHA-256 Meta announced, and looks the URL up again
    /// once if it has expired (401 or 404). Returns the byte count and the media's
    /// metadata.
    ///
    /// # Errors
    ///
    /// [`Error::Integrity`] when the bytes do not match or exceed `limit`;
    /// [`Error::Io`] when writing fails; [`Error::Api`], [`Error::Http`] and transport
    /// errors.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), sehat_whatsapp::Error> {
    /// let mut file = tokio::fs::File::create("foto.jpg").await?;
    /// let (bytes, info) = client
    ///     .download_media(&"2621233374848975".into(), &mut file, sehat_whatsapp::media::DEFAULT_DOWNLOAD_LIMIT)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_media<W>(
        &self,
        id: &MediaId,
        writer: &mut W,
        limit: u64,
    ) -> Result<(u64, MediaInfo), Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let mut info = self.media_info(id, None).await?;
        let mut response = self.fetch_media(&info.url).await?;
        if matches!(response.status().as_u16(), 401 | 404) {
            tracing::debug!("media URL expired; looking it up again");
            info = self.media_info(id, None).await?;
            response = self.fetch_media(&info.url).await?;
        }
        let written = self.stream_media(response, &info, writer, limit).await?;
        Ok((written, info))
    }

    /// Downloads from a URL already looked up with [`media_info`](Self::media_info).
    ///
    /// # Errors
    ///
    /// As [`download_media`](Self::download_media), without the second lookup.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(client: sehat_whatsapp::Client) -> Result<(), sehat_whatsapp::Error> {
    /// let info = client.media_info(&"2621233374848975".into(), None).await?;
    /// let mut out = Vec::new();
    /// client.download_url(&info, &mut out, 5 * 1024 * 1024).await?;
    /// # Ok(()) }
    /// ```
    pub async fn download_url<W>(
        &self,
        info: &MediaInfo,
        writer: &mut W,
        limit: u64,
    ) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let response = self.fetch_media(&info.url).await?;
        self.stream_media(response, info, writer, limit).await
    }

    async fn fetch_media(&self, url: &str) -> Result<reqwest::Response, Error> {
        let url = url::Url::parse(url)
            .map_err(|e| Error::Integrity(format!("media URL is not a URL: {e}")))?;
        self.inner
            .http
            .get(url)
            .header(http::header::AUTHORIZATION, self.auth().clone())
            .send()
            .await
            .map_err(transport_error)
    }

    async fn stream_media<W>(
        &self,
        mut response: reqwest::Response,
        info: &MediaInfo,
        writer: &mut W,
        limit: u64,
    ) -> Result<u64, Error>
    where
        W: AsyncWrite + Unpin + ?Sized,
    {
        let status = response.status();
        if !status.is_success() {
            let headers = response.headers().clone();
            let body = response
                .bytes()
                .await
                .map_err(|e| Error::OutcomeUnknown(e.into()))?;
            return Err(crate::client::error_response(
                status.as_u16(),
                &headers,
                &body,
            ));
        }
        if let Some(size) = info.file_size.filter(|&size| size > limit) {
            return Err(Error::Integrity(format!(
                "media of {size} bytes is over the {limit} byte limit"
            )));
        }
        let mut hasher = Sha256::new();
        let mut written: u64 = 0;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| Error::OutcomeUnknown(e.into()))?
        {
            written += chunk.len() as u64;
            if written > limit {
                return Err(Error::Integrity(format!(
                    "media is larger than the {limit} byte limit"
                )));
            }
            hasher.update(&chunk);
            writer.write_all(&chunk).await?;
        }
        writer.flush().await?;
        if let Some(size) = info.file_size
            && size != written
        {
            return Err(Error::Integrity(format!(
                "announced {size} bytes, received {written}"
            )));
        }
        let expected = info.sha256.trim().to_ascii_lowercase();
        if expected.len() == 64 && expected.bytes().all(|b| b.is_ascii_hexdigit()) {
            let actual = data_encoding::HEXLOWER.encode(&hasher.finalize());
            if actual != expected {
                return Err(Error::Integrity(format!(
                    "SHA-256 is {actual}, announced {expected}"
                )));
            }
        }
        Ok(written)
    }
}
