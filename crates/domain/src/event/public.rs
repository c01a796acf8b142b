//! What anyone may see of published events, without a token: a network's list and one event.
//! These answer the busiest requests, so each is a small, fixed number of queries.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, sea_query::Expr,
};

use super::{EventStatus, When, by_time, of_network};
use crate::{
    access::Actor,
    entity::{event, event_cohost, event_slot, network, series, venue},
    error::{Error, Resource, Result},
    ids::{EventId, NetworkId},
    values::Slug,
};

/// A line of a network's public event list.
#[derive(Clone, Debug, FromQueryResult)]
pub struct PublicEventSummary {
    pub slug: String,
    pub title: String,
    pub theme: Option<String>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub status: EventStatus,
    pub venue_name: Option<String>,
    pub online: bool,
    pub series_name: Option<String>,
    pub edition: Option<i32>,
    pub host_slug: String,
    pub host_name: String,
}

#[derive(Clone, Debug)]
pub struct PublicVenue {
    pub name: String,
    pub address: String,
    pub map_url: Option<String>,
    pub access_notes: Option<String>,
}

#[derive(Clone, Debug)]
pub struct PublicSeries {
    pub slug: String,
    pub name: String,
}

/// One published (or cancelled after publication) event as the public sees it.
#[derive(Clone, Debug)]
pub struct PublicEvent {
    pub event: event::Model,
    pub slots: Vec<event_slot::Model>,
    pub host: network::Model,
    pub cohosts: Vec<network::Model>,
    pub venue: Option<PublicVenue>,
    pub series: Option<PublicSeries>,
}

/// Published or cancelled (a cancelled event stays visible, so people learn it is off), and
/// never a draft or an archived event.
fn visible() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(event::Column::Status.is_in([EventStatus::Published, EventStatus::Cancelled]))
        .add(event::Column::PublishedAt.is_not_null())
        .add(event::Column::ArchivedAt.is_null())
}

/// How far back a calendar feed reaches; older events only weigh down every subscriber's sync.
const FEED_HISTORY_DAYS: i64 = 365;

/// Events for a network's calendar feed (hosted or co-hosted; optionally one series of it):
/// published and cancelled ones from the past year on, with their venues.
pub async fn feed(
    db: &impl ConnectionTrait,
    network_id: NetworkId,
    series_slug: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<(event::Model, Option<venue::Model>)>> {
    let mut query = event::Entity::find()
        .filter(visible())
        .filter(of_network(network_id))
        .filter(event::Column::EndsAt.gte(now - chrono::Duration::days(FEED_HISTORY_DAYS)));
    if let Some(slug) = series_slug {
        let slug = Slug::parse(slug).map_err(|_| Error::NotFound(Resource::Series))?;
        let series = series::Entity::find()
            .filter(series::Column::NetworkId.eq(network_id))
            .filter(series::Column::Slug.eq(slug.as_str()))
            .one(db)
            .await?
            .ok_or(Error::NotFound(Resource::Series))?;
        query = query.filter(event::Column::SeriesId.eq(series.id));
    }
    Ok(query.order_by_asc(event::Column::StartsAt).find_also_related(venue::Entity).all(db).await?)
}

/// Networks with at least one event visible to the public, by name.
pub async fn networks_with_events(db: &impl ConnectionTrait) -> Result<Vec<network::Model>> {
    Ok(network::Entity::find()
        .filter(
            network::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(event::Column::NetworkId)
                    .from(event::Entity)
                    .cond_where(visible())
                    .to_owned(),
            ),
        )
        .order_by_asc(network::Column::Name)
        .all(db)
        .await?)
}

pub async fn network_by_slug(db: &impl ConnectionTrait, slug: &str) -> Result<network::Model> {
    let slug = Slug::parse(slug).map_err(|_| Error::NotFound(Resource::Network))?;
    crate::network::find_by_slug(db, &slug).await?.ok_or(Error::NotFound(Resource::Network))
}

