use sea_orm::entity::prelude::*;

use crate::{
    ids::{EventId, RsvpId, SlotId},
    questions::Answers,
    rsvp::RsvpStatus,
    values::Language,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rsvps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RsvpId,
    pub event_id: EventId,
    pub slot_id: SlotId,
    /// `None` once the attendee erased their data.
    pub email: Option<String>,
    pub name: String,
    pub name_reading: Option<String>,
    pub language: Language,
    pub guests: i32,
    pub status: RsvpStatus,
    /// The attendee confirmed their email address (double opt-in), or the event does not ask.
    pub verified: bool,
    /// Appears in the event's "who's going" list.
    pub show_in_list: bool,
    /// Read out at the door; a lookup, not a secret.
    pub short_code: String,
    /// Raising it revokes every manage link made before.
    pub link_version: i32,
    /// Raising it revokes the ticket (a cancellation).
    pub ticket_version: i32,
    /// Order of arrival: first come and the waitlist both follow it.
    pub queued_at: DateTimeUtc,
    pub hold_expires_at: Option<DateTimeUtc>,
    pub offer_expires_at: Option<DateTimeUtc>,
    pub confirmed_at: Option<DateTimeUtc>,
    /// The reminder went out, or was not needed (confirmed within the reminder window).
    pub reminded_at: Option<DateTimeUtc>,
    /// People of the party through the door (the person and guests; undone check-ins taken off).
    pub checked_in: i32,
    /// Answers to the event's questions, by question id.
    #[sea_orm(column_type = "Json", nullable)]
    pub answers: Option<Answers>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub erased_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The person and their guests.
    pub fn party(&self) -> i32 {
        1 + self.guests
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::event::Entity", from = "Column::EventId", to = "super::event::Column::Id")]
    Event,
    #[sea_orm(
        belongs_to = "super::event_slot::Entity",
        from = "Column::SlotId",
        to = "super::event_slot::Column::Id"
    )]
    Slot,
}

impl Related<super::event::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl Related<super::event_slot::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Slot.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
