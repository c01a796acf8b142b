//! Request bodies: JSON that names the field when a value has the wrong type, and an uploaded
//! CSV file.
//!
//! poem-openapi's `Json<T>` reports "expected integer" without saying where; here the body is
//! read with serde and `serde_path_to_error`, while the OpenAPI schema still comes from `T`'s
//! `Object` derive.

use poem::{Request, RequestBody, Result};
use poem_openapi::{
    impl_apirequest_for_payload,
    payload::{ParsePayload, Payload},
    registry::{MetaSchemaRef, Registry},
    types::Type,
};
use serde::de::DeserializeOwned;

/// The largest body the API reads.
pub const MAX_BODY: usize = 256 * 1024;

#[derive(Debug)]
pub struct JsonBody<T>(pub T);

/// Why a body was refused, with the path of the offending field.
#[derive(Debug, thiserror::Error)]
#[error("{field}: {message}")]
pub struct BodyError {
    pub field: String,
    pub message: String,
}

impl poem::error::ResponseError for BodyError {
    fn status(&self) -> poem::http::StatusCode {
        poem::http::StatusCode::BAD_REQUEST
    }
}

impl<T: Type> Payload for JsonBody<T> {
    const CONTENT_TYPE: &'static str = "application/json; charset=utf-8";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(m) if m.type_() == "application"
            && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json")))
    }

    fn schema_ref() -> MetaSchemaRef {
        T::schema_ref()
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: Type + DeserializeOwned> ParsePayload for JsonBody<T> {
    const IS_REQUIRED: bool = true;

    async fn from_request(_request: &Request, body: &mut RequestBody) -> Result<Self> {
        let data = body.take()?.into_bytes_limit(MAX_BODY).await?;
        // serde would also fill a struct from a JSON array, position by position.
        if data.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(
                BodyError { field: "body".into(), message: "a JSON object is required".into() }.into()
            );
        }
        let de = &mut serde_json::Deserializer::from_slice(&data);
        serde_path_to_error::deserialize(de).map(JsonBody).map_err(|err| {
            let path = err.path().to_string();
            let inner = err.into_inner();
            let message = strip_position(&inner.to_string());
            // "missing field `title`" happens at the object holding it; name the field itself.
            let field = match (message.strip_prefix("missing field `"), path.as_str()) {
                (Some(rest), ".") => rest.trim_end_matches('`').to_owned(),
                (Some(rest), parent) => format!("{parent}.{}", rest.trim_end_matches('`')),
                (None, ".") => "body".to_owned(),
                (None, path) => path.to_owned(),
            };
            BodyError { field, message }.into()
        })
    }
}

/// serde_json ends messages with " at line 1 column 17"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

impl_apirequest_for_payload!(JsonBody<T>, T: Type + DeserializeOwned);

/// The largest CSV file the API reads: an invitation list of 20,000 people fits many times.
pub const MAX_CSV: usize = 8 * 1024 * 1024;

/// An uploaded CSV file, as bytes (its encoding is the domain's to find out).
#[derive(Debug)]
pub struct CsvBody(pub Vec<u8>);

impl Payload for CsvBody {
    const CONTENT_TYPE: &'static str = "text/csv";

    /// What browsers and tools send a `.csv` file as: Excel on Windows makes it
    /// `application/vnd.ms-excel`, and some tools say nothing more than octet-stream.
    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(m) if matches!(
            (m.type_().as_str(), m.subtype().as_str()),
            ("text", "csv" | "plain") | ("application", "octet-stream" | "vnd.ms-excel" | "csv")
        ))
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(poem_openapi::registry::MetaSchema {
            format: Some("binary"),
            ..poem_openapi::registry::MetaSchema::new("string")
        }))
    }
}

impl ParsePayload for CsvBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(_request: &Request, body: &mut RequestBody) -> Result<Self> {
        let data = body.take()?.into_bytes_limit(MAX_CSV).await?;
        Ok(CsvBody(data.to_vec()))
    }
}

impl_apirequest_for_payload!(CsvBody);

/// A camera frame: 8-bit grayscale pixels, row by row, at most `qr::FRAME_BYTES_MAX` of them.
#[derive(Debug)]
pub struct FrameBody(pub Vec<u8>);

impl Payload for FrameBody {
    const CONTENT_TYPE: &'static str = "application/octet-stream";

    fn check_content_type(content_type: &str) -> bool {
        matches!(content_type.parse::<mime::Mime>(), Ok(m) if m.essence_str() == "application/octet-stream")
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(poem_openapi::registry::MetaSchema {
            format: Some("binary"),
            ..poem_openapi::registry::MetaSchema::new("string")
        }))
    }
}

impl ParsePayload for FrameBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(_request: &Request, body: &mut RequestBody) -> Result<Self> {
        let data = body.take()?.into_bytes_limit(tsudoi_domain::qr::FRAME_BYTES_MAX).await?;
        Ok(FrameBody(data.to_vec()))
    }
}

impl_apirequest_for_payload!(FrameBody);
