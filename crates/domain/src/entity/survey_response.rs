use sea_orm::entity::prelude::*;

use crate::{
    ids::{SurveyId, SurveyInvitationId, SurveyResponseId},
    questions::Answers,
};

/// One attendee's answers, editable until the survey closes. The link to the invitation is kept
/// only so its author can edit it and is not reminded; an anonymous survey never shows it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SurveyResponseId,
    pub survey_id: SurveyId,
    #[sea_orm(unique)]
    pub invitation_id: SurveyInvitationId,
    #[sea_orm(column_type = "Json")]
    pub answers: Answers,
    pub submitted_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
