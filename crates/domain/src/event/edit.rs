//! Creating and changing events: create, update, publish, cancel, archive. Each runs in one
//! transaction with its audit entry.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::NotSet, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde_json::json;

use super::{
    EventDetails, EventStatus, RsvpMode,
    draft::{EventDraft, EventPatch, SlotDraft, ValidDraft, validate},
    get,
    references::{References, check_references},
};
use crate::{
    access::{Actor, Permission},
    audit::{self, Change},
    entity::{event, event_cohost, event_organizer, event_slot, network},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    ids::{EventId, NetworkId, SlotId, VenueId},
    questions::QuestionDraft,
    rsvp,
    values::{Language, Slug},
    venue::{self, VenueInput},
};

fn default_slot_name(language: Language) -> &'static str {
    match language {
        Language::Ja => "一般",
        Language::En => "General",
    }
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    network_id: NetworkId,
    draft: EventDraft,
    now: DateTime<Utc>,
) -> Result<EventDetails> {
    create_as(db, actor, network_id, EventId::new(), draft, None, now).await
}

/// Creates the event with the id `id`, chosen by the caller: a form that carries one creates
/// one event however often it is posted (the second insert is a conflict on the id). A
/// `new_venue` is made in the same transaction and becomes the event's venue.
pub async fn create_as(
    db: &DatabaseConnection,
    actor: &Actor,
    network_id: NetworkId,
    id: EventId,
    mut draft: EventDraft,
    new_venue: Option<NewVenue>,
    now: DateTime<Utc>,
) -> Result<EventDetails> {
    actor.require(network_id, Permission::ManageEvents, Resource::Network)?;
    let txn = db.begin().await?;
    let host =
        network::Entity::find_by_id(network_id).one(&txn).await?.ok_or(Error::NotFound(Resource::Network))?;
    if let Some(new_venue) = new_venue {
        draft.venue_id = Some(made_venue(&txn, actor, new_venue, now).await?);
    }
    draft.time_zone.get_or_insert_with(|| host.time_zone.clone());
    if draft.organizers.is_empty() {
        draft.organizers.push(actor.person_id);
    }
    let mut valid = validate(&draft, default_slot_name(host.default_language))?;
    let refs = check_references(&txn, actor, &host, &mut valid, None).await?;

    let model = event::Entity::insert(event::ActiveModel {
        id: Set(id),
        network_id: Set(network_id),
        status: Set(EventStatus::Draft),
        sequence: Set(0),
        published_at: Set(None),
        cancelled_at: Set(None),
        archived_at: Set(None),
        created_at: Set(now),
        lottery_seed: Set((valid.rsvp_mode == RsvpMode::Lottery).then(rsvp::lottery::new_seed)),
        lottery_drawn_at: Set(None),
        ..active_from(&valid, refs.slug.clone(), now)
    })
    .exec_with_returning(&txn)
    .await?;
    sync_children(&txn, id, &valid, &refs, None).await?;
    let summary = serde_json::to_value(&valid).unwrap_or_default();
    record(&txn, actor, &model, "event.create", summary, now).await?;
    let details = reload(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(details)
}

/// A venue typed into an event's form, to be made with the event: in the hosting or a
/// co-hosting network.
#[derive(Clone, Debug)]
pub struct NewVenue {
    pub network_id: NetworkId,
    pub input: VenueInput,
}

/// Makes a `NewVenue` in the event's transaction; its errors are the fields `new_venue.*`.
async fn made_venue(
    txn: &DatabaseTransaction,
    actor: &Actor,
    new: NewVenue,
    now: DateTime<Utc>,
) -> Result<VenueId> {
    match venue::create_in(txn, actor, new.network_id, new.input, now).await {
        Ok(made) => Ok(made.id),
        Err(Error::Invalid(errors)) => {
            let mut prefixed = ValidationErrors::new();
            for e in errors.fields() {
                prefixed.add(format!("new_venue.{}", e.field), e.code, e.message.clone());
            }
            Err(prefixed.into())
        }
        Err(err) => Err(err),
    }
}

/// Changes an event. Seats cannot be cut below those taken, nor a slot with RSVPs removed; seats
/// added go to the waitlist at once; attendees are told of changes they would care about. A
/// `new_venue` is made in the same transaction and becomes the event's venue.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: EventId,
    mut patch: EventPatch,
    new_venue: Option<NewVenue>,
    policy: &rsvp::Policy,
    now: DateTime<Utc>,
) -> Result<EventDetails> {
    let txn = db.begin().await?;
    super::lock(&txn, id).await?;
    let (current, _) = get(&txn, actor, id, Permission::ManageEvents).await?;
    ensure_editable(&current.event)?;
    if patch.unless_changed_since.is_some_and(|seen| seen != current.event.updated_at) {
        return Err(Conflict::ChangedMeanwhile.into());
    }
    if let Some(new_venue) = new_venue {
        patch.venue_id = Some(Some(made_venue(&txn, actor, new_venue, now).await?));
    }
    let before_draft = draft_of(&current);
    let before = serde_json::to_value(&before_draft).unwrap_or_default();
    let mut valid = validate(&patch.apply(before_draft), default_slot_name(current.host.default_language))?;
    let refs = check_references(&txn, actor, &current.host, &mut valid, Some(&current)).await?;
    let changes = audit::diff(&before, &valid);
    if audit::is_empty(&changes) {
        return Ok(current);
    }
    if current.event.status == EventStatus::Published {
        check_publishable(valid.venue_id.is_some() || valid.online_url.is_some(), valid.ends_at, now)?;
        if refs.slug.as_str() != current.event.slug {
            // Its address is already in emails, calendars and QR codes.
            return Err(Conflict::SlugLocked.into());
        }
    }

    rsvp::check_seat_change(&txn, &current, &valid).await?;
    let e = &current.event;
    if e.rsvp_mode != valid.rsvp_mode && rsvp::any_of(&txn, id).await? {
        return Err(Conflict::RsvpModeLocked.into());
    }
    if e.lottery_drawn_at.is_some() && e.lottery_draw_at != valid.lottery_draw_at {
        return Err(Conflict::LotteryDrawn.into());
    }
    // A lottery keeps the seed whose hash it showed; an event that becomes one gets its seed now.
    let lottery_seed = match valid.rsvp_mode {
        RsvpMode::Lottery => Some(e.lottery_seed.clone().unwrap_or_else(rsvp::lottery::new_seed)),
        _ => None,
    };
    let mut noticed = Vec::new();
    if e.title != valid.title {
        noticed.push("title");
    }
    if e.starts_at != valid.starts_at || e.ends_at != valid.ends_at || e.time_zone != valid.time_zone {
        noticed.push("time");
    }
    if e.venue_id != valid.venue_id || e.online_url != valid.online_url {
        noticed.push("place");
    }
    if e.description_md != valid.description {
        noticed.push("description");
    }
    let moved = e.starts_at != valid.starts_at;
    let model = event::Entity::update(event::ActiveModel {
        id: Set(id),
        sequence: Set(current.event.sequence + i32::from(!noticed.is_empty())),
        lottery_seed: Set(lottery_seed),
        ..active_from(&valid, refs.slug.clone(), now)
    })
    .exec(&txn)
    .await?;
    sync_children(&txn, id, &valid, &refs, Some(&current)).await?;
    record(&txn, actor, &model, "event.update", changes, now).await?;
    rsvp::after_event_change(&txn, &model, &noticed, moved, policy, now).await?;
    let details = reload(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(details)
}

/// Makes a draft visible to the public. It needs a place (venue or online link) and must not
/// have ended.
pub async fn publish(
    db: &DatabaseConnection,
    actor: &Actor,
    id: EventId,
    now: DateTime<Utc>,
) -> Result<EventDetails> {
    let txn = db.begin().await?;
    super::lock(&txn, id).await?;
    let (current, _) = get(&txn, actor, id, Permission::ManageEvents).await?;
    ensure_editable(&current.event)?;
    if current.event.status == EventStatus::Published {
        return Err(Conflict::AlreadyPublished.into());
    }
    check_publishable(
        current.event.venue_id.is_some() || current.event.online_url.is_some(),
        current.event.ends_at,
        now,
    )?;
    let model = event::Entity::update(event::ActiveModel {
        id: Set(id),
        status: Set(EventStatus::Published),
        published_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    record(&txn, actor, &model, "event.publish", json!({"status": ["draft", "published"]}), now).await?;
    let details = reload(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(details)
}

/// Cancels an event for good. Cancelling twice is fine.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    id: EventId,
    now: DateTime<Utc>,
) -> Result<EventDetails> {
    let txn = db.begin().await?;
    super::lock(&txn, id).await?;
    let (current, _) = get(&txn, actor, id, Permission::ManageEvents).await?;
    if current.event.status == EventStatus::Cancelled {
        return Ok(current);
    }
    if current.event.archived_at.is_some() {
        return Err(Conflict::EventArchived.into());
    }
    let before = current.event.status;
    let model = event::Entity::update(event::ActiveModel {
        id: Set(id),
        status: Set(EventStatus::Cancelled),
        cancelled_at: Set(Some(now)),
        sequence: Set(current.event.sequence + 1),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    record(&txn, actor, &model, "event.cancel", json!({"status": [before, "cancelled"]}), now).await?;
    rsvp::after_event_cancelled(&txn, &model, now).await?;
    let details = reload(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(details)
}

/// Archives (hides from lists) or restores an event.
pub async fn set_archived(
    db: &DatabaseConnection,
    actor: &Actor,
    id: EventId,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<EventDetails> {
    let txn = db.begin().await?;
    super::lock(&txn, id).await?;
    let (current, _) = get(&txn, actor, id, Permission::ManageEvents).await?;
    if current.event.archived_at.is_some() == archived {
        return Ok(current);
    }
    let model = event::Entity::update(event::ActiveModel {
        id: Set(id),
        archived_at: Set(archived.then_some(now)),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let action = if archived { "event.archive" } else { "event.restore" };
    record(&txn, actor, &model, action, json!({}), now).await?;
    let details = reload(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(details)
}

/// A published event needs a place (a venue or an online link) and must not have ended; the
/// same holds for changes to an event already published.
fn check_publishable(has_place: bool, ends_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    let mut errors = ValidationErrors::new();
    if !has_place {
        errors.add("venue_id", "required_to_publish", "a published event needs a venue or an online URL");
    }
    if ends_at <= now {
        errors.add("ends_at", "in_the_past", "a published event cannot end in the past");
    }
    errors.into_result()
}

fn ensure_editable(event: &event::Model) -> Result<()> {
    if event.status == EventStatus::Cancelled {
        return Err(Conflict::EventCancelled.into());
    }
    if event.archived_at.is_some() {
        return Err(Conflict::EventArchived.into());
    }
    Ok(())
}

async fn reload(txn: &DatabaseTransaction, actor: &Actor, id: EventId) -> Result<EventDetails> {
    Ok(get(txn, actor, id, Permission::ViewNetwork).await?.0)
}

/// Records a change to an event in the audit log of its host and of every co-host: each
/// network sees what was done to the events it shares.
/// Writes an audit entry about the event in the log of every network hosting it.
pub(crate) async fn record(
    txn: &DatabaseTransaction,
    actor: &Actor,
    model: &event::Model,
    action: &str,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    record_about(txn, actor, model, model.id.uuid(), action, summary, now).await
}

/// Like `record`, about something of the event's (an RSVP): `subject` names it, so its own
/// history can find the entry.
pub(crate) async fn record_about(
    txn: &DatabaseTransaction,
    actor: &Actor,
    model: &event::Model,
    subject: uuid::Uuid,
    action: &str,
    summary: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<()> {
    let cohosts =
        event_cohost::Entity::find().filter(event_cohost::Column::EventId.eq(model.id)).all(txn).await?;
    for network_id in std::iter::once(model.network_id).chain(cohosts.into_iter().map(|c| c.network_id)) {
        let change = Change {
            network_id,
            author: actor.into(),
            action,
            subject_id: subject,
            summary: summary.clone(),
        };
        audit::record(txn, change, now).await?;
    }
    Ok(())
}

/// The columns a draft sets; status, timestamps of the lifecycle and the id are the caller's.
fn active_from(valid: &ValidDraft, slug: Slug, now: DateTime<Utc>) -> event::ActiveModel {
    event::ActiveModel {
        id: NotSet,
        series_id: Set(valid.series_id),
        edition: Set(valid.edition),
        slug: Set(slug.to_string()),
        title: Set(valid.title.clone()),
        theme: Set(valid.theme.clone()),
        description_md: Set(valid.description.clone()),
        starts_at: Set(valid.starts_at),
        ends_at: Set(valid.ends_at),
        time_zone: Set(valid.time_zone.clone()),
        venue_id: Set(valid.venue_id),
        online_url: Set(valid.online_url.clone()),
        seats: Set(valid.seats),
        rsvp_mode: Set(valid.rsvp_mode),
        lottery_draw_at: Set(valid.lottery_draw_at),
        hold_minutes: Set(valid.hold_minutes),
        confirmation_required: Set(valid.confirmation_required),
        waitlist_enabled: Set(valid.waitlist_enabled),
        auto_promote: Set(valid.auto_promote),
        questions: Set(Some(valid.questions.clone())),
        name_reading: Set(valid.name_reading),
        max_guests: Set(valid.max_guests),
        remind_hours: Set(valid.remind_hours),
        door_fee: Set(valid.door_fee),
        door_fee_currency: Set(valid.door_fee_currency.to_owned()),
        rsvp_opens_at: Set(valid.rsvp_opens_at),
        rsvp_deadline: Set(valid.rsvp_deadline),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// The draft an existing event would be described by.
pub fn draft_of(details: &EventDetails) -> EventDraft {
    let e = &details.event;
    EventDraft {
        slug: Some(e.slug.clone()),
        title: e.title.clone(),
        theme: e.theme.clone(),
        description: e.description_md.clone(),
        starts_at: e.starts_at,
        ends_at: e.ends_at,
        time_zone: Some(e.time_zone.clone()),
        venue_id: e.venue_id,
        online_url: e.online_url.clone(),
        seats: e.seats.into(),
        slots: details
            .slots
            .iter()
            .map(|s| SlotDraft {
                id: Some(s.id),
                name: s.name.clone(),
                seats: s.seats.into(),
                door_fee: s.door_fee.map(i64::from),
            })
            .collect(),
        rsvp_mode: e.rsvp_mode,
        lottery_draw_at: e.lottery_draw_at,
        hold_minutes: e.hold_minutes.into(),
        confirmation_required: e.confirmation_required,
        waitlist_enabled: e.waitlist_enabled,
        auto_promote: e.auto_promote,
        questions: e.questions.clone().unwrap_or_default().0.into_iter().map(QuestionDraft::from).collect(),
        name_reading: e.name_reading,
        max_guests: e.max_guests.into(),
        remind_hours: e.remind_hours.map(i64::from),
        door_fee: e.door_fee.map(i64::from),
        door_fee_currency: Some(e.door_fee_currency.clone()),
        rsvp_opens_at: e.rsvp_opens_at,
        rsvp_deadline: e.rsvp_deadline,
        series_id: e.series_id,
        edition: e.edition.map(i64::from),
        cohosts: details.cohosts.iter().map(|n| n.slug.clone()).collect(),
        organizers: {
            let mut ids: Vec<_> = details.organizers.iter().map(|p| p.id).collect();
            ids.sort();
            ids
        },
    }
}

/// An event copied as its series' next edition (or as a new event, outside a series), to be
/// checked and published: the same weekday and hours, moved on by whole weeks until it is at
/// least a week ahead, its opening, deadline and lottery draw moved with it; a new address.
pub fn next_edition_draft(
    details: &EventDetails,
    next_edition: Option<i32>,
    now: DateTime<Utc>,
) -> EventDraft {
    let mut draft = draft_of(details);
    let e = &details.event;
    let mut shift = chrono::Duration::zero();
    while e.starts_at + shift < now + chrono::Duration::weeks(1) {
        shift += chrono::Duration::weeks(1);
    }
    if shift.is_zero() {
        shift = chrono::Duration::weeks(1);
    }
    let moved = |at: Option<DateTime<Utc>>| at.map(|at| at + shift);
    draft.slug = None;
    draft.starts_at = e.starts_at + shift;
    draft.ends_at = e.ends_at + shift;
    draft.rsvp_opens_at = moved(e.rsvp_opens_at);
    draft.rsvp_deadline = moved(e.rsvp_deadline);
    draft.lottery_draw_at = moved(e.lottery_draw_at);
    draft.edition = next_edition.map(i64::from);
    // The same slots, as new ones.
    for slot in &mut draft.slots {
        slot.id = None;
    }
    draft
}

/// Writes slots, co-hosts and organizers to match the draft.
async fn sync_children(
    txn: &DatabaseTransaction,
    event_id: EventId,
    valid: &ValidDraft,
    refs: &References,
    current: Option<&EventDetails>,
) -> Result<()> {
    let kept: Vec<SlotId> = valid.slots.iter().filter_map(|s| s.id).collect();
    event_slot::Entity::delete_many()
        .filter(event_slot::Column::EventId.eq(event_id))
        .filter(event_slot::Column::Id.is_not_in(kept))
        .exec(txn)
        .await?;
    for (position, slot) in valid.slots.iter().enumerate() {
        let row = event_slot::ActiveModel {
            id: Set(slot.id.unwrap_or_default()),
            event_id: Set(event_id),
            position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
            name: Set(slot.name.clone()),
            seats: Set(slot.seats),
            door_fee: Set(slot.door_fee),
        };
        if slot.id.is_some() {
            event_slot::Entity::update(row).exec(txn).await?;
        } else {
            event_slot::Entity::insert(row).exec_without_returning(txn).await?;
        }
    }

    let old_cohosts: Vec<NetworkId> =
        current.map(|c| c.cohosts.iter().map(|n| n.id).collect()).unwrap_or_default();
    if old_cohosts != refs.cohosts {
        event_cohost::Entity::delete_many()
            .filter(event_cohost::Column::EventId.eq(event_id))
            .exec(txn)
            .await?;
        if !refs.cohosts.is_empty() {
            event_cohost::Entity::insert_many(refs.cohosts.iter().map(|&network_id| {
                event_cohost::ActiveModel { event_id: Set(event_id), network_id: Set(network_id) }
            }))
            .exec_without_returning(txn)
            .await?;
        }
    }

    let mut old_organizers: Vec<_> =
        current.map(|c| c.organizers.iter().map(|p| p.id).collect()).unwrap_or_default();
    old_organizers.sort();
    if old_organizers != valid.organizers {
        event_organizer::Entity::delete_many()
            .filter(event_organizer::Column::EventId.eq(event_id))
            .exec(txn)
            .await?;
        if !valid.organizers.is_empty() {
            event_organizer::Entity::insert_many(valid.organizers.iter().map(|&person_id| {
                event_organizer::ActiveModel { event_id: Set(event_id), person_id: Set(person_id) }
            }))
            .exec_without_returning(txn)
            .await?;
        }
    }
    Ok(())
}
