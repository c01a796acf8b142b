//! The API's credentials as poem-openapi security schemes: API tokens
//! (`Authorization: Bearer tsudoi_...`) and door passes (`X-Door-Pass`).

use poem::Request;
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
    error::AuthorizationError,
};
use tsudoi_domain::{access::Actor, checkin, entity::door_pass, token};

use crate::{
    problem::{Problem, response_of},
    state::AppState,
};

/// An API token made with `tsudoi token create` or `POST /api/v1/tokens`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", bearer_format = "tsudoi_…", checker = "authenticate")]
pub struct TokenAuth(pub Actor);

async fn authenticate(req: &Request, bearer: Bearer) -> poem::Result<Actor> {
    let state = req.data::<AppState>().ok_or_else(|| {
        poem::Error::from_string("state missing", poem::http::StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    match token::authenticate(state.db.reader(), state.db.writer(), &bearer.token, state.now()).await {
        Ok(Some(actor)) => Ok(actor),
        Ok(None) => Err(AuthorizationError.into()),
        Err(err) => {
            tracing::error!(error = ?err, "authenticating a token");
            Err(poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

/// A door pass, for the check-in API: `X-Door-Pass: <the token in the pass's /door/ link>`. It
/// acts on its own event only, and is refused (401) once revoked.
#[derive(SecurityScheme)]
#[oai(ty = "api_key", key_name = "X-Door-Pass", key_in = "header", checker = "door_pass")]
pub struct DoorPassAuth(pub door_pass::Model);

async fn door_pass(req: &Request, key: ApiKey) -> poem::Result<door_pass::Model> {
    let state = req.data::<AppState>().ok_or_else(|| {
        poem::Error::from_string("state missing", poem::http::StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    match checkin::authenticate(state.db.reader(), &key.key).await {
        Ok(pass) if state.limits.allow_pass(pass.id) => Ok(pass),
        Ok(_) => Err(too_many_scans()),
        Err(tsudoi_domain::Error::NotFound(_)) => Err(AuthorizationError.into()),
        Err(err) => {
            tracing::error!(error = ?err, "authenticating a door pass");
            Err(poem::Error::from_status(poem::http::StatusCode::INTERNAL_SERVER_ERROR))
        }
    }
}

/// 429 for a door pass over its budget: problem details, and when to try again.
fn too_many_scans() -> poem::Error {
    let problem = Problem::new(
        poem::http::StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests with this door pass",
        Some("far more than a door's pace: wait a moment, or check the scanner".into()),
    );
    let mut resp = response_of(&problem);
    resp.headers_mut().insert(poem::http::header::RETRY_AFTER, poem::http::HeaderValue::from_static("1"));
    poem::Error::from_response(resp)
}
