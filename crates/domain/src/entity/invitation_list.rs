use sea_orm::entity::prelude::*;

use crate::ids::{EventId, InvitationListId, PersonId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invitation_lists")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InvitationListId,
    pub event_id: EventId,
    pub created_by: PersonId,
    pub file_name: Option<String>,
    /// The rows that could not be read: `[{"line": 7, "message": "..."}]`.
    pub problems: Option<Json>,
    /// The organizers' words, added to every invitation when the list is sent.
    pub message: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
