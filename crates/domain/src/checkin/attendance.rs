//! Attendance after (or during) an event, for its organizers: who came of those expected, per
//! slot and gate, when they arrived, who did not come, and the door fees due and taken.

use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::Fees;
use crate::{
    access::Actor,
    entity::{check_in, rsvp},
    error::Result,
    ids::{EventId, RsvpId, SlotId},
    rsvp::RsvpStatus,
};

/// Arrivals are counted in buckets of this length.
pub const ARRIVAL_BUCKET: Duration = Duration::minutes(15);

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotAttendance {
    pub slot_id: SlotId,
    pub name: String,
    pub expected: i64,
    pub checked_in: i64,
}

/// A confirmed party of whom nobody came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoShow {
    pub rsvp_id: RsvpId,
    pub name: String,
    pub email: Option<String>,
    pub party: i32,
}

/// How many of the latest check-ins a live board shows.
pub const LATEST_SHOWN: usize = 10;

/// One check-in as a live board lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub name: String,
    pub people: i32,
    pub gate: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attendance {
    /// People with a confirmed seat (each party with its guests).
    pub expected: i64,
    pub checked_in: i64,
    /// Confirmed parties, and those of whom at least one came.
    pub parties: i64,
    pub parties_in: i64,
    pub slots: Vec<SlotAttendance>,
    /// People in per gate, by the check-ins that stand.
    pub gates: Vec<(String, i64)>,
    /// People in per quarter hour (by the time they were scanned), from the first arrival.
    pub arrivals: Vec<(DateTime<Utc>, i64)>,
    pub no_shows: Vec<NoShow>,
    /// The latest check-ins that stand, newest first (at most `LATEST_SHOWN`).
    pub latest: Vec<Arrival>,
    pub fee_currency: String,
    /// The door fees of the people in, and what was marked taken.
    pub fees_due: i64,
    pub fees_collected: i64,
}

pub async fn attendance(db: &impl ConnectionTrait, actor: &Actor, event_id: EventId) -> Result<Attendance> {
    let details = crate::event::managed(db, actor, event_id).await?;
    let fees = Fees::of(db, &details.slots).await?;
    let confirmed = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(event_id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
        .order_by_asc(rsvp::Column::QueuedAt)
        .all(db)
        .await?;
    let standing = check_in::Entity::find()
        .filter(check_in::Column::EventId.eq(event_id))
        .filter(check_in::Column::UndoneAt.is_null())
        .order_by_asc(check_in::Column::ScannedAt)
        .all(db)
        .await?;

    let slots = details
        .slots
        .iter()
        .map(|s| {
            let of_slot = || confirmed.iter().filter(|r| r.slot_id == s.id);
            SlotAttendance {
                slot_id: s.id,
                name: s.name.clone(),
                expected: of_slot().map(|r| i64::from(r.party())).sum(),
                checked_in: of_slot().map(|r| i64::from(r.checked_in)).sum(),
            }
        })
        .collect::<Vec<_>>();
    let mut gates: Vec<(String, i64)> = Vec::new();
    let mut arrivals: Vec<(DateTime<Utc>, i64)> = Vec::new();
    for c in &standing {
        match gates.iter_mut().find(|(gate, _)| *gate == c.gate) {
            Some((_, n)) => *n += i64::from(c.people),
            None => gates.push((c.gate.clone(), c.people.into())),
        }
        let bucket = c.scanned_at.duration_trunc(ARRIVAL_BUCKET).unwrap_or(c.scanned_at);
        match arrivals.last_mut() {
            Some((at, n)) if *at == bucket => *n += i64::from(c.people),
            _ => arrivals.push((bucket, c.people.into())),
        }
    }
    gates.sort();
    let fees_due =
        confirmed.iter().filter_map(|r| fees.due(r.slot_id, r.checked_in, false)).map(|f| f.amount).sum();
    Ok(Attendance {
        expected: slots.iter().map(|s| s.expected).sum(),
        checked_in: slots.iter().map(|s| s.checked_in).sum(),
        parties: i64::try_from(confirmed.len()).unwrap_or(i64::MAX),
        parties_in: i64::try_from(confirmed.iter().filter(|r| r.checked_in > 0).count()).unwrap_or(i64::MAX),
        slots,
        gates,
        arrivals,
        no_shows: confirmed
            .iter()
            .filter(|r| r.checked_in == 0)
            .map(|r| NoShow { rsvp_id: r.id, name: r.name.clone(), email: r.email.clone(), party: r.party() })
            .collect(),
        latest: standing
            .iter()
            .rev()
            .filter_map(|c| {
                let r = confirmed.iter().find(|r| r.id == c.rsvp_id)?;
                Some(Arrival {
                    name: r.name.clone(),
                    people: c.people,
                    gate: c.gate.clone(),
                    at: c.scanned_at,
                })
            })
            .take(LATEST_SHOWN)
            .collect(),
        fee_currency: details.event.door_fee_currency.clone(),
        fees_due,
        fees_collected: standing.iter().filter_map(|c| c.fee_paid).map(i64::from).sum(),
    })
}
