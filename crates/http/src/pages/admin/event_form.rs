//! The event form: one page to create an event and to edit it, in the event's own time zone.
//! What was typed is read into a draft (numbers typed with a Japanese keyboard included), the
//! domain judges it, and a refused form comes back with the errors next to their fields and
//! what was typed kept. A form carries a signed id, so posting it twice makes one event.

use std::collections::{BTreeMap, HashMap};

use minijinja::{Value, context};
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    access::{Permission, Role},
    entity::network,
    error::{Conflict, ValidationErrors},
    event::{
        self, EventDetails, EventStatus, NameReading, RsvpMode,
        draft::{DEFAULT_HOLD_MINUTES, EventDraft, EventPatch, SlotDraft},
        edit,
    },
    format,
    ids::{EventId, PersonId, SeriesId, SlotId, VenueId},
    links::LinkKind,
    series,
    values::Language,
    venue::{self, VenueInput},
};
use uuid::Uuid;

use super::{
    Admin, Managed, ManagedPost, Posting,
    events::{event_head, home_network},
    not_found, see_other,
};
use crate::{
    pages::{rsvp::Posted, texts},
    state::AppState,
};

/// Rows for slots in the form: those the event has, and this many empty ones to add.
const SPARE_SLOTS: usize = 2;
/// Time zones offered first; an event's own zone is always offered too.
const ZONES: [&str; 10] = [
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Kolkata",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
];

/// The field that says a form shows the co-hosts and organizers (checkboxes, which say nothing
/// when none is ticked).
const PEOPLE_SHOWN: &str = "people_shown";

/// The field that carries the event's `updated_at` as the edit form saw it: a save over a
/// change made meanwhile is refused rather than undoing it.
const SEEN: &str = "seen";

fn seen_value(details: &EventDetails) -> String {
    details.event.updated_at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// What a form shows: the fields' values (as typed), and the errors next to them.
struct EventForm {
    values: BTreeMap<String, String>,
    errors: HashMap<String, String>,
}

/// The form's values for an event as it is (or, for a new one, as it starts).
fn values_of(draft: &EventDraft, zone: &str) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    let mut put = |k: &str, value: String| {
        v.insert(k.to_owned(), value);
    };
    let at = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| format::local_input(at, zone)).unwrap_or_default()
    };
    put("slug", draft.slug.clone().unwrap_or_default());
    put("title", draft.title.clone());
    put("theme", draft.theme.clone().unwrap_or_default());
    put("description", draft.description.clone());
    put("time_zone", zone.to_owned());
    put("starts_at", at(Some(draft.starts_at)));
    put("ends_at", at(Some(draft.ends_at)));
    put("venue_id", draft.venue_id.map(|v| v.uuid().to_string()).unwrap_or_default());
    put("online_url", draft.online_url.clone().unwrap_or_default());
    put("seats", draft.seats.to_string());
    for (i, slot) in draft.slots.iter().enumerate() {
        put(&format!("slot_id_{i}"), slot.id.map(|s| s.uuid().to_string()).unwrap_or_default());
        put(&format!("slot_name_{i}"), slot.name.clone());
        put(&format!("slot_seats_{i}"), slot.seats.to_string());
        put(&format!("slot_fee_{i}"), slot.door_fee.map(|f| f.to_string()).unwrap_or_default());
    }
    put("rsvp_mode", mode_key(draft.rsvp_mode).to_owned());
    put("lottery_draw_at", at(draft.lottery_draw_at));
    put("hold_minutes", draft.hold_minutes.to_string());
    put("max_guests", draft.max_guests.to_string());
    put("remind_hours", draft.remind_hours.map(|h| h.to_string()).unwrap_or_default());
    put("door_fee", draft.door_fee.map(|f| f.to_string()).unwrap_or_default());
    put("name_reading", reading_key(draft.name_reading).to_owned());
    put("rsvp_opens_at", at(draft.rsvp_opens_at));
    put("rsvp_deadline", at(draft.rsvp_deadline));
    put("series_id", draft.series_id.map(|s| s.uuid().to_string()).unwrap_or_default());
    put("edition", draft.edition.map(|e| e.to_string()).unwrap_or_default());
    put("cohosts", draft.cohosts.join(","));
    put("organizers", draft.organizers.iter().map(|p| p.uuid().to_string()).collect::<Vec<_>>().join(","));
    for (key, on) in [
        ("confirmation_required", draft.confirmation_required),
        ("waitlist_enabled", draft.waitlist_enabled),
        ("auto_promote", draft.auto_promote),
    ] {
        if on {
            put(key, "on".to_owned());
        }
    }
    super::questions::put_values(&draft.questions, &mut v);
    v
}

