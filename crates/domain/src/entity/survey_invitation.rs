use sea_orm::entity::prelude::*;

use crate::ids::{RsvpId, SurveyId, SurveyInvitationId};

/// An attendee asked to answer a survey. The survey link is made from its id and version.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SurveyInvitationId,
    pub survey_id: SurveyId,
    pub rsvp_id: RsvpId,
    pub link_version: i32,
    pub sent_at: DateTimeUtc,
    pub reminded_at: Option<DateTimeUtc>,
    pub responded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::survey::Entity",
        from = "Column::SurveyId",
        to = "super::survey::Column::Id"
    )]
    Survey,
}

impl Related<super::survey::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Survey.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
