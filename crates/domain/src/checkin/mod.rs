//! Check-in at the door (DESIGN invariant 3). A scanned code is checked against the pass's event
//! and the RSVP's state, and lets the party in with one conditional update of the RSVP's count of
//! people in: two gates scanning the same ticket at once both try it, and exactly one succeeds;
//! every later scan reports the first check-in (when, at which gate). A party may come in parts
//! (2 of 3 now, the rest later). A scan carries the scanner's nonce, so a retried request is not
//! a second scan, and the time it was made, for scans that waited offline. Undoing a check-in
//! marks it undone and lets the people back out of the count.

mod admit;
mod attendance;
mod door_thread;
mod passes;
mod roster;
mod search;
mod store;
mod sync;
mod walk_in;

pub use admit::{Request, scan_request, search_request};
pub use attendance::{ARRIVAL_BUCKET, Arrival, Attendance, LATEST_SHOWN, NoShow, SlotAttendance, attendance};
pub use passes::{
    CLOSES_AFTER, IssuedPass, LABEL_MAX, NewPass, OPENS_BEFORE, authenticate, create, list, open_scanner,
    revoke,
};
pub use roster::{OVERLAP, Roster, RosterEntry, roster, ticket_hash};
pub use search::{Found, RESULTS_MAX, fold, search};
pub use sync::{OfflineScan, SYNC_MAX, Synced, sync};

pub use door_thread::DoorThread;
pub use store::redeem_many;
pub use walk_in::{WalkIn, walk_in};

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, FromQueryResult, JoinType, QueryFilter,
    QueryOrder, QuerySelect, Select, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use self::admit::Party;
use crate::{
    db::direct::from_row,
    entity::{check_in, door_pass, event, event_slot, rsvp},
    error::{Conflict, Error, Resource, Result},
    ids::{CheckInId, EventId, RsvpId, SlotId},
    links::TOKEN_LEN,
    rsvp::RsvpStatus,
};

/// What the door screen shows for a scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanResult {
    /// Green: welcome in.
    Ok,
    /// Amber: the whole party is already in (see `first`).
    Already,
    /// Red: not a ticket (garbage, another site's code, a mistyped code).
    Unknown,
    /// Red: a ticket of another event.
    WrongEvent,
    /// Red: cancelled, expired, declined or not selected.
    Cancelled,
    /// Red: on the waitlist (or still a lottery entry or a request for approval).
    Waitlisted,
    /// Red: a seat held or offered but not confirmed.
    NotConfirmed,
    /// Red: an older ticket of this RSVP (a new one was issued since).
    Revoked,
    /// Red: the pass is not open at this time (too early, or after its hours).
    DoorClosed,
}

/// One scan, as a scanner sends it.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// What the camera or the handheld scanner read: the ticket URL or the bare code, as typed
    /// (full-width characters from a Japanese keyboard are fine).
    pub code: String,
    /// The scanner's id for this scan; the same nonce again returns the first answer.
    pub nonce: Option<String>,
    /// When the scanner saw the code, if it waited offline; now otherwise.
    pub scanned_at: Option<DateTime<Utc>>,
    /// How many of the party come in now; all who are not in yet by default.
    pub people: Option<i32>,
}

/// The attendee as the door sees them.
#[derive(Clone, Debug)]
pub struct AtDoor {
    pub rsvp_id: RsvpId,
    pub name: String,
    pub name_reading: Option<String>,
    pub short_code: String,
    /// The person and their guests.
    pub party: i32,
    pub checked_in: i32,
    pub slot: Option<String>,
}

/// The first check-in of a party that is already in.
#[derive(Clone, Debug)]
pub struct FirstCheckIn {
    pub at: DateTime<Utc>,
    pub gate: String,
}

/// The door fee (会費) owed for the people a check-in let in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeDue {
    /// In the currency's smallest unit (see `money`).
    pub amount: i64,
    pub currency: String,
    pub paid: bool,
}

#[derive(Clone, Debug)]
pub struct Outcome {
    pub result: ScanResult,
    pub attendee: Option<AtDoor>,
    /// The check-in this scan made (to undo it).
    pub check_in: Option<CheckInId>,
    pub first: Option<FirstCheckIn>,
    /// What the people let in owe at the door, if the event or their slot has a fee.
    pub fee: Option<FeeDue>,
}

