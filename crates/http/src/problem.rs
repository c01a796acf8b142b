//! Every error the API answers is an RFC 9457 problem document with a stable `code`; this is
//! the one place where domain errors and poem-openapi's own request errors become one.

use poem::http::StatusCode;
use poem_openapi::{
    ApiResponse, Object,
    error::{
        AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
    },
    payload::Json,
    types::ToJSON,
};
use tsudoi_domain::error::Error;

use crate::body::BodyError;

/// A field that was refused, with why.
#[derive(Debug, Clone, Object)]
pub struct FieldProblem {
    /// Where in the request: a body field (`slots[1].seats`), a query parameter or a path part.
    pub field: String,
    /// Stable and machine-readable, e.g. `too_long`, `required`, `unknown_time_zone`.
    pub code: String,
    /// For people.
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Object)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:tsudoi:problem:{code}`).
    #[oai(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What happened this time.
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
    /// Stable and machine-readable, e.g. `validation_failed`, `not_found`, `slug_taken`.
    pub code: String,
    /// Each field that was refused; empty unless the problem is about fields.
    pub errors: Vec<FieldProblem>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, title: &str, detail: Option<String>) -> Self {
        Self {
            kind: format!("urn:tsudoi:problem:{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            errors: Vec::new(),
        }
    }

    fn with_errors(mut self, errors: Vec<FieldProblem>) -> Self {
        self.errors = errors;
        self
    }
}

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, ApiResponse)]
pub enum ApiError {
    /// The request could not be read: malformed JSON, a value of the wrong type, a bad parameter.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No valid API token: send `Authorization: Bearer tsudoi_...`.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(Json<Problem>, #[oai(header = "WWW-Authenticate")] String),
    /// The token's role in this network does not allow the action.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(Json<Problem>),
    /// Not found, or not visible to this token (the two look the same).
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The request conflicts with the current state (a taken slug, a cancelled event).
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(Json<Problem>),
    /// The body is larger than the API reads (256 KiB).
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The body must be JSON.
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The request was read, but some values are not acceptable; `errors` names each field.
    #[oai(status = 422, content_type = "application/problem+json")]
    Unprocessable(Json<Problem>),
    /// Too many requests from one credential or client (a door pass has a budget per minute):
    /// try again after `Retry-After` seconds.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(Json<Problem>, #[oai(header = "Retry-After")] String),
    /// Something failed on the server; the request id in `x-request-id` finds it in the logs.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn from_problem(problem: Problem) -> Self {
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = Json(problem);
        match status {
            StatusCode::BAD_REQUEST => ApiError::BadRequest(body),
            StatusCode::UNAUTHORIZED => ApiError::Unauthorized(body, "Bearer".into()),
            StatusCode::FORBIDDEN => ApiError::Forbidden(body),
            StatusCode::NOT_FOUND => ApiError::NotFound(body),
            StatusCode::CONFLICT => ApiError::Conflict(body),
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge(body),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(body),
            StatusCode::UNPROCESSABLE_ENTITY => ApiError::Unprocessable(body),
            StatusCode::TOO_MANY_REQUESTS => ApiError::TooManyRequests(body, "1".into()),
            _ => ApiError::Internal(body),
        }
    }
}

fn validation_problem(errors: Vec<FieldProblem>) -> Problem {
    let detail = match errors.as_slice() {
        [one] => format!("{}: {}", one.field, one.message),
        many => format!("{} fields are not acceptable", many.len()),
    };
    Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
        "Some values are not acceptable",
        Some(detail),
    )
    .with_errors(errors)
}

fn bad_request(field: &str, message: String) -> Problem {
    Problem::new(
        StatusCode::BAD_REQUEST,
        "bad_request",
        "The request could not be read",
        Some(message.clone()),
    )
    .with_errors(vec![FieldProblem { field: field.to_owned(), code: "unreadable".into(), message }])
}

/// Maps any error poem or poem-openapi produced while reading a request.
pub fn problem_of_request_error(err: &poem::Error) -> Problem {
    if let Some(e) = err.downcast_ref::<BodyError>() {
        return bad_request(&e.field, e.message.clone());
    }
    if let Some(e) = err.downcast_ref::<ParseParamError>() {
        return bad_request(e.name, e.reason.clone());
    }
    if err.is::<ParsePathError>() {
        // A path that does not parse (an id that is no UUID) names nothing that exists.
        return Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            Some("nothing lives at this address".into()),
        );
    }
    if let Some(e) = err.downcast_ref::<ParseRequestPayloadError>() {
        return bad_request("body", e.reason.clone());
    }
    if err.is::<AuthorizationError>() || err.status() == StatusCode::UNAUTHORIZED {
        return Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid API token is required",
            Some("send `Authorization: Bearer <token>`; `tsudoi token create` makes one".into()),
        );
    }
    if let Some(e) = err.downcast_ref::<ContentTypeError>() {
        return Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "The body must be JSON",
            Some(e.to_string()),
        );
    }
    problem_of_status(err.status(), Some(err.to_string()))
}

/// A problem for a bare status (routing errors, limits), with a generic code.
pub fn problem_of_status(status: StatusCode, detail: Option<String>) -> Problem {
    let (code, title) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "The request could not be read"),
        StatusCode::UNAUTHORIZED => ("unauthorized", "A valid API token is required"),
        StatusCode::NOT_FOUND => ("not_found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "This method is not allowed here"),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "The body must be JSON"),
        s if s.is_client_error() => ("bad_request", "The request could not be handled"),
        _ => ("internal", "Something went wrong on our side"),
    };
    // Internal details stay in the log.
    let detail = if status.is_server_error() { None } else { detail };
    Problem::new(status, code, title, detail)
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        ApiError::from_problem(problem_of_error(err))
    }
}

/// The problem document of a domain error.
pub fn problem_of_error(err: Error) -> Problem {
    match err {
        Error::NotFound(resource) => Problem::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "Not found",
            Some(format!("no such {resource}, or it is not visible to this token")),
        ),
        Error::Forbidden(what) => Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Your role does not allow this",
            Some(format!("your role in this network does not allow {what}")),
        ),
        Error::Invalid(errors) => validation_problem(
            errors
                .fields()
                .iter()
                .map(|e| FieldProblem {
                    field: e.field.clone(),
                    code: e.code.into(),
                    message: e.message.clone(),
                })
                .collect(),
        ),
        Error::Conflict(conflict) => {
            let problem =
                Problem::new(StatusCode::CONFLICT, conflict.code(), "Conflict", Some(conflict.to_string()));
            match conflict.field() {
                Some(field) => problem.with_errors(vec![FieldProblem {
                    field: field.into(),
                    code: conflict.code().into(),
                    message: conflict.to_string(),
                }]),
                None => problem,
            }
        }
        Error::Unexpected(err) => {
            tracing::error!(error = ?err, "unexpected error");
            problem_of_status(StatusCode::INTERNAL_SERVER_ERROR, None)
        }
    }
}

/// A problem as a plain poem response, for errors outside any API operation.
pub fn response_of(problem: &Problem) -> poem::Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = problem.to_json().unwrap_or_default();
    let mut resp = poem::Response::builder().status(status).content_type(PROBLEM_JSON).body(body.to_string());
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut()
            .insert(poem::http::header::WWW_AUTHENTICATE, poem::http::HeaderValue::from_static("Bearer"));
    }
    resp
}
