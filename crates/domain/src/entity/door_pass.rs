use sea_orm::entity::prelude::*;

use crate::ids::{DoorPassId, EventId, PersonId};

/// A link handed to door staff: it checks in (and searches) the attendees of one event, within
/// its hours, until revoked. Only the token's hash is kept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "door_passes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DoorPassId,
    pub event_id: EventId,
    /// "Gate A": what check-ins made with it are recorded at.
    pub label: String,
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Scanning only: no search, no roster (for volunteers).
    pub scan_only: bool,
    pub valid_from: DateTimeUtc,
    pub valid_until: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub created_by: PersonId,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
