use sea_orm::entity::prelude::*;

use crate::ids::{SurveyId, SurveyResponseId};

/// A free-text answer, kept by question so the latest ones read quickly.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_texts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub response_id: SurveyResponseId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: String,
    pub survey_id: SurveyId,
    pub text: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
