//! What organizers do to one RSVP: approve or decline a request, offer a freed seat by hand,
//! move it to another slot, cancel it on the attendee's behalf. Each runs under the event's row
//! lock (invariant 1), writes the email it owes (invariant 4) and an audit entry in every hosting
//! network. Door staff and other networks' organizers get 404, as if the RSVP did not exist.
//! Repeating a decision that already took effect changes nothing.

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DatabaseTransaction, EntityTrait, Set, TransactionTrait};
use serde_json::json;

use super::{Policy, RsvpStatus, actions::update, fill_freed_seats, seats_of};
use crate::{
    access::{Actor, Permission},
    entity::{event as event_row, event_slot, rsvp},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::{self, EventStatus},
    ids::{EventId, RsvpId, SlotId},
    outbox::{self, MessageKind},
    values,
};

/// The longest note organizers may add when they decline a request.
pub const NOTE_MAX: usize = 1000;

/// One organizer decision on an RSVP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Give a request for approval its seat.
    Approve,
    /// Decline a request for approval, with an optional note for the attendee.
    Reject { note: String },
    /// Offer a seat to a place on the waitlist (when promotion is by hand).
    Offer,
    /// Move to another slot of the event.
    Move { slot: SlotId },
    /// Cancel on the attendee's behalf (they asked by email, or cannot come).
    Cancel,
}

impl Decision {
    fn action(&self) -> &'static str {
        match self {
            Decision::Approve => "rsvp.approve",
            Decision::Reject { .. } => "rsvp.reject",
            Decision::Offer => "rsvp.offer",
            Decision::Move { .. } => "rsvp.move",
            Decision::Cancel => "rsvp.cancel",
        }
    }
}

/// Carries out `decision` on the RSVP `id` for `actor`, who must manage its event.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    id: RsvpId,
    decision: Decision,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    decide_within(db, actor, None, id, decision, policy, now).await
}

/// `decide`, for an RSVP of `event_id` only (a page of that event): another event's RSVP is
/// not found, and nothing is done to it.
pub async fn decide_in_event(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    id: RsvpId,
    decision: Decision,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    decide_within(db, actor, Some(event_id), id, decision, policy, now).await
}

async fn decide_within(
    db: &DatabaseConnection,
    actor: &Actor,
    expected_event: Option<EventId>,
    id: RsvpId,
    decision: Decision,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    let txn = db.begin().await?;
    let event_id =
        rsvp::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound(Resource::Rsvp))?.event_id;
    if expected_event.is_some_and(|expected| expected != event_id) {
        return Err(Error::NotFound(Resource::Rsvp));
    }
    event::get(&txn, actor, event_id, Permission::ManageEvents)
        .await
        .map_err(|_| Error::NotFound(Resource::Rsvp))?;
    let e = event::lock(&txn, event_id).await?;
    // Read again under the lock.
    let r = rsvp::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound(Resource::Rsvp))?;
    let before = (r.status, r.slot_id);
    let changed = match &decision {
        Decision::Approve => approve(&txn, &e, r, now).await?,
        Decision::Reject { note } => reject(&txn, r, note, now).await?,
        Decision::Offer => offer(&txn, &e, r, policy, now).await?,
        Decision::Move { slot } => move_to(&txn, &e, r, *slot, policy, now).await?,
        Decision::Cancel => super::actions::cancel(&txn, &e, r, true, policy, now).await?,
    };
    if (changed.status, changed.slot_id) != before {
        let mut summary = json!({ "event": e.id, "status": [before.0, changed.status] });
        if changed.slot_id != before.1 {
            summary["slot_id"] = json!([before.1, changed.slot_id]);
        }
        if let Decision::Reject { note } = &decision
            && !note.trim().is_empty()
        {
            summary["note"] = json!(note.trim());
        }
        event::edit::record_about(&txn, actor, &e, id.uuid(), decision.action(), summary, now).await?;
    }
    txn.commit().await?;
    Ok(changed)
}

fn ensure_open_event(e: &event_row::Model, now: DateTime<Utc>) -> Result<()> {
    match e.status {
        EventStatus::Cancelled => Err(Conflict::EventCancelled.into()),
        EventStatus::Draft => Err(Conflict::NotPublished.into()),
        EventStatus::Published if now >= e.ends_at => Err(Conflict::RsvpClosed.into()),
        EventStatus::Published => Ok(()),
    }
}

