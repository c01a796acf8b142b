//! Tokens, roles and the walls between networks.

use reqwest::Method;
use serde_json::json;

use super::*;

e2e! {
    async fn a_request_without_a_token_is_refused_with_a_problem(app: TestApp) {
        let reply = app.get_public("/api/v1/me").await;
        reply.expect_problem(401, "unauthorized");
        assert_eq!(reply.body["errors"], json!([]), "problems always carry `errors`");
        assert_eq!(reply.headers["www-authenticate"], "Bearer");
        let wrong = app.get_as("tsudoi_not-a-real-token", "/api/v1/me").await;
        wrong.expect_problem(401, "unauthorized");
        let garbage = app.send(Method::GET, "/api/v1/me", Some("Basic abc"), None).await;
        garbage.expect_problem(401, "unauthorized");
    }

    async fn me_lists_my_networks_and_roles(app: TestApp) {
        let me = app.get("/api/v1/me").await.expect(200);
        assert_eq!(me["email"], "owner@tokyo.example.jp");
        assert_eq!(me["display_name"], "オーナー 花子");
        assert_eq!(me["networks"], json!([{
            "slug": "tokyo", "name": "東京アルムナイ", "default_language": "ja",
            "time_zone": "Asia/Tokyo", "role": "owner"
        }]));
    }

    async fn tokens_are_shown_once_and_stop_working_when_revoked(app: TestApp) {
        let issued = app.post("/api/v1/tokens", json!({"name": "laptop"})).await.expect(201);
        let secret = issued["secret"].as_str().expect("secret").to_owned();
        assert!(secret.starts_with("tsudoi_"));
        app.get_as(&secret, "/api/v1/me").await.expect(200);

        let listed = app.get("/api/v1/tokens").await.expect(200);
        let laptop = listed.as_array().expect("list").iter().find(|t| t["name"] == "laptop").expect("listed").clone();
        assert!(laptop.get("secret").is_none(), "the secret is never listed");
        assert!(laptop["last_used_at"].is_string(), "use is recorded: {laptop}");

        let id = issued["token"]["id"].as_str().expect("id");
        assert_eq!(app.delete(&format!("/api/v1/tokens/{id}")).await.status, 204);
        app.get_as(&secret, "/api/v1/me").await.expect_problem(401, "unauthorized");
        // Revoking twice is fine; another person's token is invisible.
        assert_eq!(app.delete(&format!("/api/v1/tokens/{id}")).await.status, 204);
        let other = app.other_network("osaka").await;
        let reply = app.send(Method::DELETE, &format!("/api/v1/tokens/{id}"), Some(&other), None).await;
        reply.expect_problem(404, "not_found");
    }

    async fn a_token_limited_to_one_network_sees_only_that_one(app: TestApp) {
        let osaka_owner = app.other_network("osaka").await;
        // Make the tokyo owner a member of osaka too.
        app.post_as(&osaka_owner, "/api/v1/networks/osaka/members", json!({"email": "owner@tokyo.example.jp", "role": "organizer"}))
            .await
            .expect(201);
        let both = app.get("/api/v1/me").await.expect(200);
        assert_eq!(both["networks"].as_array().map(Vec::len), Some(2));

        let issued = app.post("/api/v1/tokens", json!({"name": "tokyo only", "network": "tokyo"})).await.expect(201);
        assert!(issued["token"]["network_id"].is_string());
        let limited = issued["secret"].as_str().expect("secret").to_owned();
        let me = app.get_as(&limited, "/api/v1/me").await.expect(200);
        assert_eq!(me["token_network"], "tokyo");
        assert_eq!(me["networks"].as_array().map(Vec::len), Some(1));
        app.get_as(&limited, "/api/v1/networks/osaka/venues").await.expect_problem(404, "not_found");
        // A limited token makes only limited tokens.
        let child = app.post_as(&limited, "/api/v1/tokens", json!({"name": "child"})).await.expect(201);
        assert_eq!(child["token"]["network_id"], issued["token"]["network_id"]);
        let child_secret = child["secret"].as_str().expect("secret");
        app.get_as(child_secret, "/api/v1/networks/osaka/venues").await.expect_problem(404, "not_found");
        // A limited token sees and revokes only tokens limited like itself.
        let seen = app.get_as(&limited, "/api/v1/tokens").await.expect(200);
        assert!(seen.as_array().expect("list").iter().all(|t| t["network_id"] == issued["token"]["network_id"]), "{seen}");
        let unrestricted = app.get("/api/v1/tokens").await.expect(200);
        let wide = unrestricted.as_array().expect("list").iter().find(|t| t["name"] == "tests").expect("the test token");
        let reply = app.send(Method::DELETE, &format!("/api/v1/tokens/{}", wide["id"].as_str().expect("id")), Some(&limited), None).await;
        reply.expect_problem(404, "not_found");
        app.get("/api/v1/me").await.expect(200);
    }

    async fn door_staff_can_look_but_not_change(app: TestApp) {
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let venue = app.venue(50).await;
        let event = app.event(json!({"title": "Crossing #8"})).await;
        let id = event["id"].as_str().expect("id");

        app.get_as(&door, "/api/v1/networks/tokyo/events").await.expect(200);
        app.get_as(&door, &format!("/api/v1/events/{id}")).await.expect(200);
        app.get_as(&door, &format!("/api/v1/venues/{venue}")).await.expect(200);

        let create = app.post_as(&door, "/api/v1/networks/tokyo/events", json!({"title": "x"})).await;
        // The body is incomplete, but the role is checked first.
        assert!(matches!(create.status.as_u16(), 400 | 403), "{}", create.text);
        app.create_event_as(&door, "tokyo", json!({})).await.expect_problem(403, "forbidden");
        app.patch_as(&door, &format!("/api/v1/events/{id}"), json!({"title": "hacked"})).await.expect_problem(403, "forbidden");
        app.post_as(&door, &format!("/api/v1/events/{id}/publish"), json!({})).await.expect_problem(403, "forbidden");
        app.post_as(&door, "/api/v1/networks/tokyo/venues", json!({"name": "x", "address": "y", "room_capacity": 3}))
            .await
            .expect_problem(403, "forbidden");
        app.post_as(&door, "/api/v1/networks/tokyo/members", json!({"email": "x@y.jp", "role": "owner"}))
            .await
            .expect_problem(403, "forbidden");
        app.get_as(&door, "/api/v1/networks/tokyo/audit-log").await.expect_problem(403, "forbidden");
        app.get_as(&door, "/api/v1/networks/tokyo/members").await.expect_problem(403, "forbidden");
    }

    async fn organizers_manage_events_but_not_members(app: TestApp) {
        let organizer = app.member_token("organizer@tokyo.example.jp", "organizer").await;
        let created = app.create_event_as(&organizer, "tokyo", json!({"title": "Salon"})).await.expect(201);
        assert_eq!(created["organizers"][0]["display_name"], "organizer", "the creator is in charge");
        app.post_as(&organizer, "/api/v1/networks/tokyo/members", json!({"email": "x@y.jp", "role": "organizer"}))
            .await
            .expect_problem(403, "forbidden");
        app.get_as(&organizer, "/api/v1/networks/tokyo/members").await.expect(200);
    }

    async fn another_networks_things_are_not_found(app: TestApp) {
        let venue = app.venue(50).await;
        let event = app.event(json!({})).await;
        let event_id = event["id"].as_str().expect("id");
        let series = app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing"})).await.expect(201);
        let series_id = series["id"].as_str().expect("id");
        let stranger = app.other_network("osaka").await;

        for path in [
            format!("/api/v1/events/{event_id}"),
            format!("/api/v1/venues/{venue}"),
            format!("/api/v1/series/{series_id}"),
            "/api/v1/networks/tokyo/events".to_owned(),
            "/api/v1/networks/tokyo/venues".to_owned(),
            "/api/v1/networks/tokyo/members".to_owned(),
            "/api/v1/networks/tokyo/audit-log".to_owned(),
            // Unknown and forbidden look the same.
            "/api/v1/networks/nowhere/events".to_owned(),
            format!("/api/v1/events/{}", uuid::Uuid::now_v7()),
        ] {
            app.get_as(&stranger, &path).await.expect_problem(404, "not_found");
        }
        app.patch_as(&stranger, &format!("/api/v1/events/{event_id}"), json!({"title": "mine now"}))
            .await
            .expect_problem(404, "not_found");
        app.post_as(&stranger, &format!("/api/v1/venues/{venue}/archive"), json!({})).await.expect_problem(404, "not_found");
        // Pointing at another network's venue from one's own event is refused too.
        let osaka_event = app.create_event_as(&stranger, "osaka", json!({"seats": 5, "venue_id": venue})).await;
        osaka_event.expect_problem(422, "validation_failed");
        assert_eq!(osaka_event.fields(), vec!["venue_id"]);
        // Nor can a stranger borrow the network as a co-host to reach its venues or its page.
        let borrowed =
            app.create_event_as(&stranger, "osaka", json!({"seats": 5, "venue_id": venue, "cohosts": ["tokyo"]})).await;
        borrowed.expect_problem(422, "validation_failed");
        assert_eq!(borrowed.fields(), vec!["cohosts[0]", "venue_id"]);
    }

    async fn owners_manage_members_and_always_keep_one_owner(app: TestApp) {
        let member = app
            .post("/api/v1/networks/tokyo/members", json!({"email": "Taro@Example.JP", "display_name": "山田 太郎", "role": "organizer"}))
            .await
            .expect(201);
        assert_eq!(member["email"], "taro@example.jp", "emails are normalised");
        let person = member["person_id"].as_str().expect("id");
        app.post("/api/v1/networks/tokyo/members", json!({"email": "taro@example.jp", "role": "owner"}))
            .await
            .expect_problem(409, "already_member");
        let promoted = app.patch(&format!("/api/v1/networks/tokyo/members/{person}"), json!({"role": "owner"})).await.expect(200);
        assert_eq!(promoted["role"], "owner");

        let me = app.get("/api/v1/me").await.expect(200);
        let my_id = me["id"].as_str().expect("id");
        // Two owners: one may step down. Then the last one may not.
        app.patch(&format!("/api/v1/networks/tokyo/members/{my_id}"), json!({"role": "organizer"})).await.expect(200);
        let taro = tsudoi_domain::token::issue(app.db.writer(), uuid::Uuid::parse_str(person).expect("uuid").into(), None, "t", app.clock_now())
            .await
            .expect("token")
            .plaintext;
        app.patch_as(&taro, &format!("/api/v1/networks/tokyo/members/{person}"), json!({"role": "organizer"}))
            .await
            .expect_problem(409, "last_owner");
        let removed = app.send(Method::DELETE, &format!("/api/v1/networks/tokyo/members/{my_id}"), Some(&taro), None).await;
        assert_eq!(removed.status, 204);
        app.get("/api/v1/networks/tokyo/venues").await.expect_problem(404, "not_found");
        app.post_as(&taro, "/api/v1/networks/tokyo/members", json!({"email": "bad", "role": "organizer"}))
            .await
            .expect_problem(422, "validation_failed");
        app.post_as(&taro, "/api/v1/networks/tokyo/members", json!({"email": "a@b.jp", "role": "emperor"}))
            .await
            .expect_problem(400, "bad_request");
    }

    async fn every_change_is_in_the_audit_log_with_before_and_after(app: TestApp) {
        let event = app.event(json!({"title": "Crossing #7"})).await;
        let id = event["id"].as_str().expect("id");
        app.patch(&format!("/api/v1/events/{id}"), json!({"title": "Crossing #8", "seats": 50})).await.expect(200);
        let log = app.get("/api/v1/networks/tokyo/audit-log").await.expect(200);
        let entries = log.as_array().expect("list");
        let update = entries.iter().find(|e| e["action"] == "event.update").expect("update logged");
        assert_eq!(update["summary"]["title"], json!(["Crossing #7", "Crossing #8"]));
        assert_eq!(update["summary"]["seats"], json!([40, 50]));
        assert_eq!(update["subject_id"], id);
        let me = app.get("/api/v1/me").await.expect(200);
        assert_eq!(update["person_id"], me["id"]);
        assert!(entries.iter().any(|e| e["action"] == "event.create"));
        assert_eq!(entries[0]["action"], "event.update", "newest first");

        // A change that changes nothing writes nothing.
        app.patch(&format!("/api/v1/events/{id}"), json!({"title": "Crossing #8"})).await.expect(200);
        app.patch(&format!("/api/v1/events/{id}"), json!({})).await.expect(200);
        let again = app.get("/api/v1/networks/tokyo/audit-log").await.expect(200);
        assert_eq!(again.as_array().map(Vec::len), Some(entries.len()));
    }
}