fn mode_key(mode: RsvpMode) -> &'static str {
    match mode {
        RsvpMode::FirstCome => "first_come",
        RsvpMode::Approval => "approval",
        RsvpMode::Lottery => "lottery",
    }
}

fn reading_key(reading: NameReading) -> &'static str {
    match reading {
        NameReading::Hidden => "hidden",
        NameReading::Optional => "optional",
        NameReading::Required => "required",
    }
}

/// A new event as the form starts it: next week at 19:00-21:00 in the network's zone, 30 seats.
fn new_draft(network: &network::Model, now: chrono::DateTime<chrono::Utc>) -> EventDraft {
    let zone = &network.time_zone;
    let day = format::local_input(now + chrono::Duration::days(7), zone);
    let start = format::parse_local_input(&format!("{}T19:00", &day[..10]), zone).unwrap_or(now);
    EventDraft {
        slug: None,
        title: String::new(),
        theme: None,
        description: String::new(),
        starts_at: start,
        ends_at: start + chrono::Duration::hours(2),
        time_zone: Some(zone.clone()),
        venue_id: None,
        online_url: None,
        seats: 30,
        slots: Vec::new(),
        rsvp_mode: RsvpMode::FirstCome,
        lottery_draw_at: None,
        hold_minutes: DEFAULT_HOLD_MINUTES,
        confirmation_required: true,
        waitlist_enabled: true,
        auto_promote: true,
        questions: Vec::new(),
        max_guests: 0,
        remind_hours: None,
        door_fee: None,
        door_fee_currency: None,
        name_reading: NameReading::Optional,
        rsvp_opens_at: None,
        rsvp_deadline: None,
        series_id: None,
        edition: None,
        cohosts: Vec::new(),
        organizers: Vec::new(),
    }
}

