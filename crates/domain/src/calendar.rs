//! iCalendar files for events (DESIGN invariant 8): times in UTC, a UID that never changes for
//! an event, a SEQUENCE that rises with each change, METHOD:PUBLISH, and METHOD:CANCEL with
//! STATUS:CANCELLED once the event is called off.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, EventLike, EventStatus as IcsStatus};

use crate::event::{EventStatus, public::PublicEvent};

/// The `.ics` for one event. `base_url` is where the service is reached (it names the UID's
/// domain and the event's URL); `now` stamps the file (DTSTAMP).
pub fn event_ics(event: &PublicEvent, base_url: &str, now: DateTime<Utc>) -> String {
    let e = &event.event;
    let cancelled = e.status == EventStatus::Cancelled;
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

    let location = match (&event.venue, e.online_url.is_some()) {
        (Some(venue), _) => format!("{} {}", venue.name, venue.address),
        (None, true) => "Online / オンライン".to_owned(),
        (None, false) => String::new(),
    };

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
        .status(if cancelled { IcsStatus::Cancelled } else { IcsStatus::Confirmed });
    if !location.is_empty() {
        vevent.location(&location);
    }
    let mut calendar = Calendar::new();
    calendar
        .append_property(("PRODID", "-//Tsudoi//Tsudoi//EN"))
        .append_property(("METHOD", if cancelled { "CANCEL" } else { "PUBLISH" }))
        .name(&e.title)
        .push(vevent.done());
    calendar.done().to_string()
}
