//! API tokens as a poem-openapi security scheme: `Authorization: Bearer tsudoi_...`.

use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer, error::AuthorizationError};
use tsudoi_domain::{access::Actor, token};

use crate::state::AppState;

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
