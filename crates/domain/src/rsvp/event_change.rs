//! What a change to an event does to its RSVPs: seats cannot be cut below those taken, a slot
//! with RSVPs stays, seats added go to the waitlist, and attendees hear of changes and of a
//! cancellation.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect, sea_query::Expr};
use serde_json::json;

use super::{Policy, RsvpStatus, fill_freed_seats, seats_of};
use crate::{
    entity::{event, rsvp},
    error::{Conflict, Result},
    event::{EventDetails, EventStatus, draft::ValidDraft},
    ids::RsvpId,
    outbox::{self, MessageKind},
};

/// Refuses a change that would cut seats below those taken or remove a slot that has RSVPs.
pub(crate) async fn check_seat_change(
    txn: &DatabaseTransaction,
    current: &EventDetails,
    valid: &ValidDraft,
) -> Result<()> {
    let kept: HashMap<_, _> = valid.slots.iter().filter_map(|s| s.id.map(|id| (id, s.seats))).collect();
    for slot in current.slots.iter().filter(|s| !kept.contains_key(&s.id)) {
        let used = rsvp::Entity::find().filter(rsvp::Column::SlotId.eq(slot.id)).one(txn).await?.is_some();
        if used {
            return Err(Conflict::SlotInUse(slot.name.clone()).into());
        }
    }
    let seats = seats_of(txn, &current.event).await?;
    if !seats.can_resize(valid.seats, &kept) {
        return Err(Conflict::SeatsBelowTaken { taken: seats.taken() }.into());
    }
    Ok(())
}

/// The RSVPs to tell about the event: those still in it whose address is confirmed.
async fn audience(txn: &DatabaseTransaction, event: &event::Model) -> Result<Vec<RsvpId>> {
    Ok(rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::Id)
        .filter(rsvp::Column::EventId.eq(event.id))
        .filter(rsvp::Column::Status.is_in([
            RsvpStatus::Confirmed,
            RsvpStatus::Holding,
            RsvpStatus::Waitlisted,
            RsvpStatus::Offered,
            RsvpStatus::Entered,
            RsvpStatus::Pending,
        ]))
        .filter(rsvp::Column::Verified.eq(true))
        .into_tuple()
        .all(txn)
        .await?)
}

/// After an event changed: tell attendees what changed (`noticed` names the fields), reminders
/// again when it `moved`, and give any seats added to the waitlist.
pub(crate) async fn after_event_change(
    txn: &DatabaseTransaction,
    event: &event::Model,
    noticed: &[&str],
    moved: bool,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<()> {
    if moved {
        // A new date deserves its own reminder.
        rsvp::Entity::update_many()
            .col_expr(rsvp::Column::RemindedAt, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(rsvp::Column::EventId.eq(event.id))
            .exec(txn)
            .await?;
    }
    if event.status != EventStatus::Published {
        return Ok(());
    }
    if !noticed.is_empty() {
        let details = json!({ "changes": noticed });
        for id in audience(txn, event).await? {
            outbox::enqueue(txn, MessageKind::EventChanged, event.id, Some(id), Some(details.clone()), now)
                .await?;
        }
    }
    fill_freed_seats(txn, event, policy, now).await
}

/// After an event was cancelled: everyone in it hears, with an `.ics` that removes it.
pub(crate) async fn after_event_cancelled(
    txn: &DatabaseTransaction,
    event: &event::Model,
    now: DateTime<Utc>,
) -> Result<()> {
    for id in audience(txn, event).await? {
        outbox::enqueue(txn, MessageKind::EventCancelled, event.id, Some(id), None, now).await?;
    }
    Ok(())
}