/// Reads the posted form into a draft on top of `base`. Text that is no number or no time is an error here;
/// the rest is the domain's to judge.
fn draft_from(form: &Posted, base: EventDraft) -> Result<EventDraft, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let people_shown = form.get(PEOPLE_SHOWN).is_some();
    let zone = form
        .optional("time_zone")
        .unwrap_or_else(|| base.time_zone.clone().unwrap_or_else(|| "Asia/Tokyo".into()));
    let number = |key: &str, errors: &mut ValidationErrors| super::fields::whole_number(form, key, errors);
    // Times are read in the zone chosen; an unknown zone is its own error, not every time's.
    if tsudoi_domain::values::TimeZone::parse(&zone).is_err() {
        errors.add("time_zone", "unknown_time_zone", "is not a time zone");
        return Err(errors);
    }
    let seats = number("seats", &mut errors);
    let hold_minutes = number("hold_minutes", &mut errors);
    let max_guests = number("max_guests", &mut errors);
    let remind_hours = number("remind_hours", &mut errors);
    let door_fee = number("door_fee", &mut errors);
    let edition = number("edition", &mut errors);
    let time = |key: &str, required: bool, errors: &mut ValidationErrors| {
        let raw = form.trimmed(key);
        if raw.is_empty() {
            if required {
                errors.add(key, "required", "is required");
            }
            return None;
        }
        let parsed = format::parse_local_input(&raw, &zone);
        if parsed.is_none() {
            errors.add(key, "not_a_time", "is not a date and time in the event's time zone");
        }
        parsed
    };
    let starts_at = time("starts_at", true, &mut errors);
    let ends_at = time("ends_at", true, &mut errors);
    let lottery_draw_at = time("lottery_draw_at", false, &mut errors);
    let rsvp_opens_at = time("rsvp_opens_at", false, &mut errors);
    let rsvp_deadline = time("rsvp_deadline", false, &mut errors);
    let mut slots = Vec::new();
    for i in 0..SLOT_ROWS_MAX {
        let name = form.trimmed(&format!("slot_name_{i}"));
        let seats_raw = form.trimmed(&format!("slot_seats_{i}"));
        if name.is_empty() && seats_raw.is_empty() {
            continue;
        }
        let seats = number(&format!("slot_seats_{i}"), &mut errors);
        let fee = number(&format!("slot_fee_{i}"), &mut errors);
        let id = form.get(&format!("slot_id_{i}")).and_then(|id| id.parse::<Uuid>().ok()).map(SlotId);
        slots.push(SlotDraft { id, name, seats: seats.unwrap_or(0), door_fee: fee });
    }
    let id_of = |key: &str| form.optional(key).and_then(|v| v.parse::<Uuid>().ok());
    if !errors.is_empty() {
        return Err(errors);
    }
    let (Some(starts_at), Some(ends_at)) = (starts_at, ends_at) else { return Err(errors) };
    Ok(EventDraft {
        slug: form.optional("slug").or(base.slug),
        title: form.trimmed("title"),
        theme: form.optional("theme"),
        description: form.get("description").cloned().unwrap_or_default(),
        starts_at,
        ends_at,
        time_zone: Some(zone.clone()),
        venue_id: id_of("venue_id").map(VenueId),
        online_url: form.optional("online_url"),
        seats: seats.unwrap_or(0),
        slots,
        rsvp_mode: match form.trimmed("rsvp_mode").as_str() {
            "approval" => RsvpMode::Approval,
            "lottery" => RsvpMode::Lottery,
            _ => RsvpMode::FirstCome,
        },
        lottery_draw_at,
        hold_minutes: hold_minutes.unwrap_or(base.hold_minutes),
        confirmation_required: form.get("confirmation_required").is_some(),
        waitlist_enabled: form.get("waitlist_enabled").is_some(),
        auto_promote: form.get("auto_promote").is_some(),
        questions: if super::questions::shown(form) {
            super::questions::from_form(form)
        } else {
            base.questions
        },
        max_guests: max_guests.unwrap_or(0),
        remind_hours,
        door_fee,
        door_fee_currency: base.door_fee_currency,
        name_reading: match form.trimmed("name_reading").as_str() {
            "hidden" => NameReading::Hidden,
            "required" => NameReading::Required,
            _ => NameReading::Optional,
        },
        rsvp_opens_at,
        rsvp_deadline,
        series_id: id_of("series_id").map(SeriesId),
        edition,
        // A form that shows the hosts and organizers says so; one that does not keeps them.
        cohosts: if people_shown { form.all("cohost").map(str::to_owned).collect() } else { base.cohosts },
        organizers: if people_shown {
            form.all("organizer").filter_map(|id| id.parse::<Uuid>().ok()).map(PersonId).collect()
        } else {
            base.organizers
        },
    })
}

/// The most slot rows a form may post.
pub(super) const SLOT_ROWS_MAX: usize = 20;

/// Reminder hours offered: the service's setting, none, common choices, and the event's own.
fn remind_choices(values: &BTreeMap<String, String>, default_hours: i64, language: Language) -> Vec<Value> {
    let t = texts::texts(language);
    let hours = |n: i64| t["admin_remind_hours"].replace("{n}", &n.to_string());
    let mut choices = vec![
        (String::new(), t["admin_remind_default"].replace("{n}", &default_hours.to_string())),
        ("0".to_owned(), t["admin_remind_none"].to_owned()),
    ];
    choices.extend([3, 6, 12, 24, 48, 72, 168].map(|n| (n.to_string(), hours(n))));
    if let Some(own) = values.get("remind_hours").filter(|v| !choices.iter().any(|(c, _)| c == *v)) {
        let label = own.parse().map_or_else(|_| own.clone(), hours);
        choices.push((own.clone(), label));
    }
    choices.into_iter().map(|(value, label)| context! { value => value, label => label }).collect()
}

