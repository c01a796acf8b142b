//! The token-free API: published events of a network, and one event.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use tsudoi_domain::event::public::{self, PublicEvent as DomainPublicEvent, PublicEventSummary};

use super::{
    ApiTags,
    events::Slot,
    rsvps::Lottery,
    types::{DEFAULT_LIMIT, EventStatusApi, NetworkRef, QuestionApi, RsvpModeApi, WhenApi, questions_of},
};
use crate::{problem::ApiResult, state::AppState};

pub struct PublicApi {
    pub state: AppState,
}

#[derive(Debug, Object)]
pub struct PublicEventListItem {
    pub slug: String,
    pub title: String,
    #[oai(skip_serializing_if_is_none)]
    pub theme: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    /// `published` or `cancelled`.
    pub status: EventStatusApi,
    #[oai(skip_serializing_if_is_none)]
    pub venue_name: Option<String>,
    pub online: bool,
    #[oai(skip_serializing_if_is_none)]
    pub series_name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub edition: Option<i32>,
    pub host: NetworkRef,
}

impl From<PublicEventSummary> for PublicEventListItem {
    fn from(s: PublicEventSummary) -> Self {
        PublicEventListItem {
            slug: s.slug,
            title: s.title,
            theme: s.theme,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            time_zone: s.time_zone,
            status: s.status.into(),
            venue_name: s.venue_name,
            online: s.online,
            series_name: s.series_name,
            edition: s.edition,
            host: NetworkRef { slug: s.host_slug, name: s.host_name },
        }
    }
}

#[derive(Debug, Object)]
pub struct PublicVenue {
    pub name: String,
    pub address: String,
    #[oai(skip_serializing_if_is_none)]
    pub map_url: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub access_notes: Option<String>,
}

#[derive(Debug, Object)]
pub struct PublicSeries {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Object)]
pub struct PublicEvent {
    pub slug: String,
    pub status: EventStatusApi,
    pub title: String,
    #[oai(skip_serializing_if_is_none)]
    pub theme: Option<String>,
    /// Markdown.
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    #[oai(skip_serializing_if_is_none)]
    pub venue: Option<PublicVenue>,
    /// Held online; the link goes to registered attendees.
    pub online: bool,
    pub seats: i32,
    pub slots: Vec<Slot>,
    pub rsvp_mode: RsvpModeApi,
    #[oai(skip_serializing_if_is_none)]
    pub lottery_draw_at: Option<DateTime<Utc>>,
    pub max_guests: i32,
    /// The door fee (会費) per person, paid at the door, in the currency's smallest unit; a
    /// slot may have its own.
    #[oai(skip_serializing_if_is_none)]
    pub door_fee: Option<i32>,
    pub door_fee_currency: String,
    #[oai(skip_serializing_if_is_none)]
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub rsvp_deadline: Option<DateTime<Utc>>,
    pub host: NetworkRef,
    pub cohosts: Vec<NetworkRef>,
    #[oai(skip_serializing_if_is_none)]
    pub series: Option<PublicSeries>,
    #[oai(skip_serializing_if_is_none)]
    pub edition: Option<i32>,
    pub sequence: i32,
    /// Asked on the RSVP form.
    pub questions: Vec<QuestionApi>,
}

impl From<DomainPublicEvent> for PublicEvent {
    fn from(p: DomainPublicEvent) -> Self {
        let e = p.event;
        PublicEvent {
            slug: e.slug,
            status: e.status.into(),
            title: e.title,
            theme: e.theme,
            description: e.description_md,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            time_zone: e.time_zone,
            venue: p.venue.map(|v| PublicVenue {
                name: v.name,
                address: v.address,
                map_url: v.map_url,
                access_notes: v.access_notes,
            }),
            online: e.online_url.is_some(),
            seats: e.seats,
            slots: p
                .slots
                .into_iter()
                .map(|s| Slot { id: s.id.uuid(), name: s.name, seats: s.seats, door_fee: s.door_fee })
                .collect(),
            rsvp_mode: e.rsvp_mode.into(),
            lottery_draw_at: e.lottery_draw_at,
            max_guests: e.max_guests,
            door_fee: e.door_fee,
            door_fee_currency: e.door_fee_currency,
            rsvp_opens_at: e.rsvp_opens_at,
            rsvp_deadline: e.rsvp_deadline,
            host: (&p.host).into(),
            cohosts: p.cohosts.iter().map(NetworkRef::from).collect(),
            series: p.series.map(|s| PublicSeries { slug: s.slug, name: s.name }),
            edition: e.edition,
            sequence: e.sequence,
            questions: questions_of(e.questions),
        }
    }
}

#[OpenApi(prefix_path = "/v1/public", tag = "ApiTags::Public")]
impl PublicApi {
    /// A network's published events
    ///
    /// No token needed. Events the network hosts or co-hosts, published or cancelled.
    #[oai(path = "/networks/:network/events", method = "get", operation_id = "public_list_events")]
    async fn list(
        &self,
        network: Path<String>,
        /// `upcoming` (default), `past` or `all`.
        when: Query<Option<WhenApi>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "100000")))] offset: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<PublicEventListItem>>> {
        let db = self.state.db.reader();
        let network = public::network_by_slug(db, &network.0).await?;
        let events = public::list(
            db,
            network.id,
            when.0.unwrap_or_default().into(),
            limit.0.unwrap_or(DEFAULT_LIMIT),
            offset.0.unwrap_or(0),
            self.state.now(),
        )
        .await?;
        Ok(Json(events.into_iter().map(PublicEventListItem::from).collect()))
    }

    /// A published event
    ///
    /// No token needed.
    #[oai(path = "/events/:slug", method = "get", operation_id = "public_get_event")]
    async fn get(&self, slug: Path<String>) -> ApiResult<Json<PublicEvent>> {
        let event = public::event(self.state.db.reader(), &slug.0).await?;
        Ok(Json(event.into()))
    }

    /// A published event's lottery
    ///
    /// No token needed. Before the draw, the SHA-256 of its seed; after it, the seed and every
    /// entry in drawn order, so anyone can re-run the draw. 409 `not_a_lottery` for other events.
    #[oai(path = "/events/:slug/lottery", method = "get", operation_id = "public_get_lottery")]
    async fn lottery(&self, slug: Path<String>) -> ApiResult<Json<Lottery>> {
        let db = self.state.db.reader();
        let event = public::event(db, &slug.0).await?;
        Ok(Json(tsudoi_domain::rsvp::lottery::state(db, &event.event).await?.into()))
    }
}
