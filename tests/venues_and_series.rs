//! Venues and series through the API.

use serde_json::json;

use super::*;

e2e! {
    async fn a_venue_is_created_changed_archived_and_restored(app: TestApp) {
        let venue = app
            .post("/api/v1/networks/tokyo/venues", json!({
                "name": "  渋谷ヒカリエ 8F  ", "address": "東京都渋谷区渋谷2-21-1",
                "map_url": "https://maps.example.jp/hikarie", "access_notes": "B5出口直結", "room_capacity": 80
            }))
            .await
            .expect(201);
        assert_eq!(venue["name"], "渋谷ヒカリエ 8F", "text is trimmed");
        let id = venue["id"].as_str().expect("id");

        let changed = app.patch(&format!("/api/v1/venues/{id}"), json!({"room_capacity": 60, "map_url": null})).await.expect(200);
        assert_eq!(changed["room_capacity"], 60);
        assert!(changed["map_url"].is_null(), "null clears");
        assert_eq!(changed["access_notes"], "B5出口直結", "absent fields stay");

        app.post(&format!("/api/v1/venues/{id}/archive"), json!({})).await.expect(200);
        let listed = app.get("/api/v1/networks/tokyo/venues").await.expect(200);
        assert_eq!(listed, json!([]));
        let with_archived = app.get("/api/v1/networks/tokyo/venues?archived=true").await.expect(200);
        assert_eq!(with_archived[0]["archived"], true);
        app.post(&format!("/api/v1/venues/{id}/restore"), json!({})).await.expect(200);
        assert_eq!(app.get("/api/v1/networks/tokyo/venues").await.expect(200).as_array().map(Vec::len), Some(1));
    }

    async fn bad_venues_are_refused_field_by_field(app: TestApp) {
        let reply = app
            .post("/api/v1/networks/tokyo/venues", json!({
                "name": "", "address": "x".repeat(501), "map_url": "javascript:alert(1)", "room_capacity": 0
            }))
            .await;
        reply.expect_problem(422, "validation_failed");
        let mut fields = reply.fields();
        fields.sort();
        assert_eq!(fields, vec!["address", "map_url", "name", "room_capacity"]);
        let too_big = app.post("/api/v1/networks/tokyo/venues", json!({"name": "x", "address": "y", "room_capacity": 100_001})).await;
        too_big.expect_problem(422, "validation_failed");
        assert_eq!(too_big.fields(), vec!["room_capacity"]);
    }

    async fn a_venue_cannot_shrink_below_an_upcoming_events_seats(app: TestApp) {
        let venue = app.venue(80).await;
        app.event(json!({"venue_id": venue, "seats": 70})).await;
        let reply = app.patch(&format!("/api/v1/venues/{venue}"), json!({"room_capacity": 50})).await;
        reply.expect_problem(409, "venue_capacity_below_events");
        assert_eq!(reply.fields(), vec!["room_capacity"]);
        app.patch(&format!("/api/v1/venues/{venue}"), json!({"room_capacity": 70})).await.expect(200);
    }

    async fn series_slugs_are_unique_within_a_network(app: TestApp) {
        let series = app
            .post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing", "description": "OB/OGと現役の交差点"}))
            .await
            .expect(201);
        app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Again"})).await.expect_problem(409, "slug_taken");
        let bad = app.post("/api/v1/networks/tokyo/series", json!({"slug": "Crossing Night", "name": "x"})).await;
        bad.expect_problem(422, "validation_failed");
        assert_eq!(bad.fields(), vec!["slug"]);
        // Another network may use the same slug.
        let osaka = app.other_network("osaka").await;
        app.post_as(&osaka, "/api/v1/networks/osaka/series", json!({"slug": "crossing", "name": "Crossing Osaka"})).await.expect(201);

        let id = series["id"].as_str().expect("id");
        let renamed = app.patch(&format!("/api/v1/series/{id}"), json!({"name": "Crossing 2026", "description": null})).await.expect(200);
        assert_eq!(renamed["name"], "Crossing 2026");
        assert!(renamed["description"].is_null());
        assert_eq!(renamed["slug"], "crossing");
        app.post(&format!("/api/v1/series/{id}/archive"), json!({})).await.expect(200);
        assert_eq!(app.get("/api/v1/networks/tokyo/series").await.expect(200), json!([]));
        assert_eq!(app.get(&format!("/api/v1/series/{id}")).await.expect(200)["archived"], true);
    }
}