pub async fn list(
    db: &impl ConnectionTrait,
    network_id: NetworkId,
    when: When,
    limit: u64,
    offset: u64,
    now: DateTime<Utc>,
) -> Result<Vec<PublicEventSummary>> {
    let query = event::Entity::find()
        .select_only()
        .columns([
            event::Column::Slug,
            event::Column::Title,
            event::Column::Theme,
            event::Column::StartsAt,
            event::Column::EndsAt,
            event::Column::TimeZone,
            event::Column::Status,
            event::Column::Edition,
        ])
        .column_as(Expr::col((venue::Entity, venue::Column::Name)), "venue_name")
        .column_as(event::Column::OnlineUrl.is_not_null(), "online")
        .column_as(Expr::col((series::Entity, series::Column::Name)), "series_name")
        .column_as(Expr::col((network::Entity, network::Column::Slug)), "host_slug")
        .column_as(Expr::col((network::Entity, network::Column::Name)), "host_name")
        .join(JoinType::InnerJoin, event::Relation::Host.def())
        .join(JoinType::LeftJoin, event::Relation::Venue.def())
        .join(JoinType::LeftJoin, event::Relation::Series.def())
        .filter(visible())
        .filter(of_network(network_id));
    Ok(by_time(query, when, now)
        .limit(limit)
        .offset(offset)
        .into_model::<PublicEventSummary>()
        .all(db)
        .await?)
}

/// One event in three queries: the event with its host, venue and series; its slots; its
/// co-hosts.
pub async fn event(db: &impl ConnectionTrait, slug: &str) -> Result<PublicEvent> {
    let slug = Slug::parse(slug).map_err(|_| Error::NotFound(Resource::Event))?;
    load(db, sea_orm::Condition::all().add(event::Column::Slug.eq(slug.as_str())).add(visible())).await
}

/// The event an RSVP or a message belongs to, as the attendee sees it (even once archived).
pub async fn event_by_id(db: &impl ConnectionTrait, id: EventId) -> Result<PublicEvent> {
    load(
        db,
        sea_orm::Condition::all().add(event::Column::Id.eq(id)).add(event::Column::PublishedAt.is_not_null()),
    )
    .await
}

/// An event as its public page will show it, whatever its state (a draft, before publishing),
/// for those who manage it.
pub async fn preview(db: &impl ConnectionTrait, actor: &Actor, id: EventId) -> Result<PublicEvent> {
    super::managed(db, actor, id).await?;
    load(db, sea_orm::Condition::all().add(event::Column::Id.eq(id))).await
}

async fn load(db: &impl ConnectionTrait, which: sea_orm::Condition) -> Result<PublicEvent> {
    let (event, host, venue, series) = event::Entity::find()
        .filter(which)
        .find_also_related(network::Entity)
        .find_also_related(venue::Entity)
        .find_also(event::Entity, series::Entity)
        .one(db)
        .await?
        .ok_or(Error::NotFound(Resource::Event))?;
    let host = host.ok_or_else(|| Error::Unexpected(anyhow::anyhow!("event {} has no host", event.id)))?;
    let slots = event_slot::Entity::find()
        .filter(event_slot::Column::EventId.eq(event.id))
        .order_by_asc(event_slot::Column::Position)
        .all(db)
        .await?;
    let cohosts = cohosts_of(db, event.id).await?;
    let venue = venue.map(|v| PublicVenue {
        name: v.name,
        address: v.address,
        map_url: v.map_url,
        access_notes: v.access_notes,
    });
    let series = series.map(|s| PublicSeries { slug: s.slug, name: s.name });
    Ok(PublicEvent { event, slots, host, cohosts, venue, series })
}

async fn cohosts_of(db: &impl ConnectionTrait, id: EventId) -> Result<Vec<network::Model>> {
    Ok(network::Entity::find()
        .inner_join(event_cohost::Entity)
        .filter(event_cohost::Column::EventId.eq(id))
        .order_by_asc(network::Column::Slug)
        .all(db)
        .await?)
}