impl Outcome {
    pub(crate) fn red(result: ScanResult) -> Self {
        Outcome { result, attendee: None, check_in: None, first: None, fee: None }
    }
}

/// An event's door fee per person, for each of its slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fees {
    per_slot: HashMap<SlotId, (i32, String)>,
}

impl Fees {
    /// The fees of the events' slots: the slot's own, else the event's.
    pub(crate) async fn of(db: &impl ConnectionTrait, slots: &[event_slot::Model]) -> Result<Fees> {
        let events: Vec<(EventId, Option<i32>, String)> = event::Entity::find()
            .select_only()
            .columns([event::Column::Id, event::Column::DoorFee, event::Column::DoorFeeCurrency])
            .filter(event::Column::Id.is_in(slots.iter().map(|s| s.event_id)))
            .into_tuple()
            .all(db)
            .await?;
        let per_slot = slots
            .iter()
            .filter_map(|s| {
                let (_, fee, currency) = events.iter().find(|(id, _, _)| *id == s.event_id)?;
                let fee = s.door_fee.or(*fee).filter(|fee| *fee > 0)?;
                Some((s.id, (fee, currency.clone())))
            })
            .collect();
        Ok(Fees { per_slot })
    }

    /// An event's slots and their fees, in one query.
    pub(crate) async fn of_event(
        db: &impl ConnectionTrait,
        event_id: EventId,
    ) -> Result<(Vec<event_slot::Model>, Fees)> {
        Ok(Fees::from_rows(Fees::query([event_id]).into_model::<SlotFee>().all(db).await?))
    }

    /// Events' slots, with their fees and the events' (read into [`SlotFee`]s).
    pub(crate) fn query(events: impl IntoIterator<Item = EventId>) -> Select<event_slot::Entity> {
        let to_event = event_slot::Entity::belongs_to(event::Entity)
            .from(event_slot::Column::EventId)
            .to(event::Column::Id)
            .into();
        event_slot::Entity::find()
            .select_only()
            .columns([
                event_slot::Column::Id,
                event_slot::Column::EventId,
                event_slot::Column::Position,
                event_slot::Column::Name,
                event_slot::Column::Seats,
                event_slot::Column::DoorFee,
            ])
            .column_as(event::Column::DoorFee, "event_fee")
            .column_as(event::Column::DoorFeeCurrency, "currency")
            .join(JoinType::InnerJoin, to_event)
            .filter(event_slot::Column::EventId.is_in(events))
            .order_by_asc(event_slot::Column::Position)
    }

    pub(crate) fn from_rows(rows: Vec<SlotFee>) -> (Vec<event_slot::Model>, Fees) {
        let mut fees = Fees::default();
        let mut slots = Vec::with_capacity(rows.len());
        for SlotFee { id, event_id, position, name, seats, door_fee, event_fee, currency } in rows {
            if let Some(fee) = door_fee.or(event_fee).filter(|fee| *fee > 0) {
                fees.per_slot.insert(id, (fee, currency));
            }
            slots.push(event_slot::Model { id, event_id, position, name, seats, door_fee });
        }
        (slots, fees)
    }

    /// What `people` in `slot` owe, if anything.
    pub(crate) fn due(&self, slot: SlotId, people: i32, paid: bool) -> Option<FeeDue> {
        self.per_slot.get(&slot).map(|(fee, currency)| FeeDue {
            amount: i64::from(*fee) * i64::from(people),
            currency: currency.clone(),
            paid,
        })
    }
}

/// A slot with its door fee and its event's, as `Fees::query` reads them.
#[derive(FromQueryResult)]
pub(crate) struct SlotFee {
    id: SlotId,
    event_id: EventId,
    position: i32,
    name: String,
    seats: i32,
    door_fee: Option<i32>,
    event_fee: Option<i32>,
    currency: String,
}

from_row!(SlotFee { id, event_id, position, name, seats, door_fee, event_fee, currency });

