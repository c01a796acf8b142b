//! Walk-ins: someone arrives without an RSVP. If a seat is free, door staff register them (a
//! name, optionally an email and guests) and they are in at once. The seat check runs under the
//! event's lock like every other (DESIGN invariant 1); with an address, they get their ticket by
//! email too (and, later, the survey).

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};

use super::{Fees, Outcome, Party, ScanResult, at_door_with};
use crate::{
    entity::{check_in, door_pass, rsvp},
    error::{Conflict, Error, Result, ValidationErrors},
    ids::{CheckInId, RsvpId, SlotId},
    outbox::{self, MessageKind},
    rsvp::{NAME_MAX, RsvpStatus, seats_of, short_code},
    values::{self, Email, Language},
};

/// What door staff type for a walk-in.
#[derive(Clone, Debug, Default)]
pub struct WalkIn {
    pub name: String,
    pub name_reading: String,
    pub email: String,
    pub guests: i64,
    /// Needed when the event has more than one slot.
    pub slot: Option<SlotId>,
    pub language: Language,
}

/// Registers a walk-in at `pass`'s event and checks them in.
pub async fn walk_in(
    db: &DatabaseConnection,
    pass: &door_pass::Model,
    form: WalkIn,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    if pass.scan_only {
        return Err(Error::Forbidden("a scan-only pass cannot register walk-ins"));
    }
    if now < pass.valid_from || now > pass.valid_until {
        return Err(Conflict::DoorClosed.into());
    }
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", values::text(&form.name, NAME_MAX));
    let reading = errors.check("name_reading", values::optional_text(&form.name_reading, NAME_MAX));
    let email = match form.email.trim() {
        "" => Some(None),
        raw => errors.check("email", Email::parse(raw)).map(Some),
    };
    let txn = db.begin().await?;
    let e = crate::event::lock(&txn, pass.event_id).await?;
    let guests = errors.check("guests", values::count(form.guests, 0, i64::from(e.max_guests)));
    let mut seats = seats_of(&txn, &e).await?;
    let slot = match form.slot {
        Some(slot) if seats.slots.contains_key(&slot) => Some(slot),
        Some(_) => {
            errors.add("slot", "unknown_slot", "is not a slot of this event");
            None
        }
        None if seats.slots.len() == 1 => seats.slots.keys().next().copied(),
        None => {
            errors.add("slot", "required", "choose one of the event's slots");
            None
        }
    };
    errors.into_result()?;
    let (Some(name), Some(name_reading), Some(email), Some(guests), Some(slot)) =
        (name, reading, email, guests, slot)
    else {
        return Err(Error::Unexpected(anyhow::anyhow!("a checked field has no value")));
    };
    if let Some(email) = &email {
        let known = rsvp::Entity::find()
            .filter(rsvp::Column::EventId.eq(e.id))
            .filter(rsvp::Column::Email.eq(email.as_str()))
            .one(&txn)
            .await?;
        if known.is_some() {
            let message = "this address already has an RSVP for the event: find it by search";
            return Err(ValidationErrors::single("email", "registered", message).into());
        }
    }
    if !seats.take(slot, 1 + guests) {
        return Err(Conflict::NotEnoughSeats.into());
    }
    let r = rsvp::Model {
        id: RsvpId::new(),
        event_id: e.id,
        slot_id: slot,
        email: email.map(|e| e.as_str().to_owned()),
        name,
        name_reading,
        language: form.language,
        guests,
        status: RsvpStatus::Confirmed,
        verified: true,
        show_in_list: false,
        short_code: short_code(),
        link_version: 0,
        ticket_version: 0,
        queued_at: now,
        hold_expires_at: None,
        offer_expires_at: None,
        confirmed_at: Some(now),
        // At the door: no reminder is owed.
        reminded_at: Some(now),
        cancelled_at: None,
        erased_at: None,
        created_at: now,
        updated_at: now,
        checked_in: 1 + guests,
        answers: None,
    };
    // A door code that collides (or an address already registered) meets the unique indexes:
    // the error says to try again, and nothing is written.
    rsvp::Entity::insert(rsvp::ActiveModel::from(r.clone())).exec_without_returning(&txn).await?;
    let check_in_id = CheckInId::new();
    check_in::Entity::insert(check_in::ActiveModel {
        id: Set(check_in_id),
        event_id: Set(e.id),
        rsvp_id: Set(r.id),
        pass_id: Set(Some(pass.id)),
        gate: Set(pass.label.clone()),
        people: Set(1 + guests),
        nonce: Set(None),
        scanned_at: Set(now),
        recorded_at: Set(now),
        undone_at: Set(None),
        fee_paid: Set(None),
        fee_paid_at: Set(None),
        duplicate_of: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    if r.email.is_some() {
        outbox::enqueue(&txn, MessageKind::Confirmed, e.id, Some(r.id), None, now).await?;
    }
    let (slots, fees) = Fees::of_event(&txn, e.id).await?;
    let fee = fees.due(r.slot_id, r.party(), false);
    txn.commit().await?;
    Ok(Outcome {
        result: ScanResult::Ok,
        attendee: Some(at_door_with(&slots, &Party::from(&r))),
        check_in: Some(check_in_id),
        first: None,
        fee,
    })
}
