//! The RSVP form: one use case from a submitted form to a seat held (or given, or a place on the
//! waitlist) and the email that says so.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};

use super::{RsvpStatus, SHORT_CODE_LEN, seats_of, short_code, waitlist_position};
use crate::{
    capacity::Seats,
    entity::{event, rsvp},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::{EventStatus, NameReading, RsvpMode},
    ids::{RsvpId, SlotId},
    outbox::{self, MessageKind},
    values::{self, Email, Language, Slug},
};

pub const NAME_MAX: usize = 100;

/// What the attendee typed.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub name: String,
    pub name_reading: String,
    pub email: String,
    /// Needed when the event has more than one slot.
    pub slot: Option<SlotId>,
    pub guests: i64,
    pub language: Language,
    /// Appear in the event's "who's going" list.
    pub show_in_list: bool,
}

/// What happened, for the "check your inbox" page.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub rsvp: rsvp::Model,
    /// The email already had an RSVP for this event: its link went out again.
    pub again: bool,
    pub waitlist_position: Option<u64>,
}

struct Checked {
    name: String,
    name_reading: Option<String>,
    email: Email,
    guests: i32,
}

fn check(form: &Form, event: &event::Model) -> Result<Checked> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", values::text(&form.name, NAME_MAX));
    let name_reading = match event.name_reading {
        NameReading::Hidden => Some(None),
        NameReading::Optional => {
            errors.check("name_reading", values::optional_text(&form.name_reading, NAME_MAX))
        }
        NameReading::Required => {
            errors.check("name_reading", values::text(&form.name_reading, NAME_MAX)).map(Some)
        }
    };
    let email = errors.check("email", Email::parse(&form.email));
    let guests = errors.check("guests", values::count(form.guests, 0, i64::from(event.max_guests)));
    errors.into_result()?;
    match (name, name_reading, email, guests) {
        (Some(name), Some(name_reading), Some(email), Some(guests)) => {
            Ok(Checked { name, name_reading, email, guests })
        }
        _ => Err(Error::Unexpected(anyhow::anyhow!("a checked field has no value"))),
    }
}

/// Whether the event takes RSVPs at `now`.
pub fn ensure_open(event: &event::Model, now: DateTime<Utc>) -> Result<()> {
    match event.status {
        EventStatus::Published if event.archived_at.is_none() => {}
        EventStatus::Cancelled => return Err(Conflict::EventCancelled.into()),
        _ => return Err(Error::NotFound(Resource::Event)),
    }
    if event.rsvp_mode != RsvpMode::FirstCome {
        return Err(Conflict::RsvpModeUnavailable.into());
    }
    if let Some(opens) = event.rsvp_opens_at.filter(|&opens| now < opens) {
        return Err(Conflict::RsvpNotOpen(opens).into());
    }
    let closes = event.rsvp_deadline.map_or(event.starts_at, |deadline| deadline.min(event.starts_at));
    if now >= closes {
        return Err(Conflict::RsvpClosed.into());
    }
    Ok(())
}

