use sea_orm::entity::prelude::*;

use crate::{
    event::{EventStatus, NameReading, RsvpMode},
    ids::{EventId, NetworkId, SeriesId, VenueId},
    questions::Questions,
};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: EventId,
    /// The hosting network; co-hosts are in `event_cohosts`.
    pub network_id: NetworkId,
    pub series_id: Option<SeriesId>,
    pub edition: Option<i32>,
    #[sea_orm(unique)]
    pub slug: String,
    pub title: String,
    pub theme: Option<String>,
    pub description_md: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub time_zone: String,
    pub venue_id: Option<VenueId>,
    pub online_url: Option<String>,
    pub seats: i32,
    pub rsvp_mode: RsvpMode,
    pub lottery_draw_at: Option<DateTimeUtc>,
    /// The draw's secret until it runs (hex); its SHA-256 is public before, the seed after.
    pub lottery_seed: Option<String>,
    pub lottery_drawn_at: Option<DateTimeUtc>,
    /// Freed seats go to the waitlist by themselves; when off, organizers offer them by hand.
    pub auto_promote: bool,
    /// Asked on the RSVP form; `None` (as stored before questions existed) asks none.
    #[sea_orm(column_type = "Json", nullable)]
    pub questions: Option<Questions>,
    pub hold_minutes: i32,
    pub confirmation_required: bool,
    pub waitlist_enabled: bool,
    pub max_guests: i32,
    /// Hours before the start the reminder goes out; 0 sends none; `None` is the service's
    /// setting.
    pub remind_hours: Option<i32>,
    /// The door fee (会費) per person, in the currency's smallest unit; a slot may differ.
    pub door_fee: Option<i32>,
    /// ISO 4217.
    pub door_fee_currency: String,
    pub rsvp_opens_at: Option<DateTimeUtc>,
    pub rsvp_deadline: Option<DateTimeUtc>,
    pub name_reading: NameReading,
    pub status: EventStatus,
    /// Rises with every change attendees would care about (iCalendar SEQUENCE).
    pub sequence: i32,
    pub published_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub archived_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::network::Entity",
        from = "Column::NetworkId",
        to = "super::network::Column::Id"
    )]
    Host,
    #[sea_orm(belongs_to = "super::venue::Entity", from = "Column::VenueId", to = "super::venue::Column::Id")]
    Venue,
    #[sea_orm(
        belongs_to = "super::series::Entity",
        from = "Column::SeriesId",
        to = "super::series::Column::Id"
    )]
    Series,
}

impl Related<super::network::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Host.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Related<super::venue::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Venue.def()
    }
}

impl Related<super::series::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Series.def()
    }
}
