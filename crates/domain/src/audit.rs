//! The audit log: every organizer change records who did what to which thing, when, and what
//! changed. Written in the same transaction as the change itself.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::{
    access::{Actor, Permission},
    entity::audit_entry,
    error::{Resource, Result},
    ids::{AuditId, NetworkId, PersonId},
};

/// Who made a change: a person through the API, or the operator at the command line.
#[derive(Clone, Copy, Debug)]
pub enum Author {
    Person(PersonId),
    Operator,
}

impl From<&Actor> for Author {
    fn from(actor: &Actor) -> Self {
        Author::Person(actor.person_id)
    }
}

pub struct Change<'a> {
    pub network_id: NetworkId,
    pub author: Author,
    pub action: &'a str,
    pub subject_id: Uuid,
    pub summary: Value,
}

pub async fn record(db: &impl ConnectionTrait, change: Change<'_>, at: DateTime<Utc>) -> Result<()> {
    let person_id = match change.author {
        Author::Person(id) => Some(id),
        Author::Operator => None,
    };
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        id: Set(AuditId::new()),
        network_id: Set(change.network_id),
        person_id: Set(person_id),
        action: Set(change.action.to_owned()),
        subject_id: Set(change.subject_id),
        summary: Set(change.summary),
        at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// `{"field": [before, after]}` for each top-level field that differs.
pub fn diff(before: &impl Serialize, after: &impl Serialize) -> Value {
    let (Ok(Value::Object(before)), Ok(Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Value::Null;
    };
    let mut changes = Map::new();
    for (key, new) in &after {
        let old = before.get(key).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(key.clone(), Value::Array(vec![old.clone(), new.clone()]));
        }
    }
    Value::Object(changes)
}

/// Whether a [`diff`] found nothing.
pub fn is_empty(changes: &Value) -> bool {
    changes.as_object().is_some_and(Map::is_empty)
}

/// The newest entries of a network's log, for its owners.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: NetworkId,
    limit: u64,
) -> Result<Vec<audit_entry::Model>> {
    actor.require(network_id, Permission::ViewAuditLog, Resource::Network)?;
    Ok(audit_entry::Entity::find()
        .filter(audit_entry::Column::NetworkId.eq(network_id))
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diff_lists_only_what_changed() {
        let before = json!({"title": "Crossing #7", "seats": 40, "theme": null});
        let after = json!({"title": "Crossing #8", "seats": 40, "theme": "AI"});
        assert_eq!(
            diff(&before, &after),
            json!({"title": ["Crossing #7", "Crossing #8"], "theme": [null, "AI"]})
        );
    }
}
