//! What an attendee does from their own page (`/r/{token}`): confirm, accept an offered seat,
//! change guests, appear in the list or not, cancel, erase their data. Each runs under the
//! event's row lock, writes the email it owes, and gives freed seats to the waitlist.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, Set, TransactionTrait,
};

use super::{Policy, RsvpStatus, fill_freed_seats, seats_of, status_email};
use crate::{
    entity::{outbox as outbox_row, rsvp},
    error::{Conflict, Error, Resource, Result},
    event::{self, EventStatus},
    ids::RsvpId,
    links::{Keyring, LinkKind},
    outbox::{self, MessageKind, MessageStatus},
    questions, values,
};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Double opt-in: the email address is theirs (a held seat becomes confirmed).
    Confirm,
    AcceptOffer,
    Cancel,
    SetGuests(i64),
    ShowInList(bool),
    /// Forget the person; the seat count stays.
    Erase,
    /// Change the answers to the event's questions (until RSVPs close): question id and value.
    SetAnswers(Vec<(String, String)>),
}

/// The RSVP a manage link names, if the link is genuine and current.
pub(super) fn open(keyring: &Keyring, token: &str) -> Option<(RsvpId, i32)> {
    let opened = keyring.open(LinkKind::Manage, token)?;
    Some((RsvpId(opened.id), i32::try_from(opened.version).ok()?))
}

/// Runs `action` on the RSVP behind a manage link. Repeating an action that already took effect
/// (a double-submitted form) changes nothing.
pub async fn act(
    db: &DatabaseConnection,
    keyring: &Keyring,
    token: &str,
    action: Action,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    let (id, version) = open(keyring, token).ok_or(Error::NotFound(Resource::Rsvp))?;
    let txn = db.begin().await?;
    let event_id = rsvp::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|r| r.link_version == version)
        .ok_or(Error::NotFound(Resource::Rsvp))?
        .event_id;
    let event = event::lock(&txn, event_id).await?;
    // Read again under the lock: the first read only found the event to lock (and the link may
    // have been revoked since).
    let r = rsvp::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|r| r.link_version == version)
        .ok_or(Error::NotFound(Resource::Rsvp))?;
    // A cancelled (or unpublished) event takes no more changes, except leaving it.
    if event.status != EventStatus::Published && !matches!(action, Action::Cancel | Action::Erase) {
        return Err(Conflict::EventCancelled.into());
    }
    let changed = match action {
        Action::Confirm => confirm(&txn, &event, r, policy, now).await?,
        Action::AcceptOffer => accept_offer(&txn, r, now).await?,
        Action::Cancel => cancel(&txn, &event, r, false, policy, now).await?,
        Action::SetGuests(guests) => set_guests(&txn, &event, r, guests, policy, now).await?,
        Action::ShowInList(show) => {
            let active = r.status.is_active();
            update(&txn, r, |m| m.show_in_list = Set(show && active), now).await?
        }
        Action::Erase => erase(&txn, &event, r, policy, now).await?,
        Action::SetAnswers(raw) => set_answers(&txn, &event, r, &raw, now).await?,
    };
    txn.commit().await?;
    Ok(changed)
}

/// Changes one RSVP (and its `updated_at`), returning it as it is now.
pub(super) async fn update(
    txn: &DatabaseTransaction,
    r: rsvp::Model,
    change: impl FnOnce(&mut rsvp::ActiveModel),
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    let mut active = rsvp::ActiveModel { id: Set(r.id), updated_at: Set(now), ..Default::default() };
    change(&mut active);
    Ok(rsvp::Entity::update(active).exec(txn).await?)
}

fn ensure_active(r: &rsvp::Model) -> Result<()> {
    match r.status {
        RsvpStatus::Cancelled => Err(Conflict::RsvpCancelled.into()),
        RsvpStatus::Expired => Err(Conflict::RsvpExpired.into()),
        RsvpStatus::Rejected => Err(Conflict::RsvpRejected.into()),
        RsvpStatus::NotSelected => Err(Conflict::RsvpNotSelected.into()),
        _ => Ok(()),
    }
}

async fn confirm(
    txn: &DatabaseTransaction,
    event: &crate::entity::event::Model,
    r: rsvp::Model,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    ensure_active(&r)?;
    if r.verified {
        return Ok(r);
    }
    // Only a held seat becomes confirmed; a place on the waitlist, a lottery entry and a request
    // for approval keep waiting, now with a confirmed address.
    let held = r.status == RsvpStatus::Holding;
    // A hold past its time that the scheduler has not freed yet still has its seat counted:
    // confirming it is as fair as confirming a minute earlier.
    let changed = update(
        txn,
        r,
        |m| {
            m.verified = Set(true);
            m.hold_expires_at = Set(None);
            if held {
                m.status = Set(RsvpStatus::Confirmed);
                m.confirmed_at = Set(Some(now));
            }
        },
        now,
    )
    .await?;
    let kind = status_email(changed.status, true);
    outbox::enqueue(txn, kind, changed.event_id, Some(changed.id), None, now).await?;
    if changed.status == RsvpStatus::Waitlisted {
        // A seat may have come free while this entry waited for its email.
        fill_freed_seats(txn, event, policy, now).await?;
        return Ok(rsvp::Entity::find_by_id(changed.id).one(txn).await?.unwrap_or(changed));
    }
    Ok(changed)
}

