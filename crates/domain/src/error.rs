//! The errors every use case speaks. The HTTP layer maps each variant to a status and a
//! problem document in one place, so a use case only has to say what went wrong.

use std::fmt;

use serde::Serialize;

/// What kind of thing was not found (or is not visible to the caller: the two look the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resource {
    Network,
    Person,
    Member,
    Token,
    Venue,
    Series,
    Event,
    Rsvp,
    Message,
    InvitationList,
    Invitation,
    Announcement,
    DoorPass,
    CheckIn,
    Survey,
}

impl fmt::Display for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Resource::Network => "network",
            Resource::Person => "person",
            Resource::Member => "member",
            Resource::Token => "API token",
            Resource::Venue => "venue",
            Resource::Series => "series",
            Resource::Event => "event",
            Resource::Rsvp => "RSVP",
            Resource::Message => "message",
            Resource::InvitationList => "invitation list",
            Resource::Invitation => "invitation",
            Resource::Announcement => "announcement",
            Resource::DoorPass => "door pass",
            Resource::CheckIn => "check-in",
            Resource::Survey => "survey",
        })
    }
}

/// One field that failed validation. `field` is a path into the request body (`slots[1].seats`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// All the problems found in one input, so a form can show every one of them at once.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ValidationErrors(Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, code, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), code, message: message.into() });
    }

    /// Runs a parse, recording its error under `field` and keeping the value when it succeeds.
    pub fn check<T>(&mut self, field: &str, parsed: Result<T, InvalidValue>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.add(field, invalid.code, invalid.message);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `field` already has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.iter().any(|e| e.field == field)
    }

    pub fn fields(&self) -> &[FieldError] {
        &self.0
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), Error> {
        if self.is_empty() { Ok(()) } else { Err(Error::Invalid(self)) }
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

/// Why a single value was refused by its `parse` constructor; the caller knows the field name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    pub code: &'static str,
    pub message: String,
}

impl InvalidValue {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// A rule of the domain that the request would break; each has a stable code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("the slug `{0}` is already taken")]
    SlugTaken(String),
    #[error("edition {0} of this series already exists")]
    EditionTaken(i32),
    #[error("{0} is already a member of this network")]
    AlreadyMember(String),
    #[error("a network needs at least one owner")]
    LastOwner,
    #[error("the venue has upcoming events with more seats ({seats}) than the new capacity")]
    VenueCapacityBelowEvents { seats: i32 },
    #[error("the event is cancelled and can no longer change")]
    EventCancelled,
    #[error("the event is archived; restore it first")]
    EventArchived,
    #[error("the event is already published")]
    AlreadyPublished,
    #[error("the {0} is archived")]
    Archived(Resource),
    #[error("a published event keeps its slug: its address is already in emails and calendars")]
    SlugLocked,
    #[error("someone else changed the same thing at the same moment; try again")]
    Concurrent,
    #[error("RSVPs open at {0}")]
    RsvpNotOpen(chrono::DateTime<chrono::Utc>),
    #[error("RSVPs for this event are closed")]
    RsvpClosed,
    #[error("the lottery is being drawn; RSVPs reopen, first come, in a moment")]
    LotteryDrawing,
    #[error("this event does not take RSVPs by lottery")]
    NotALottery,
    #[error("the lottery has already been drawn")]
    LotteryDrawn,
    #[error("there are no entries with a confirmed email address to draw from")]
    NoEntries,
    #[error("the event is not published")]
    NotPublished,
    #[error("the event already has RSVPs, so how it takes them can no longer change")]
    RsvpModeLocked,
    #[error("only a request waiting for the organizers' decision can be approved or declined")]
    NotPending,
    #[error("the attendee has not confirmed their email address yet")]
    EmailUnconfirmed,
    #[error("only a place on the waitlist can be offered a seat")]
    NotWaitlisted,
    #[error("the organizers declined this request")]
    RsvpRejected,
    #[error("this entry was not selected in the lottery")]
    RsvpNotSelected,
    #[error("the door pass is not open at this time")]
    DoorClosed,
    #[error("this check-in was undone")]
    CheckInUndone,
    #[error("the event has no door fee")]
    NoDoorFee,
    #[error("the event is full and has no waitlist")]
    EventFull,
    #[error("this RSVP is cancelled")]
    RsvpCancelled,
    #[error("this RSVP expired before it was confirmed")]
    RsvpExpired,
    #[error("the offered seat was not taken in time")]
    OfferExpired,
    #[error("there are not enough free seats for that many guests")]
    NotEnoughSeats,
    #[error("{taken} seats are taken; seats cannot be cut below that")]
    SeatsBelowTaken { taken: i32 },
    #[error("the slot `{0}` has RSVPs and cannot be removed")]
    SlotInUse(String),
    #[error("the event already has a survey")]
    SurveyExists,
    #[error("the survey was sent, so it stays")]
    SurveySent,
    #[error("the survey is closed")]
    SurveyClosed,
    #[error("the question `{0}` has answers: it keeps its kind and the choices that were chosen")]
    QuestionAnswered(String),
    #[error("people answered this survey as an anonymous one; it stays anonymous")]
    AnonymityPromised,
    #[error("the event has not ended yet")]
    EventNotOver,
    #[error("someone else changed the event after this change was prepared; look at it again")]
    ChangedMeanwhile,
}

