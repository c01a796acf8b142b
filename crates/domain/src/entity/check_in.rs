use sea_orm::entity::prelude::*;

use crate::ids::{CheckInId, DoorPassId, EventId, RsvpId};

/// Some or all of a party through the door. Undoing marks it, never deletes it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "check_ins")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CheckInId,
    pub event_id: EventId,
    pub rsvp_id: RsvpId,
    pub pass_id: Option<DoorPassId>,
    pub gate: String,
    /// People of the party this check-in let in.
    pub people: i32,
    /// The scanner's id for the scan, so a retried request is not a second scan.
    pub nonce: Option<String>,
    /// When the scanner saw the code (offline scans arrive later).
    pub scanned_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub undone_at: Option<DateTimeUtc>,
    /// The door fee collected with this check-in (in the event's currency's smallest unit).
    pub fee_paid: Option<i32>,
    pub fee_paid_at: Option<DateTimeUtc>,
    /// Undone because an earlier offline scan at another gate let the same people in: that
    /// scan's check-in.
    pub duplicate_of: Option<CheckInId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
