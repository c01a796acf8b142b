use sea_orm::entity::prelude::*;

use crate::ids::SurveyId;

/// How many responses gave one answer to one question, kept with every response: a scale
/// point, a choice id, `yes`/`no`, or the empty value for "answered this question".
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "survey_tallies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub survey_id: SurveyId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub question_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub value: String,
    pub count: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
