//! The public pages: a network's events and one event, in Japanese and English.

use serde_json::json;

use super::*;
use helpers::TestApp;

async fn page(app: &TestApp, path: &str, accept_language: &str) -> (u16, String, reqwest::header::HeaderMap) {
    let resp =
        app.client.get(app.url(path)).header("accept-language", accept_language).send().await.expect("sent");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    // minijinja escapes `/` in text and attributes; browsers read `&#x2f;` as `/`.
    (status, resp.text().await.expect("body").replace("&#x2f;", "/"), headers)
}

e2e! {
    async fn the_event_page_speaks_the_visitors_language_and_the_events_time(app: TestApp) {
        let venue = app.venue(60).await;
        let event = app.event(json!({
            "slug": "crossing-8", "title": "Crossing #8", "theme": "越境するキャリア", "venue_id": venue,
            "online_url": null, "description": "**ようこそ** <script>alert(1)</script> [危険](javascript:alert(2))",
            "slots": [{"name": "OB/OG", "seats": 40}, {"name": "現役社員", "seats": 20}]
        })).await;
        let (status, _, _) = page(&app, "/e/crossing-8", "ja").await;
        assert_eq!(status, 404, "a draft has no page");
        app.post(&format!("/api/v1/events/{}/publish", event["id"].as_str().expect("id")), json!({})).await.expect(200);

        let (status, ja, headers) = page(&app, "/e/crossing-8", "ja,en;q=0.8").await;
        assert_eq!(status, 200);
        assert!(headers["content-type"].to_str().unwrap_or_default().starts_with("text/html"));
        assert!(headers["content-security-policy"].to_str().unwrap_or_default().contains("default-src 'none'"));
        assert!(ja.contains(r#"<html lang="ja">"#));
        assert!(ja.contains("2026年12月10日(木) 19:00〜21:30 JST"), "the event's own time zone");
        assert!(ja.contains("渋谷ヒカリエ") && ja.contains("現役社員: 20"));
        assert!(ja.contains("<strong>ようこそ</strong>"), "Markdown is rendered");
        assert!(!ja.contains("<script>alert"), "raw HTML is not");
        assert!(!ja.contains("javascript:"), "nor are script links");
        assert!(ja.contains(r#"href="/e/crossing-8/calendar.ics""#));
        assert!(ja.contains("calendar.google.com/calendar/render?action=TEMPLATE"));

        let (_, en, _) = page(&app, "/e/crossing-8", "en-US,en;q=0.9").await;
        assert!(en.contains(r#"<html lang="en">"#));
        assert!(en.contains("Thu 10 Dec 2026, 19:00–21:30 JST"));

        // The switch wins over the browser and is remembered.
        let resp = app.client.get(app.url("/e/crossing-8?lang=en")).header("accept-language", "ja").send().await.expect("sent");
        let cookie = resp.headers()["set-cookie"].to_str().unwrap_or_default().to_owned();
        assert!(cookie.starts_with("tsudoi_lang=en"), "{cookie}");
        assert!(resp.text().await.expect("body").contains("Add to calendar"));
        let remembered = app.client.get(app.url("/e/crossing-8")).header("accept-language", "ja").header("cookie", "tsudoi_lang=en").send().await.expect("sent");
        assert!(remembered.text().await.expect("body").contains(r#"<html lang="en">"#));
    }

    async fn a_network_page_lists_upcoming_and_past_events(app: TestApp) {
        for (slug, day) in [("early", "2026-11-10"), ("late", "2026-12-10")] {
            let event = app.event(json!({"slug": slug, "title": format!("Event {slug}"), "starts_at": format!("{day}T19:00:00+09:00"), "ends_at": format!("{day}T21:00:00+09:00")})).await;
            app.post(&format!("/api/v1/events/{}/publish", event["id"].as_str().expect("id")), json!({})).await.expect(200);
        }
        app.event(json!({"slug": "hidden-draft", "title": "Secret draft"})).await;
        app.clock.advance(chrono::Duration::days(10));
        let (status, html, _) = page(&app, "/n/tokyo", "ja").await;
        assert_eq!(status, 200);
        assert!(html.contains("東京アルムナイ"));
        let upcoming = html.find("これからのイベント").expect("upcoming heading");
        let past = html.find("過去のイベント").expect("past heading");
        let late = html.find("Event late").expect("late listed");
        let early = html.find("Event early").expect("early listed");
        assert!(upcoming < late && late < past && past < early, "upcoming first, then past");
        assert!(!html.contains("Secret draft"));
    }

    async fn the_front_page_leads_to_networks_with_public_events(app: TestApp) {
        let (status, html, _) = page(&app, "/", "ja").await;
        assert_eq!(status, 200);
        assert!(html.contains("アルムナイ") && !html.contains("東京アルムナイ"), "no public events yet");
        let event = app.event(json!({})).await;
        app.post(&format!("/api/v1/events/{}/publish", event["id"].as_str().expect("id")), json!({})).await.expect(200);
        let (_, html, _) = page(&app, "/", "en").await;
        assert!(html.contains(r#"<a href="/n/tokyo">東京アルムナイ</a>"#), "{html}");
    }

    async fn an_event_shows_in_its_networks_time_zone(app: TestApp) {
        // `other_network` networks keep Europe/Berlin time; their events inherit it.
        let berlin = app.other_network("berlin").await;
        let event = app.create_event_as(&berlin, "berlin", json!({"slug": "stammtisch"})).await.expect(201);
        assert_eq!(event["time_zone"], "Europe/Berlin");
        app.post_as(&berlin, &format!("/api/v1/events/{}/publish", event["id"].as_str().expect("id")), json!({})).await.expect(200);
        let (_, en, _) = page(&app, "/e/stammtisch", "en").await;
        assert!(en.contains("Thu 10 Dec 2026, 11:00–13:30 CET"), "the same instant, in Berlin");
        let (_, ja, _) = page(&app, "/e/stammtisch", "ja").await;
        assert!(ja.contains("2026年12月10日(木) 11:00〜13:30 CET"));
        let ics = app.get_public("/e/stammtisch/calendar.ics").await;
        assert!(ics.text.contains("DTSTART:20261210T100000Z"), "files stay in UTC");
    }

    async fn unknown_pages_are_friendly_in_both_languages(app: TestApp) {
        let (status, html, _) = page(&app, "/e/no-such-event", "ja").await;
        assert_eq!(status, 404);
        assert!(html.contains("ページが見つかりません"), "{html}");
        let (status, html, _) = page(&app, "/n/Not%20A%20Slug", "en").await;
        assert_eq!(status, 404);
        assert!(html.contains("Page not found"), "{html}");
    }
}