async fn accept_offer(txn: &DatabaseTransaction, r: rsvp::Model, now: DateTime<Utc>) -> Result<rsvp::Model> {
    match r.status {
        RsvpStatus::Confirmed => return Ok(r),
        RsvpStatus::Offered if r.offer_expires_at.is_some_and(|until| now < until) => {}
        RsvpStatus::Offered => return Err(Conflict::OfferExpired.into()),
        // An offer the scheduler already expired keeps its deadline.
        RsvpStatus::Expired if r.offer_expires_at.is_some() => return Err(Conflict::OfferExpired.into()),
        _ => {
            ensure_active(&r)?;
            return Err(Conflict::OfferExpired.into());
        }
    }
    let changed = update(
        txn,
        r,
        |m| {
            m.status = Set(RsvpStatus::Confirmed);
            m.offer_expires_at = Set(None);
            m.confirmed_at = Set(Some(now));
        },
        now,
    )
    .await?;
    outbox::enqueue(txn, MessageKind::Confirmed, changed.event_id, Some(changed.id), None, now).await?;
    Ok(changed)
}

/// Cancels an RSVP, by its attendee or (`by_organizers`) on their behalf.
pub(super) async fn cancel(
    txn: &DatabaseTransaction,
    event: &crate::entity::event::Model,
    r: rsvp::Model,
    by_organizers: bool,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    if !r.status.is_active() {
        return Ok(r);
    }
    let freed = r.status.takes_seats();
    let ticket_version = r.ticket_version + 1;
    let changed = update(
        txn,
        r,
        |m| {
            m.status = Set(RsvpStatus::Cancelled);
            m.cancelled_at = Set(Some(now));
            m.hold_expires_at = Set(None);
            m.offer_expires_at = Set(None);
            m.show_in_list = Set(false);
            // Revokes the ticket: its code no longer opens.
            m.ticket_version = Set(ticket_version);
        },
        now,
    )
    .await?;
    let details = by_organizers.then(|| serde_json::json!({"by": "organizers"}));
    outbox::enqueue(txn, MessageKind::Cancelled, changed.event_id, Some(changed.id), details, now).await?;
    if freed {
        fill_freed_seats(txn, event, policy, now).await?;
    }
    Ok(changed)
}

async fn set_guests(
    txn: &DatabaseTransaction,
    event: &crate::entity::event::Model,
    r: rsvp::Model,
    guests: i64,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    ensure_active(&r)?;
    let guests = values::count(guests, 0, i64::from(event.max_guests))
        .map_err(|invalid| crate::error::ValidationErrors::single("guests", invalid.code, invalid.message))?;
    if guests == r.guests {
        return Ok(r);
    }
    if r.status.takes_seats() && guests > r.guests {
        let seats = seats_of(txn, event).await?;
        if !seats.fits(r.slot_id, guests - r.guests) {
            return Err(Conflict::NotEnoughSeats.into());
        }
    }
    // Fewer guests free seats, or make a waiting party small enough for the seats already free.
    let smaller = guests < r.guests;
    let changed = update(txn, r, |m| m.guests = Set(guests), now).await?;
    if smaller {
        fill_freed_seats(txn, event, policy, now).await?;
    }
    Ok(changed)
}

async fn set_answers(
    txn: &DatabaseTransaction,
    event: &crate::entity::event::Model,
    r: rsvp::Model,
    raw: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    ensure_active(&r)?;
    if now >= super::submit::closes_at(event) {
        return Err(Conflict::RsvpClosed.into());
    }
    let mut errors = crate::error::ValidationErrors::new();
    let answers = questions::check_answers(&event.questions.clone().unwrap_or_default(), raw, &mut errors);
    errors.into_result()?;
    if r.answers.as_ref() == Some(&answers) {
        return Ok(r);
    }
    update(txn, r, |m| m.answers = Set(Some(answers)), now).await
}

async fn erase(
    txn: &DatabaseTransaction,
    event: &crate::entity::event::Model,
    r: rsvp::Model,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<rsvp::Model> {
    let link_version = r.link_version + 1;
    // Only a confirmed seat stays (the head count does not change); a hold, an offer or a place
    // in the queue has nobody left to take it up, so it lapses and what it held goes on.
    let lapse = r.status.is_active() && r.status != RsvpStatus::Confirmed;
    let freed = lapse && r.status.takes_seats();
    let changed = update(
        txn,
        r,
        |m| {
            m.email = Set(None);
            m.name = Set(String::new());
            m.name_reading = Set(None);
            // Free text may name them too.
            m.answers = Set(None);
            m.show_in_list = Set(false);
            m.erased_at = Set(Some(now));
            // The link in the emails stops working: there is nobody left to show it to.
            m.link_version = Set(link_version);
            if lapse {
                m.status = Set(RsvpStatus::Expired);
                m.hold_expires_at = Set(None);
                m.offer_expires_at = Set(None);
            }
        },
        now,
    )
    .await?;
    crate::survey::forget(txn, changed.id).await?;
    // Emails not sent yet have nobody to go to.
    outbox_row::Entity::update_many()
        .col_expr(outbox_row::Column::Status, sea_orm::sea_query::Expr::value(MessageStatus::Dropped))
        .filter(outbox_row::Column::RsvpId.eq(changed.id))
        .filter(outbox_row::Column::Status.eq(MessageStatus::Pending))
        .exec(txn)
        .await?;
    if freed {
        fill_freed_seats(txn, event, policy, now).await?;
    }
    Ok(changed)
}
