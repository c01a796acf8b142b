//! Typed identifiers. Every row is keyed by a UUID v7 (time-ordered, so indexes stay compact);
//! wrapping each in its own type keeps an `EventId` from being passed where a `VenueId` belongs.

use std::fmt;

use sea_orm::DeriveValueType;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident;)+) => {$(
        $(#[$meta])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
            DeriveValueType,
        )]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn uuid(self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        // Ids are made here, never by the database.
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, sea_orm::DbErr> {
                Err(sea_orm::DbErr::ConvertFromU64(stringify!($name)))
            }
        }
    )+};
}

id_type! {
    /// An alumni network (one company's alumni, usually).
    NetworkId;
    /// A person: an organizer, a door-staff member, an owner.
    PersonId;
    /// An API token.
    TokenId;
    VenueId;
    SeriesId;
    EventId;
    /// A participation slot of an event ("alumni", "current employees").
    SlotId;
    AuditId;
    /// An attendee's registration for an event.
    RsvpId;
    /// An email in the outbox; also its Message-ID.
    MessageId;
    /// An uploaded list of people to invite to an event.
    InvitationListId;
    /// One person on an invitation list; their invitation email has the same id.
    InvitationId;
    AnnouncementId;
    /// A door pass: staff scan tickets of one event with it.
    DoorPassId;
    /// One check-in at the door (of some or all of a party).
    CheckInId;
    /// An event's satisfaction survey.
    SurveyId;
    /// One attendee asked to answer a survey; their survey link is made from it.
    SurveyInvitationId;
    SurveyResponseId;
    /// A one-time sign-in link; the email that carries it has the same id.
    SignInLinkId;
    /// A signed-in browser.
    SessionId;
}
