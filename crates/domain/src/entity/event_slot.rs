use sea_orm::entity::prelude::*;

use crate::ids::{EventId, SlotId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "event_slots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SlotId,
    pub event_id: EventId,
    pub position: i32,
    pub name: String,
    pub seats: i32,
    /// The door fee per person in this slot, when it differs from the event's.
    pub door_fee: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
