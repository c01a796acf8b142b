//! Events of a network: create, read, change, list, publish, cancel, archive.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
    types::MaybeUndefined,
};
use serde::Deserialize;
use tsudoi_domain::{
    access::Permission,
    event::{
        self, EventDetails, EventFilter,
        draft::{DEFAULT_HOLD_MINUTES, EventDraft, EventPatch, SlotDraft},
        edit,
    },
    ids::{EventId, PersonId, SeriesId, SlotId, VenueId},
    network,
};
use uuid::Uuid;

use super::{
    ApiTags,
    types::{
        Created, DEFAULT_LIMIT, EventStatusApi, NameReadingApi, NetworkRef, PersonRef, QuestionApi,
        QuestionInput, RsvpModeApi, WhenApi, question_drafts, questions_of,
    },
    venues::patch_of,
};
use crate::{auth::TokenAuth, body::JsonBody, problem::ApiResult, state::AppState};

pub struct EventsApi {
    pub state: AppState,
}

#[derive(Debug, Object)]
pub struct Slot {
    pub id: Uuid,
    pub name: String,
    pub seats: i32,
    /// The door fee per person in this slot, when it differs from the event's.
    #[oai(skip_serializing_if_is_none)]
    pub door_fee: Option<i32>,
}

#[derive(Debug, Object, Deserialize)]
pub struct SlotInput {
    /// Keep an existing slot by giving its id; leave it out for a new slot. Slots not listed
    /// are removed.
    #[oai(nullable)]
    pub id: Option<Uuid>,
    /// "OB/OG", "現役社員": up to 100 characters, unique within the event.
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// At most the event's seats.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub seats: i64,
    /// The door fee per person in this slot, when it differs from the event's (students pay
    /// less, say); in the event's currency's smallest unit.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000")))]
    pub door_fee: Option<i64>,
}

