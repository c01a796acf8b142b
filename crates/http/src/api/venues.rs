//! Venues: where events happen.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use serde::Deserialize;
use tsudoi_domain::{
    access::Permission,
    entity::venue as venue_entity,
    ids::VenueId,
    network,
    venue::{self, VenueInput, VenuePatch},
};
use uuid::Uuid;

use super::{ApiTags, types::Created};
use crate::{auth::TokenAuth, body::JsonBody, problem::ApiResult, state::AppState};

pub struct VenuesApi {
    pub state: AppState,
}

#[derive(Debug, Object)]
pub struct Venue {
    pub id: Uuid,
    pub network_id: Uuid,
    pub name: String,
    pub address: String,
    #[oai(skip_serializing_if_is_none)]
    pub map_url: Option<String>,
    /// How to get in: the floor, the reception, the nearest exit of the station.
    #[oai(skip_serializing_if_is_none)]
    pub access_notes: Option<String>,
    /// No event at this venue may have more seats.
    pub room_capacity: i32,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<venue_entity::Model> for Venue {
    fn from(v: venue_entity::Model) -> Self {
        Venue {
            id: v.id.uuid(),
            network_id: v.network_id.uuid(),
            name: v.name,
            address: v.address,
            map_url: v.map_url,
            access_notes: v.access_notes,
            room_capacity: v.room_capacity,
            archived: v.archived_at.is_some(),
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct NewVenue {
    /// Up to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    /// Up to 500 characters.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub address: String,
    /// An http(s) link to a map.
    #[oai(nullable)]
    #[oai(validator(max_length = 2000))]
    pub map_url: Option<String>,
    /// Up to 2,000 characters.
    #[oai(nullable)]
    #[oai(validator(max_length = 2000))]
    pub access_notes: Option<String>,
    /// 1 to 100,000.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub room_capacity: i64,
}

/// Fields to change; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Object, Deserialize)]
pub struct VenueChanges {
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(min_length = 1, max_length = 500))]
    pub address: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_length = 2000))]
    pub map_url: MaybeUndefined<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_length = 2000))]
    pub access_notes: MaybeUndefined<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub room_capacity: Option<i64>,
}

/// `MaybeUndefined` to the domain's "leave alone / clear / set".
pub fn patch_of<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Venues")]
impl VenuesApi {
    /// List venues
    #[oai(path = "/networks/:network/venues", method = "get", operation_id = "list_venues")]
    async fn list_venues(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        /// Include archived venues.
        archived: Query<Option<bool>>,
    ) -> ApiResult<Json<Vec<Venue>>> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let venues = venue::list(db, &auth.0, network.id, archived.0.unwrap_or(false)).await?;
        Ok(Json(venues.into_iter().map(Venue::from).collect()))
    }

    /// Create a venue
    #[oai(path = "/networks/:network/venues", method = "post", operation_id = "create_venue")]
    async fn create_venue(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        body: JsonBody<NewVenue>,
    ) -> ApiResult<Created<Venue>> {
        let network = network::visible_by_slug(self.state.db.reader(), &auth.0, &network.0).await?;
        let b = body.0;
        let input = VenueInput {
            name: b.name,
            address: b.address,
            map_url: b.map_url,
            access_notes: b.access_notes,
            room_capacity: b.room_capacity,
        };
        let venue =
            venue::create(self.state.db.writer(), &auth.0, network.id, input, self.state.now()).await?;
        Ok(Created::Created(Json(venue.into())))
    }

    /// Get a venue
    #[oai(path = "/venues/:id", method = "get", operation_id = "get_venue")]
    async fn get_venue(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Venue>> {
        let venue =
            venue::get(self.state.db.reader(), &auth.0, VenueId(id.0), Permission::ViewNetwork).await?;
        Ok(Json(venue.into()))
    }

    /// Change a venue
    ///
    /// The room capacity cannot drop below the seats of an upcoming event there.
    #[oai(path = "/venues/:id", method = "patch", operation_id = "update_venue")]
    async fn update_venue(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: JsonBody<VenueChanges>,
    ) -> ApiResult<Json<Venue>> {
        let b = body.0;
        let patch = VenuePatch {
            name: b.name,
            address: b.address,
            map_url: patch_of(b.map_url),
            access_notes: patch_of(b.access_notes),
            room_capacity: b.room_capacity,
        };
        let venue =
            venue::update(self.state.db.writer(), &auth.0, VenueId(id.0), patch, self.state.now()).await?;
        Ok(Json(venue.into()))
    }

    /// Archive a venue
    ///
    /// Hidden from lists and pickers; events keep it.
    #[oai(path = "/venues/:id/archive", method = "post", operation_id = "archive_venue")]
    async fn archive_venue(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Venue>> {
        let venue =
            venue::set_archived(self.state.db.writer(), &auth.0, VenueId(id.0), true, self.state.now())
                .await?;
        Ok(Json(venue.into()))
    }

    /// Restore an archived venue
    #[oai(path = "/venues/:id/restore", method = "post", operation_id = "restore_venue")]
    async fn restore_venue(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Venue>> {
        let venue =
            venue::set_archived(self.state.db.writer(), &auth.0, VenueId(id.0), false, self.state.now())
                .await?;
        Ok(Json(venue.into()))
    }
}
