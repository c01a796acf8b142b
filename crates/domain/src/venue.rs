//! Venues: where events happen. Each belongs to a network; an event's seats never exceed its
//! venue's room capacity.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde::Serialize;
use serde_json::json;

use crate::{
    access::{Actor, Permission},
    audit::{self, Change},
    entity::{event, venue},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::EventStatus,
    ids::{NetworkId, VenueId},
    values,
};

pub const NAME_MAX: usize = 200;
pub const ADDRESS_MAX: usize = 500;
pub const NOTES_MAX: usize = 2000;
pub const CAPACITY_MAX: i64 = 100_000;

/// What an organizer types for a venue, before validation.
#[derive(Clone, Debug, Serialize)]
pub struct VenueInput {
    pub name: String,
    pub address: String,
    pub map_url: Option<String>,
    pub access_notes: Option<String>,
    pub room_capacity: i64,
}

/// A partial change: `None` leaves a field alone, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct VenuePatch {
    pub name: Option<String>,
    pub address: Option<String>,
    pub map_url: Option<Option<String>>,
    pub access_notes: Option<Option<String>>,
    pub room_capacity: Option<i64>,
}

impl VenuePatch {
    fn apply(self, to: VenueInput) -> VenueInput {
        VenueInput {
            name: self.name.unwrap_or(to.name),
            address: self.address.unwrap_or(to.address),
            map_url: self.map_url.unwrap_or(to.map_url),
            access_notes: self.access_notes.unwrap_or(to.access_notes),
            room_capacity: self.room_capacity.unwrap_or(to.room_capacity),
        }
    }
}

#[derive(Serialize)]
struct ValidVenue {
    name: String,
    address: String,
    map_url: Option<String>,
    access_notes: Option<String>,
    room_capacity: i32,
}

fn validate(input: &VenueInput) -> Result<ValidVenue> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", values::text(&input.name, NAME_MAX));
    let address = errors.check("address", values::text(&input.address, ADDRESS_MAX));
    let map_url = match input.map_url.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => errors.check("map_url", values::web_url(raw)).map(Some),
    };
    let access_notes = errors
        .check("access_notes", values::optional_text(input.access_notes.as_deref().unwrap_or(""), NOTES_MAX));
    let room_capacity = errors.check("room_capacity", values::count(input.room_capacity, 1, CAPACITY_MAX));
    match (name, address, map_url, access_notes, room_capacity) {
        (Some(name), Some(address), Some(map_url), Some(access_notes), Some(room_capacity))
            if errors.is_empty() =>
        {
            Ok(ValidVenue { name, address, map_url, access_notes, room_capacity })
        }
        _ => Err(errors.into()),
    }
}

fn input_of(model: &venue::Model) -> VenueInput {
    VenueInput {
        name: model.name.clone(),
        address: model.address.clone(),
        map_url: model.map_url.clone(),
        access_notes: model.access_notes.clone(),
        room_capacity: model.room_capacity.into(),
    }
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    network_id: NetworkId,
    input: VenueInput,
    now: DateTime<Utc>,
) -> Result<venue::Model> {
    let txn = db.begin().await?;
    let model = create_in(&txn, actor, network_id, input, now).await?;
    txn.commit().await?;
    Ok(model)
}

/// Creates a venue inside `txn` (an event's form makes its venue with the event, so a refused
/// event leaves none behind).
pub(crate) async fn create_in(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    network_id: NetworkId,
    input: VenueInput,
    now: DateTime<Utc>,
) -> Result<venue::Model> {
    actor.require(network_id, Permission::ManageVenuesAndSeries, Resource::Network)?;
    let valid = validate(&input)?;
    let model = venue::Entity::insert(venue::ActiveModel {
        id: Set(VenueId::new()),
        network_id: Set(network_id),
        name: Set(valid.name.clone()),
        address: Set(valid.address.clone()),
        map_url: Set(valid.map_url.clone()),
        access_notes: Set(valid.access_notes.clone()),
        room_capacity: Set(valid.room_capacity),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
    })
    .exec_with_returning(txn)
    .await?;
    let summary = serde_json::to_value(&valid).unwrap_or_default();
    audit::record(txn, change(actor, &model, "venue.create", summary), now).await?;
    Ok(model)
}

