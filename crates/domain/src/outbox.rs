//! The outbox (DESIGN invariant 4): every email owed is a row written in the transaction that
//! owes it. Workers on any instance claim due rows with a lease, send outside any transaction,
//! and record the outcome; a crash between sending and recording sends again after the lease,
//! under the same Message-ID. A message that keeps failing stays, visible and retryable.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DeriveActiveEnum, EntityTrait, EnumIter,
    QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::{Expr, ExprTrait, LockBehavior, LockType, Query},
};
use serde::{Deserialize, Serialize};

use crate::{
    access::{Actor, Permission},
    entity::{event, outbox},
    error::{Error, Resource, Result},
    ids::{EventId, MessageId, NetworkId, RsvpId},
};

/// The messages Tsudoi sends; each names its template folder in `email-templates/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum MessageKind {
    /// Double opt-in: confirm the RSVP (or the place on the waitlist).
    #[sea_orm(string_value = "confirm_rsvp")]
    ConfirmRsvp,
    /// The ticket: QR inline, `.ics` attached.
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "waitlisted")]
    Waitlisted,
    /// A freed seat close to the start, to accept within a few hours.
    #[sea_orm(string_value = "offered")]
    Offered,
    /// From the waitlist to a seat; a ticket like `Confirmed`.
    #[sea_orm(string_value = "promoted")]
    Promoted,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    #[sea_orm(string_value = "event_changed")]
    EventChanged,
    #[sea_orm(string_value = "event_cancelled")]
    EventCancelled,
    #[sea_orm(string_value = "reminder")]
    Reminder,
    /// A lottery entry is in (its email confirmed, if the event asks).
    #[sea_orm(string_value = "lottery_entered")]
    LotteryEntered,
    /// Drawn: the ticket, like `Confirmed`.
    #[sea_orm(string_value = "lottery_won")]
    LotteryWon,
    /// Not drawn: the place on the waitlist, if the event has one.
    #[sea_orm(string_value = "lottery_not_won")]
    LotteryNotWon,
    /// A request reached the organizers, who will approve or decline it.
    #[sea_orm(string_value = "approval_requested")]
    ApprovalRequested,
    /// Approved: the ticket, like `Confirmed`.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Declined, with the organizers' message if they wrote one.
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// The organizers moved the RSVP to another slot.
    #[sea_orm(string_value = "slot_changed")]
    SlotChanged,
    /// An invitation from a list: "going" and "can't go" links, and an unsubscribe link.
    #[sea_orm(string_value = "invitation")]
    Invitation,
    /// The organizers' words to an event's attendees, with an unsubscribe link.
    #[sea_orm(string_value = "announcement")]
    Announcement,
    /// After the event: the survey, with one-tap satisfaction links.
    #[sea_orm(string_value = "survey_invitation")]
    SurveyInvitation,
    /// The survey's one reminder, to those who have not answered.
    #[sea_orm(string_value = "survey_reminder")]
    SurveyReminder,
    /// A one-time link to sign in to the dashboard (of no event).
    #[sea_orm(string_value = "sign_in")]
    SignIn,
    /// Added to a network by its owners: what for, and a link that signs in (of no event).
    #[sea_orm(string_value = "welcome")]
    Welcome,
}

