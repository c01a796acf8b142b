//! Events: the meetups themselves, with their slots, co-hosting networks and organizers.
//! `draft` checks what organizers type, `edit` changes events, `public` serves what anyone
//! may see of published ones.

pub mod draft;
pub mod edit;
pub mod public;
mod references;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DeriveActiveEnum, EntityTrait, EnumIter, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Query,
};
use serde::{Deserialize, Serialize};

use crate::{
    access::{Actor, Permission, Role, require_role},
    entity::{event, event_cohost, event_organizer, event_slot, membership, network, person},
    error::{Error, Resource, Result},
    ids::{EventId, NetworkId, SeriesId},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum EventStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "published")]
    Published,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum RsvpMode {
    /// Seats go to whoever RSVPs first.
    #[default]
    #[sea_orm(string_value = "first_come")]
    FirstCome,
    /// Entries until the draw, then winners drawn at random (抽選).
    #[sea_orm(string_value = "lottery")]
    Lottery,
    /// Every RSVP waits for an organizer's approval.
    #[sea_orm(string_value = "approval")]
    Approval,
}

/// Whether the RSVP form asks for the reading of the name (furigana).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum NameReading {
    #[sea_orm(string_value = "hidden")]
    Hidden,
    #[default]
    #[sea_orm(string_value = "optional")]
    Optional,
    #[sea_orm(string_value = "required")]
    Required,
}

/// An event with everything that belongs to it.
#[derive(Clone, Debug)]
pub struct EventDetails {
    pub event: event::Model,
    pub slots: Vec<event_slot::Model>,
    pub host: network::Model,
    pub cohosts: Vec<network::Model>,
    pub organizers: Vec<person::Model>,
}

impl EventDetails {
    pub fn network_ids(&self) -> impl Iterator<Item = NetworkId> + '_ {
        std::iter::once(self.event.network_id).chain(self.cohosts.iter().map(|n| n.id))
    }
}

/// Which events a list shows, by time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum When {
    /// Not yet ended, soonest first.
    #[default]
    Upcoming,
    /// Ended, most recent first.
    Past,
    /// Everything, newest start first.
    All,
}

#[derive(Clone, Debug, Default)]
pub struct EventFilter {
    pub when: When,
    pub series_id: Option<SeriesId>,
    pub status: Option<EventStatus>,
    pub include_archived: bool,
    pub limit: u64,
    pub offset: u64,
}

/// Events hosted or co-hosted by `network_id`.
pub(crate) fn of_network(network_id: NetworkId) -> Condition {
    Condition::any().add(event::Column::NetworkId.eq(network_id)).add(
        event::Column::Id.in_subquery(
            Query::select()
                .column(event_cohost::Column::EventId)
                .from(event_cohost::Entity)
                .and_where(event_cohost::Column::NetworkId.eq(network_id))
                .to_owned(),
        ),
    )
}

fn by_time<S: QueryFilter + QueryOrder>(query: S, when: When, now: DateTime<Utc>) -> S {
    match when {
        When::Upcoming => query
            .filter(event::Column::EndsAt.gte(now))
            .order_by_asc(event::Column::StartsAt)
            .order_by_asc(event::Column::Id),
        When::Past => query
            .filter(event::Column::EndsAt.lt(now))
            .order_by_desc(event::Column::StartsAt)
            .order_by_desc(event::Column::Id),
        When::All => query.order_by_desc(event::Column::StartsAt).order_by_desc(event::Column::Id),
    }
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: NetworkId,
    filter: &EventFilter,
    now: DateTime<Utc>,
) -> Result<Vec<EventDetails>> {
    actor.require(network_id, Permission::ViewNetwork, Resource::Network)?;
    let mut query = event::Entity::find().filter(of_network(network_id));
    if let Some(series_id) = filter.series_id {
        query = query.filter(event::Column::SeriesId.eq(series_id));
    }
    if let Some(status) = filter.status {
        query = query.filter(event::Column::Status.eq(status));
    }
    if !filter.include_archived {
        query = query.filter(event::Column::ArchivedAt.is_null());
    }
    let events = by_time(query, filter.when, now).limit(filter.limit).offset(filter.offset).all(db).await?;
    with_details(db, events).await
}

