//! Door passes: organizers make one per gate (or per volunteer) and hand its link to staff; the
//! network's door staff open a scanner for any of its events with a pass of their own. The
//! token is random, shown once and stored only as a hash (DESIGN invariant 7); a pass works for
//! its own event only, within its hours, until revoked.

use chrono::{DateTime, Duration, Utc};
use data_encoding::BASE64URL_NOPAD;
use rand::RngCore;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use crate::{
    access::{Actor, Permission},
    entity::{door_pass, person},
    error::{Error, Resource, Result, ValidationErrors},
    ids::{DoorPassId, EventId},
    values,
};

pub const LABEL_MAX: usize = 50;
/// By default a pass opens this long before the event starts and closes this long after it ends.
pub const OPENS_BEFORE: Duration = Duration::hours(3);
pub const CLOSES_AFTER: Duration = Duration::hours(3);

/// What organizers choose for a new pass.
#[derive(Clone, Debug, Default)]
pub struct NewPass {
    pub label: String,
    pub scan_only: bool,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

/// A new pass and its token, which is shown this once.
pub struct IssuedPass {
    pub pass: door_pass::Model,
    pub token: String,
}

pub(crate) fn hash(token: &str) -> String {
    crate::token::sha256_hex(token)
}

pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    new: NewPass,
    now: DateTime<Utc>,
) -> Result<IssuedPass> {
    let txn = db.begin().await?;
    let details = crate::event::managed(&txn, actor, event_id).await?;
    let e = &details.event;
    let mut errors = ValidationErrors::new();
    let label = errors.check("label", values::text(&new.label, LABEL_MAX));
    let valid_from = new.valid_from.unwrap_or(e.starts_at - OPENS_BEFORE);
    let valid_until = new.valid_until.unwrap_or(e.ends_at + CLOSES_AFTER);
    if valid_until <= valid_from {
        errors.add("valid_until", "before_start", "must be after valid_from");
    }
    errors.into_result()?;
    let Some(label) = label else {
        return Err(Error::Unexpected(anyhow::anyhow!("a checked label is missing")));
    };
    let issued = issue(
        &txn,
        actor,
        event_id,
        NewPass { label, valid_from: Some(valid_from), valid_until: Some(valid_until), ..new },
        now,
    )
    .await?;
    let summary = serde_json::json!({ "pass": issued.pass.id, "label": issued.pass.label, "scan_only": issued.pass.scan_only });
    crate::event::edit::record(&txn, actor, e, "door_pass.create", summary, now).await?;
    txn.commit().await?;
    Ok(issued)
}

/// A pass of their own for a member with the check-in permission (door staff, and organizers)
/// of the event's network or a co-host: they open the scanner for any of its events without
/// being handed a link. Labelled with their name, open for the event's default door hours.
pub async fn open_scanner(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    now: DateTime<Utc>,
) -> Result<IssuedPass> {
    let txn = db.begin().await?;
    let (details, _) = match crate::event::get(&txn, actor, event_id, Permission::CheckIn).await {
        Err(Error::Forbidden(_)) => Err(Error::NotFound(Resource::Event)),
        other => other,
    }?;
    let e = &details.event;
    let person = person::Entity::find_by_id(actor.person_id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound(Resource::Event))?;
    let label: String = person.display_name.chars().take(LABEL_MAX).collect();
    let label = if label.trim().is_empty() { person.email.chars().take(LABEL_MAX).collect() } else { label };
    let new = NewPass {
        label,
        scan_only: false,
        valid_from: Some(e.starts_at - OPENS_BEFORE),
        valid_until: Some(e.ends_at + CLOSES_AFTER),
    };
    let issued = issue(&txn, actor, event_id, new, now).await?;
    let summary = serde_json::json!({ "pass": issued.pass.id, "label": issued.pass.label });
    crate::event::edit::record(&txn, actor, e, "door_pass.open_scanner", summary, now).await?;
    txn.commit().await?;
    Ok(issued)
}

/// Stores a new pass (its fields already checked) and makes its token.
async fn issue(
    db: &impl ConnectionTrait,
    actor: &Actor,
    event_id: EventId,
    new: NewPass,
    now: DateTime<Utc>,
) -> Result<IssuedPass> {
    let (Some(valid_from), Some(valid_until)) = (new.valid_from, new.valid_until) else {
        return Err(Error::Unexpected(anyhow::anyhow!("a pass without hours")));
    };
    let mut secret = [0u8; 24];
    rand::rng().fill_bytes(&mut secret);
    let token = BASE64URL_NOPAD.encode(&secret);
    let pass = door_pass::Entity::insert(door_pass::ActiveModel {
        id: Set(DoorPassId::new()),
        event_id: Set(event_id),
        label: Set(new.label),
        token_hash: Set(hash(&token)),
        scan_only: Set(new.scan_only),
        valid_from: Set(valid_from),
        valid_until: Set(valid_until),
        revoked_at: Set(None),
        created_by: Set(actor.person_id),
        created_at: Set(now),
    })
    .exec_with_returning(db)
    .await?;
    Ok(IssuedPass { pass, token })
}

/// An event's passes, newest first (their tokens are not kept).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    event_id: EventId,
) -> Result<Vec<door_pass::Model>> {
    crate::event::managed(db, actor, event_id).await?;
    Ok(door_pass::Entity::find()
        .filter(door_pass::Column::EventId.eq(event_id))
        .order_by_desc(door_pass::Column::CreatedAt)
        .all(db)
        .await?)
}

/// Revokes a pass: its link stops working at once. Revoking twice is the same as once.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    id: DoorPassId,
    now: DateTime<Utc>,
) -> Result<door_pass::Model> {
    let txn = db.begin().await?;
    let pass =
        door_pass::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound(Resource::DoorPass))?;
    let details = crate::event::managed(&txn, actor, pass.event_id)
        .await
        .map_err(|_| Error::NotFound(Resource::DoorPass))?;
    if pass.revoked_at.is_some() {
        return Ok(pass);
    }
    let revoked = door_pass::Entity::update(door_pass::ActiveModel {
        id: Set(id),
        revoked_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let summary = serde_json::json!({ "pass": id, "label": pass.label });
    crate::event::edit::record(&txn, actor, &details.event, "door_pass.revoke", summary, now).await?;
    txn.commit().await?;
    Ok(revoked)
}

/// The pass behind a link; a revoked or unknown one is not found.
pub async fn authenticate(db: &impl ConnectionTrait, token: &str) -> Result<door_pass::Model> {
    if token.is_empty() || token.len() > 64 {
        return Err(Error::NotFound(Resource::DoorPass));
    }
    door_pass::Entity::find()
        .filter(door_pass::Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?
        .filter(|p| p.revoked_at.is_none())
        .ok_or(Error::NotFound(Resource::DoorPass))
}
