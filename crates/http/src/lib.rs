//! Tsudoi's HTTP face: the JSON API (poem-openapi) and the operational endpoints. Handlers are
//! thin: parse, call one use case, map the result; `problem` maps every error in one place.

pub mod api;
pub mod auth;
pub mod body;
pub mod cache;
pub mod calendar;
pub mod charts;
pub mod group_commit;
pub mod limits;
pub mod metrics;
pub mod ops;
pub mod pages;
pub mod problem;
pub mod state;

use std::sync::Arc;

use poem::{Endpoint, EndpointExt, Route, get, post};

use pages::admin;

pub use state::AppState;

/// The whole application as one endpoint.
pub fn app(state: AppState) -> impl Endpoint + 'static {
    let api = api::service(state.clone());
    let spec = api.spec_endpoint();
    let docs = api.swagger_ui();
    let observer = Arc::new(ops::Observer {
        cache: state.public_cache.clone(),
        metrics: state.metrics.clone(),
        routes: ops::Routes::from_openapi(&api.spec(), "/api"),
        trust_proxy: state.trust_proxy,
    });
    Route::new()
        .nest("/api", api)
        .at("/api/openapi.json", spec)
        .nest("/api/docs", docs)
        .at("/", get(pages::home))
        .at("/n/:slug", get(pages::network))
        .at("/n/:slug/calendar.ics", get(calendar::network_feed))
        .at("/n/:slug/series/:series/calendar.ics", get(calendar::series_feed))
        .at("/e/:slug", get(pages::event))
        .at("/e/:slug/rsvp", post(pages::rsvp_submit))
        .at("/r/:token", get(pages::rsvp_page))
        .at("/r/:token/:action", get(pages::rsvp_step).post(pages::rsvp_act))
        .at("/i/:token", get(pages::invitation_page).post(pages::decline))
        .at("/u/:token", get(pages::unsubscribe_page).post(pages::unsubscribe))
        .at("/t/:code", get(pages::ticket_page))
        .at("/s/:token", get(pages::survey_page))
        .at("/s/:token/answers", post(pages::survey_submit))
        .at("/admin", get(admin::home))
        .at("/admin/switch", get(admin::home))
        .at("/admin/sign-in", get(admin::sign_in_form).post(admin::sign_in_request))
        .at("/admin/sign-in/:token", get(admin::sign_in_link).post(admin::sign_in_redeem))
        .at("/admin/sign-out", post(admin::sign_out))
        .at("/admin/sign-out/everywhere", post(admin::sign_out_everywhere))
        .at("/admin/n/:slug", get(admin::events_page))
        .at("/admin/n/:slug/members", get(admin::members_page_of).post(admin::invite_member))
        .at("/admin/n/:slug/members/:person", post(admin::change_member))
        .at("/admin/n/:slug/emails", get(admin::failed_emails))
        .at("/admin/n/:slug/emails/:id/retry", post(admin::retry_email))
        .at("/admin/n/:slug/audit", get(admin::audit_log))
        .at("/admin/n/:slug/reports", get(admin::reports_page))
        .at("/admin/n/:slug/places", get(admin::places_page_of))
        .at("/admin/n/:slug/venues", post(admin::create_venue))
        .at("/admin/n/:slug/venues/:id", post(admin::change_venue))
        .at("/admin/n/:slug/series", post(admin::create_series))
        .at("/admin/n/:slug/series/:id", post(admin::change_series))
        .at("/admin/n/:slug/supporters.csv", get(admin::supporters_csv))
        .at("/admin/series/:id/report", get(admin::series_print))
        .at("/admin/account", get(admin::account))
        .at("/admin/account/tokens", post(admin::create_token))
        .at("/admin/account/tokens/:id/revoke", post(admin::revoke_token))
        .at("/admin/n/:slug/events", post(admin::create_event))
        .at("/admin/n/:slug/events/new", get(admin::new_event))
        .at("/admin/e/:id", get(admin::event_overview))
        .at("/admin/e/:id/edit", get(admin::edit_event).post(admin::update_event))
        .at("/admin/e/:id/publish", post(admin::publish_event))
        .at("/admin/e/:id/preview", get(admin::event_preview))
        .at("/admin/e/:id/duplicate", post(admin::duplicate_event))
        .at("/admin/e/:id/draw", post(admin::draw_lottery))
        .at("/admin/e/:id/announce", get(admin::announce_form).post(admin::announce))
        .at("/admin/e/:id/invite", get(admin::invitations_page).post(admin::upload_list))
        .at("/admin/e/:id/invite/:list", get(admin::invitation_list).post(admin::send_invitations))
        .at("/admin/e/:id/cancel", get(admin::cancel_preview).post(admin::cancel_event))
        .at("/admin/e/:id/rsvps", get(admin::rsvps_page))
        .at("/admin/e/:id/rsvps.csv", get(admin::rsvps_csv))
        .at("/admin/e/:id/rsvps/:rsvp", post(admin::decide_rsvp))
        .at("/admin/e/:id/door", get(admin::door_passes).post(admin::create_pass))
        .at("/admin/e/:id/door/:pass/revoke", post(admin::revoke_pass))
        .at("/admin/e/:id/board", get(admin::door_board))
        .at("/admin/e/:id/scanner", post(admin::open_scanner))
        .at("/admin/e/:id/survey", get(admin::survey_overview).post(admin::survey_act))
        .at("/admin/e/:id/survey.csv", get(admin::survey_csv))
        .at("/admin/e/:id/survey/report", get(admin::survey_print))
        .at("/door/sw.js", get(pages::door_worker))
        .at("/door/:pass", get(pages::door_page))
        .at("/door/:pass/roster", get(pages::door_roster))
        .at("/door/:pass/live", get(pages::door_live))
        .at("/static/door.js", get(pages::door_script))
        .at("/static/live.js", get(pages::live_script))
        .at("/static/tsudoi.css", get(pages::stylesheet))
        .at("/e/:slug/calendar.ics", get(calendar::event_ics))
        .at("/healthz", get(ops::healthz))
        .at("/readyz", get(ops::readyz))
        .at("/metrics", get(ops::metrics))
        .data(state)
        .around(move |ep, req| {
            let observer = observer.clone();
            async move { Ok(ops::observe(ep, observer, req).await) }
        })
}

/// The OpenAPI document, as served at `/api/openapi.json` (checked into the repository).
pub fn openapi_json(state: AppState) -> String {
    api::service(state).spec()
}
