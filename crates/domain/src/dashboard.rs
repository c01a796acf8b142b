//! What the organizers' dashboard reads that no single use case gives: a network's events by
//! tab, found by title, each with its RSVPs counted by status (one grouped query for the page,
//! not one per event).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    access::{Actor, Permission},
    entity::{event, rsvp},
    error::{Resource, Result},
    event::{EventStatus, of_network},
    ids::{EventId, NetworkId},
    rsvp::RsvpStatus,
};

/// The dashboard's tabs of events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Tab {
    /// Published or cancelled, not yet over: soonest first.
    #[default]
    Upcoming,
    /// Not yet published, whenever they are: soonest first.
    Drafts,
    /// Published or cancelled, over: latest first.
    Past,
}

impl Tab {
    pub fn parse(raw: &str) -> Option<Tab> {
        match raw {
            "upcoming" => Some(Tab::Upcoming),
            "drafts" => Some(Tab::Drafts),
            "past" => Some(Tab::Past),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Tab::Upcoming => "upcoming",
            Tab::Drafts => "drafts",
            Tab::Past => "past",
        }
    }
}

/// People (each RSVP with its guests) by status, and how many came.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub by_status: HashMap<RsvpStatus, i64>,
    pub checked_in: i64,
}

impl Counts {
    pub fn people(&self, status: RsvpStatus) -> i64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// People holding seats: confirmed, held while their email is confirmed, or offered.
    pub fn taking_seats(&self) -> i64 {
        RsvpStatus::TAKING_SEATS.iter().map(|s| self.people(*s)).sum()
    }
}

#[derive(Clone, Debug)]
pub struct EventRow {
    pub event: event::Model,
    pub counts: Counts,
}

/// The longest search text kept.
const SEARCH_MAX: usize = 100;

/// A page of `network_id`'s events (hosted or co-hosted) in `tab`, whose title contains
/// `search` (any case), with their counts.
pub async fn events(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: NetworkId,
    tab: Tab,
    search: &str,
    (limit, offset): (u64, u64),
    now: DateTime<Utc>,
) -> Result<Vec<EventRow>> {
    actor.require(network_id, Permission::ViewNetwork, Resource::Network)?;
    let mut query =
        event::Entity::find().filter(of_network(network_id)).filter(event::Column::ArchivedAt.is_null());
    query = match tab {
        Tab::Drafts => {
            query.filter(event::Column::Status.eq(EventStatus::Draft)).order_by_asc(event::Column::StartsAt)
        }
        Tab::Upcoming => query
            .filter(event::Column::Status.ne(EventStatus::Draft))
            .filter(event::Column::EndsAt.gte(now))
            .order_by_asc(event::Column::StartsAt),
        Tab::Past => query
            .filter(event::Column::Status.ne(EventStatus::Draft))
            .filter(event::Column::EndsAt.lt(now))
            .order_by_desc(event::Column::StartsAt),
    };
    let search: String = search.trim().chars().take(SEARCH_MAX).collect();
    if !search.is_empty() {
        query = query.filter(crate::db::contains(event::Column::Title, &search));
    }
    let events = query.order_by_asc(event::Column::Id).limit(limit).offset(offset).all(db).await?;
    let mut counts = counts(db, events.iter().map(|e| e.id).collect()).await?;
    Ok(events
        .into_iter()
        .map(|event| EventRow { counts: counts.remove(&event.id).unwrap_or_default(), event })
        .collect())
}

#[derive(FromQueryResult)]
struct CountRow {
    event_id: EventId,
    status: RsvpStatus,
    people: i64,
    checked_in: i64,
}

/// RSVPs counted by event and status: people (with guests) and those checked in.
pub async fn counts(db: &impl ConnectionTrait, events: Vec<EventId>) -> Result<HashMap<EventId, Counts>> {
    if events.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::EventId)
        .column(rsvp::Column::Status)
        .column_as(Expr::col(rsvp::Column::Guests).add(1).sum().cast_as("bigint"), "people")
        .column_as(Expr::col(rsvp::Column::CheckedIn).sum().cast_as("bigint"), "checked_in")
        .filter(rsvp::Column::EventId.is_in(events))
        .group_by(rsvp::Column::EventId)
        .group_by(rsvp::Column::Status)
        .into_model::<CountRow>()
        .all(db)
        .await?;
    let mut out: HashMap<EventId, Counts> = HashMap::new();
    for row in rows {
        let counts = out.entry(row.event_id).or_default();
        counts.by_status.insert(row.status, row.people);
        counts.checked_in += row.checked_in;
    }
    Ok(out)
}
