//! An event's door: passes (made for a gate, their link and QR shown once to hand to the staff
//! there, since only a hash is kept; revoked when lost) and the live board of who came in.

use minijinja::{Value, context};
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    access::Permission,
    checkin::{self as passes, NewPass},
    event::EventDetails,
    format,
    ids::DoorPassId,
    qr,
};
use uuid::Uuid;

use super::{
    Admin, Managed, ManagedPost, Posting,
    events::{event_head, home_network},
    not_found, see_other,
};
use crate::{pages::texts, state::AppState};

/// Renders the passes page, with a pass just made (its link and QR) or the form's errors.
async fn passes_page(
    admin: &Admin,
    state: &AppState,
    details: &EventDetails,
    issued: Option<(String, String)>,
    error: Option<String>,
    label: &str,
    status: StatusCode,
) -> Response {
    let language = admin.page.language;
    let e = &details.event;
    let passes = match passes::list(state.db.reader(), &admin.who.actor, e.id).await {
        Ok(passes) => passes,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let now = state.now();
    let rows: Vec<Value> = passes
        .into_iter()
        .map(|p| {
            context! {
                id => p.id.uuid().to_string(),
                label => p.label,
                scan_only => p.scan_only,
                from => format::moment(p.valid_from, &e.time_zone, language),
                until => format::moment(p.valid_until, &e.time_zone, language),
                revoked => p.revoked_at.is_some(),
                expired => p.valid_until <= now,
            }
        })
        .collect();
    admin.render(
        status,
        "admin/door.html",
        home_network(admin, details),
        "events",
        context! {
            event => event_head(details, language, &state.base_url),
            tab => "door",
            passes => rows,
            issued => issued.map(|(url, svg)| context! { url => url, qr => Value::from_safe_string(svg) }),
            error => error,
            label => label,
        },
    )
}

/// `GET /admin/e/{id}/door`.
#[handler]
pub async fn door_passes(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    passes_page(&admin, &state, &details, None, None, "", StatusCode::OK).await
}

/// `POST /admin/e/{id}/door`: a new pass (`label`, `scan_only`), valid from three hours before
/// the start until three hours after the end.
#[handler]
pub async fn create_pass(
    ManagedPost(admin, form, details): ManagedPost,
    Path(id): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let label = form.get("label").cloned().unwrap_or_default();
    let new = NewPass {
        label: label.clone(),
        scan_only: form.get("scan_only").is_some(),
        valid_from: None,
        valid_until: None,
    };
    match passes::create(state.db.writer(), &admin.who.actor, details.event.id, new, state.now()).await {
        Ok(issued) => {
            let url = format!("{}/door/{}", state.base_url, issued.token);
            let svg = qr::svg(&url).unwrap_or_default();
            passes_page(&admin, &state, &details, Some((url, svg)), None, "", StatusCode::CREATED).await
        }
        Err(Error::Invalid(errors)) => {
            let t = texts::texts(admin.page.language);
            let text = crate::pages::rsvp::field_texts(&errors, admin.page.language)
                .remove("label")
                .unwrap_or_else(|| t["err_invalid"].to_owned());
            passes_page(&admin, &state, &details, None, Some(text), &label, StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(err) => admin.failed(&err, &format!("/admin/e/{id}/door")),
    }
}

/// `POST /admin/e/{id}/door/{pass}/revoke`: the pass's link stops working at once.
#[handler]
pub async fn revoke_pass(
    ManagedPost(admin, _, details): ManagedPost,
    Path((_id, pass)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let Ok(pass_id) = pass.parse::<Uuid>().map(DoorPassId) else { return not_found(&admin) };
    // A pass of another event is not this page's to revoke.
    let back = format!("/admin/e/{}/door", details.event.id.uuid());
    match passes::list(state.db.reader(), &admin.who.actor, details.event.id).await {
        Ok(found) if found.iter().any(|p| p.id == pass_id) => {}
        Ok(_) => return not_found(&admin),
        Err(err) => return admin.failed(&err, &back),
    }
    match passes::revoke(state.db.writer(), &admin.who.actor, pass_id, state.now()).await {
        Ok(_) => {
            state.door_passes.forget(pass_id);
            see_other(&back)
        }
        Err(Error::NotFound(_) | Error::Forbidden(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, &back),
    }
}

/// How often the live board updates itself (`static/live.js`).
const BOARD_REFRESH_SECONDS: u32 = 10;

/// `GET /admin/e/{id}/board`: people in against confirmed, per slot and gate, the latest
/// arrivals and the door fees; it updates itself every few seconds (and can be paused).
#[handler]
pub async fn door_board(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    let a = match passes::attendance(state.db.reader(), &admin.who.actor, details.event.id).await {
        Ok(a) => a,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let language = admin.page.language;
    let zone = details.event.time_zone.as_str();
    let money = |amount: i64| tsudoi_domain::money::format(amount, &a.fee_currency, language);
    admin.render(
        StatusCode::OK,
        "admin/board.html",
        home_network(&admin, &details),
        "events",
        context! {
            event => event_head(&details, language, &state.base_url),
            tab => "board",
            refresh => BOARD_REFRESH_SECONDS,
            checked_in => a.checked_in,
            expected => a.expected,
            parties_in => a.parties_in,
            parties => a.parties,
            slots => a.slots.iter().map(|s| context! { name => s.name.clone(), checked_in => s.checked_in, expected => s.expected }).collect::<Vec<_>>(),
            gates => a.gates.iter().map(|(gate, n)| context! { gate => gate.clone(), people => n }).collect::<Vec<_>>(),
            latest => a.latest.iter().map(|l| context! {
                name => l.name.clone(),
                people => l.people,
                gate => l.gate.clone(),
                at => format::moment(l.at, zone, language),
            }).collect::<Vec<_>>(),
            fees => (a.fees_due > 0 || a.fees_collected > 0).then(|| context! { due => money(a.fees_due), collected => money(a.fees_collected) }),
        },
    )
}

/// `POST /admin/e/{id}/scanner`: a door-staff member (or an organizer) of the event's network
/// opens the scanner with a pass of their own, made now and named after them, without being
/// handed a link.
#[handler]
pub async fn open_scanner(
    Posting(admin, _): Posting,
    Path(id): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let (details, _) = match super::events::event_for(&admin, &state, &id, Permission::CheckIn).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    match passes::open_scanner(state.db.writer(), &admin.who.actor, details.event.id, state.now()).await {
        Ok(issued) => see_other(&format!("/door/{}", issued.token)),
        Err(Error::NotFound(_) | Error::Forbidden(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, &format!("/admin/e/{}", details.event.id.uuid())),
    }
}
