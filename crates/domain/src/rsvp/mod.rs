//! RSVPs: an attendee's registration for an event, from the form to the door. Seats follow
//! DESIGN invariant 1 (never oversold: every change that takes or frees seats runs under the
//! event's row lock and asks `capacity`), the waitlist invariant 2 (freed seats go, in the same
//! transaction, to the earliest waiting party that fits), and every change that owes someone an
//! email writes it to the outbox in that same transaction (invariant 4).

mod actions;
mod event_change;
mod expiry;
mod history;
pub mod lottery;
mod organizer;
mod roster;
mod submit;
mod view;

pub use actions::{Action, act};
pub(crate) use event_change::{after_event_cancelled, after_event_change, check_seat_change};
pub use expiry::{expire_due, remind_due};
pub use history::{Happening, HistoryEntry, history};
pub use organizer::{Decision, NOTE_MAX, decide, decide_in_event};
pub use roster::{RsvpFilter, csv, list, status_label};
pub use submit::{Form, NAME_MAX, Submitted, closes_at, ensure_open, submit, submit_many};
pub use view::{AttendeePage, TicketStanding, TicketView, attendee_page, free_seats, going, ticket};

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DeriveActiveEnum, EntityTrait, EnumIter,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func},
};
use serde::{Deserialize, Serialize};

use crate::{
    capacity::{Seats, SlotSeats, Waiting},
    entity::{event, event_slot, rsvp},
    error::Result,
    event::EventStatus,
    ids::{RsvpId, SlotId},
    outbox::{self, MessageKind},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum RsvpStatus {
    /// A seat is held while the attendee confirms by email (until `hold_expires_at`).
    #[sea_orm(string_value = "holding")]
    Holding,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    /// Waiting for a seat, in `queued_at` order; unverified entries wait for the email first.
    #[sea_orm(string_value = "waitlisted")]
    Waitlisted,
    /// A freed seat close to the start, held for this attendee until `offer_expires_at`.
    #[sea_orm(string_value = "offered")]
    Offered,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    /// A hold or an offer that ran out, or an unconfirmed waitlist place or lottery entry.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// A lottery entry waiting for the draw; it takes no seat.
    #[sea_orm(string_value = "entered")]
    Entered,
    /// A request waiting for the organizers' approval; it takes no seat.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// The organizers declined the request.
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Not drawn in a lottery whose event has no waitlist.
    #[sea_orm(string_value = "not_selected")]
    NotSelected,
}

impl RsvpStatus {
    /// The statuses that take seats (invariant 1).
    pub const TAKING_SEATS: [RsvpStatus; 3] =
        [RsvpStatus::Holding, RsvpStatus::Confirmed, RsvpStatus::Offered];

    pub fn takes_seats(self) -> bool {
        Self::TAKING_SEATS.contains(&self)
    }

    /// Still in the game: RSVPing again re-sends the link instead of starting over.
    pub fn is_active(self) -> bool {
        !matches!(
            self,
            RsvpStatus::Cancelled | RsvpStatus::Expired | RsvpStatus::Rejected | RsvpStatus::NotSelected
        )
    }
}

/// The email that tells an attendee where their RSVP stands: sent when it gets there, and again
/// when they RSVP a second time.
pub(crate) fn status_email(status: RsvpStatus, verified: bool) -> MessageKind {
    match status {
        _ if !verified => MessageKind::ConfirmRsvp,
        RsvpStatus::Confirmed => MessageKind::Confirmed,
        RsvpStatus::Offered => MessageKind::Offered,
        RsvpStatus::Entered => MessageKind::LotteryEntered,
        RsvpStatus::Pending => MessageKind::ApprovalRequested,
        _ => MessageKind::Waitlisted,
    }
}

/// The timings of the attendee's path, from configuration.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Within this much of the start, a freed seat is offered rather than given.
    pub offer_window: Duration,
    /// How long an offered seat waits for its answer.
    pub offer_for: Duration,
    /// How long before the start reminders go out.
    pub remind_before: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            offer_window: Duration::hours(24),
            offer_for: Duration::hours(3),
            remind_before: Duration::hours(24),
        }
    }
}

/// The event's seats and those taken, read inside the caller's transaction.
pub(crate) async fn seats_of(txn: &impl ConnectionTrait, event: &event::Model) -> Result<Seats> {
    let slots = event_slot::Entity::find().filter(event_slot::Column::EventId.eq(event.id)).all(txn).await?;
    seats_with(txn, event, &slots).await
}

