//! What every handler shares.

use std::sync::Arc;

use tokio::sync::Notify;
use tsudoi_domain::{clock::SharedClock, db::Db, links::Links, rsvp::Policy};

use crate::{
    auth::PassCache,
    cache::PublicCache,
    group_commit::{DoorQueue, RsvpQueue},
    limits::Limits,
    metrics::Metrics,
};

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
    /// Signed attendee links (manage pages, tickets) as absolute URLs.
    pub links: Links,
    /// Offer windows and reminder timing.
    pub policy: Policy,
    /// Rouses this instance's outbox worker when a request queued mail.
    pub mail_wake: Arc<Notify>,
    pub limits: Arc<Limits>,
    /// RSVP forms are written in batches by one task.
    pub rsvp_queue: RsvpQueue,
    /// Check-ins are written in batches by one task.
    pub door_queue: DoorQueue,
    /// Door passes met a moment ago.
    pub door_passes: Arc<PassCache>,
    /// Turns true when the server begins to stop: long-lived answers (live counts) end then.
    pub closing: tokio::sync::watch::Receiver<bool>,
}

impl AppState {
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
