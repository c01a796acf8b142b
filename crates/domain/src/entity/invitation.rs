use sea_orm::entity::prelude::*;

use crate::{
    ids::{EventId, InvitationId, InvitationListId, SlotId},
    invitations::Mark,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    /// Also the id of the invitation's email in the outbox.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InvitationId,
    pub list_id: InvitationListId,
    pub event_id: EventId,
    /// Where the person is in the uploaded file.
    pub line: i32,
    pub email: String,
    pub name: String,
    pub name_reading: Option<String>,
    pub slot_id: Option<SlotId>,
    pub mark: Mark,
    /// They answered "can't go".
    pub declined_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
