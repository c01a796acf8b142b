//! The door roster: what a scanner keeps on the phone to go on when the network drops. Names,
//! readings and door codes for search, and each ticket's code only as its SHA-256, so that a lost
//! phone holds no ticket. A scanner fetches the whole roster once, then only what changed since
//! the version it holds.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{AtDoor, Fees, Party, at_door_with};
use crate::{
    entity::{door_pass, event, rsvp},
    error::{Error, Resource, Result},
    links::Links,
    rsvp::RsvpStatus,
};

/// Changes are fetched from a little before the version a scanner holds: a transaction that
/// committed late with an earlier time, or another instance's clock a little behind, is still
/// seen. Entries fetched twice replace themselves.
pub const OVERLAP: Duration = Duration::seconds(10);

#[derive(Clone, Debug)]
pub struct RosterEntry {
    pub attendee: AtDoor,
    pub status: RsvpStatus,
    /// SHA-256 (hex) of the current ticket's code: the code a scan reads, hashed, finds it.
    pub ticket_hash: String,
    /// The door fee per person, if the event or the slot has one.
    pub fee: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Roster {
    /// Send it back as `since` to fetch only what changed after it.
    pub version: DateTime<Utc>,
    /// The whole roster (no `since`), or only changes.
    pub complete: bool,
    pub fee_currency: String,
    pub entries: Vec<RosterEntry>,
}

/// SHA-256 of a ticket code, as the roster lists it.
pub fn ticket_hash(code: &str) -> String {
    crate::token::sha256_hex(code)
}

/// The pass's event's roster, or what changed in it since `since`.
pub async fn roster(
    db: &impl ConnectionTrait,
    links: &Links,
    pass: &door_pass::Model,
    since: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Roster> {
    if pass.scan_only {
        return Err(Error::Forbidden("a scan-only pass has no roster"));
    }
    let currency: String = event::Entity::find_by_id(pass.event_id)
        .select_only()
        .column(event::Column::DoorFeeCurrency)
        .into_tuple()
        .one(db)
        .await?
        .ok_or(Error::NotFound(Resource::Event))?;
    let (slots, fees) = Fees::of_event(db, pass.event_id).await?;
    let mut query = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(pass.event_id))
        .filter(rsvp::Column::ErasedAt.is_null())
        .order_by_asc(rsvp::Column::Id);
    if let Some(since) = since {
        query = query.filter(rsvp::Column::UpdatedAt.gte(since - OVERLAP));
    }
    let entries = query
        .all(db)
        .await?
        .into_iter()
        .map(|r| RosterEntry {
            attendee: at_door_with(&slots, &Party::from(&r)),
            status: r.status,
            ticket_hash: ticket_hash(&links.ticket_code(&r)),
            fee: fees.due(r.slot_id, 1, false).map(|f| f.amount),
        })
        .collect();
    Ok(Roster { version: now, complete: since.is_none(), fee_currency: currency, entries })
}