async fn approve(
    txn: &DatabaseTransaction,
    e: &event_row::Model,
    r: rsvp::Model,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    match r.status {
        // Approved already (a second click): nothing to do.
        RsvpStatus::Confirmed => return Ok(r),
        RsvpStatus::Pending if !r.verified => return Err(Conflict::EmailUnconfirmed.into()),
        RsvpStatus::Pending => {}
        _ => return Err(Conflict::NotPending.into()),
    }
    ensure_open_event(e, now)?;
    if !seats_of(txn, e).await?.fits(r.slot_id, r.party()) {
        return Err(Conflict::NotEnoughSeats.into());
    }
    let changed = update(
        txn,
        r.clone(),
        |m| {
            m.status = Set(RsvpStatus::Confirmed);
            m.confirmed_at = Set(Some(now));
            m.hold_expires_at = Set(None);
        },
        now,
    )
    .await?;
    outbox::enqueue(txn, MessageKind::Approved, e.id, Some(r.id), None, now).await?;
    Ok(changed)
}

async fn reject(
    txn: &DatabaseTransaction,
    r: rsvp::Model,
    note: &str,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    let note = values::optional_text(note, NOTE_MAX)
        .map_err(|invalid| ValidationErrors::single("note", invalid.code, invalid.message))?;
    match r.status {
        RsvpStatus::Rejected => return Ok(r),
        RsvpStatus::Pending => {}
        _ => return Err(Conflict::NotPending.into()),
    }
    let changed = update(
        txn,
        r.clone(),
        |m| {
            m.status = Set(RsvpStatus::Rejected);
            m.hold_expires_at = Set(None);
            m.show_in_list = Set(false);
        },
        now,
    )
    .await?;
    // Someone who never confirmed their address gets no email from it.
    if r.verified {
        let details = note.map(|note| json!({ "note": note }));
        outbox::enqueue(txn, MessageKind::Rejected, r.event_id, Some(r.id), details, now).await?;
    }
    Ok(changed)
}

async fn offer(
    txn: &DatabaseTransaction,
    e: &event_row::Model,
    r: rsvp::Model,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    match r.status {
        RsvpStatus::Offered => return Ok(r),
        RsvpStatus::Waitlisted if !r.verified => return Err(Conflict::EmailUnconfirmed.into()),
        RsvpStatus::Waitlisted => {}
        _ => return Err(Conflict::NotWaitlisted.into()),
    }
    ensure_open_event(e, now)?;
    if now >= e.starts_at {
        return Err(Conflict::RsvpClosed.into());
    }
    if !seats_of(txn, e).await?.fits(r.slot_id, r.party()) {
        return Err(Conflict::NotEnoughSeats.into());
    }
    let until = std::cmp::min(now + policy.offer_for, e.starts_at);
    let changed = update(
        txn,
        r.clone(),
        |m| {
            m.status = Set(RsvpStatus::Offered);
            m.offer_expires_at = Set(Some(until));
        },
        now,
    )
    .await?;
    outbox::enqueue(txn, MessageKind::Offered, e.id, Some(r.id), None, now).await?;
    Ok(changed)
}

async fn move_to(
    txn: &DatabaseTransaction,
    e: &event_row::Model,
    r: rsvp::Model,
    slot: SlotId,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    let known = event_slot::Entity::find_by_id(slot).one(txn).await?.is_some_and(|s| s.event_id == e.id);
    if !known {
        return Err(ValidationErrors::single("slot_id", "unknown_slot", "is not a slot of this event").into());
    }
    if r.slot_id == slot {
        return Ok(r);
    }
    match r.status {
        RsvpStatus::Cancelled => return Err(Conflict::RsvpCancelled.into()),
        RsvpStatus::Expired => return Err(Conflict::RsvpExpired.into()),
        RsvpStatus::Rejected => return Err(Conflict::RsvpRejected.into()),
        RsvpStatus::NotSelected => return Err(Conflict::RsvpNotSelected.into()),
        _ => {}
    }
    ensure_open_event(e, now)?;
    let holds_seats = r.status.takes_seats();
    if holds_seats {
        let mut seats = seats_of(txn, e).await?;
        seats.release(r.slot_id, r.party());
        if !seats.fits(slot, r.party()) {
            return Err(Conflict::NotEnoughSeats.into());
        }
    }
    let changed = update(txn, r.clone(), |m| m.slot_id = Set(slot), now).await?;
    if changed.status == RsvpStatus::Confirmed {
        outbox::enqueue(txn, MessageKind::SlotChanged, e.id, Some(r.id), None, now).await?;
    }
    // The seats left behind go to the old slot's waitlist, and a waiting party may now fit
    // where it was moved.
    fill_freed_seats(txn, e, policy, now).await?;
    Ok(rsvp::Entity::find_by_id(changed.id).one(txn).await?.unwrap_or(changed))
}
