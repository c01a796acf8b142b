//! `/e/{slug}/calendar.ics`, read back with a real iCalendar parser.

use serde_json::json;

use super::*;

/// The calendar's METHOD and the event's properties, by name.
fn read(text: &str) -> (String, std::collections::HashMap<String, String>) {
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar file");
    let method = calendar
        .properties
        .iter()
        .find(|p| p.name == "METHOD")
        .map(|p| p.val.to_string())
        .unwrap_or_default();
    let event = calendar.components.iter().find(|c| c.name == "VEVENT").expect("one VEVENT");
    let properties = event.properties.iter().map(|p| (p.name.to_string(), p.val.to_string())).collect();
    (method, properties)
}

e2e! {
    async fn an_events_calendar_file_follows_its_changes_and_cancellation(app: TestApp) {
        let venue = app.venue(60).await;
        let event = app.event(json!({"slug": "crossing-8", "title": "Crossing #8 越境するキャリア", "venue_id": venue, "online_url": null})).await;
        let id = event["id"].as_str().expect("id");
        app.get_public("/e/crossing-8/calendar.ics").await.expect_status(404, "drafts have no calendar file");
        app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200);

        let reply = app.get_public("/e/crossing-8/calendar.ics").await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.headers["content-type"], "text/calendar; charset=utf-8");
        let (method, first) = read(&reply.text);
        assert_eq!(method, "PUBLISH");
        assert_eq!(first["SUMMARY"], "Crossing #8 越境するキャリア");
        assert_eq!(first["DTSTART"], "20261210T100000Z", "times in UTC");
        assert_eq!(first["DTEND"], "20261210T123000Z");
        assert_eq!(first["SEQUENCE"], "0");
        assert_eq!(first["STATUS"], "CONFIRMED");
        assert_eq!(first["URL"], app.url("/e/crossing-8"));
        assert!(first["LOCATION"].contains("渋谷ヒカリエ"), "{:?}", first["LOCATION"]);
        assert!(first["UID"].starts_with(id), "{:?}", first["UID"]);

        app.patch(&format!("/api/v1/events/{id}"), json!({"starts_at": "2026-12-10T18:30:00+09:00"})).await.expect(200);
        let (_, moved) = read(&app.get_public("/e/crossing-8/calendar.ics").await.text);
        assert_eq!(moved["UID"], first["UID"], "the UID never changes");
        assert_eq!(moved["SEQUENCE"], "1");
        assert_eq!(moved["DTSTART"], "20261210T093000Z");

        app.post(&format!("/api/v1/events/{id}/cancel"), json!({})).await.expect(200);
        let (method, cancelled) = read(&app.get_public("/e/crossing-8/calendar.ics").await.text);
        assert_eq!(method, "CANCEL");
        assert_eq!(cancelled["STATUS"], "CANCELLED");
        assert_eq!(cancelled["SEQUENCE"], "2");
        assert_eq!(cancelled["UID"], first["UID"]);

        app.get_public("/e/no-such-event/calendar.ics").await.expect_status(404, "unknown events");
    }
}

/// Every VEVENT of a feed, as (SUMMARY, STATUS).
fn feed_events(text: &str) -> Vec<(String, String)> {
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("a valid iCalendar file");
    calendar
        .components
        .iter()
        .filter(|c| c.name == "VEVENT")
        .map(|c| {
            let get = |name: &str| c.find_prop(name).map(|p| p.val.to_string()).unwrap_or_default();
            (get("SUMMARY"), get("STATUS"))
        })
        .collect()
}

e2e! {
    async fn networks_and_series_have_subscribable_feeds(app: TestApp) {
        let series = app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing"})).await.expect(201);
        let mut ids = Vec::new();
        for (title, in_series) in [("Crossing #1", true), ("Salon", false), ("Cancelled mixer", false)] {
            let body = if in_series { json!({"title": title, "series_id": series["id"]}) } else { json!({"title": title}) };
            let event = app.event(body).await;
            let id = event["id"].as_str().expect("id").to_owned();
            app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200);
            ids.push(id);
        }
        app.post(&format!("/api/v1/events/{}/cancel", ids[2]), json!({})).await.expect(200);
        app.event(json!({"title": "Draft"})).await;

        let feed = app.get_public("/n/tokyo/calendar.ics").await;
        assert_eq!(feed.status, 200);
        assert_eq!(feed.headers["content-type"], "text/calendar; charset=utf-8");
        let mut events = feed_events(&feed.text);
        events.sort();
        assert_eq!(
            events,
            vec![
                ("Cancelled mixer".to_owned(), "CANCELLED".to_owned()),
                ("Crossing #1".to_owned(), "CONFIRMED".to_owned()),
                ("Salon".to_owned(), "CONFIRMED".to_owned()),
            ],
            "published and cancelled events, never drafts"
        );
        let series_feed = app.get_public("/n/tokyo/series/crossing/calendar.ics").await;
        assert_eq!(feed_events(&series_feed.text), vec![("Crossing #1".to_owned(), "CONFIRMED".to_owned())]);
        app.get_public("/n/tokyo/series/nothing/calendar.ics").await.expect_status(404, "unknown series");
        app.get_public("/n/nowhere/calendar.ics").await.expect_status(404, "unknown network");
    }
}