#[derive(Debug, Object)]
pub struct Event {
    pub id: Uuid,
    /// Unique across the service: the event's public address is `/e/{slug}`.
    pub slug: String,
    pub status: EventStatusApi,
    pub title: String,
    #[oai(skip_serializing_if_is_none)]
    pub theme: Option<String>,
    /// Markdown.
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// IANA time zone the event is shown in.
    pub time_zone: String,
    #[oai(skip_serializing_if_is_none)]
    pub venue_id: Option<Uuid>,
    #[oai(skip_serializing_if_is_none)]
    pub online_url: Option<String>,
    pub seats: i32,
    pub slots: Vec<Slot>,
    pub rsvp_mode: RsvpModeApi,
    #[oai(skip_serializing_if_is_none)]
    pub lottery_draw_at: Option<DateTime<Utc>>,
    /// How long a seat is held while the attendee confirms by email.
    pub hold_minutes: i32,
    pub confirmation_required: bool,
    pub waitlist_enabled: bool,
    /// Freed seats go to the waitlist by themselves; when false, organizers offer them by hand.
    pub auto_promote: bool,
    /// A lottery's state: the hash of its seed before the draw, the seed after it.
    #[oai(skip_serializing_if_is_none)]
    pub lottery_drawn_at: Option<DateTime<Utc>>,
    /// Guests (+1) one RSVP may bring.
    pub max_guests: i32,
    /// Hours before the start the reminder email goes out; 0 sends none; absent, the service's
    /// setting (24 hours unless configured).
    #[oai(skip_serializing_if_is_none)]
    pub remind_hours: Option<i32>,
    /// The door fee (会費) per person, collected at the door, in the currency's smallest unit
    /// (yen; cents for euros). A slot may have its own.
    #[oai(skip_serializing_if_is_none)]
    pub door_fee: Option<i32>,
    /// ISO 4217 code of the door fee.
    pub door_fee_currency: String,
    /// Whether the RSVP form asks for the reading of the name (furigana).
    pub name_reading: NameReadingApi,
    #[oai(skip_serializing_if_is_none)]
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub rsvp_deadline: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub series_id: Option<Uuid>,
    #[oai(skip_serializing_if_is_none)]
    pub edition: Option<i32>,
    pub host: NetworkRef,
    pub cohosts: Vec<NetworkRef>,
    pub organizers: Vec<PersonRef>,
    /// Asked on the RSVP form.
    pub questions: Vec<QuestionApi>,
    /// Rises with every change attendees would care about (iCalendar SEQUENCE).
    pub sequence: i32,
    pub archived: bool,
    #[oai(skip_serializing_if_is_none)]
    pub published_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub cancelled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EventDetails> for Event {
    fn from(d: EventDetails) -> Self {
        let e = d.event;
        Event {
            id: e.id.uuid(),
            slug: e.slug,
            status: e.status.into(),
            title: e.title,
            theme: e.theme,
            description: e.description_md,
            starts_at: e.starts_at,
            ends_at: e.ends_at,
            time_zone: e.time_zone,
            venue_id: e.venue_id.map(VenueId::uuid),
            online_url: e.online_url,
            seats: e.seats,
            slots: d
                .slots
                .into_iter()
                .map(|s| Slot { id: s.id.uuid(), name: s.name, seats: s.seats, door_fee: s.door_fee })
                .collect(),
            rsvp_mode: e.rsvp_mode.into(),
            lottery_draw_at: e.lottery_draw_at,
            hold_minutes: e.hold_minutes,
            confirmation_required: e.confirmation_required,
            waitlist_enabled: e.waitlist_enabled,
            auto_promote: e.auto_promote,
            lottery_drawn_at: e.lottery_drawn_at,
            max_guests: e.max_guests,
            remind_hours: e.remind_hours,
            door_fee: e.door_fee,
            door_fee_currency: e.door_fee_currency,
            name_reading: e.name_reading.into(),
            rsvp_opens_at: e.rsvp_opens_at,
            rsvp_deadline: e.rsvp_deadline,
            series_id: e.series_id.map(SeriesId::uuid),
            edition: e.edition,
            host: (&d.host).into(),
            cohosts: d.cohosts.iter().map(NetworkRef::from).collect(),
            organizers: d.organizers.iter().map(PersonRef::from).collect(),
            questions: questions_of(e.questions),
            sequence: e.sequence,
            archived: e.archived_at.is_some(),
            published_at: e.published_at,
            cancelled_at: e.cancelled_at,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A new event; it starts as a draft.
#[derive(Debug, Object, Deserialize)]
pub struct NewEvent {
    /// Made from the series and edition (`crossing-8`) or at random when left out.
    #[oai(nullable)]
    #[oai(validator(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64))]
    pub slug: Option<String>,
    /// Up to 200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(nullable)]
    #[oai(validator(max_length = 200))]
    pub theme: Option<String>,
    /// Markdown, up to 20,000 characters.
    #[oai(nullable)]
    #[oai(validator(max_length = 20000))]
    pub description: Option<String>,
    /// RFC 3339 with an offset: `2026-12-10T19:00:00+09:00`.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Defaults to the network's time zone.
    #[oai(nullable)]
    #[oai(validator(min_length = 1, max_length = 64))]
    pub time_zone: Option<String>,
    /// A venue of the hosting or a co-hosting network.
    #[oai(nullable)]
    pub venue_id: Option<Uuid>,
    #[oai(nullable)]
    #[oai(validator(max_length = 2000))]
    pub online_url: Option<String>,
    /// 1 to 100,000, and at most the venue's room capacity.
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub seats: i64,
    /// Defaults to one slot with all the seats.
    #[oai(nullable)]
    #[oai(validator(max_items = 20))]
    pub slots: Option<Vec<SlotInput>>,
    #[oai(nullable)]
    pub rsvp_mode: Option<RsvpModeApi>,
    /// Required for a lottery; before the start.
    #[oai(nullable)]
    pub lottery_draw_at: Option<DateTime<Utc>>,
    /// 5 to 1440 minutes; default 30.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "5"), maximum(value = "1440")))]
    pub hold_minutes: Option<i64>,
    /// Default true (double opt-in).
    #[oai(nullable)]
    pub confirmation_required: Option<bool>,
    /// Default true.
    #[oai(nullable)]
    pub waitlist_enabled: Option<bool>,
    /// Freed seats go to the waitlist by themselves; default true. When false, organizers offer
    /// freed seats by hand (`POST /v1/rsvps/{id}/offer`).
    #[oai(nullable)]
    pub auto_promote: Option<bool>,
    /// 0 to 10; default 0.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    pub max_guests: Option<i64>,
    /// Hours before the start the reminder email goes out (0 sends none, at most 168); absent,
    /// the service's setting.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "168")))]
    pub remind_hours: Option<i64>,
    /// The door fee (会費) per person, in the currency's smallest unit (yen; cents for euros);
    /// none by default.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000")))]
    pub door_fee: Option<i64>,
    /// ISO 4217: JPY (default), KRW, TWD, USD, EUR, GBP, CNY, HKD, SGD, AUD, CAD, CHF or THB.
    #[oai(nullable)]
    #[oai(validator(min_length = 3, max_length = 3))]
    pub door_fee_currency: Option<String>,
    /// Whether the RSVP form asks for the name's reading (furigana); default optional.
    #[oai(nullable)]
    pub name_reading: Option<NameReadingApi>,
    #[oai(nullable)]
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub rsvp_deadline: Option<DateTime<Utc>>,
    #[oai(nullable)]
    pub series_id: Option<Uuid>,
    /// Defaults to the next number of the series.
    #[oai(nullable)]
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub edition: Option<i64>,
    /// Slugs of co-hosting networks; their organizers manage the event too.
    #[oai(nullable)]
    #[oai(validator(max_items = 10))]
    pub cohosts: Option<Vec<String>>,
    /// Person ids of the organizers in charge; defaults to the caller.
    #[oai(nullable)]
    #[oai(validator(max_items = 20))]
    pub organizers: Option<Vec<Uuid>>,
    /// Asked on the RSVP form (up to 20).
    #[oai(nullable)]
    #[oai(validator(max_items = 20))]
    pub questions: Option<Vec<QuestionInput>>,
}

/// Fields to change; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Object, Deserialize)]
pub struct EventChanges {
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64))]
    pub slug: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_length = 200))]
    pub theme: MaybeUndefined<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_length = 20000))]
    pub description: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    pub starts_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    #[serde(default)]
    pub ends_at: Option<DateTime<Utc>>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(min_length = 1, max_length = 64))]
    pub time_zone: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    pub venue_id: MaybeUndefined<Uuid>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_length = 2000))]
    pub online_url: MaybeUndefined<String>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub seats: Option<i64>,
    /// The full list of slots: listed ids are kept, others removed, new ones added.
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_items = 20))]
    pub slots: Option<Vec<SlotInput>>,
    #[oai(nullable)]
    #[serde(default)]
    pub rsvp_mode: Option<RsvpModeApi>,
    #[oai(nullable)]
    #[serde(default)]
    pub lottery_draw_at: MaybeUndefined<DateTime<Utc>>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(minimum(value = "5"), maximum(value = "1440")))]
    pub hold_minutes: Option<i64>,
    #[oai(nullable)]
    #[serde(default)]
    pub confirmation_required: Option<bool>,
    #[oai(nullable)]
    #[serde(default)]
    pub waitlist_enabled: Option<bool>,
    #[oai(nullable)]
    #[serde(default)]
    pub auto_promote: Option<bool>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    pub max_guests: Option<i64>,
    /// Hours before the start the reminder email goes out (0 sends none); `null` goes back to
    /// the service's setting.
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(minimum(value = "0"), maximum(value = "168")))]
    pub remind_hours: MaybeUndefined<i64>,
    /// `null` removes the fee.
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(minimum(value = "0"), maximum(value = "10000000")))]
    pub door_fee: MaybeUndefined<i64>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(min_length = 3, max_length = 3))]
    pub door_fee_currency: Option<String>,
    #[oai(nullable)]
    #[serde(default)]
    pub name_reading: Option<NameReadingApi>,
    #[oai(nullable)]
    #[serde(default)]
    pub rsvp_opens_at: MaybeUndefined<DateTime<Utc>>,
    #[oai(nullable)]
    #[serde(default)]
    pub rsvp_deadline: MaybeUndefined<DateTime<Utc>>,
    #[oai(nullable)]
    #[serde(default)]
    pub series_id: MaybeUndefined<Uuid>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(minimum(value = "1"), maximum(value = "100000")))]
    pub edition: MaybeUndefined<i64>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_items = 10))]
    pub cohosts: Option<Vec<String>>,
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_items = 20))]
    pub organizers: Option<Vec<Uuid>>,
    /// The whole list: questions left out are removed (their answers stay stored).
    #[oai(nullable)]
    #[serde(default)]
    #[oai(validator(max_items = 20))]
    pub questions: Option<Vec<QuestionInput>>,
}