impl Conflict {
    pub fn code(&self) -> &'static str {
        match self {
            Conflict::SlugTaken(_) => "slug_taken",
            Conflict::EditionTaken(_) => "edition_taken",
            Conflict::AlreadyMember(_) => "already_member",
            Conflict::LastOwner => "last_owner",
            Conflict::VenueCapacityBelowEvents { .. } => "venue_capacity_below_events",
            Conflict::EventCancelled => "event_cancelled",
            Conflict::EventArchived => "event_archived",
            Conflict::AlreadyPublished => "already_published",
            Conflict::Archived(_) => "archived",
            Conflict::SlugLocked => "slug_locked",
            Conflict::Concurrent => "concurrent_change",
            Conflict::RsvpNotOpen(_) => "rsvp_not_open",
            Conflict::RsvpClosed => "rsvp_closed",
            Conflict::LotteryDrawing => "lottery_drawing",
            Conflict::NotALottery => "not_a_lottery",
            Conflict::LotteryDrawn => "lottery_drawn",
            Conflict::NoEntries => "no_entries",
            Conflict::NotPublished => "not_published",
            Conflict::RsvpModeLocked => "rsvp_mode_locked",
            Conflict::NotPending => "not_pending",
            Conflict::EmailUnconfirmed => "email_unconfirmed",
            Conflict::NotWaitlisted => "not_waitlisted",
            Conflict::RsvpRejected => "rsvp_rejected",
            Conflict::RsvpNotSelected => "rsvp_not_selected",
            Conflict::DoorClosed => "door_closed",
            Conflict::CheckInUndone => "check_in_undone",
            Conflict::NoDoorFee => "no_door_fee",
            Conflict::EventFull => "event_full",
            Conflict::RsvpCancelled => "rsvp_cancelled",
            Conflict::RsvpExpired => "rsvp_expired",
            Conflict::OfferExpired => "offer_expired",
            Conflict::NotEnoughSeats => "not_enough_seats",
            Conflict::SeatsBelowTaken { .. } => "seats_below_taken",
            Conflict::SlotInUse(_) => "slot_in_use",
            Conflict::SurveyExists => "survey_exists",
            Conflict::SurveySent => "survey_sent",
            Conflict::SurveyClosed => "survey_closed",
            Conflict::QuestionAnswered(_) => "question_answered",
            Conflict::AnonymityPromised => "anonymity_promised",
            Conflict::EventNotOver => "event_not_over",
            Conflict::ChangedMeanwhile => "changed_meanwhile",
        }
    }

    /// The request field the conflict is about, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Conflict::SlugTaken(_) => Some("slug"),
            Conflict::EditionTaken(_) => Some("edition"),
            Conflict::AlreadyMember(_) => Some("email"),
            Conflict::VenueCapacityBelowEvents { .. } => Some("room_capacity"),
            Conflict::SlugLocked => Some("slug"),
            Conflict::NotEnoughSeats => Some("guests"),
            Conflict::SeatsBelowTaken { .. } => Some("seats"),
            Conflict::SlotInUse(_) => Some("slots"),
            Conflict::RsvpModeLocked => Some("rsvp_mode"),
            Conflict::QuestionAnswered(_) => Some("questions"),
            Conflict::AnonymityPromised => Some("anonymous"),
            _ => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Unknown, or not visible to the caller (invariant 6: the two look the same).
    #[error("{0} not found")]
    NotFound(Resource),
    /// Visible, but the caller's role does not allow this action.
    #[error("your role does not allow this: {0}")]
    Forbidden(&'static str),
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Conflict(#[from] Conflict),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<sea_orm::DbErr> for Error {
    fn from(err: sea_orm::DbErr) -> Self {
        // Checks run before inserts; two requests racing past the same check meet the unique
        // index instead, and the loser is told to try again rather than given a 500. So is a
        // transaction PostgreSQL undid for another's sake (a deadlock, a serialization failure).
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Error::Conflict(Conflict::Concurrent),
            _ if lost_to_another(&err) => Error::Conflict(Conflict::Concurrent),
            _ => Error::Unexpected(anyhow::Error::new(err)),
        }
    }
}

/// PostgreSQL's `40P01` (deadlock detected) and `40001` (serialization failure).
fn lost_to_another(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    match err {
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(e.as_ref(), sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("40P01" | "40001")))
        }
        _ => false,
    }
}

/// From statements run on a connection of our own (`db::direct`), read as sea-orm's errors are.
impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(rusqlite::ErrorCode::ConstraintViolation)
                if err.sqlite_error().is_some_and(|e| {
                    matches!(
                        e.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    )
                }) =>
            {
                Error::Conflict(Conflict::Concurrent)
            }
            _ => Error::Unexpected(anyhow::Error::new(err)),
        }
    }
}

impl From<ValidationErrors> for Error {
    fn from(errors: ValidationErrors) -> Self {
        Error::Invalid(errors)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