/// The ticket code in what a scanner typed: full-width characters (a phone's Japanese input mode)
/// made half-width, and a whole ticket URL reduced to its code.
pub fn code_of(scanned: &str) -> Option<String> {
    let half: String = scanned
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect();
    let trimmed = half.trim();
    let code = match trimmed.rfind("/t/") {
        Some(at) => &trimmed[at + 3..],
        None => trimmed,
    };
    let code = code.split(['?', '#', '/']).next().unwrap_or_default();
    (code.len() == TOKEN_LEN && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
        .then(|| code.to_owned())
}

/// The door's view of an RSVP.
async fn at_door(db: &impl ConnectionTrait, r: &rsvp::Model) -> Result<AtDoor> {
    let slots = event_slot::Entity::find().filter(event_slot::Column::EventId.eq(r.event_id)).all(db).await?;
    Ok(at_door_with(&slots, &Party::from(r)))
}

/// The door's view of a party, with its event's slots at hand.
fn at_door_with(slots: &[event_slot::Model], p: &Party) -> AtDoor {
    // A slot is worth naming only when there is more than one.
    let slot = match slots {
        [_, _, ..] => slots.iter().find(|s| s.id == p.slot_id).map(|s| s.name.clone()),
        _ => None,
    };
    AtDoor {
        rsvp_id: p.id,
        name: p.name.clone(),
        name_reading: p.name_reading.clone(),
        short_code: p.short_code.clone(),
        party: p.size(),
        checked_in: p.checked_in,
        slot,
    }
}

/// A check-in made at the pass's event.
async fn check_in_at(
    db: &impl ConnectionTrait,
    pass: &door_pass::Model,
    id: CheckInId,
) -> Result<check_in::Model> {
    check_in::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.event_id == pass.event_id)
        .ok_or(Error::NotFound(Resource::CheckIn))
}

