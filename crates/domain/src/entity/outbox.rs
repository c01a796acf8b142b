use sea_orm::entity::prelude::*;

use crate::{
    ids::{EventId, MessageId, RsvpId},
    outbox::{MessageKind, MessageStatus},
};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: MessageId,
    pub kind: MessageKind,
    /// Empty for emails that belong to no event (a sign-in link).
    pub event_id: Option<EventId>,
    pub rsvp_id: Option<RsvpId>,
    /// What the message needs beyond the RSVP and the event (what changed, a reason).
    pub details: Option<Json>,
    pub status: MessageStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A worker holds the message until then; past it, another may take it over.
    pub lease_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The send it belongs to (an invitation list or an announcement), for its progress.
    pub batch_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::event::Entity", from = "Column::EventId", to = "super::event::Column::Id")]
    Event,
}

impl Related<super::event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
