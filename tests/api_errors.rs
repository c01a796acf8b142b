//! Bad input gets a 4xx problem document that names the field, never a 500.

use reqwest::Method;
use serde_json::json;

use super::*;

e2e! {
    async fn malformed_json_is_a_bad_request(app: TestApp) {
        let reply = app.send_raw(Method::POST, "/api/v1/networks/tokyo/events", "application/json", "{\"title\": ").await;
        reply.expect_problem(400, "bad_request");
        let empty = app.send_raw(Method::POST, "/api/v1/networks/tokyo/events", "application/json", "").await;
        empty.expect_problem(400, "bad_request");
        let array = app.send_raw(Method::POST, "/api/v1/networks/tokyo/events", "application/json", "[1,2]").await;
        array.expect_problem(400, "bad_request");
        // serde would fill a struct from an array, position by position; the API does not.
        let venue = app.venue(10).await;
        let positional = app.send_raw(Method::PATCH, &format!("/api/v1/venues/{venue}"), "application/json", "[null, null]").await;
        positional.expect_problem(400, "bad_request");
        assert_eq!(positional.fields(), vec!["body"]);
    }

    async fn an_oversized_body_is_refused_before_it_is_read_whole(app: TestApp) {
        let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(300 * 1024));
        let reply = app.send_raw(Method::POST, "/api/v1/networks/tokyo/events", "application/json", &huge).await;
        reply.expect_problem(413, "payload_too_large");
    }

    async fn a_body_that_is_not_json_is_an_unsupported_media_type(app: TestApp) {
        let reply = app.send_raw(Method::POST, "/api/v1/networks/tokyo/venues", "text/plain", "name=x").await;
        reply.expect_problem(415, "unsupported_media_type");
    }

    async fn wrong_types_and_missing_fields_are_named(app: TestApp) {
        let reply = app.create_event(json!({"seats": "forty"})).await;
        reply.expect_problem(400, "bad_request");
        assert_eq!(reply.fields(), vec!["seats"]);
        let reply = app.create_event(json!({"slots": [{"name": "x", "seats": true}]})).await;
        assert_eq!(reply.fields(), vec!["slots[0].seats"]);
        let reply = app.post("/api/v1/networks/tokyo/venues", json!({"name": "x", "room_capacity": 3})).await;
        reply.expect_problem(400, "bad_request");
        assert_eq!(reply.fields(), vec!["address"]);
        let reply = app.create_event(json!({"starts_at": "next tuesday"})).await;
        assert_eq!(reply.fields(), vec!["starts_at"]);
        let reply = app.create_event(json!({"venue_id": "not-a-uuid"})).await;
        assert_eq!(reply.fields(), vec!["venue_id"]);
        let reply = app.create_event(json!({"seats": 1e300})).await;
        assert_eq!(reply.fields(), vec!["seats"]);
    }

    async fn invalid_event_values_are_each_named(app: TestApp) {
        let venue = app.venue(30).await;
        let cases = [
            (json!({"ends_at": "2026-12-10T18:00:00+09:00"}), "ends_at"),
            (json!({"seats": 0}), "seats"),
            (json!({"seats": 31, "venue_id": venue}), "seats"),
            (json!({"venue_id": uuid::Uuid::now_v7()}), "venue_id"),
            (json!({"slug": "Crossing 8"}), "slug"),
            (json!({"slug": "日本語"}), "slug"),
            (json!({"time_zone": "Tokyo/Shibuya"}), "time_zone"),
            (json!({"title": "長".repeat(201)}), "title"),
            (json!({"title": "   "}), "title"),
            (json!({"online_url": "ftp://example.jp"}), "online_url"),
            (json!({"max_guests": 11}), "max_guests"),
            (json!({"hold_minutes": 1}), "hold_minutes"),
            (json!({"rsvp_mode": "lottery"}), "lottery_draw_at"),
            (json!({"rsvp_deadline": "2026-12-31T00:00:00+09:00"}), "rsvp_deadline"),
            (json!({"starts_at": "1899-12-10T19:00:00+09:00"}), "starts_at"),
            (json!({"series_id": uuid::Uuid::now_v7()}), "series_id"),
            (json!({"cohosts": ["Not A Slug"]}), "cohosts[0]"),
        ];
        for (body, field) in cases {
            let reply = app.create_event(body.clone()).await;
            reply.expect_problem(422, "validation_failed");
            assert!(reply.fields().contains(&field.to_owned()), "{body}: expected {field} in {:?}", reply.fields());
        }
    }

    async fn a_taken_slug_is_a_conflict(app: TestApp) {
        app.event(json!({"slug": "crossing-8"})).await;
        let reply = app.create_event(json!({"slug": "crossing-8"})).await;
        reply.expect_problem(409, "slug_taken");
        assert_eq!(reply.fields(), vec!["slug"]);
        // Across networks too: the public address is the same.
        let osaka = app.other_network("osaka").await;
        let reply = app.create_event_as(&osaka, "osaka", json!({"slug": "crossing-8"})).await;
        reply.expect_problem(409, "slug_taken");
    }

    async fn bad_parameters_are_named(app: TestApp) {
        let reply = app.get("/api/v1/networks/tokyo/events?limit=0").await;
        reply.expect_problem(400, "bad_request");
        assert_eq!(reply.fields(), vec!["limit"]);
        let reply = app.get("/api/v1/networks/tokyo/events?when=tomorrow").await;
        assert_eq!(reply.fields(), vec!["when"]);
        // An id that is not a UUID names nothing.
        app.get("/api/v1/events/12345").await.expect_problem(404, "not_found");
    }
}
