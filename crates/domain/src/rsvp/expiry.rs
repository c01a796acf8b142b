//! Work that falls due with time, found in the database so it survives restarts and runs safely
//! on several instances at once: holds, offers and unconfirmed waitlist places that ran out, and
//! reminders before events. The scheduler in `serve` calls these with the injectable clock.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait, sea_query::Expr,
};

use super::{Policy, RsvpStatus, fill_freed_seats};
use crate::{
    entity::{event, rsvp},
    error::Result,
    event::{EventStatus, draft::REMIND_HOURS_MAX},
    ids::EventId,
    outbox::{self, MessageKind},
};

fn lapsed(now: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(
            Condition::all()
                .add(rsvp::Column::Status.is_in([
                    RsvpStatus::Holding,
                    RsvpStatus::Waitlisted,
                    RsvpStatus::Entered,
                    RsvpStatus::Pending,
                ]))
                .add(rsvp::Column::Verified.eq(false))
                .add(rsvp::Column::HoldExpiresAt.lte(now)),
        )
        .add(
            Condition::all()
                .add(rsvp::Column::Status.eq(RsvpStatus::Offered))
                .add(rsvp::Column::OfferExpiresAt.lte(now)),
        )
}

/// Expires what ran out by `now`, one event per transaction, and gives the freed seats to the
/// waitlist in that same transaction. Returns how many RSVPs expired.
pub async fn expire_due(
    db: &DatabaseConnection,
    reader: &impl ConnectionTrait,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<u64> {
    let events: Vec<EventId> = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::EventId)
        .distinct()
        .filter(lapsed(now))
        .into_tuple()
        .all(reader)
        .await?;
    let mut expired = 0;
    for event_id in events {
        let txn = db.begin().await?;
        let event = crate::event::lock(&txn, event_id).await?;
        let result = rsvp::Entity::update_many()
            .col_expr(rsvp::Column::Status, Expr::value(RsvpStatus::Expired))
            .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
            .filter(rsvp::Column::EventId.eq(event_id))
            .filter(lapsed(now))
            .exec(&txn)
            .await?;
        if result.rows_affected > 0 {
            fill_freed_seats(&txn, &event, policy, now).await?;
        }
        txn.commit().await?;
        expired += result.rows_affected;
    }
    Ok(expired)
}

/// How long before `event` starts its reminder goes out: its own hours, else the service's
/// setting; `None` when it sends none.
fn reminder_window(event: &event::Model, policy: &Policy) -> Option<Duration> {
    match event.remind_hours {
        None => Some(policy.remind_before),
        Some(0) => None,
        Some(hours) => Some(Duration::hours(hours.into())),
    }
}

/// Whether `event`'s reminders are due at `now`.
fn reminders_due(event: &event::Model, policy: &Policy, now: DateTime<Utc>) -> bool {
    event.status == EventStatus::Published
        && now < event.starts_at
        && reminder_window(event, policy).is_some_and(|window| event.starts_at <= now + window)
}

/// Queues the reminder for every confirmed RSVP of an event starting within its reminder
/// window (its own hours, else `policy.remind_before`), once each. Whoever confirmed inside
/// that window just got their ticket, which serves as the reminder. A conditional update claims
/// the RSVPs, so two instances never both send. Returns how many reminders were queued.
pub async fn remind_due(
    db: &DatabaseConnection,
    reader: &impl ConnectionTrait,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<u64> {
    // Events whose reminders are due: among those starting within the longest window there is,
    // each by its own window.
    let longest = std::cmp::max(policy.remind_before, Duration::hours(REMIND_HOURS_MAX));
    let due_events: Vec<EventId> = event::Entity::find()
        .filter(event::Column::Status.eq(EventStatus::Published))
        .filter(event::Column::StartsAt.gt(now))
        .filter(event::Column::StartsAt.lte(now + longest))
        .all(reader)
        .await?
        .into_iter()
        .filter(|e| reminders_due(e, policy, now))
        .map(|e| e.id)
        .collect();
    if due_events.is_empty() {
        return Ok(0);
    }
    // Of those, the ones with someone not reminded yet.
    let due_now: Vec<EventId> = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.is_in(due_events))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
        .filter(rsvp::Column::RemindedAt.is_null())
        .select_only()
        .column(rsvp::Column::EventId)
        .distinct()
        .into_tuple()
        .all(reader)
        .await?;
    let mut queued = 0;
    for event_id in due_now {
        let txn = db.begin().await?;
        let event = crate::event::lock(&txn, event_id).await?;
        // The event may have moved or been cancelled since it was found.
        let Some(window) = reminder_window(&event, policy).filter(|_| reminders_due(&event, policy, now))
        else {
            continue;
        };
        let window_opened = event.starts_at - window;
        let claimed = rsvp::Entity::update_many()
            .col_expr(rsvp::Column::RemindedAt, Expr::value(now))
            .filter(rsvp::Column::EventId.eq(event_id))
            .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
            .filter(rsvp::Column::RemindedAt.is_null())
            .exec_with_returning(&txn)
            .await?;
        for r in claimed.iter().filter(|r| r.confirmed_at.is_none_or(|at| at < window_opened)) {
            outbox::enqueue(&txn, MessageKind::Reminder, event_id, Some(r.id), None, now).await?;
            queued += 1;
        }
        txn.commit().await?;
    }
    Ok(queued)
}