/// Undoes a check-in made at the pass's event: recorded, not deleted, and its people are out of
/// the count again. Undoing twice is the same as once.
pub async fn undo(
    db: &DatabaseConnection,
    pass: &door_pass::Model,
    id: CheckInId,
    now: DateTime<Utc>,
) -> Result<AtDoor> {
    let txn = db.begin().await?;
    let found = check_in_at(&txn, pass, id).await?;
    if found.undone_at.is_none() {
        let marked = check_in::Entity::update_many()
            .col_expr(check_in::Column::UndoneAt, Expr::value(now))
            .filter(check_in::Column::Id.eq(id))
            .filter(check_in::Column::UndoneAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
        if marked == 1 {
            rsvp::Entity::update_many()
                .col_expr(rsvp::Column::CheckedIn, Expr::col(rsvp::Column::CheckedIn).sub(found.people))
                .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
                .filter(rsvp::Column::Id.eq(found.rsvp_id))
                .filter(rsvp::Column::CheckedIn.gte(found.people))
                .exec(&txn)
                .await?;
        }
    }
    let r =
        rsvp::Entity::find_by_id(found.rsvp_id).one(&txn).await?.ok_or(Error::NotFound(Resource::Rsvp))?;
    let door = at_door(&txn, &r).await?;
    txn.commit().await?;
    Ok(door)
}

/// Records that the door fee of a check-in's people was paid (in cash, at the door). Marking it
/// twice is the same as once; an undone check-in, or one at an event without a fee, cannot be.
pub async fn mark_paid(
    db: &DatabaseConnection,
    pass: &door_pass::Model,
    id: CheckInId,
    now: DateTime<Utc>,
) -> Result<FeeDue> {
    if pass.scan_only {
        return Err(Error::Forbidden("a scan-only pass cannot take door fees"));
    }
    let txn = db.begin().await?;
    let found = check_in_at(&txn, pass, id).await?;
    if found.undone_at.is_some() {
        return Err(Conflict::CheckInUndone.into());
    }
    let r =
        rsvp::Entity::find_by_id(found.rsvp_id).one(&txn).await?.ok_or(Error::NotFound(Resource::Rsvp))?;
    let (_, fees) = Fees::of_event(&txn, r.event_id).await?;
    let due = fees.due(r.slot_id, found.people, true).ok_or(Conflict::NoDoorFee)?;
    if found.fee_paid.is_none() {
        check_in::Entity::update_many()
            .col_expr(check_in::Column::FeePaid, Expr::value(i32::try_from(due.amount).unwrap_or(i32::MAX)))
            .col_expr(check_in::Column::FeePaidAt, Expr::value(now))
            .filter(check_in::Column::Id.eq(id))
            .filter(check_in::Column::FeePaid.is_null())
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    // What was recorded first stands (the fee may have changed since).
    Ok(FeeDue { amount: found.fee_paid.map_or(due.amount, i64::from), ..due })
}

/// People in and expected, overall, per slot and per gate: what every open scanner shows,
/// counted from the database so that several instances agree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DoorStatus {
    pub checked_in: i64,
    /// People with a confirmed seat (the person and their guests).
    pub expected: i64,
    pub slots: Vec<(SlotId, String, i64, i64)>,
    pub gates: Vec<(String, i64)>,
    /// Door fees taken, in the currency's smallest unit.
    pub fees_collected: i64,
    pub fee_currency: String,
}

pub async fn status(db: &impl ConnectionTrait, pass: &door_pass::Model) -> Result<DoorStatus> {
    let per_slot: Vec<(SlotId, Option<i64>, Option<i64>)> = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::SlotId)
        .column_as(Expr::col(rsvp::Column::CheckedIn).sum(), "checked_in")
        .column_as(Expr::col(rsvp::Column::Guests).add(1).sum(), "expected")
        .filter(rsvp::Column::EventId.eq(pass.event_id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
        .group_by(rsvp::Column::SlotId)
        .into_tuple()
        .all(db)
        .await?;
    let slots = event_slot::Entity::find()
        .filter(event_slot::Column::EventId.eq(pass.event_id))
        .order_by_asc(event_slot::Column::Position)
        .all(db)
        .await?;
    let gates: Vec<(String, Option<i64>)> = check_in::Entity::find()
        .select_only()
        .column(check_in::Column::Gate)
        .column_as(Expr::col(check_in::Column::People).sum(), "people")
        .filter(check_in::Column::EventId.eq(pass.event_id))
        .filter(check_in::Column::UndoneAt.is_null())
        .group_by(check_in::Column::Gate)
        .order_by_asc(check_in::Column::Gate)
        .into_tuple()
        .all(db)
        .await?;
    let fees_collected: Option<i64> = check_in::Entity::find()
        .select_only()
        .column_as(Expr::col(check_in::Column::FeePaid).sum(), "fees")
        .filter(check_in::Column::EventId.eq(pass.event_id))
        .filter(check_in::Column::UndoneAt.is_null())
        .into_tuple::<Option<i64>>()
        .one(db)
        .await?
        .flatten();
    let fee_currency: Option<String> = event::Entity::find_by_id(pass.event_id)
        .select_only()
        .column(event::Column::DoorFeeCurrency)
        .into_tuple()
        .one(db)
        .await?;
    let mut status = DoorStatus {
        fees_collected: fees_collected.unwrap_or(0),
        fee_currency: fee_currency.unwrap_or_default(),
        ..DoorStatus::default()
    };
    for s in slots {
        let (inside, expected) = per_slot
            .iter()
            .find(|(id, _, _)| *id == s.id)
            .map_or((0, 0), |(_, i, e)| (i.unwrap_or(0), e.unwrap_or(0)));
        status.checked_in += inside;
        status.expected += expected;
        status.slots.push((s.id, s.name, inside, expected));
    }
    status.gates = gates.into_iter().map(|(gate, n)| (gate, n.unwrap_or(0))).collect();
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_found_in_what_a_scanner_types() {
        let code = "A".repeat(TOKEN_LEN);
        assert_eq!(code_of(&code).as_deref(), Some(code.as_str()));
        assert_eq!(
            code_of(&format!("  https://tsudoi.example.jp/t/{code}\n")).as_deref(),
            Some(code.as_str())
        );
        assert_eq!(code_of(&format!("https://x.example/t/{code}?utm=1")).as_deref(), Some(code.as_str()));
        // A phone's Japanese input mode types full-width letters.
        let wide: String = code.chars().map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap()).collect();
        assert_eq!(code_of(&format!("ｈｔｔｐｓ：／／ｘ．ｊｐ／ｔ／{wide}")).as_deref(), Some(code.as_str()));
        assert_eq!(code_of("hello"), None);
        assert_eq!(code_of(&format!("{code}!")), None);
        assert_eq!(code_of(""), None);
    }
}