fn slots_of(slots: Vec<SlotInput>) -> Vec<SlotDraft> {
    slots
        .into_iter()
        .map(|s| SlotDraft { id: s.id.map(SlotId), name: s.name, seats: s.seats, door_fee: s.door_fee })
        .collect()
}

fn person_ids(ids: Vec<Uuid>) -> Vec<PersonId> {
    ids.into_iter().map(PersonId).collect()
}

impl From<NewEvent> for EventDraft {
    fn from(b: NewEvent) -> Self {
        EventDraft {
            slug: b.slug,
            title: b.title,
            theme: b.theme,
            description: b.description.unwrap_or_default(),
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            time_zone: b.time_zone,
            venue_id: b.venue_id.map(VenueId),
            online_url: b.online_url,
            seats: b.seats,
            slots: slots_of(b.slots.unwrap_or_default()),
            rsvp_mode: b.rsvp_mode.unwrap_or_default().into(),
            lottery_draw_at: b.lottery_draw_at,
            hold_minutes: b.hold_minutes.unwrap_or(DEFAULT_HOLD_MINUTES),
            confirmation_required: b.confirmation_required.unwrap_or(true),
            waitlist_enabled: b.waitlist_enabled.unwrap_or(true),
            auto_promote: b.auto_promote.unwrap_or(true),
            max_guests: b.max_guests.unwrap_or(0),
            remind_hours: b.remind_hours,
            door_fee: b.door_fee,
            door_fee_currency: b.door_fee_currency,
            name_reading: b.name_reading.unwrap_or_default().into(),
            rsvp_opens_at: b.rsvp_opens_at,
            rsvp_deadline: b.rsvp_deadline,
            series_id: b.series_id.map(SeriesId),
            edition: b.edition,
            cohosts: b.cohosts.unwrap_or_default(),
            organizers: person_ids(b.organizers.unwrap_or_default()),
            questions: question_drafts(b.questions.unwrap_or_default()),
        }
    }
}