/// The networks that may co-host (those the person organizes in, and those co-hosting now) and
/// the people who may be put in charge (the owners and organizers of the event's networks),
/// each ticked as `values` say.
async fn people_choices(
    admin: &Admin,
    state: &AppState,
    network: &network::Model,
    editing: Option<&EventDetails>,
    values: &BTreeMap<String, String>,
) -> Result<(Vec<Value>, Vec<Value>), Error> {
    let ticked = |key: &str, wanted: &str| {
        values.get(key).is_some_and(|v| v.split(',').any(|item| item.trim() == wanted))
    };
    let host = editing.map_or(network.id, |d| d.event.network_id);
    let mut networks: Vec<&network::Model> = admin
        .networks
        .iter()
        .filter(|(n, role)| n.id != host && role.allows(Permission::ManageEvents))
        .map(|(n, _)| n)
        .collect();
    for n in editing.map(|d| d.cohosts.as_slice()).unwrap_or_default() {
        if !networks.iter().any(|m| m.id == n.id) {
            networks.push(n);
        }
    }
    let cohosts = networks
        .iter()
        .map(|n| context! { slug => n.slug.clone(), name => n.name.clone(), checked => ticked("cohosts", &n.slug) })
        .collect();
    let in_charge: Vec<_> = editing.map_or_else(|| vec![host], |d| d.network_ids().collect());
    let people = event::organizer_choices(state.db.reader(), &admin.who.actor, &in_charge).await?;
    let mut organizers: Vec<Value> = people
        .iter()
        .map(|p| {
            let id = p.id.uuid().to_string();
            context! { checked => ticked("organizers", &id), id => id, name => p.display_name.clone() }
        })
        .collect();
    // Someone in charge whose role has changed since stays on the list.
    for p in editing.map(|d| d.organizers.as_slice()).unwrap_or_default() {
        if !people.iter().any(|q| q.id == p.id) {
            let id = p.id.uuid().to_string();
            organizers.push(
                context! { checked => ticked("organizers", &id), id => id, name => p.display_name.clone() },
            );
        }
    }
    Ok((cohosts, organizers))
}

