//! Series: recurring meetups ("Crossing") whose events are numbered editions (#1, #2, ...).

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
    entity::{event, series},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    ids::{NetworkId, SeriesId},
    values::{self, Slug},
};

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 5000;

#[derive(Clone, Debug)]
pub struct SeriesInput {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SeriesPatch {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

#[derive(Serialize)]
struct ValidSeries {
    slug: Slug,
    name: String,
    description: Option<String>,
}

fn validate(input: &SeriesInput) -> Result<ValidSeries> {
    let mut errors = ValidationErrors::new();
    let slug = errors.check("slug", Slug::parse(&input.slug));
    let name = errors.check("name", values::text(&input.name, NAME_MAX));
    let description = errors.check(
        "description",
        values::optional_text(input.description.as_deref().unwrap_or(""), DESCRIPTION_MAX),
    );
    match (slug, name, description) {
        (Some(slug), Some(name), Some(description)) => Ok(ValidSeries { slug, name, description }),
        _ => Err(errors.into()),
    }
}

async fn ensure_slug_free(
    db: &impl ConnectionTrait,
    network_id: NetworkId,
    slug: &Slug,
    except: Option<SeriesId>,
) -> Result<()> {
    let mut query = series::Entity::find()
        .filter(series::Column::NetworkId.eq(network_id))
        .filter(series::Column::Slug.eq(slug.as_str()));
    if let Some(id) = except {
        query = query.filter(series::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(Conflict::SlugTaken(slug.to_string()).into());
    }
    Ok(())
}

fn change<'a>(
    actor: &Actor,
    model: &series::Model,
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

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    network_id: NetworkId,
    input: SeriesInput,
    now: DateTime<Utc>,
) -> Result<series::Model> {
    actor.require(network_id, Permission::ManageVenuesAndSeries, Resource::Network)?;
    let valid = validate(&input)?;
    let txn = db.begin().await?;
    ensure_slug_free(&txn, network_id, &valid.slug, None).await?;
    let model = series::Entity::insert(series::ActiveModel {
        id: Set(SeriesId::new()),
        network_id: Set(network_id),
        slug: Set(valid.slug.to_string()),
        name: Set(valid.name.clone()),
        description: Set(valid.description.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        archived_at: Set(None),
    })
    .exec_with_returning(&txn)
    .await?;
    let summary = serde_json::to_value(&valid).unwrap_or_default();
    audit::record(&txn, change(actor, &model, "series.create", summary), now).await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: SeriesId,
    permission: Permission,
) -> Result<series::Model> {
    let series = series::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(Resource::Series))?;
    actor.require(series.network_id, permission, Resource::Series)?;
    Ok(series)
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: NetworkId,
    include_archived: bool,
) -> Result<Vec<series::Model>> {
    actor.require(network_id, Permission::ViewNetwork, Resource::Network)?;
    let mut query = series::Entity::find().filter(series::Column::NetworkId.eq(network_id));
    if !include_archived {
        query = query.filter(series::Column::ArchivedAt.is_null());
    }
    Ok(query.order_by_asc(series::Column::Name).all(db).await?)
}

/// The number the next edition of a series gets: one past the highest so far.
pub async fn next_edition(db: &impl ConnectionTrait, id: SeriesId) -> Result<i32> {
    let highest: Option<i32> = event::Entity::find()
        .select_only()
        .column_as(event::Column::Edition.max(), "edition")
        .filter(event::Column::SeriesId.eq(id))
        .into_tuple::<Option<i32>>()
        .one(db)
        .await?
        .flatten();
    Ok(highest.unwrap_or(0) + 1)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: SeriesId,
    patch: SeriesPatch,
    now: DateTime<Utc>,
) -> Result<series::Model> {
    let txn = db.begin().await?;
    let current = get(&txn, actor, id, Permission::ManageVenuesAndSeries).await?;
    let input = SeriesInput {
        slug: patch.slug.unwrap_or_else(|| current.slug.clone()),
        name: patch.name.unwrap_or_else(|| current.name.clone()),
        description: patch.description.unwrap_or_else(|| current.description.clone()),
    };
    let valid = validate(&input)?;
    ensure_slug_free(&txn, current.network_id, &valid.slug, Some(id)).await?;
    let before = json!({"slug": current.slug, "name": current.name, "description": current.description});
    let changes = audit::diff(&before, &valid);
    if audit::is_empty(&changes) {
        return Ok(current);
    }
    let mut active: series::ActiveModel = current.into();
    active.slug = Set(valid.slug.to_string());
    active.name = Set(valid.name.clone());
    active.description = Set(valid.description.clone());
    active.updated_at = Set(now);
    let model = series::Entity::update(active).exec(&txn).await?;
    audit::record(&txn, change(actor, &model, "series.update", changes), now).await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn set_archived(
    db: &DatabaseConnection,
    actor: &Actor,
    id: SeriesId,
    archived: bool,
    now: DateTime<Utc>,
) -> Result<series::Model> {
    let txn = db.begin().await?;
    let current = get(&txn, actor, id, Permission::ManageVenuesAndSeries).await?;
    if current.archived_at.is_some() == archived {
        return Ok(current);
    }
    let mut active: series::ActiveModel = current.into();
    active.archived_at = Set(archived.then_some(now));
    active.updated_at = Set(now);
    let model = series::Entity::update(active).exec(&txn).await?;
    let action = if archived { "series.archive" } else { "series.restore" };
    audit::record(&txn, change(actor, &model, action, json!({})), now).await?;
    txn.commit().await?;
    Ok(model)
}
