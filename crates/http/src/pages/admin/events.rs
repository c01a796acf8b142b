//! A network's events (upcoming, drafts, past; found by title), one event's overview, and what
//! is done to an event from it: publish, cancel, copy as the next edition, draw its lottery.
//! The form that creates and edits events is `event_form`.

use minijinja::{Value, context};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    access::{Permission, Role},
    dashboard::{self, Tab},
    entity::network,
    event::{self, EventDetails, EventStatus, RsvpMode, edit},
    format,
    ids::EventId,
    links::LinkKind,
    outbox::MessageKind,
    rsvp::RsvpStatus,
    series,
    values::Language,
    venue,
};
use uuid::Uuid;

use super::{
    Admin, Managed, ManagedPost, Posting, event_form::form_event_id, not_found, query_param, see_other,
};
use crate::{pages::texts, state::AppState};

/// Events on one page of the list.
const PAGE: u64 = 50;

/// `GET /admin`: the first network's events, or a word for someone in none.
#[handler]
pub async fn home(admin: Admin, req: &Request) -> Response {
    if let Some(to) = query_param(req, "to").filter(|to| admin.network(to).is_some()) {
        return see_other(&format!("/admin/n/{to}"));
    }
    match admin.networks.first() {
        Some((first, _)) => see_other(&format!("/admin/n/{}", first.slug)),
        None => {
            let t = texts::texts(admin.page.language);
            admin.render(
                StatusCode::OK,
                "admin/empty.html",
                None,
                "",
                context! { heading => t["admin_no_network"] },
            )
        }
    }
}

fn status_tag(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Draft => "draft",
        EventStatus::Published => "published",
        EventStatus::Cancelled => "cancelled",
    }
}

/// `GET /admin/n/{slug}?tab=&q=&page=`: the network's events.
#[handler]
pub async fn events_page(
    admin: Admin,
    req: &Request,
    Path(slug): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, role)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let tab = query_param(req, "tab").and_then(|t| Tab::parse(&t)).unwrap_or_default();
    let search = query_param(req, "q").unwrap_or_default();
    let page_no = query_param(req, "page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(0).min(10_000);
    let language = admin.page.language;
    let rows = match dashboard::events(
        state.db.reader(),
        &admin.who.actor,
        network.id,
        tab,
        &search,
        (PAGE + 1, page_no * PAGE),
        state.now(),
    )
    .await
    {
        Ok(rows) => rows,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let more = rows.len() as u64 > PAGE;
    let events: Vec<Value> = rows
        .into_iter()
        .take(PAGE as usize)
        .map(|row| {
            let e = &row.event;
            context! {
                href => format!("/admin/e/{}", e.id.uuid()),
                title => e.title.clone(),
                when => format::when(e.starts_at, e.ends_at, &e.time_zone, language),
                status => status_tag(e.status),
                seats => e.seats,
                taken => row.counts.taking_seats(),
                pending => row.counts.people(RsvpStatus::Pending),
                waitlisted => row.counts.people(RsvpStatus::Waitlisted),
                checked_in => row.counts.checked_in,
            }
        })
        .collect();
    let tab_href = |tab: Tab| {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("tab", tab.as_str());
        if !search.is_empty() {
            query.append_pair("q", &search);
        }
        format!("/admin/n/{slug}?{}", query.finish())
    };
    let tabs: Vec<Value> = [Tab::Upcoming, Tab::Drafts, Tab::Past]
        .into_iter()
        .map(|t| context! { key => t.as_str(), href => tab_href(t), current => t == tab })
        .collect();
    let more_href = more.then(|| format!("{}&page={}", tab_href(tab), page_no + 1));
    admin.render(
        StatusCode::OK,
        "admin/events.html",
        Some(&network),
        "events",
        context! {
            events => events,
            tabs => tabs,
            tab => tab.as_str(),
            search => search,
            more_href => more_href,
            may_create => role != Role::DoorStaff,
        },
    )
}

/// The event for the person, if they may see it (the answer otherwise).
pub(super) async fn event_for(
    admin: &Admin,
    state: &AppState,
    id: &str,
    permission: Permission,
) -> Result<(EventDetails, Role), Response> {
    let Ok(id) = id.parse::<Uuid>() else { return Err(not_found(admin)) };
    match event::get(state.db.reader(), &admin.who.actor, EventId(id), permission).await {
        Ok(found) => Ok(found),
        Err(Error::NotFound(_) | Error::Forbidden(_)) => Err(not_found(admin)),
        Err(err) => Err(admin.failed(&err, "/admin")),
    }
}

/// The event `id` if the person manages it (else the answer to give).
pub(super) async fn managed(admin: &Admin, state: &AppState, id: &str) -> Result<EventDetails, Response> {
    event_for(admin, state, id, Permission::ManageEvents).await.map(|(details, _)| details)
}

/// The network an event is seen from: its host if the person is a member there, else the
/// first co-host they belong to.
pub(super) fn home_network<'a>(admin: &'a Admin, details: &EventDetails) -> Option<&'a network::Model> {
    details.network_ids().find_map(|id| admin.networks.iter().find(|(n, _)| n.id == id).map(|(n, _)| n))
}

