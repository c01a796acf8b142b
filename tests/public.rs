//! The token-free API: only published (or cancelled) events, never drafts or archived ones.

use serde_json::json;

use super::*;

e2e! {
    async fn only_published_events_are_public(app: TestApp) {
        let venue = app.venue(80).await;
        let series = app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing"})).await.expect(201);
        let draft = app.event(json!({"title": "Draft", "slug": "draft-one"})).await;
        let published = app.event(json!({
            "title": "Crossing #1", "venue_id": venue, "series_id": series["id"], "online_url": null,
            "slots": [{"name": "OB/OG", "seats": 30}, {"name": "現役", "seats": 10}]
        })).await;
        let id = published["id"].as_str().expect("id");
        app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200);

        app.get_public("/api/v1/public/events/draft-one").await.expect_problem(404, "not_found");
        let _ = draft;
        let public = app.get_public("/api/v1/public/events/crossing-1").await.expect(200);
        assert_eq!(public["title"], "Crossing #1");
        assert_eq!(public["venue"]["name"], "渋谷ヒカリエ");
        assert_eq!(public["series"], json!({"slug": "crossing", "name": "Crossing"}));
        assert_eq!(public["slots"].as_array().map(Vec::len), Some(2));
        assert_eq!(public["online"], false);
        assert!(public.get("organizers").is_none(), "organizers are not public");

        let list = app.get_public("/api/v1/public/networks/tokyo/events").await.expect(200);
        assert_eq!(list.as_array().map(Vec::len), Some(1));
        assert_eq!(list[0]["venue_name"], "渋谷ヒカリエ");
        assert_eq!(list[0]["series_name"], "Crossing");
        assert_eq!(list[0]["host"]["slug"], "tokyo");

        app.post(&format!("/api/v1/events/{id}/cancel"), json!({})).await.expect(200);
        let cancelled = app.get_public("/api/v1/public/events/crossing-1").await.expect(200);
        assert_eq!(cancelled["status"], "cancelled", "people learn it is off");

        app.post(&format!("/api/v1/events/{id}/archive"), json!({})).await.expect(200);
        app.get_public("/api/v1/public/events/crossing-1").await.expect_problem(404, "not_found");
        assert_eq!(app.get_public("/api/v1/public/networks/tokyo/events").await.expect(200), json!([]));
    }

    async fn a_cohosted_event_is_listed_by_both_networks(app: TestApp) {
        let osaka = app.other_network("osaka").await;
        app.join(&osaka, "osaka", "organizer").await;
        let event = app.event(json!({"slug": "mixer", "cohosts": ["osaka"]})).await;
        app.post(&format!("/api/v1/events/{}/publish", event["id"].as_str().expect("id")), json!({})).await.expect(200);
        for network in ["tokyo", "osaka"] {
            let list = app.get_public(&format!("/api/v1/public/networks/{network}/events")).await.expect(200);
            assert_eq!(list[0]["slug"], "mixer", "{network}");
        }
        let public = app.get_public("/api/v1/public/events/mixer").await.expect(200);
        assert_eq!(public["cohosts"], json!([{"slug": "osaka", "name": "osaka alumni"}]));
        app.get_public("/api/v1/public/networks/nowhere/events").await.expect_problem(404, "not_found");
        app.get_public("/api/v1/public/networks/Not%20A%20Slug/events").await.expect_problem(404, "not_found");
    }

    async fn past_and_upcoming_are_separate(app: TestApp) {
        for (slug, day) in [("early", "2026-11-10"), ("late", "2026-12-10")] {
            let event = app.event(json!({"slug": slug, "starts_at": format!("{day}T19:00:00+09:00"), "ends_at": format!("{day}T21:00:00+09:00")})).await;
            app.post(&format!("/api/v1/events/{}/publish", event["id"].as_str().expect("id")), json!({})).await.expect(200);
        }
        app.clock.advance(chrono::Duration::days(10));
        let upcoming = app.get_public("/api/v1/public/networks/tokyo/events").await.expect(200);
        assert_eq!(upcoming.as_array().map(|l| l.iter().map(|e| e["slug"].clone()).collect::<Vec<_>>()), Some(vec![json!("late")]));
        let past = app.get_public("/api/v1/public/networks/tokyo/events?when=past").await.expect(200);
        assert_eq!(past[0]["slug"], "early");
    }
}

/// Public answers are cached for a moment per instance: a write through this instance shows at
/// once, a write through another instance within the cache's lifetime.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_answers_are_cached_briefly_and_dropped_on_local_writes() {
    use std::sync::Arc;

    let app = helpers::spawn_app(helpers::Engine::Sqlite).await;
    let event = app.event(json!({"slug": "cached", "title": "Before"})).await;
    let id = event["id"].as_str().expect("id");
    app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200);
    assert_eq!(app.get_public("/api/v1/public/events/cached").await.expect(200)["title"], "Before");

    // A local write shows at once.
    app.patch(&format!("/api/v1/events/{id}"), json!({"title": "Local"})).await.expect(200);
    assert_eq!(app.get_public("/api/v1/public/events/cached").await.expect(200)["title"], "Local");

    // A write through another instance shows once the entry has expired.
    let config = tsudoi::Config { public_cache_ms: 300, ..app.config.clone() };
    let other =
        tsudoi::Application::build(&config, Arc::new(app.clock.clone())).await.expect("second instance");
    let other_url = format!("http://{}", other.addr());
    let server = tokio::spawn(other.run_until_stopped(std::future::pending()));
    let changed = app
        .client
        .patch(format!("{other_url}/api/v1/events/{id}"))
        .bearer_auth(&app.token)
        .json(&json!({"title": "Remote"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(changed.status(), 200);
    assert_eq!(
        app.get_public("/api/v1/public/events/cached").await.expect(200)["title"],
        "Local",
        "still cached"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(app.get_public("/api/v1/public/events/cached").await.expect(200)["title"], "Remote");
    server.abort();
}