/// Registers `form` for the event at `slug`. RSVPing again with the same email re-sends the
/// email its status calls for and changes nothing else; after a cancellation or an expiry it
/// starts over.
pub async fn submit(
    db: &DatabaseConnection,
    slug: &str,
    form: Form,
    now: DateTime<Utc>,
) -> Result<Submitted> {
    let slug = Slug::parse(slug).map_err(|_| Error::NotFound(Resource::Event))?;
    let txn = db.begin().await?;
    let event = event::Entity::find()
        .filter(event::Column::Slug.eq(slug.as_str()))
        .filter(event::Column::PublishedAt.is_not_null())
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound(Resource::Event))?;
    ensure_open(&event, now)?;
    let checked = check(&form, &event)?;
    let seats = seats_of(&txn, &event).await?;
    let slot = choose_slot(&seats, form.slot)?;

    // The address's earlier RSVP, and whether a fresh door code is free, in one query.
    let code = short_code();
    let found: Vec<rsvp::Model> = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(event.id))
        .filter(
            Condition::any()
                .add(rsvp::Column::Email.eq(checked.email.as_str()))
                .add(rsvp::Column::ShortCode.eq(code.as_str())),
        )
        .all(&txn)
        .await?;
    let earlier = found.iter().find(|r| r.email.as_deref() == Some(checked.email.as_str())).cloned();
    if let Some(earlier) = earlier.as_ref().filter(|r| r.status.is_active()) {
        let kind = resend_kind(earlier);
        outbox::enqueue(&txn, kind, event.id, Some(earlier.id), None, now).await?;
        let position = match earlier.status {
            RsvpStatus::Waitlisted => Some(waitlist_position(&txn, earlier).await?),
            _ => None,
        };
        txn.commit().await?;
        return Ok(Submitted { rsvp: earlier.clone(), again: true, waitlist_position: position });
    }
    let code =
        if found.iter().any(|r| r.short_code == code) { unused_code(&txn, &event).await? } else { code };

    let party = 1 + checked.guests;
    let (status, verified) = if seats.fits(slot, party) {
        if event.confirmation_required { (RsvpStatus::Holding, false) } else { (RsvpStatus::Confirmed, true) }
    } else if event.waitlist_enabled {
        (RsvpStatus::Waitlisted, !event.confirmation_required)
    } else {
        return Err(Conflict::EventFull.into());
    };
    // Unconfirmed entries (holds, and waitlist places awaiting the email) lapse after the window.
    let hold_expires_at = (!verified)
        .then(|| (now + chrono::Duration::minutes(i64::from(event.hold_minutes))).min(event.starts_at));
    let row = rsvp::ActiveModel {
        id: Set(earlier.as_ref().map_or_else(RsvpId::new, |r| r.id)),
        event_id: Set(event.id),
        slot_id: Set(slot),
        email: Set(Some(checked.email.as_str().to_owned())),
        name: Set(checked.name),
        name_reading: Set(checked.name_reading),
        language: Set(form.language),
        guests: Set(checked.guests),
        status: Set(status),
        verified: Set(verified),
        show_in_list: Set(form.show_in_list),
        short_code: Set(earlier.as_ref().map_or(code, |r| r.short_code.clone())),
        link_version: Set(earlier.as_ref().map_or(0, |r| r.link_version)),
        ticket_version: Set(earlier.as_ref().map_or(0, |r| r.ticket_version)),
        queued_at: Set(now),
        hold_expires_at: Set(hold_expires_at),
        offer_expires_at: Set(None),
        confirmed_at: Set((status == RsvpStatus::Confirmed).then_some(now)),
        reminded_at: Set(None),
        cancelled_at: Set(None),
        erased_at: Set(None),
        created_at: Set(earlier.as_ref().map_or(now, |r| r.created_at)),
        updated_at: Set(now),
    };
    let rsvp = if earlier.is_some() {
        rsvp::Entity::update(row).exec(&txn).await?
    } else {
        rsvp::Entity::insert(row).exec_with_returning(&txn).await?
    };
    let kind = match (status, verified) {
        (RsvpStatus::Confirmed, _) => MessageKind::Confirmed,
        (RsvpStatus::Waitlisted, true) => MessageKind::Waitlisted,
        _ => MessageKind::ConfirmRsvp,
    };
    outbox::enqueue(&txn, kind, event.id, Some(rsvp.id), None, now).await?;
    let position = match status {
        RsvpStatus::Waitlisted => Some(waitlist_position(&txn, &rsvp).await?),
        _ => None,
    };
    txn.commit().await?;
    Ok(Submitted { rsvp, again: false, waitlist_position: position })
}

/// The email an active RSVP's status calls for when its attendee asks again.
fn resend_kind(r: &rsvp::Model) -> MessageKind {
    match r.status {
        _ if !r.verified => MessageKind::ConfirmRsvp,
        RsvpStatus::Confirmed => MessageKind::Confirmed,
        RsvpStatus::Offered => MessageKind::Offered,
        _ => MessageKind::Waitlisted,
    }
}

fn choose_slot(seats: &Seats, chosen: Option<SlotId>) -> Result<SlotId> {
    let mut slots = seats.slots.keys().copied();
    match chosen {
        Some(slot) if seats.slots.contains_key(&slot) => Ok(slot),
        Some(_) => {
            Err(ValidationErrors::single("slot", "unknown_slot", "is not a slot of this event").into())
        }
        None => match (slots.next(), slots.next()) {
            (Some(only), None) => Ok(only),
            _ => Err(ValidationErrors::single("slot", "required", "choose one of the event's slots").into()),
        },
    }
}

/// A door code nobody at this event has yet (the first random one collided).
async fn unused_code(txn: &sea_orm::DatabaseTransaction, event: &event::Model) -> Result<String> {
    for _ in 0..8 {
        let code = short_code();
        let taken = rsvp::Entity::find()
            .filter(rsvp::Column::EventId.eq(event.id))
            .filter(rsvp::Column::ShortCode.eq(code.as_str()))
            .one(txn)
            .await?
            .is_some();
        if !taken {
            debug_assert_eq!(code.len(), SHORT_CODE_LEN);
            return Ok(code);
        }
    }
    Err(Error::Unexpected(anyhow::anyhow!("no free door code after 8 tries")))
}
