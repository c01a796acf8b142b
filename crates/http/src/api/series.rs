//! Series: recurring meetups and their numbered editions.

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
    entity::series as series_entity,
    ids::SeriesId,
    network,
    series::{self, SeriesInput, SeriesPatch},
};
use uuid::Uuid;

use super::{ApiTags, types::Created, venues::patch_of};
use crate::{auth::TokenAuth, body::JsonBody, problem::ApiResult, state::AppState};

pub struct SeriesApi {
    pub state: AppState,
}

#[derive(Debug, Object)]
pub struct Series {
    pub id: Uuid,
    pub network_id: Uuid,
    /// Unique within the network.
    pub slug: String,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    pub archived: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<series_entity::Model> for Series {
    fn from(s: series_entity::Model) -> Self {
        Series {
            id: s.id.uuid(),
            network_id: s.network_id.uuid(),
            slug: s.slug,
            name: s.name,
            description: s.description,
            archived: s.archived_at.is_some(),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct NewSeries {
    /// Lowercase letters, digits and hyphens; unique within the network.
    #[oai(validator(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64))]
    pub slug: String,
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: String,
    #[oai(nullable)]
    #[oai(validator(max_length = 5000))]
    pub description: Option<String>,
}

#[derive(Debug, Object, Deserialize)]
pub struct SeriesChanges {
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64))]
    pub slug: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_length = 5000))]
    pub description: MaybeUndefined<String>,
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Series")]
impl SeriesApi {
    /// List series
    #[oai(path = "/networks/:network/series", method = "get", operation_id = "list_series")]
    async fn list_series(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        /// Include archived series.
        archived: Query<Option<bool>>,
    ) -> ApiResult<Json<Vec<Series>>> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let list = series::list(db, &auth.0, network.id, archived.0.unwrap_or(false)).await?;
        Ok(Json(list.into_iter().map(Series::from).collect()))
    }

    /// Create a series
    #[oai(path = "/networks/:network/series", method = "post", operation_id = "create_series")]
    async fn create_series(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        body: JsonBody<NewSeries>,
    ) -> ApiResult<Created<Series>> {
        let network = network::visible_by_slug(self.state.db.reader(), &auth.0, &network.0).await?;
        let b = body.0;
        let input = SeriesInput { slug: b.slug, name: b.name, description: b.description };
        let created =
            series::create(self.state.db.writer(), &auth.0, network.id, input, self.state.now()).await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Get a series
    #[oai(path = "/series/:id", method = "get", operation_id = "get_series")]
    async fn get_series(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Series>> {
        let found =
            series::get(self.state.db.reader(), &auth.0, SeriesId(id.0), Permission::ViewNetwork).await?;
        Ok(Json(found.into()))
    }

    /// Change a series
    #[oai(path = "/series/:id", method = "patch", operation_id = "update_series")]
    async fn update_series(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: JsonBody<SeriesChanges>,
    ) -> ApiResult<Json<Series>> {
        let b = body.0;
        let patch = SeriesPatch { slug: b.slug, name: b.name, description: patch_of(b.description) };
        let updated =
            series::update(self.state.db.writer(), &auth.0, SeriesId(id.0), patch, self.state.now()).await?;
        Ok(Json(updated.into()))
    }

    /// Archive a series
    #[oai(path = "/series/:id/archive", method = "post", operation_id = "archive_series")]
    async fn archive_series(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Series>> {
        let s = series::set_archived(self.state.db.writer(), &auth.0, SeriesId(id.0), true, self.state.now())
            .await?;
        Ok(Json(s.into()))
    }

    /// Restore an archived series
    #[oai(path = "/series/:id/restore", method = "post", operation_id = "restore_series")]
    async fn restore_series(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Series>> {
        let s =
            series::set_archived(self.state.db.writer(), &auth.0, SeriesId(id.0), false, self.state.now())
                .await?;
        Ok(Json(s.into()))
    }
}
