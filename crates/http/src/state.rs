//! What every handler shares.

use std::sync::Arc;

use tsudoi_domain::{clock::SharedClock, db::Db};

use crate::{cache::PublicCache, metrics::Metrics};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub metrics: Arc<Metrics>,
    /// Public answers kept for a moment; see `cache`.
    pub public_cache: Arc<PublicCache>,
    /// The absolute URL people reach the service at, for links in files and emails.
    pub base_url: String,
    /// Trust `X-Forwarded-Proto` from a reverse proxy in front.
    pub trust_proxy: bool,
}

impl AppState {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
