//! Objects shared by several parts of the API, and conversions from the domain.

use poem_openapi::{
    ApiResponse, Enum, Object,
    payload::Json,
    types::{ToJSON, Type},
};
use serde::Deserialize;
use tsudoi_domain::{
    access::Role,
    entity::{network, person},
    event::{EventStatus, NameReading, RsvpMode, When},
    values::Language,
};

/// A created resource.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON + Type + Send + Sync> {
    /// Created.
    #[oai(status = 201)]
    Created(Json<T>),
}

/// Done; nothing to say.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RoleApi {
    /// Everything, including members.
    Owner,
    /// Venues, series, events, RSVPs, surveys, door passes.
    Organizer,
    /// Check-in only.
    DoorStaff,
}

impl From<Role> for RoleApi {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => RoleApi::Owner,
            Role::Organizer => RoleApi::Organizer,
            Role::DoorStaff => RoleApi::DoorStaff,
        }
    }
}

impl From<RoleApi> for Role {
    fn from(role: RoleApi) -> Self {
        match role {
            RoleApi::Owner => Role::Owner,
            RoleApi::Organizer => Role::Organizer,
            RoleApi::DoorStaff => Role::DoorStaff,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "lowercase")]
#[serde(rename_all = "lowercase")]
pub enum LanguageApi {
    Ja,
    En,
}

impl From<Language> for LanguageApi {
    fn from(language: Language) -> Self {
        match language {
            Language::Ja => LanguageApi::Ja,
            Language::En => LanguageApi::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum EventStatusApi {
    /// Visible only to its organizers.
    Draft,
    /// On the public pages, taking RSVPs.
    Published,
    /// Called off; stays visible so people learn it.
    Cancelled,
}

impl From<EventStatus> for EventStatusApi {
    fn from(status: EventStatus) -> Self {
        match status {
            EventStatus::Draft => EventStatusApi::Draft,
            EventStatus::Published => EventStatusApi::Published,
            EventStatus::Cancelled => EventStatusApi::Cancelled,
        }
    }
}

impl From<EventStatusApi> for EventStatus {
    fn from(status: EventStatusApi) -> Self {
        match status {
            EventStatusApi::Draft => EventStatus::Draft,
            EventStatusApi::Published => EventStatus::Published,
            EventStatusApi::Cancelled => EventStatus::Cancelled,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Deserialize, Default)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum RsvpModeApi {
    /// Seats go to whoever RSVPs first.
    #[default]
    FirstCome,
    /// Entries until `lottery_draw_at`, then a random draw (抽選).
    Lottery,
    /// Each RSVP waits for an organizer's approval.
    Approval,
}

impl From<RsvpMode> for RsvpModeApi {
    fn from(mode: RsvpMode) -> Self {
        match mode {
            RsvpMode::FirstCome => RsvpModeApi::FirstCome,
            RsvpMode::Lottery => RsvpModeApi::Lottery,
            RsvpMode::Approval => RsvpModeApi::Approval,
        }
    }
}

impl From<RsvpModeApi> for RsvpMode {
    fn from(mode: RsvpModeApi) -> Self {
        match mode {
            RsvpModeApi::FirstCome => RsvpMode::FirstCome,
            RsvpModeApi::Lottery => RsvpMode::Lottery,
            RsvpModeApi::Approval => RsvpMode::Approval,
        }
    }
}

/// Whether the RSVP form asks for the reading of the name (furigana).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum NameReadingApi {
    /// Not asked.
    Hidden,
    /// Asked, may be left empty.
    #[default]
    Optional,
    /// Asked and required.
    Required,
}

impl From<NameReading> for NameReadingApi {
    fn from(reading: NameReading) -> Self {
        match reading {
            NameReading::Hidden => NameReadingApi::Hidden,
            NameReading::Optional => NameReadingApi::Optional,
            NameReading::Required => NameReadingApi::Required,
        }
    }
}

impl From<NameReadingApi> for NameReading {
    fn from(reading: NameReadingApi) -> Self {
        match reading {
            NameReadingApi::Hidden => NameReading::Hidden,
            NameReadingApi::Optional => NameReading::Optional,
            NameReadingApi::Required => NameReading::Required,
        }
    }
}

/// Which events a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum, Default)]
#[oai(rename_all = "snake_case")]
pub enum WhenApi {
    /// Not yet ended, soonest first.
    #[default]
    Upcoming,
    /// Ended, most recent first.
    Past,
    /// All, newest first.
    All,
}

impl From<WhenApi> for When {
    fn from(when: WhenApi) -> Self {
        match when {
            WhenApi::Upcoming => When::Upcoming,
            WhenApi::Past => When::Past,
            WhenApi::All => When::All,
        }
    }
}

/// A network, as referred to from elsewhere.
#[derive(Debug, Clone, Object)]
pub struct NetworkRef {
    pub slug: String,
    pub name: String,
}

impl From<&network::Model> for NetworkRef {
    fn from(n: &network::Model) -> Self {
        NetworkRef { slug: n.slug.clone(), name: n.name.clone() }
    }
}

/// A person, as referred to from elsewhere.
#[derive(Debug, Clone, Object)]
pub struct PersonRef {
    pub id: uuid::Uuid,
    pub display_name: String,
}

impl From<&person::Model> for PersonRef {
    fn from(p: &person::Model) -> Self {
        PersonRef { id: p.id.uuid(), display_name: p.display_name.clone() }
    }
}

pub const DEFAULT_LIMIT: u64 = 50;
pub const MAX_LIMIT: u64 = 200;