/// Like `seats_of`, with the event's slots already at hand.
async fn seats_with(
    txn: &impl ConnectionTrait,
    event: &event::Model,
    slots: &[event_slot::Model],
) -> Result<Seats> {
    let taken: Vec<(SlotId, i64)> = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::SlotId)
        .column_as(Expr::expr(Func::sum(Expr::col(rsvp::Column::Guests).add(1))), "taken")
        .filter(rsvp::Column::EventId.eq(event.id))
        .filter(rsvp::Column::Status.is_in(RsvpStatus::TAKING_SEATS))
        .group_by(rsvp::Column::SlotId)
        .into_tuple()
        .all(txn)
        .await?;
    let mut seats = Seats {
        event_seats: event.seats,
        slots: slots.iter().map(|s| (s.id, SlotSeats { seats: s.seats, taken: 0 })).collect(),
    };
    for (slot, taken) in taken {
        if let Some(s) = seats.slots.get_mut(&slot) {
            s.taken = i32::try_from(taken).unwrap_or(i32::MAX);
        }
    }
    Ok(seats)
}

/// Gives seats that just came free to the waitlist, in order (invariant 2): a confirmation, or
/// within `policy.offer_window` of the start an offer to accept. Runs in the transaction that
/// freed the seats, after the change is written.
async fn fill_freed_seats(
    txn: &DatabaseTransaction,
    event: &event::Model,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<()> {
    if event.status != EventStatus::Published
        || now >= event.starts_at
        || !event.waitlist_enabled
        || !event.auto_promote
    {
        return Ok(());
    }
    let mut seats = seats_of(txn, event).await?;
    if seats.taken() >= seats.event_seats {
        return Ok(());
    }
    let waitlist: Vec<(RsvpId, SlotId, i32)> = rsvp::Entity::find()
        .select_only()
        .columns([rsvp::Column::Id, rsvp::Column::SlotId, rsvp::Column::Guests])
        .filter(rsvp::Column::EventId.eq(event.id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Waitlisted))
        .filter(rsvp::Column::Verified.eq(true))
        .order_by_asc(rsvp::Column::QueuedAt)
        .order_by_asc(rsvp::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    let waiting: Vec<_> =
        waitlist.into_iter().map(|(id, slot, guests)| Waiting { id, slot, party: 1 + guests }).collect();
    let offer = now + policy.offer_window >= event.starts_at;
    for id in seats.promote(&waiting) {
        let mut change = rsvp::ActiveModel {
            id: sea_orm::Set(id),
            updated_at: sea_orm::Set(now),
            hold_expires_at: sea_orm::Set(None),
            ..Default::default()
        };
        let kind = if offer {
            change.status = sea_orm::Set(RsvpStatus::Offered);
            change.offer_expires_at =
                sea_orm::Set(Some(std::cmp::min(now + policy.offer_for, event.starts_at)));
            MessageKind::Offered
        } else {
            change.status = sea_orm::Set(RsvpStatus::Confirmed);
            change.confirmed_at = sea_orm::Set(Some(now));
            MessageKind::Promoted
        };
        rsvp::Entity::update(change).exec(txn).await?;
        outbox::enqueue(txn, kind, event.id, Some(id), None, now).await?;
    }
    Ok(())
}

/// Whether the event has any RSVP at all (some settings cannot change once it has).
pub(crate) async fn any_of(db: &impl ConnectionTrait, event: crate::ids::EventId) -> Result<bool> {
    Ok(rsvp::Entity::find().filter(rsvp::Column::EventId.eq(event)).one(db).await?.is_some())
}

/// The place of a waitlisted RSVP in the queue, counting from 1.
pub async fn waitlist_position(db: &impl ConnectionTrait, r: &rsvp::Model) -> Result<u64> {
    let mut ahead = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(r.event_id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Waitlisted));
    // Unconfirmed places are never promoted: they are not ahead of a confirmed one. (Naming
    // both values for the others keeps the count within the index's ranges.)
    ahead = if r.verified {
        ahead.filter(rsvp::Column::Verified.eq(true))
    } else {
        ahead.filter(rsvp::Column::Verified.is_in([false, true]))
    };
    let ahead = ahead
        // Written so that the index (event, status, queued_at, id) answers it as a range.
        .filter(rsvp::Column::QueuedAt.lte(r.queued_at))
        .filter(
            sea_orm::Condition::any()
                .add(rsvp::Column::QueuedAt.lt(r.queued_at))
                .add(rsvp::Column::Id.lt(r.id)),
        )
        .count(db)
        .await?;
    Ok(ahead + 1)
}

/// Letters people read out at the door without confusing them: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
const SHORT_CODE_ALPHABET: &[u8] = b"ACDEFGHJKMNPQRTUVWXY34679";
pub const SHORT_CODE_LEN: usize = 7;

/// A door code, unique within its event (checked by the caller's query and the unique index).
pub(crate) fn short_code() -> String {
    let mut rng = rand::rng();
    (0..SHORT_CODE_LEN)
        .map(|_| char::from(SHORT_CODE_ALPHABET[rng.random_range(0..SHORT_CODE_ALPHABET.len())]))
        .collect()
}

/// The first word of a name: what a ticket shows to anyone holding it.
pub fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}
