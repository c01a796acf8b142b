//! The API's credentials as poem-openapi security schemes: API tokens
//! (`Authorization: Bearer tsudoi_...`) and door passes (`X-Door-Pass`).

use std::{
    collections::HashMap,
    sync::{
        Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use poem::Request;
use poem_openapi::{
    SecurityScheme,
    auth::{ApiKey, Bearer},
    error::AuthorizationError,
};
use tsudoi_domain::{access::Actor, checkin, entity::door_pass, ids::DoorPassId, token};

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
    let found = match state.door_passes.get(&key.key) {
        Some(pass) => Ok(pass),
        None => {
            // Read before the query: a revocation that lands meanwhile keeps this pass out.
            let generation = state.door_passes.generation();
            let found = checkin::authenticate(state.db.reader(), &key.key).await;
            if let Ok(pass) = &found {
                state.door_passes.put(&key.key, pass, generation);
            }
            found
        }
    };
    match found {
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

/// Door passes as their scanners present them, kept for a moment: a door storm presents the
/// same few passes thousands of times a second, and each would otherwise cost a query. A pass
/// revoked through this instance is refused at once (`forget`); through another, within `TTL`.
/// The scan itself is still judged against the pass's hours.
#[derive(Default)]
pub struct PassCache {
    entries: Mutex<HashMap<String, (door_pass::Model, Instant)>>,
    /// Rises with every `forget`: a pass read before then is not kept.
    generation: AtomicU64,
}

impl PassCache {
    const TTL: Duration = Duration::from_secs(1);
    /// More passes than a door of any size hands out; past it, the cache starts over.
    const MAX_ENTRIES: usize = 1024;

    fn get(&self, token: &str) -> Option<door_pass::Model> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        entries.get(token).filter(|(_, stored)| stored.elapsed() < Self::TTL).map(|(pass, _)| pass.clone())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `pass`, read when the cache was at `generation`, unless a pass was forgotten since.
    fn put(&self, token: &str, pass: &door_pass::Model, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if generation != self.generation() {
            return;
        }
        if entries.len() >= Self::MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(token.to_owned(), (pass.clone(), Instant::now()));
    }

    /// The pass was revoked (or changed) here: the next scan with it reads it again.
    pub fn forget(&self, id: DoorPassId) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.retain(|_, (pass, _)| pass.id != id);
    }
}