impl MessageKind {
    /// The template folder.
    pub fn template(self) -> &'static str {
        match self {
            MessageKind::ConfirmRsvp => "confirm_rsvp",
            MessageKind::Confirmed => "confirmed",
            MessageKind::Waitlisted => "waitlisted",
            MessageKind::Offered => "offered",
            MessageKind::Promoted => "promoted",
            MessageKind::Cancelled => "cancelled",
            MessageKind::EventChanged => "event_changed",
            MessageKind::EventCancelled => "event_cancelled",
            MessageKind::Reminder => "reminder",
            MessageKind::LotteryEntered => "lottery_entered",
            MessageKind::LotteryWon => "lottery_won",
            MessageKind::LotteryNotWon => "lottery_not_won",
            MessageKind::ApprovalRequested => "approval_requested",
            MessageKind::Approved => "approved",
            MessageKind::Rejected => "rejected",
            MessageKind::SlotChanged => "slot_changed",
            MessageKind::Invitation => "invitation",
            MessageKind::Announcement => "announcement",
            MessageKind::SurveyInvitation => "survey_invitation",
            MessageKind::SurveyReminder => "survey_reminder",
            MessageKind::SignIn => "sign_in",
            MessageKind::Welcome => "welcome",
        }
    }

    /// Messages that carry the ticket (QR and door code) and the `.ics`.
    pub fn carries_ticket(self) -> bool {
        matches!(
            self,
            MessageKind::Confirmed
                | MessageKind::Promoted
                | MessageKind::Reminder
                | MessageKind::LotteryWon
                | MessageKind::Approved
                | MessageKind::SlotChanged
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum MessageStatus {
    /// To send (again), from `next_attempt_at`.
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Gave up after `MAX_ATTEMPTS`; kept until someone retries it.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// No longer owed: its attendee erased their data, or the state it spoke of is gone.
    #[sea_orm(string_value = "dropped")]
    Dropped,
}

/// Attempts before a message is marked failed (about a day of backing off).
pub const MAX_ATTEMPTS: i32 = 12;

/// A message to send, as a row to insert.
pub fn message(
    kind: MessageKind,
    event_id: EventId,
    rsvp_id: Option<RsvpId>,
    details: Option<serde_json::Value>,
    now: DateTime<Utc>,
) -> outbox::ActiveModel {
    outbox::ActiveModel {
        event_id: Set(Some(event_id)),
        rsvp_id: Set(rsvp_id),
        details: Set(details),
        ..personal_message(kind, now)
    }
}

/// A message of no event (a sign-in link), as a row to insert.
pub fn personal_message(kind: MessageKind, now: DateTime<Utc>) -> outbox::ActiveModel {
    outbox::ActiveModel {
        id: Set(MessageId::new()),
        kind: Set(kind),
        event_id: Set(None),
        rsvp_id: Set(None),
        details: Set(None),
        status: Set(MessageStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(now),
        batch_id: Set(None),
    }
}

/// Writes a message to send, inside the caller's transaction.
pub async fn enqueue(
    txn: &impl ConnectionTrait,
    kind: MessageKind,
    event_id: EventId,
    rsvp_id: Option<RsvpId>,
    details: Option<serde_json::Value>,
    now: DateTime<Utc>,
) -> Result<()> {
    outbox::Entity::insert(message(kind, event_id, rsvp_id, details, now))
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

/// Claims up to `limit` due messages for `lease`: one `UPDATE ... RETURNING` whose choice of
/// rows skips those another worker has locked (PostgreSQL; SQLite has one writer).
pub async fn claim(
    db: &DatabaseConnection,
    limit: u64,
    lease: Duration,
    now: DateTime<Utc>,
) -> Result<Vec<outbox::Model>> {
    let due = Query::select()
        .column(outbox::Column::Id)
        .from(outbox::Entity)
        .cond_where(
            Condition::all()
                .add(outbox::Column::Status.eq(MessageStatus::Pending))
                .add(outbox::Column::NextAttemptAt.lte(now))
                .add(
                    Condition::any()
                        .add(outbox::Column::LeaseUntil.is_null())
                        .add(outbox::Column::LeaseUntil.lte(now)),
                ),
        )
        .order_by(outbox::Column::NextAttemptAt, sea_orm::Order::Asc)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .to_owned();
    let mut claimed = outbox::Entity::update_many()
        .col_expr(outbox::Column::LeaseUntil, Expr::value(now + lease))
        .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).add(1))
        .filter(outbox::Column::Id.in_subquery(due))
        .exec_with_returning(db)
        .await?;
    claimed.sort_by_key(|m| m.id);
    Ok(claimed)
}

/// Records messages as delivered.
pub async fn mark_sent(db: &DatabaseConnection, ids: &[MessageId], now: DateTime<Utc>) -> Result<()> {
    finish(db, ids, MessageStatus::Sent, Some(now)).await
}

/// Gives claimed messages back unsent, for any worker to take at once.
pub async fn release(db: &DatabaseConnection, ids: &[MessageId]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(outbox::Column::Attempts, Expr::col(outbox::Column::Attempts).sub(1))
        .filter(outbox::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// Records messages as no longer owed.
pub async fn mark_dropped(db: &DatabaseConnection, ids: &[MessageId]) -> Result<()> {
    finish(db, ids, MessageStatus::Dropped, None).await
}

async fn finish(
    db: &DatabaseConnection,
    ids: &[MessageId],
    status: MessageStatus,
    sent_at: Option<DateTime<Utc>>,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::SentAt, Expr::value(sent_at))
        .col_expr(outbox::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(outbox::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// How long to wait after the `attempts`-th failure: 30 s, doubling, at most 4 hours.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = std::cmp::min(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0), 9);
    std::cmp::min(Duration::seconds(30) * 2i32.pow(doublings), Duration::hours(4))
}

/// Records a failed attempt: try again later, or give up after `MAX_ATTEMPTS`.
pub async fn mark_failed(
    db: &DatabaseConnection,
    message: &outbox::Model,
    error: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let gave_up = message.attempts >= MAX_ATTEMPTS;
    outbox::Entity::update(outbox::ActiveModel {
        id: Set(message.id),
        status: Set(if gave_up { MessageStatus::Failed } else { MessageStatus::Pending }),
        next_attempt_at: Set(now + backoff(message.attempts)),
        lease_until: Set(None),
        last_error: Set(Some(error.chars().take(2000).collect())),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Messages of a network's events that failed at least once and are not delivered: given up
/// on, or still retrying.
pub async fn troubled(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: NetworkId,
    limit: u64,
    offset: u64,
) -> Result<Vec<(outbox::Model, event::Model)>> {
    actor.require(network_id, Permission::ManageEvents, Resource::Network)?;
    let rows = outbox::Entity::find()
        .find_also_related(event::Entity)
        .filter(crate::event::of_network(network_id))
        .filter(
            Condition::any().add(outbox::Column::Status.eq(MessageStatus::Failed)).add(
                Condition::all()
                    .add(outbox::Column::Status.eq(MessageStatus::Pending))
                    .add(outbox::Column::LastError.is_not_null()),
            ),
        )
        .order_by_desc(outbox::Column::CreatedAt)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(m, e)| e.map(|e| (m, e))).collect())
}

/// Sends a failed (or backing-off) message again now, with a fresh count of attempts.
pub async fn retry(
    db: &DatabaseConnection,
    actor: &Actor,
    id: MessageId,
    now: DateTime<Utc>,
) -> Result<outbox::Model> {
    let (message, event) = outbox::Entity::find_by_id(id)
        .find_also_related(event::Entity)
        .one(db)
        .await?
        .and_then(|(m, e)| e.map(|e| (m, e)))
        .ok_or(Error::NotFound(Resource::Message))?;
    // Someone who cannot manage the event must not learn the message exists.
    crate::event::get(db, actor, event.id, Permission::ManageEvents)
        .await
        .map_err(|_| Error::NotFound(Resource::Message))?;
    // Sent, no longer owed, or in a worker's hands right now: nothing to do.
    let in_hand = message.lease_until.is_some_and(|until| until > now);
    if matches!(message.status, MessageStatus::Sent | MessageStatus::Dropped) || in_hand {
        return Ok(message);
    }
    Ok(outbox::Entity::update(outbox::ActiveModel {
        id: Set(id),
        status: Set(MessageStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_four_hours() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(5), Duration::seconds(480));
        assert_eq!(backoff(MAX_ATTEMPTS), Duration::hours(4));
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| backoff(n).num_minutes()).sum();
        assert!(total > 12 * 60, "a message keeps trying for more than half a day ({total} min)");
    }
}
