//! An event's RSVPs as a table: found by name, reading, email or door code, filtered by
//! status, with the organizers' decisions on each row (approve, decline, offer a seat, move to
//! another slot, cancel) and the CSV for Excel.

use minijinja::{Value, context};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    event::EventStatus,
    format,
    ids::{EventId, RsvpId, SlotId},
    rsvp::{self, Decision, RsvpFilter, RsvpStatus},
};
use uuid::Uuid;

use super::{
    Admin, Managed, ManagedPost, Posting, csv_file,
    events::{event_head, home_network},
    not_found, query_param, see_other,
};
use crate::state::AppState;

/// Rows on one page of the table.
const PAGE: u64 = 200;

/// The statuses to filter by, in the order organizers think of them.
const STATUSES: [RsvpStatus; 10] = [
    RsvpStatus::Confirmed,
    RsvpStatus::Holding,
    RsvpStatus::Pending,
    RsvpStatus::Waitlisted,
    RsvpStatus::Offered,
    RsvpStatus::Entered,
    RsvpStatus::Cancelled,
    RsvpStatus::Rejected,
    RsvpStatus::Expired,
    RsvpStatus::NotSelected,
];

fn status_key(status: RsvpStatus) -> String {
    serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn status_of(key: &str) -> Option<RsvpStatus> {
    serde_json::from_value(serde_json::Value::String(key.to_owned())).ok()
}

/// `GET /admin/e/{id}/rsvps?status=&q=&page=`.
#[handler]
pub async fn rsvps_page(
    admin: Admin,
    req: &Request,
    Path(id): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Ok(event_id) = id.parse::<Uuid>().map(EventId) else { return not_found(&admin) };
    let status = query_param(req, "status").and_then(|s| status_of(&s));
    let search = query_param(req, "q").unwrap_or_default();
    let page_no = query_param(req, "page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(0).min(10_000);
    let filter = RsvpFilter {
        status,
        search: Some(search.clone()),
        limit: PAGE + 1,
        offset: page_no * PAGE,
        ..RsvpFilter::default()
    };
    let (details, rows) = match rsvp::list(state.db.reader(), &admin.who.actor, event_id, &filter).await {
        Ok(found) => found,
        Err(Error::NotFound(_) | Error::Forbidden(_)) => return not_found(&admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let language = admin.page.language;
    let e = &details.event;
    let questions = e.questions.clone().unwrap_or_default().0;
    let several_slots = details.slots.len() > 1;
    let more = rows.len() as u64 > PAGE;
    let rows: Vec<Value> = rows
        .iter()
        .take(PAGE as usize)
        .map(|r| {
            let answers: Vec<Value> = questions
                .iter()
                .filter_map(|q| {
                    let answer = r.answers.as_ref().and_then(|a| a.0.get(&q.id))?;
                    Some(context! { question => q.label.in_language(language).to_owned(), answer => q.display(answer, language) })
                })
                .collect();
            context! {
                id => r.id.uuid().to_string(),
                name => r.name.clone(),
                reading => r.name_reading.clone(),
                email => r.email.clone(),
                slot => details.slots.iter().find(|s| s.id == r.slot_id).map(|s| s.name.clone()),
                slot_id => r.slot_id.uuid().to_string(),
                guests => r.guests,
                status => status_key(r.status),
                status_label => rsvp::status_label(r.status, language),
                code => r.short_code.clone(),
                queued => format::moment(r.queued_at, &e.time_zone, language),
                checked_in => r.checked_in,
                answers => answers,
                may_approve => r.status == RsvpStatus::Pending,
                may_offer => r.status == RsvpStatus::Waitlisted && !e.auto_promote,
                may_cancel => r.status.is_active() && r.status != RsvpStatus::Pending,
                may_move => several_slots && r.status.is_active(),
            }
        })
        .collect();
    let statuses: Vec<Value> = STATUSES
        .iter()
        .map(|s| context! { key => status_key(*s), label => rsvp::status_label(*s, language), current => Some(*s) == status })
        .collect();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    if let Some(status) = status {
        query.append_pair("status", &status_key(status));
    }
    if !search.is_empty() {
        query.append_pair("q", &search);
    }
    let more_href =
        more.then(|| format!("/admin/e/{}/rsvps?{}&page={}", e.id.uuid(), query.finish(), page_no + 1));
    admin.render(
        StatusCode::OK,
        "admin/rsvps.html",
        home_network(&admin, &details),
        "events",
        context! {
            event => event_head(&details, language, &state.base_url),
            tab => "rsvps",
            rows => rows,
            statuses => statuses,
            status => status.map(status_key),
            search => search,
            more_href => more_href,
            slots => details.slots.iter().map(|s| context! { id => s.id.uuid().to_string(), name => s.name.clone() }).collect::<Vec<_>>(),
            live => e.status != EventStatus::Cancelled,
            back => req.uri().path_and_query().map_or_else(String::new, |p| p.as_str().to_owned()),
        },
    )
}

/// `POST /admin/e/{id}/rsvps/{rsvp}`: one decision (`decision` = approve, reject with an
/// optional `note`, offer, cancel, move with a `slot`), then back to the table.
#[handler]
pub async fn decide_rsvp(
    Posting(admin, form): Posting,
    Path((id, rsvp_id)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let (Ok(event_id), Ok(rsvp_id)) = (id.parse::<Uuid>(), rsvp_id.parse::<Uuid>()) else {
        return not_found(&admin);
    };
    let decision = match form.get("decision").map(String::as_str) {
        Some("approve") => Decision::Approve,
        Some("reject") => Decision::Reject { note: form.get("note").cloned().unwrap_or_default() },
        Some("offer") => Decision::Offer,
        Some("cancel") => Decision::Cancel,
        Some("move") => match form.get("slot").and_then(|s| s.parse::<Uuid>().ok()) {
            Some(slot) => Decision::Move { slot: SlotId(slot) },
            None => return not_found(&admin),
        },
        _ => return not_found(&admin),
    };
    let back = form
        .get("back")
        .filter(|b| b.starts_with(&format!("/admin/e/{event_id}/rsvps")))
        .cloned()
        .unwrap_or_else(|| format!("/admin/e/{event_id}/rsvps"));
    let event_id = EventId(event_id);
    let decided = rsvp::decide_in_event(
        state.db.writer(),
        &admin.who.actor,
        event_id,
        RsvpId(rsvp_id),
        decision,
        &state.policy,
        state.now(),
    )
    .await;
    match decided {
        Ok(_) => {
            state.mail_wake.notify_one();
            see_other(&back)
        }
        Err(Error::NotFound(_) | Error::Forbidden(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, &back),
    }
}

/// `GET /admin/e/{id}/rsvps.csv`: every RSVP, for Excel (UTF-8 with BOM, in the page's
/// language).
#[handler]
pub async fn rsvps_csv(admin: Admin, Path(id): Path<String>, state: Data<&AppState>) -> Response {
    let Ok(event_id) = id.trim_end_matches(".csv").parse::<Uuid>().map(EventId) else {
        return not_found(&admin);
    };
    let filter = RsvpFilter { limit: u64::from(u32::MAX), ..RsvpFilter::default() };
    let (details, rows) = match rsvp::list(state.db.reader(), &admin.who.actor, event_id, &filter).await {
        Ok(found) => found,
        Err(Error::NotFound(_) | Error::Forbidden(_)) => return not_found(&admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    match rsvp::csv(&details, &rows, admin.page.language) {
        Ok(bytes) => csv_file(bytes, &format!("rsvps-{}.csv", details.event.slug)),
        Err(err) => admin.failed(&err, "/admin"),
    }
}

/// The announcement page: the form (as typed, with its errors), and how far the one just sent
/// has got.
async fn announce_page(
    admin: &Admin,
    state: &AppState,
    details: &tsudoi_domain::event::EventDetails,
    typed: Option<(&crate::pages::rsvp::Posted, std::collections::HashMap<String, String>)>,
    sent: Option<tsudoi_domain::invitations::AnnouncementView>,
    status: StatusCode,
) -> Response {
    let language = admin.page.language;
    let (f, errors) = match typed {
        Some((form, errors)) => {
            let field = |k: &str| form.get(k).cloned().unwrap_or_default();
            (
                context! { audience => field("audience"), subject => field("subject"), body => field("body") },
                errors,
            )
        }
        None => (context! { audience => "confirmed" }, Default::default()),
    };
    admin.render(
        status,
        "admin/announce.html",
        home_network(admin, details),
        "events",
        context! {
            event => event_head(details, language, &state.base_url),
            tab => "announce",
            f => f,
            errors => errors,
            sent => sent.map(|v| context! {
                subject => v.announcement.subject,
                total => v.progress.total,
                sent => v.progress.sent,
                queued => v.progress.queued,
                failed => v.progress.failed,
                dropped => v.progress.dropped,
                done => v.progress.queued == 0,
            }),
            refresh => super::invitations::PROGRESS_REFRESH_SECONDS,
        },
    )
}

/// `GET /admin/e/{id}/announce[?sent={announcement}]`.
#[handler]
pub async fn announce_form(
    Managed(admin, details): Managed,
    req: &Request,
    state: Data<&AppState>,
) -> Response {
    let sent = match query_param(req, "sent").and_then(|s| s.parse::<Uuid>().ok()) {
        Some(sent) => {
            let id = tsudoi_domain::ids::AnnouncementId(sent);
            match tsudoi_domain::invitations::announcement(state.db.reader(), &admin.who.actor, id).await {
                Ok(view) if view.announcement.event_id == details.event.id => Some(view),
                Ok(_) | Err(Error::NotFound(_)) => None,
                Err(err) => return admin.failed(&err, "/admin"),
            }
        }
        None => None,
    };
    announce_page(&admin, &state, &details, None, sent, StatusCode::OK).await
}

/// `POST /admin/e/{id}/announce`: writes to the event's `audience` (`confirmed`, `waitlisted` or
/// `everyone`), each reader once, skipping those who unsubscribed.
#[handler]
pub async fn announce(ManagedPost(admin, form, details): ManagedPost, state: Data<&AppState>) -> Response {
    use tsudoi_domain::invitations::Audience;
    let audience = match form.get("audience").map(String::as_str) {
        Some("waitlisted") => Audience::Waitlisted,
        Some("everyone") => Audience::Everyone,
        _ => Audience::Confirmed,
    };
    let text = |k: &str| form.get(k).cloned().unwrap_or_default();
    let sent = tsudoi_domain::invitations::announce(
        state.db.writer(),
        &admin.who.actor,
        details.event.id,
        audience,
        &text("subject"),
        &text("body"),
        state.now(),
    )
    .await;
    match sent {
        Ok(view) => {
            state.mail_wake.notify_one();
            see_other(&format!(
                "/admin/e/{}/announce?sent={}",
                details.event.id.uuid(),
                view.announcement.id.uuid()
            ))
        }
        Err(Error::Invalid(errors)) => {
            let errors = super::fields::error_texts(&errors, admin.page.language);
            announce_page(
                &admin,
                &state,
                &details,
                Some((&form, errors)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => admin.failed(&err, &format!("/admin/e/{}/announce", details.event.id.uuid())),
    }
}
