use sea_orm::entity::prelude::*;

use crate::{
    ids::{EventId, SurveyId},
    questions::Questions,
    survey::Audience,
};

/// An event's satisfaction survey: its questions, who is asked, and when.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "surveys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SurveyId,
    #[sea_orm(unique)]
    pub event_id: EventId,
    #[sea_orm(column_type = "Json")]
    pub questions: Questions,
    /// Organizers never see who answered what.
    pub anonymous: bool,
    pub audience: Audience,
    /// Invitations go out this long after the event ends.
    pub send_delay_minutes: i32,
    /// One reminder to those who have not answered, this many days after the invitation.
    pub reminder_days: Option<i32>,
    pub closes_at: DateTimeUtc,
    /// When the invitations went out (the scheduler sends them once).
    pub invited_at: Option<DateTimeUtc>,
    /// Invitations sent, and responses received (kept as they are written).
    pub invited: i64,
    pub responses: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
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
