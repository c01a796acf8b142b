use sea_orm::entity::prelude::*;

use crate::ids::{NetworkId, VenueId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "venues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: VenueId,
    pub network_id: NetworkId,
    pub name: String,
    pub address: String,
    pub map_url: Option<String>,
    pub access_notes: Option<String>,
    pub room_capacity: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
