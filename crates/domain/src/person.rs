//! People: anyone who organizes, owns or staffs for a network. Attendees are not people here;
//! they never make an account.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};

use crate::{
    entity::person,
    error::{Error, Resource, Result},
    ids::PersonId,
    values::Email,
};

/// The person with this email, created with `display_name` if there is none yet. Safe when two
/// requests create the same person at once.
pub async fn find_or_create(
    db: &impl ConnectionTrait,
    email: &Email,
    display_name: &str,
    now: DateTime<Utc>,
) -> Result<person::Model> {
    person::Entity::insert(person::ActiveModel {
        id: Set(PersonId::new()),
        email: Set(email.as_str().to_owned()),
        display_name: Set(display_name.to_owned()),
        created_at: Set(now),
    })
    .on_conflict(OnConflict::column(person::Column::Email).do_nothing().to_owned())
    .exec_without_returning(db)
    .await?;
    let found = person::Entity::find()
        .filter(person::Column::Email.eq(email.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("person vanished right after insert"))?;
    Ok(found)
}

pub async fn get(db: &impl ConnectionTrait, id: PersonId) -> Result<person::Model> {
    person::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(Resource::Person))
}

/// A readable default name: the part of the address before the `@`.
pub fn name_from_email(email: &Email) -> String {
    email.as_str().split('@').next().unwrap_or_default().to_owned()
}

/// The display names of `people` (an audit log's authors), by id.
pub async fn names(db: &impl ConnectionTrait, people: Vec<PersonId>) -> Result<HashMap<PersonId, String>> {
    if people.is_empty() {
        return Ok(HashMap::new());
    }
    let found = person::Entity::find().filter(person::Column::Id.is_in(people)).all(db).await?;
    Ok(found.into_iter().map(|p| (p.id, p.display_name)).collect())
}