/// Renders the event form: for a new event in `network`, or to edit `editing`.
async fn form_page(
    admin: &Admin,
    state: &AppState,
    network: &network::Model,
    editing: Option<&EventDetails>,
    form: EventForm,
    status: StatusCode,
) -> Response {
    let db = state.db.reader();
    let (venues, series) = match tokio::join!(
        venue::list(db, &admin.who.actor, network.id, false),
        series::list(db, &admin.who.actor, network.id, false),
    ) {
        (Ok(venues), Ok(series)) => (venues, series),
        (Err(err), _) | (_, Err(err)) => return admin.failed(&err, "/admin"),
    };
    let (cohosts, organizers) = match people_choices(admin, state, network, editing, &form.values).await {
        Ok(choices) => choices,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let seen = editing.map(|d| form.values.get(SEEN).cloned().unwrap_or_else(|| seen_value(d)));
    let reminders = remind_choices(&form.values, state.policy.remind_before.num_hours(), admin.page.language);
    let zone = form.values.get("time_zone").cloned().unwrap_or_else(|| network.time_zone.clone());
    let mut zones: Vec<String> = ZONES.iter().map(|z| (*z).to_owned()).collect();
    if !zones.contains(&zone) {
        zones.insert(0, zone.clone());
    }
    let slot_rows = (0..SLOT_ROWS_MAX)
        .take_while(|i| {
            form.values.contains_key(&format!("slot_name_{i}"))
                || form.values.contains_key(&format!("slot_seats_{i}"))
        })
        .count()
        + SPARE_SLOTS;
    let (action, heading) = match editing {
        Some(details) => (format!("/admin/e/{}/edit", details.event.id.uuid()), details.event.title.clone()),
        None => (
            format!("/admin/n/{}/events", network.slug),
            texts::texts(admin.page.language)["admin_new_event"].to_owned(),
        ),
    };
    admin.render(
        status,
        "admin/event_form.html",
        Some(network),
        if editing.is_some() { "events" } else { "new" },
        context! {
            heading => heading,
            action => action,
            editing => editing.map(|d| event_head(d, admin.page.language, &state.base_url)),
            slug_locked => editing.is_some_and(|d| d.event.status != EventStatus::Draft),
            qrows => super::questions::rows(&form.values),
            f => form.values,
            errors => form.errors,
            venues => venues.into_iter().map(|v| context! { id => v.id.uuid().to_string(), name => v.name, address => v.address }).collect::<Vec<_>>(),
            series => series.into_iter().map(|s| context! { id => s.id.uuid().to_string(), name => s.name }).collect::<Vec<_>>(),
            zones => zones,
            seen => seen,
            remind_choices => reminders,
            cohost_choices => cohosts,
            organizer_choices => organizers,
            people_shown => PEOPLE_SHOWN,
            slot_rows => (0..slot_rows.min(SLOT_ROWS_MAX)).collect::<Vec<_>>(),
            qkinds => super::questions::kinds(false),
            form_id => state.links.keyring.make(LinkKind::EventForm, Uuid::now_v7(), 0),
        },
    )
}

/// `GET /admin/n/{slug}/events/new`.
#[handler]
pub async fn new_event(admin: Admin, Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    let Some((network, role)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    if role == Role::DoorStaff {
        return not_found(&admin);
    }
    let mut draft = new_draft(&network, state.now());
    draft.organizers.push(admin.who.actor.person_id);
    let values = values_of(&draft, &network.time_zone);
    form_page(&admin, &state, &network, None, EventForm { values, errors: HashMap::new() }, StatusCode::OK)
        .await
}

/// The values as posted, for the form shown again. Slot rows left empty are dropped and the
/// rest numbered again, as `draft_from` reads them, so the domain's `slots[i]` is row `i`.
fn posted_values(form: &Posted) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for (k, v) in form.pairs() {
        if k != "guard" && !k.starts_with("slot_") {
            values.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let field = |name: &str, i: usize| form.get(&format!("slot_{name}_{i}")).cloned().unwrap_or_default();
    let rows = (0..SLOT_ROWS_MAX)
        .filter(|&i| !field("name", i).trim().is_empty() || !field("seats", i).trim().is_empty());
    for (row, i) in rows.enumerate() {
        for name in ["id", "name", "seats", "fee"] {
            values.insert(format!("slot_{name}_{row}"), field(name, i));
        }
    }
    if form.get(PEOPLE_SHOWN).is_some() {
        values.insert("cohosts".into(), form.all("cohost").collect::<Vec<_>>().join(","));
        values.insert("organizers".into(), form.all("organizer").collect::<Vec<_>>().join(","));
    }
    super::questions::posted_values(form, &mut values);
    values
}

/// A venue typed into the event form ("new" in the picker), to be made with the event in the
/// network the form is seen from.
fn new_venue(network: &network::Model, form: &Posted, seats: i64) -> Option<edit::NewVenue> {
    if form.get("venue_id").map(String::as_str) != Some("new") {
        return None;
    }
    let field = |key: &str| form.get(key).map(|v| v.trim().to_owned()).unwrap_or_default();
    let input = VenueInput {
        name: field("new_venue_name"),
        address: field("new_venue_address"),
        map_url: None,
        access_notes: None,
        room_capacity: seats.max(1),
    };
    Some(edit::NewVenue { network_id: network.id, input })
}

/// A posted event form on its way to being saved: what was typed (to show again), and where
/// it shows.
struct PostedEvent<'a> {
    admin: &'a Admin,
    state: &'a AppState,
    network: &'a network::Model,
    editing: Option<&'a EventDetails>,
    values: BTreeMap<String, String>,
}

impl PostedEvent<'_> {
    /// The form again, with `errors` next to their fields and what was typed kept.
    async fn again(self, errors: &ValidationErrors, status: StatusCode) -> Response {
        let form = EventForm {
            errors: super::fields::error_texts(errors, self.admin.page.language),
            values: self.values,
        };
        form_page(self.admin, self.state, self.network, self.editing, form, status).await
    }

    /// Reads `form` over `base` into a draft, with the venue typed into it (if any); else the
    /// answer to give.
    async fn draft(
        self,
        form: &Posted,
        base: EventDraft,
    ) -> Result<(EventDraft, Option<edit::NewVenue>, Self), Response> {
        match draft_from(form, base) {
            Ok(draft) => {
                let venue = new_venue(self.network, form, draft.seats);
                Ok((draft, venue, self))
            }
            Err(errors) => Err(self.again(&errors, StatusCode::UNPROCESSABLE_ENTITY).await),
        }
    }

    /// The answer to the domain's refusal to save: the form again with the errors at their
    /// fields, or a page that says why.
    async fn refused(mut self, err: Error) -> Response {
        match err {
            Error::Conflict(Conflict::ChangedMeanwhile) => {
                // What was typed is kept, with the change made meanwhile as seen: saving again
                // is a choice made knowing.
                if let Some(details) = self.editing {
                    let (db, actor) = (self.state.db.reader(), &self.admin.who.actor);
                    match event::get(db, actor, details.event.id, Permission::ManageEvents).await {
                        Ok((fresh, _)) => self.values.insert(SEEN.into(), seen_value(&fresh)),
                        Err(err) => return self.admin.failed(&err, "/admin"),
                    };
                }
                let mut errors = ValidationErrors::new();
                errors.add("form", "changed_meanwhile", "someone else changed this event after you opened this form; what you typed is kept below: check the event's overview for the latest, then save again (saving replaces it with what is below)");
                self.again(&errors, StatusCode::CONFLICT).await
            }
            Error::Invalid(errors) => self.again(&errors, StatusCode::UNPROCESSABLE_ENTITY).await,
            Error::Conflict(conflict) if conflict.field().is_some() => {
                let text = crate::pages::rsvp::conflict_text(&conflict, None, self.admin.page.language);
                let mut errors = ValidationErrors::new();
                errors.add(conflict.field().unwrap_or("title"), "conflict", text);
                self.again(&errors, StatusCode::CONFLICT).await
            }
            other => self.admin.failed(&other, "/admin"),
        }
    }
}

/// The id of the event a form makes: the one the server signed into it (so posting it twice
/// makes one event, and nobody picks an event's id), else a new one.
pub(super) fn form_event_id(state: &AppState, form: &Posted) -> EventId {
    form.get("form_id")
        .and_then(|f| state.links.keyring.open(LinkKind::EventForm, f))
        .map_or_else(EventId::new, |opened| EventId(opened.id))
}

/// `POST /admin/n/{slug}/events`: creates the event (as a draft), once per form.
#[handler]
pub async fn create_event(
    Posting(admin, form): Posting,
    Path(slug): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, role)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    if role == Role::DoorStaff {
        return not_found(&admin);
    }
    // The form's id becomes the event's: a second post of the same form finds it made.
    let id = form_event_id(&state, &form);
    let made = |admin: &Admin| {
        let db = state.db.reader();
        let actor = admin.who.actor.clone();
        async move { event::get(db, &actor, id, Permission::ViewNetwork).await.ok() }
    };
    if let Some((made, _)) = made(&admin).await {
        return see_other(&format!("/admin/e/{}", made.event.id.uuid()));
    }
    let posted = PostedEvent {
        admin: &admin,
        state: &state,
        network: &network,
        editing: None,
        values: posted_values(&form),
    };
    let (draft, venue, posted) = match posted.draft(&form, new_draft(&network, state.now())).await {
        Ok(read) => read,
        Err(resp) => return resp,
    };
    match edit::create_as(state.db.writer(), &admin.who.actor, network.id, id, draft, venue, state.now())
        .await
    {
        Ok(made) => see_other(&format!("/admin/e/{}?done=created", made.event.id.uuid())),
        Err(err) => match made(&admin).await {
            // The same form posted twice at once: the other post made it.
            Some((made, _)) => see_other(&format!("/admin/e/{}", made.event.id.uuid())),
            None => posted.refused(err).await,
        },
    }
}

