use sea_orm::entity::prelude::*;

use crate::ids::{AuditId, NetworkId, PersonId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AuditId,
    pub network_id: NetworkId,
    /// `None` for the operator's command line.
    pub person_id: Option<PersonId>,
    /// `event.update`, `venue.create`, ...
    pub action: String,
    pub subject_id: Uuid,
    /// `{"field": [before, after], ...}` for updates, the created values for creations.
    pub summary: Json,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
