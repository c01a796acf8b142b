//! What attendees see through their links: their own page, and a ticket as anyone holding it
//! sees it. Reading only; every change is an `Action`.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{RsvpStatus, actions::open, first_name, seats_with, waitlist_position};
use crate::{
    entity::{event_slot, rsvp},
    error::{Error, Resource, Result},
    event::{EventStatus, public::PublicEvent},
    ids::SlotId,
    links::{Keyring, LinkKind},
};

/// An attendee's own page.
#[derive(Clone, Debug)]
pub struct AttendeePage {
    pub rsvp: rsvp::Model,
    pub event: PublicEvent,
    pub slot: event_slot::Model,
    pub waitlist_position: Option<u64>,
    /// The survey they were asked to answer after the event, and when it closes.
    pub survey: Option<(crate::entity::survey_invitation::Model, chrono::DateTime<chrono::Utc>)>,
}

pub async fn attendee_page(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    token: &str,
) -> Result<AttendeePage> {
    let (id, version) = open(keyring, token).ok_or(Error::NotFound(Resource::Rsvp))?;
    let rsvp = rsvp::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| r.link_version == version)
        .ok_or(Error::NotFound(Resource::Rsvp))?;
    let event = crate::event::public::event_by_id(db, rsvp.event_id).await?;
    let slot = slot_of(&event, &rsvp)?;
    let waitlist_position = match rsvp.status {
        RsvpStatus::Waitlisted => Some(waitlist_position(db, &rsvp).await?),
        _ => None,
    };
    let survey = crate::survey::invitation_for(db, rsvp.id).await?;
    Ok(AttendeePage { rsvp, event, slot, waitlist_position, survey })
}

fn slot_of(event: &PublicEvent, rsvp: &rsvp::Model) -> Result<event_slot::Model> {
    event
        .slots
        .iter()
        .find(|s| s.id == rsvp.slot_id)
        .cloned()
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("RSVP {} has no slot", rsvp.id)))
}

/// Where a ticket stands, as anyone holding it may learn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TicketStanding {
    Valid,
    /// Not confirmed (yet): a hold, a waitlist place, an offer.
    NotConfirmed,
    EventCancelled,
}

/// A ticket's public view: the event, the first name on it, its standing. Opening it changes
/// nothing; only a door pass checks in.
#[derive(Clone, Debug)]
pub struct TicketView {
    pub event: PublicEvent,
    pub first_name: String,
    pub standing: TicketStanding,
    pub slot: event_slot::Model,
    pub guests: i32,
    pub short_code: String,
}

/// The ticket behind a code; a forged, revoked (cancelled) or erased-and-expired code is not
/// found.
pub async fn ticket(db: &impl ConnectionTrait, keyring: &Keyring, code: &str) -> Result<TicketView> {
    let opened = keyring.open(LinkKind::Ticket, code).ok_or(Error::NotFound(Resource::Rsvp))?;
    let version = i32::try_from(opened.version).map_err(|_| Error::NotFound(Resource::Rsvp))?;
    let rsvp = rsvp::Entity::find_by_id(crate::ids::RsvpId(opened.id))
        .one(db)
        .await?
        .filter(|r| r.ticket_version == version && r.status.is_active())
        .ok_or(Error::NotFound(Resource::Rsvp))?;
    let event = crate::event::public::event_by_id(db, rsvp.event_id).await?;
    let standing = if event.event.status == EventStatus::Cancelled {
        TicketStanding::EventCancelled
    } else if rsvp.status == RsvpStatus::Confirmed {
        TicketStanding::Valid
    } else {
        TicketStanding::NotConfirmed
    };
    let slot = slot_of(&event, &rsvp)?;
    Ok(TicketView {
        first_name: first_name(&rsvp.name).to_owned(),
        standing,
        slot,
        guests: rsvp.guests,
        short_code: rsvp.short_code,
        event,
    })
}

/// Seats free in each slot of the event, counting the event's own limit.
pub async fn free_seats(db: &impl ConnectionTrait, event: &PublicEvent) -> Result<Vec<(SlotId, i32)>> {
    let seats = seats_with(db, &event.event, &event.slots).await?;
    Ok(event.slots.iter().map(|s| (s.id, seats.free_in(s.id))).collect())
}

/// The names of confirmed attendees who chose to appear in the "who's going" list, in order of
/// arrival.
pub async fn going(db: &impl ConnectionTrait, event: &PublicEvent) -> Result<Vec<String>> {
    Ok(rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::Name)
        .filter(rsvp::Column::EventId.eq(event.event.id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
        .filter(rsvp::Column::ShowInList.eq(true))
        .order_by_asc(rsvp::Column::QueuedAt)
        .limit(500)
        .into_tuple()
        .all(db)
        .await?)
}