/// `GET /admin/e/{id}/edit`.
#[handler]
pub async fn edit_event(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    let Some(network) = home_network(&admin, &details).cloned() else { return not_found(&admin) };
    let values = values_of(&edit::draft_of(&details), &details.event.time_zone);
    form_page(
        &admin,
        &state,
        &network,
        Some(&details),
        EventForm { values, errors: HashMap::new() },
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/e/{id}/edit`: saves the whole form; attendees are told of what matters to them.
#[handler]
pub async fn update_event(
    ManagedPost(admin, form, details): ManagedPost,
    state: Data<&AppState>,
) -> Response {
    let Some(network) = home_network(&admin, &details).cloned() else { return not_found(&admin) };
    let posted = PostedEvent {
        admin: &admin,
        state: &state,
        network: &network,
        editing: Some(&details),
        values: posted_values(&form),
    };
    let (draft, venue, posted) = match posted.draft(&form, edit::draft_of(&details)).await {
        Ok(read) => read,
        Err(resp) => return resp,
    };
    let event_id = details.event.id;
    // A form that says what it saw is refused if the event changed since (one without says
    // nothing, and is saved).
    let seen = form.get(SEEN).and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
    let patch = EventPatch {
        unless_changed_since: seen.map(|at| at.with_timezone(&chrono::Utc)),
        ..EventPatch::replacing(draft)
    };
    let saved =
        edit::update(state.db.writer(), &admin.who.actor, event_id, patch, venue, &state.policy, state.now())
            .await;
    match saved {
        Ok(_) => {
            state.mail_wake.notify_one();
            see_other(&format!("/admin/e/{}?done=saved", event_id.uuid()))
        }
        Err(err) => posted.refused(err).await,
    }
}
