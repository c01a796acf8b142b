//! The door-staff scanner page (`/door/{pass}`) and its script. The page is a shell the script
//! fills: it scans through the check-in API with the pass from its own address.

use minijinja::context;
use std::time::Duration;

use poem::{
    IntoResponse, Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::{
        Data, Path,
        sse::{Event, SSE},
    },
};
use poem_openapi::types::ToJSON;
use tsudoi_domain::{checkin, event::public, format, links, money, rsvp::RsvpStatus};

use super::Page;
use crate::{api::door::DoorCounts, state::AppState};

#[handler]
pub async fn door_page(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let pass = match checkin::authenticate(state.db.reader(), &token).await {
        Ok(pass) => pass,
        Err(err) => return page.failed(&err),
    };
    let event = match public::event_by_id(state.db.reader(), pass.event_id).await {
        Ok(event) => event,
        Err(err) => return page.failed(&err),
    };
    let e = &event.event;
    let now = state.now();
    let hours = format!(
        "{} – {}",
        format::moment(pass.valid_from, &e.time_zone, page.language),
        format::moment(pass.valid_until, &e.time_zone, page.language)
    );
    page.render(
        StatusCode::OK,
        "door.html",
        context! {
            event_title => e.title.clone(),
            gate => pass.label,
            scan_only => pass.scan_only,
            max_guests => e.max_guests,
            slots => event.slots.iter().map(|s| context! { id => s.id.to_string(), name => s.name.clone() }).collect::<Vec<_>>(),
            open => pass.valid_from <= now && now <= pass.valid_until,
            hours => hours,
            roster_href => format!("/door/{token}/roster"),
            code_length => links::TOKEN_LEN,
        },
    )
}

/// The paper fallback: the confirmed attendees by name reading (gojūon order, for those who
/// gave one; the others after, by name), with door codes and a box to tick. Not for scan-only
/// passes.
#[handler]
pub async fn door_roster(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let pass = match checkin::authenticate(state.db.reader(), &token).await {
        Ok(pass) => pass,
        Err(err) => return page.failed(&err),
    };
    let (event, roster) = match tokio::try_join!(
        public::event_by_id(state.db.reader(), pass.event_id),
        checkin::roster(state.db.reader(), &state.links, &pass, None, state.now()),
    ) {
        Ok(found) => found,
        Err(err) => return page.failed(&err),
    };
    let e = &event.event;
    let mut entries: Vec<_> =
        roster.entries.into_iter().filter(|r| r.status == RsvpStatus::Confirmed).collect();
    entries.sort_by_cached_key(|r| {
        let reading = r.attendee.name_reading.as_deref().map(checkin::fold);
        (reading.is_none(), reading.unwrap_or_else(|| checkin::fold(&r.attendee.name)))
    });
    let total_people: i32 = entries.iter().map(|r| r.attendee.party).sum();
    let rows: Vec<_> = entries
        .iter()
        .map(|r| {
            let a = &r.attendee;
            context! {
                name => a.name.clone(),
                reading => a.name_reading.clone(),
                code => a.short_code.clone(),
                party => a.party,
                checked_in => a.checked_in,
                all_in => a.checked_in >= a.party,
                slot => a.slot.clone(),
                fee => r.fee.map(|fee| money::format(fee * i64::from(a.party), &roster.fee_currency, page.language)),
            }
        })
        .collect();
    page.render(
        StatusCode::OK,
        "door_roster.html",
        context! {
            event_title => e.title.clone(),
            when => format::when(e.starts_at, e.ends_at, &e.time_zone, page.language),
            printed => format::moment(state.now(), &e.time_zone, page.language),
            back_href => format!("/door/{token}"),
            has_slots => event.slots.len() > 1,
            has_fee => entries.iter().any(|r| r.fee.is_some()),
            total_people => total_people,
            rows => rows,
        },
    )
}

/// How often an open scanner's live counts are read again.
const LIVE_EVERY: Duration = Duration::from_secs(1);

/// Live counts for the scanner page (`EventSource`; the pass is in the address, as the page's
/// is): a `counts` event (the `/api/v1/door/status` document) at once and whenever the counts
/// change, read from the database so that every instance agrees. The stream ends when the pass
/// stops working or the server stops; the browser reconnects by itself.
#[handler]
pub async fn door_live(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    if let Err(err) = checkin::authenticate(state.db.reader(), &token).await {
        return page.failed(&err);
    }
    let state = state.0.clone();
    let stream = futures::stream::unfold((state, token, None), |(state, token, mut last)| async move {
        let mut closing = state.closing.clone();
        loop {
            if last.is_some() {
                tokio::select! {
                    () = tokio::time::sleep(LIVE_EVERY) => {}
                    _ = closing.wait_for(|closing| *closing) => return None,
                }
            }
            if *closing.borrow() {
                return None;
            }
            let pass = checkin::authenticate(state.db.reader(), &token).await.ok()?;
            let status = match checkin::status(state.db.reader(), &pass).await {
                Ok(status) => status,
                Err(err) => {
                    tracing::warn!(error = ?err, "reading live door counts");
                    return None;
                }
            };
            if last.as_ref() != Some(&status) {
                let counts = DoorCounts::from(status.clone()).to_json().unwrap_or_default().to_string();
                return Some((Event::message(counts).event_type("counts"), (state, token, Some(status))));
            }
            last = Some(status);
        }
    });
    let mut resp = SSE::new(stream).keep_alive(Duration::from_secs(15)).into_response();
    resp.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The page's service worker, which keeps the page and its script for a reload offline. Served
/// from `/door/` so that its scope covers the scanner pages; never cached itself, so that a new
/// version takes over at once.
#[handler]
pub async fn door_worker() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-cache")
        .body(include_str!("../../static/door-sw.js"))
}

/// The page's script: ours, versioned with the binary.
#[handler]
pub async fn door_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(include_str!("../../static/door.js"))
}

/// The script of the dashboard's live regions (the check-in board, the progress of a send).
#[handler]
pub async fn live_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(include_str!("../../static/live.js"))
}
