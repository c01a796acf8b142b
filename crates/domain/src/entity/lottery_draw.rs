use sea_orm::entity::prelude::*;

use crate::ids::{EventId, RsvpId, SlotId};

/// One entry of a lottery draw, as drawn: written once, by the draw, and published so anyone can
/// re-run it from the revealed seed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lottery_draws")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub event_id: EventId,
    /// 1 is drawn first.
    #[sea_orm(primary_key, auto_increment = false)]
    pub rank: i32,
    pub rsvp_id: RsvpId,
    /// The person and their guests, at the draw.
    pub party: i32,
    pub slot_id: SlotId,
    /// Got a seat in the draw (the others joined the waitlist, or were not selected).
    pub won: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
