//! The JSON API under `/api/v1`, described by the OpenAPI document at `/api/openapi.json`.

mod account;
pub(crate) mod door;
mod door_passes;
mod events;
mod invitations;
mod outbox;
mod public;
mod reports;
mod rsvps;
mod series;
mod surveys;
mod types;
mod venues;

use poem_openapi::{OpenApiService, Tags};

use crate::state::AppState;

#[derive(Tags)]
pub enum ApiTags {
    /// The caller, its tokens, and its networks' members and audit log.
    Account,
    /// Places where events happen.
    Venues,
    /// Recurring meetups and their numbered editions.
    Series,
    /// Meetups: create, change, publish, cancel.
    Events,
    /// Published events, without a token.
    Public,
    /// Emails that failed to send, and their retry.
    Outbox,
    /// An event's RSVPs, for its organizers: the list, the CSV export, decisions, the lottery.
    Rsvps,
    /// Invitation lists (CSV upload, preview, send, progress) and announcements.
    Invitations,
    /// Check-in at the door: door passes, scans, undo, counts.
    Door,
    /// After the event: its satisfaction survey and the results.
    Surveys,
    /// Across events: a series edition by edition, a network's supporters over a year.
    Reports,
}

pub type Api = (
    account::AccountApi,
    venues::VenuesApi,
    series::SeriesApi,
    events::EventsApi,
    rsvps::RsvpsApi,
    invitations::InvitationsApi,
    door_passes::DoorPassesApi,
    door::DoorApi,
    surveys::SurveysApi,
    reports::ReportsApi,
    outbox::OutboxApi,
    public::PublicApi,
);

pub fn service(state: AppState) -> OpenApiService<Api, ()> {
    let apis = (
        account::AccountApi { state: state.clone() },
        venues::VenuesApi { state: state.clone() },
        series::SeriesApi { state: state.clone() },
        events::EventsApi { state: state.clone() },
        rsvps::RsvpsApi { state: state.clone() },
        invitations::InvitationsApi { state: state.clone() },
        door_passes::DoorPassesApi { state: state.clone() },
        door::DoorApi { state: state.clone() },
        surveys::SurveysApi { state: state.clone() },
        reports::ReportsApi { state: state.clone() },
        outbox::OutboxApi { state: state.clone() },
        public::PublicApi { state },
    );
    OpenApiService::new(apis, "Tsudoi", env!("CARGO_PKG_VERSION"))
        .description(
            "Events and meetups for company alumni networks. Authenticate with \
             `Authorization: Bearer <token>` (make one with `tsudoi token create`). Every error is \
             an RFC 9457 problem document with a stable `code`.",
        )
        .server("/api")
}
