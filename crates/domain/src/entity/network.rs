use sea_orm::entity::prelude::*;

use crate::{ids::NetworkId, values::Language};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "networks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: NetworkId,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub default_language: Language,
    pub time_zone: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::event_cohost::Entity")]
    Cohosting,
}

impl Related<super::event_cohost::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Cohosting.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