impl From<EventChanges> for EventPatch {
    fn from(b: EventChanges) -> Self {
        EventPatch {
            slug: b.slug,
            title: b.title,
            theme: patch_of(b.theme),
            description: b.description,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            time_zone: b.time_zone,
            venue_id: patch_of(b.venue_id).map(|v| v.map(VenueId)),
            online_url: patch_of(b.online_url),
            seats: b.seats,
            slots: b.slots.map(slots_of),
            rsvp_mode: b.rsvp_mode.map(Into::into),
            lottery_draw_at: patch_of(b.lottery_draw_at),
            hold_minutes: b.hold_minutes,
            confirmation_required: b.confirmation_required,
            waitlist_enabled: b.waitlist_enabled,
            auto_promote: b.auto_promote,
            max_guests: b.max_guests,
            remind_hours: patch_of(b.remind_hours),
            door_fee: patch_of(b.door_fee),
            door_fee_currency: b.door_fee_currency,
            name_reading: b.name_reading.map(Into::into),
            rsvp_opens_at: patch_of(b.rsvp_opens_at),
            rsvp_deadline: patch_of(b.rsvp_deadline),
            series_id: patch_of(b.series_id).map(|s| s.map(SeriesId)),
            edition: patch_of(b.edition),
            cohosts: b.cohosts,
            organizers: b.organizers.map(person_ids),
            questions: b.questions.map(question_drafts),
            unless_changed_since: None,
        }
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Events")]
impl EventsApi {
    /// List events
    ///
    /// Events the network hosts or co-hosts.
    #[oai(path = "/networks/:network/events", method = "get", operation_id = "list_events")]
    #[allow(clippy::too_many_arguments)]
    async fn list_events(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        /// `upcoming` (default), `past` or `all`.
        when: Query<Option<WhenApi>>,
        series_id: Query<Option<Uuid>>,
        status: Query<Option<EventStatusApi>>,
        /// Include archived events.
        archived: Query<Option<bool>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "100000")))] offset: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<Event>>> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let filter = EventFilter {
            when: when.0.unwrap_or_default().into(),
            series_id: series_id.0.map(SeriesId),
            status: status.0.map(Into::into),
            include_archived: archived.0.unwrap_or(false),
            limit: limit.0.unwrap_or(DEFAULT_LIMIT),
            offset: offset.0.unwrap_or(0),
        };
        let events = event::list(db, &auth.0, network.id, &filter, self.state.now()).await?;
        Ok(Json(events.into_iter().map(Event::from).collect()))
    }

    /// Create an event
    ///
    /// It starts as a draft; publish it when it is ready.
    #[oai(path = "/networks/:network/events", method = "post", operation_id = "create_event")]
    async fn create_event(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        body: JsonBody<NewEvent>,
    ) -> ApiResult<Created<Event>> {
        let network = network::visible_by_slug(self.state.db.reader(), &auth.0, &network.0).await?;
        let details =
            edit::create(self.state.db.writer(), &auth.0, network.id, body.0.into(), self.state.now())
                .await?;
        Ok(Created::Created(Json(details.into())))
    }

    /// Get an event
    #[oai(path = "/events/:id", method = "get", operation_id = "get_event")]
    async fn get_event(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Event>> {
        let (details, _) =
            event::get(self.state.db.reader(), &auth.0, EventId(id.0), Permission::ViewNetwork).await?;
        Ok(Json(details.into()))
    }

    /// Change an event
    #[oai(path = "/events/:id", method = "patch", operation_id = "update_event")]
    async fn update_event(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: JsonBody<EventChanges>,
    ) -> ApiResult<Json<Event>> {
        let details = edit::update(
            self.state.db.writer(),
            &auth.0,
            EventId(id.0),
            body.0.into(),
            None,
            &self.state.policy,
            self.state.now(),
        )
        .await?;
        Ok(Json(details.into()))
    }

    /// Publish an event
    ///
    /// It needs a venue or an online URL, and must not have ended.
    #[oai(path = "/events/:id/publish", method = "post", operation_id = "publish_event")]
    async fn publish_event(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Event>> {
        let details = edit::publish(self.state.db.writer(), &auth.0, EventId(id.0), self.state.now()).await?;
        Ok(Json(details.into()))
    }

    /// Cancel an event
    ///
    /// For good: a cancelled event stays visible as cancelled and can no longer change.
    #[oai(path = "/events/:id/cancel", method = "post", operation_id = "cancel_event")]
    async fn cancel_event(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Event>> {
        let details = edit::cancel(self.state.db.writer(), &auth.0, EventId(id.0), self.state.now()).await?;
        Ok(Json(details.into()))
    }

    /// Archive an event
    ///
    /// Hidden from lists and the public pages.
    #[oai(path = "/events/:id/archive", method = "post", operation_id = "archive_event")]
    async fn archive_event(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Event>> {
        let details =
            edit::set_archived(self.state.db.writer(), &auth.0, EventId(id.0), true, self.state.now())
                .await?;
        Ok(Json(details.into()))
    }

    /// Restore an archived event
    #[oai(path = "/events/:id/restore", method = "post", operation_id = "restore_event")]
    async fn restore_event(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Event>> {
        let details =
            edit::set_archived(self.state.db.writer(), &auth.0, EventId(id.0), false, self.state.now())
                .await?;
        Ok(Json(details.into()))
    }
}