fn change<'a>(
    actor: &Actor,
    model: &venue::Model,
    action: &'a str,
    summary: serde_json::Value,
) -> Change<'a> {
    Change {
        network_id: model.network_id,
        author: actor.into(),
        action,
        subject_id: model.id.uuid(),
        summary,
    }
}

/// The venue if the actor may see it; `permission` says what the actor wants to do with it.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: VenueId,
    permission: Permission,
) -> Result<venue::Model> {
    let venue = venue::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(Resource::Venue))?;
    actor.require(venue.network_id, permission, Resource::Venue)?;
    Ok(venue)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: NetworkId,
    include_archived: bool,
) -> Result<Vec<venue::Model>> {
    actor.require(network_id, Permission::ViewNetwork, Resource::Network)?;
    let mut query = venue::Entity::find().filter(venue::Column::NetworkId.eq(network_id));
    if !include_archived {
        query = query.filter(venue::Column::ArchivedAt.is_null());
    }
    Ok(query.order_by_asc(venue::Column::Name).all(db).await?)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: VenueId,
    patch: VenuePatch,
    now: DateTime<Utc>,
) -> Result<venue::Model> {
    let txn = db.begin().await?;
    let current = get(&txn, actor, id, Permission::ManageVenuesAndSeries).await?;
    let valid = validate(&patch.apply(input_of(&current)))?;
    if valid.room_capacity < current.room_capacity {
        let largest: Option<i32> = event::Entity::find()
            .select_only()
            .column_as(event::Column::Seats.max(), "seats")
            .filter(event::Column::VenueId.eq(id))
            .filter(event::Column::EndsAt.gt(now))
            .filter(event::Column::Status.ne(EventStatus::Cancelled))
            .into_tuple::<Option<i32>>()
            .one(&txn)
            .await?
            .flatten();
        if let Some(seats) = largest.filter(|seats| *seats > valid.room_capacity) {
            return Err(Conflict::VenueCapacityBelowEvents { seats }.into());
        }
    }
    let before = serde_json::to_value(ValidVenue {
        name: current.name.clone(),
        address: current.address.clone(),
        map_url: current.map_url.clone(),
        access_notes: current.access_notes.clone(),
        room_capacity: current.room_capacity,
    })
    .unwrap_or_default();
    let changes = audit::diff(&before, &valid);
    if audit::is_empty(&changes) {
        return Ok(current);
    }
    let mut active: venue::ActiveModel = current.into();
    active.name = Set(valid.name.clone());
    active.address = Set(valid.address.clone());
    active.map_url = Set(valid.map_url.clone());
    active.access_notes = Set(valid.access_notes.clone());
    active.room_capacity = Set(valid.room_capacity);
    active.updated_at = Set(now);
    let model = venue::Entity::update(active).exec(&txn).await?;
    audit::record(&txn, change(actor, &model, "venue.update", changes), now).await?;
    txn.commit().await?;
    Ok(model)
}

/// Archives (hides from lists and pickers) or restores a venue. Events keep their venue.
pub async fn set_archived(
    db: &DatabaseConnection,
    actor: &Actor,
    id: VenueId,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<venue::Model> {
    let txn = db.begin().await?;
    let current = get(&txn, actor, id, Permission::ManageVenuesAndSeries).await?;
    if current.archived_at.is_some() == archived {
        return Ok(current);
    }
    let mut active: venue::ActiveModel = current.into();
    active.archived_at = Set(archived.then_some(now));
    active.updated_at = Set(now);
    let model = venue::Entity::update(active).exec(&txn).await?;
    let action = if archived { "venue.archive" } else { "venue.restore" };
    audit::record(&txn, change(actor, &model, action, json!({})), now).await?;
    txn.commit().await?;
    Ok(model)
}
