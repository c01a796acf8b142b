//! Work that falls due with time, found in the database so it survives restarts and runs safely
//! on several instances at once: holds, offers and unconfirmed waitlist places that ran out, and
//! reminders before events. The scheduler in `serve` calls these with the injectable clock.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
    sea_query::{Expr, Query},
};

use super::{Policy, RsvpStatus, fill_freed_seats};
use crate::{
    entity::{event, rsvp},
    error::Result,
    event::EventStatus,
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

/// Queues the reminder for every confirmed RSVP of an event starting within
/// `policy.remind_before`, once each. Whoever confirmed inside that window just got their
/// ticket, which serves as the reminder. A conditional update claims the RSVPs, so two
/// instances never both send. Returns how many reminders were queued.
pub async fn remind_due(
    db: &DatabaseConnection,
    reader: &impl ConnectionTrait,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<u64> {
    let soon = Query::select()
        .column(event::Column::Id)
        .from(event::Entity)
        .and_where(event::Column::Status.eq(EventStatus::Published))
        .and_where(event::Column::StartsAt.gt(now))
        .and_where(event::Column::StartsAt.lte(now + policy.remind_before))
        .to_owned();
    let due = |query: sea_orm::Select<rsvp::Entity>| {
        query
            .filter(rsvp::Column::EventId.in_subquery(soon.clone()))
            .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
            .filter(rsvp::Column::RemindedAt.is_null())
    };
    let events: Vec<EventId> = due(rsvp::Entity::find())
        .select_only()
        .column(rsvp::Column::EventId)
        .distinct()
        .into_tuple()
        .all(reader)
        .await?;
    let mut queued = 0;
    for event_id in events {
        let txn = db.begin().await?;
        let event = crate::event::lock(&txn, event_id).await?;
        // The event may have moved or been cancelled since it was found.
        let due = event.status == EventStatus::Published
            && now < event.starts_at
            && event.starts_at <= now + policy.remind_before;
        if !due {
            continue;
        }
        let window_opened = event.starts_at - policy.remind_before;
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
