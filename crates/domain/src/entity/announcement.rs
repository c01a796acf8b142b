use sea_orm::entity::prelude::*;

use crate::{
    ids::{AnnouncementId, EventId, PersonId},
    invitations::Audience,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "announcements")]
pub struct Model {
    /// Also the batch of its emails in the outbox.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AnnouncementId,
    pub event_id: EventId,
    pub created_by: PersonId,
    pub audience: Audience,
    pub subject: String,
    pub body: String,
    /// How many emails were queued.
    pub recipients: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
