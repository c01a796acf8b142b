//! iCalendar files for events (DESIGN invariant 8): times in UTC, a UID that never changes for
//! an event, a SEQUENCE that rises with each change, METHOD:PUBLISH, and METHOD:CANCEL with
//! STATUS:CANCELLED once a single event is called off. Feeds of many events stay PUBLISH and
//! mark cancelled events with their STATUS.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus as IcsStatus};

use crate::{
    entity::{event, venue},
    event::{EventStatus, public::PublicEvent},
};

/// The `.ics` for one event. `base_url` is where the service is reached (it names the UID's
/// domain and the event's URL); `now` stamps the file (DTSTAMP).
pub fn event_ics(event: &PublicEvent, base_url: &str, now: DateTime<Utc>) -> String {
    let place = event.venue.as_ref().map(|v| format!("{} {}", v.name, v.address));
    let cancelled = event.event.status == EventStatus::Cancelled;
    let mut calendar = Calendar::new();
    calendar
        .append_property(("PRODID", "-//Tsudoi//Tsudoi//EN"))
        .append_property(("METHOD", if cancelled { "CANCEL" } else { "PUBLISH" }))
        .name(&event.event.title)
        .push(vevent(&event.event, place.as_deref(), base_url, now));
    calendar.done().to_string()
}

/// A subscription feed: every event given, under one calendar name.
pub fn feed_ics(
    name: &str,
    events: &[(event::Model, Option<venue::Model>)],
    base_url: &str,
    now: DateTime<Utc>,
) -> String {
    let mut calendar = Calendar::new();
    calendar
        .append_property(("PRODID", "-//Tsudoi//Tsudoi//EN"))
        .append_property(("METHOD", "PUBLISH"))
        .name(name);
    for (event, venue) in events {
        let place = venue.as_ref().map(|v| format!("{} {}", v.name, v.address));
        calendar.push(vevent(event, place.as_deref(), base_url, now));
    }
    calendar.done().to_string()
}

fn vevent(e: &event::Model, place: Option<&str>, base_url: &str, now: DateTime<Utc>) -> icalendar::Event {
    let domain = url::Url::parse(base_url).ok().and_then(|u| u.host_str().map(str::to_owned));
    let uid = format!("{}@{}", e.id, domain.as_deref().unwrap_or("tsudoi"));
    let page = format!("{}/e/{}", base_url.trim_end_matches('/'), e.slug);

    let mut description = String::new();
    if let Some(theme) = &e.theme {
        description.push_str(theme);
        description.push_str("\n\n");
    }
    description.push_str(&e.description_md);
    description.push_str(&format!("\n\n{page}"));

    let mut vevent = icalendar::Event::new();
    vevent
        .uid(&uid)
        .summary(&e.title)
        .description(description.trim())
        .starts(e.starts_at)
        .ends(e.ends_at)
        .sequence(u32::try_from(e.sequence).unwrap_or(0))
        .timestamp(now)
        .url(&page)
        .status(if e.status == EventStatus::Cancelled { IcsStatus::Cancelled } else { IcsStatus::Confirmed });
    match (place, e.online_url.is_some()) {
        (Some(place), _) => {
            vevent.location(place);
        }
        (None, true) => {
            vevent.location("Online / オンライン");
        }
        (None, false) => {}
    }
    vevent.done()
}
