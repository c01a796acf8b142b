//! The door-staff scanner page (`/door/{pass}`) and its script. The page is a shell the script
//! fills: it scans through the check-in API with the pass from its own address.

use minijinja::context;
use poem::{
    Request, Response, handler,
    http::{StatusCode, header},
    web::{Data, Path},
};
use tsudoi_domain::{checkin, event::public, format};

use super::Page;
use crate::state::AppState;

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
        },
    )
}

/// The page's script: ours, versioned with the binary.
#[handler]
pub async fn door_script() -> Response {
    Response::builder()
        .content_type("text/javascript; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=300")
        .body(include_str!("../../static/door.js"))
}