/// The facts of an event every event page of the dashboard shows at its top.
pub(super) fn event_head(details: &EventDetails, language: Language, base_url: &str) -> Value {
    let e = &details.event;
    context! {
        id => e.id.uuid().to_string(),
        title => e.title.clone(),
        status => status_tag(e.status),
        when => format::when(e.starts_at, e.ends_at, &e.time_zone, language),
        public_url => format!("{base_url}/e/{}", e.slug),
        published => e.status == EventStatus::Published,
        draft => e.status == EventStatus::Draft,
        cancelled => e.status == EventStatus::Cancelled,
    }
}

/// `GET /admin/e/{id}`: an event at a glance, with what can be done to it.
#[handler]
pub async fn event_overview(
    admin: Admin,
    req: &Request,
    Path(id): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let (details, role) = match event_for(&admin, &state, &id, Permission::ViewNetwork).await {
        Ok(found) => found,
        Err(resp) => return resp,
    };
    let language = admin.page.language;
    let e = &details.event;
    let counts = match dashboard::counts(state.db.reader(), vec![e.id]).await {
        Ok(mut counts) => counts.remove(&e.id).unwrap_or_default(),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let venue = match e.venue_id {
        Some(id) => venue::get(state.db.reader(), &admin.who.actor, id, Permission::ViewNetwork).await.ok(),
        None => None,
    };
    let lottery = match e.rsvp_mode {
        RsvpMode::Lottery => match tsudoi_domain::rsvp::lottery::state(state.db.reader(), e).await {
            Ok(l) => Some(context! {
                draw_at => l.draw_at.map(|at| format::moment(at, &e.time_zone, language)),
                drawn_at => l.drawn_at.map(|at| format::moment(at, &e.time_zone, language)),
                entries => l.entries,
                drawn => l.drawn.len(),
                seed_hash => l.seed_hash,
                seed => l.seed,
            }),
            Err(err) => return admin.failed(&err, "/admin"),
        },
        _ => None,
    };
    let t = texts::texts(language);
    let mode = match e.rsvp_mode {
        RsvpMode::FirstCome => t["admin_mode_first_come"],
        RsvpMode::Approval => t["admin_mode_approval"],
        RsvpMode::Lottery => t["admin_mode_lottery"],
    };
    admin.render(
        StatusCode::OK,
        "admin/event.html",
        home_network(&admin, &details),
        "events",
        context! {
            event => event_head(&details, language, &state.base_url),
            tab => "overview",
            manages => role != Role::DoorStaff,
            seats => e.seats,
            taken => counts.taking_seats(),
            confirmed => counts.people(RsvpStatus::Confirmed),
            pending => counts.people(RsvpStatus::Pending),
            waitlisted => counts.people(RsvpStatus::Waitlisted),
            checked_in => counts.checked_in,
            venue => venue.map(|v| format!("{} ({})", v.name, v.address)),
            online_url => e.online_url.clone(),
            mode => mode,
            lottery => lottery,
            copy_id => state.links.keyring.make(LinkKind::EventForm, Uuid::now_v7(), 0),
            done => query_param(req, "done").and_then(|d| t.get(format!("admin_done_{d}").as_str()).copied()),
            slots => details.slots.iter().map(|s| context! { name => s.name.clone(), seats => s.seats }).collect::<Vec<_>>(),
            hosts => std::iter::once(&details.host).chain(details.cohosts.iter()).map(|n| n.name.clone()).collect::<Vec<_>>(),
        },
    )
}

/// `POST /admin/e/{id}/duplicate`: a draft copy as the series' next edition (same weekday and
/// hours, weeks later), opened in the edit form. Once per overview shown, however often posted.
#[handler]
pub async fn duplicate_event(
    ManagedPost(admin, form, details): ManagedPost,
    state: Data<&AppState>,
) -> Response {
    let copy = form_event_id(&state, &form);
    let edit_page = |id: EventId| format!("/admin/e/{}/edit", id.uuid());
    let (db, actor, now) = (state.db.writer(), &admin.who.actor, state.now());
    if event::get(db, actor, copy, Permission::ViewNetwork).await.is_ok() {
        return see_other(&edit_page(copy));
    }
    let next = match details.event.series_id {
        Some(series_id) => match series::next_edition(db, series_id).await {
            Ok(n) => Some(n),
            Err(err) => return admin.failed(&err, "/admin"),
        },
        None => None,
    };
    let draft = edit::next_edition_draft(&details, next, now);
    match edit::create_as(db, actor, details.event.network_id, copy, draft, None, now).await {
        Ok(made) => see_other(&edit_page(made.event.id)),
        Err(_) if event::get(db, actor, copy, Permission::ViewNetwork).await.is_ok() => {
            see_other(&edit_page(copy))
        }
        Err(Error::Forbidden(_) | Error::NotFound(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, &format!("/admin/e/{}", details.event.id.uuid())),
    }
}

/// `POST /admin/e/{id}/draw`: draws the lottery now rather than at its time.
#[handler]
pub async fn draw_lottery(ManagedPost(admin, _, details): ManagedPost, state: Data<&AppState>) -> Response {
    let back = format!("/admin/e/{}", details.event.id.uuid());
    match tsudoi_domain::rsvp::lottery::draw_now(
        state.db.writer(),
        &admin.who.actor,
        details.event.id,
        state.now(),
    )
    .await
    {
        Ok(_) => {
            state.mail_wake.notify_one();
            see_other(&format!("{back}?done=drawn"))
        }
        Err(err) => admin.failed(&err, &back),
    }
}

/// `POST /admin/e/{id}/publish`.
#[handler]
pub async fn publish_event(
    Posting(admin, _): Posting,
    Path(id): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Ok(uuid) = id.parse::<Uuid>() else { return not_found(&admin) };
    match edit::publish(state.db.writer(), &admin.who.actor, EventId(uuid), state.now()).await {
        Ok(_) => see_other(&format!("/admin/e/{uuid}?done=published")),
        Err(err) => admin.failed(&err, &format!("/admin/e/{uuid}")),
    }
}

/// `GET /admin/e/{id}/preview`: the public page as it will be (a draft's too).
#[handler]
pub async fn event_preview(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    let back = format!("/admin/e/{}", details.event.id.uuid());
    match event::public::preview(state.db.reader(), &admin.who.actor, details.event.id).await {
        Ok(public) => crate::pages::rsvp::preview_page(&admin.page, &state, &public, &back).await,
        Err(err) => admin.failed(&err, &back),
    }
}

/// `GET /admin/e/{id}/cancel`: what attendees will be told, before cancelling for good.
#[handler]
pub async fn cancel_preview(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    let counts = match dashboard::counts(state.db.reader(), vec![details.event.id]).await {
        Ok(mut counts) => counts.remove(&details.event.id).unwrap_or_default(),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let told: i64 = [
        RsvpStatus::Confirmed,
        RsvpStatus::Holding,
        RsvpStatus::Offered,
        RsvpStatus::Waitlisted,
        RsvpStatus::Pending,
        RsvpStatus::Entered,
    ]
    .iter()
    .map(|s| counts.people(*s))
    .sum();
    let language = admin.page.language;
    // A draft has nobody to tell; a published event's attendees get this email.
    let preview = match tsudoi_domain::event::public::event_by_id(state.db.reader(), details.event.id).await {
        Ok(public) => {
            let name = texts::texts(language)["admin_sample_attendee"];
            let letter = tsudoi_domain::letter::preview(
                &public,
                MessageKind::EventCancelled,
                language,
                &state.links,
                name,
            );
            tsudoi_mailer::preview(&letter)
                .ok()
                .map(|(subject, body)| context! { subject => subject, body => body })
        }
        Err(_) => None,
    };
    admin.render(
        StatusCode::OK,
        "admin/cancel.html",
        home_network(&admin, &details),
        "events",
        context! { event => event_head(&details, language, &state.base_url), told => told, preview => preview },
    )
}

/// `POST /admin/e/{id}/cancel`: cancels the event for good, and tells its attendees.
#[handler]
pub async fn cancel_event(
    Posting(admin, _): Posting,
    Path(id): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Ok(uuid) = id.parse::<Uuid>() else { return not_found(&admin) };
    match edit::cancel(state.db.writer(), &admin.who.actor, EventId(uuid), state.now()).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            see_other(&format!("/admin/e/{uuid}?done=cancelled"))
        }
        Err(err) => admin.failed(&err, &format!("/admin/e/{uuid}")),
    }
}