/// Loads slots, networks and organizers for many events in a few queries.
pub async fn with_details(db: &impl ConnectionTrait, events: Vec<event::Model>) -> Result<Vec<EventDetails>> {
    let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
    let mut slots: HashMap<EventId, Vec<event_slot::Model>> = HashMap::new();
    for slot in event_slot::Entity::find()
        .filter(event_slot::Column::EventId.is_in(ids.clone()))
        .order_by_asc(event_slot::Column::Position)
        .all(db)
        .await?
    {
        slots.entry(slot.event_id).or_default().push(slot);
    }
    let cohost_rows =
        event_cohost::Entity::find().filter(event_cohost::Column::EventId.is_in(ids.clone())).all(db).await?;
    let network_ids = events.iter().map(|e| e.network_id).chain(cohost_rows.iter().map(|c| c.network_id));
    let networks: HashMap<NetworkId, network::Model> = network::Entity::find()
        .filter(network::Column::Id.is_in(network_ids.collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|n| (n.id, n))
        .collect();
    let mut cohosts: HashMap<EventId, Vec<network::Model>> = HashMap::new();
    for row in cohost_rows {
        if let Some(n) = networks.get(&row.network_id) {
            cohosts.entry(row.event_id).or_default().push(n.clone());
        }
    }
    let mut organizers: HashMap<EventId, Vec<person::Model>> = HashMap::new();
    for (row, person) in event_organizer::Entity::find()
        .filter(event_organizer::Column::EventId.is_in(ids))
        .find_also_related(person::Entity)
        .all(db)
        .await?
    {
        if let Some(person) = person {
            organizers.entry(row.event_id).or_default().push(person);
        }
    }
    events
        .into_iter()
        .map(|event| {
            let host = networks.get(&event.network_id).cloned().ok_or_else(|| {
                Error::Unexpected(anyhow::anyhow!("event {} has no host network", event.id))
            })?;
            let mut cohosts = cohosts.remove(&event.id).unwrap_or_default();
            cohosts.sort_by(|a, b| a.slug.cmp(&b.slug));
            let mut organizers = organizers.remove(&event.id).unwrap_or_default();
            organizers.sort_by(|a, b| a.display_name.cmp(&b.display_name));
            Ok(EventDetails {
                slots: slots.remove(&event.id).unwrap_or_default(),
                host,
                cohosts,
                organizers,
                event,
            })
        })
        .collect()
}

/// The event with its details, and the actor's strongest role across its host and co-hosts.
/// Not visible to the actor: `NotFound`; visible but `permission` not allowed: `Forbidden`.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: EventId,
    permission: Permission,
) -> Result<(EventDetails, Role)> {
    let event = event::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(Resource::Event))?;
    let details = with_details(db, vec![event])
        .await?
        .pop()
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("details vanished")))?;
    let role = require_role(actor.best_role_in(details.network_ids()), permission, Resource::Event)?;
    Ok((details, role))
}

/// The event, if `actor` manages it. Door staff and strangers get 404: what organizers do with
/// an event's attendees is not something they may even know about.
pub(crate) async fn managed(db: &impl ConnectionTrait, actor: &Actor, id: EventId) -> Result<EventDetails> {
    match get(db, actor, id, Permission::ManageEvents).await {
        Ok((details, _)) => Ok(details),
        Err(Error::Forbidden(_)) => Err(Error::NotFound(Resource::Event)),
        Err(other) => Err(other),
    }
}

/// Who may be put in charge of an event of the `networks` (its host and co-hosts): their
/// owners and organizers, by name. The actor must organize in one of them.
pub async fn organizer_choices(
    db: &impl ConnectionTrait,
    actor: &Actor,
    networks: &[NetworkId],
) -> Result<Vec<person::Model>> {
    require_role(actor.best_role_in(networks.iter().copied()), Permission::ManageEvents, Resource::Network)?;
    let people = membership::Entity::find()
        .filter(membership::Column::NetworkId.is_in(networks.iter().copied()))
        .filter(membership::Column::Role.is_in([Role::Owner, Role::Organizer]))
        .find_also_related(person::Entity)
        .all(db)
        .await?;
    let mut people: Vec<person::Model> = people.into_iter().filter_map(|(_, p)| p).collect();
    people.sort_by(|a, b| a.display_name.cmp(&b.display_name).then(a.id.cmp(&b.id)));
    people.dedup_by_key(|p| p.id);
    Ok(people)
}

/// Takes the event's row lock for the rest of the transaction and returns the row (PostgreSQL;
/// SQLite has one writer), so everything that changes one event's seats runs one at a time.
pub(crate) async fn lock(txn: &sea_orm::DatabaseTransaction, id: EventId) -> Result<event::Model> {
    locked(event::Entity::find_by_id(id)).one(txn).await?.ok_or(Error::NotFound(Resource::Event))
}

/// The event's row lock (`FOR NO KEY UPDATE`): it excludes every other holder of it, but not
/// the key-share locks that inserts referencing the event take (a check-in, an email in the
/// outbox). Were it `FOR UPDATE`, a door batch holding its parties' rows and recording their
/// check-ins would wait for an attendee's cancellation holding the event and waiting for one of
/// those parties: a deadlock.
pub(crate) fn locked(select: sea_orm::Select<event::Entity>) -> sea_orm::Select<event::Entity> {
    select.lock(sea_orm::sea_query::LockType::NoKeyUpdate)
}
