//! Events through the API: defaults, editions, changes, publication, cancellation, lists.

use serde_json::json;

use super::*;

e2e! {
    async fn a_new_event_is_a_draft_with_one_slot_and_its_creator_in_charge(app: TestApp) {
        let event = app.event(json!({"title": "Crossing #8", "theme": "生成AIと働き方"})).await;
        assert_eq!(event["status"], "draft");
        assert_eq!(event["time_zone"], "Asia/Tokyo", "the network's time zone");
        assert_eq!(event["starts_at"], "2026-12-10T10:00:00+00:00", "answered in UTC");
        assert_eq!(event["slots"].as_array().map(Vec::len), Some(1));
        assert_eq!(event["slots"][0]["name"], "一般");
        assert_eq!(event["slots"][0]["seats"], 40);
        assert_eq!(event["hold_minutes"], 30);
        assert_eq!(event["confirmation_required"], true);
        assert_eq!(event["rsvp_mode"], "first_come");
        assert_eq!(event["organizers"][0]["display_name"], "オーナー 花子");
        assert_eq!(event["host"]["slug"], "tokyo");
        assert!(event["slug"].as_str().is_some_and(|s| s.starts_with("tokyo-")), "{}", event["slug"]);
    }

    async fn editions_of_a_series_are_numbered_and_named_after_it(app: TestApp) {
        let series = app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing"})).await.expect(201);
        let series_id = series["id"].as_str().expect("id");
        let first = app.event(json!({"series_id": series_id})).await;
        let second = app.event(json!({"series_id": series_id, "starts_at": "2027-01-14T19:00:00+09:00", "ends_at": "2027-01-14T21:00:00+09:00"})).await;
        assert_eq!((first["edition"].clone(), first["slug"].clone()), (json!(1), json!("crossing-1")));
        assert_eq!((second["edition"].clone(), second["slug"].clone()), (json!(2), json!("crossing-2")));
        app.create_event(json!({"series_id": series_id, "edition": 2})).await.expect_problem(409, "edition_taken");
        let eighth = app.event(json!({"series_id": series_id, "edition": 8})).await;
        assert_eq!(eighth["slug"], "crossing-8");
        let listed = app.get(&format!("/api/v1/networks/tokyo/events?series_id={series_id}&when=all")).await.expect(200);
        assert_eq!(listed.as_array().map(Vec::len), Some(3));
        app.create_event(json!({"edition": 3})).await.expect_problem(422, "validation_failed");

        // Moved to another series, an edition is numbered anew there.
        let salon = app.post("/api/v1/networks/tokyo/series", json!({"slug": "salon", "name": "Salon"})).await.expect(201);
        let moved = app.patch(&format!("/api/v1/events/{}", eighth["id"].as_str().expect("id")), json!({"series_id": salon["id"]})).await.expect(200);
        assert_eq!(moved["edition"], 1);
        let unseries = app.patch(&format!("/api/v1/events/{}", moved["id"].as_str().expect("id")), json!({"series_id": null})).await.expect(200);
        assert!(unseries.get("edition").is_none(), "{unseries}");
    }

    async fn changing_an_event_raises_its_sequence_only_when_attendees_would_care(app: TestApp) {
        let venue = app.venue(100).await;
        let event = app.event(json!({"venue_id": venue, "slots": [
            {"name": "OB/OG", "seats": 30}, {"name": "現役社員", "seats": 10}
        ]})).await;
        let id = event["id"].as_str().expect("id");
        assert_eq!(event["sequence"], 0);

        let quiet = app.patch(&format!("/api/v1/events/{id}"), json!({"max_guests": 2})).await.expect(200);
        assert_eq!(quiet["sequence"], 0);
        let moved = app.patch(&format!("/api/v1/events/{id}"), json!({"starts_at": "2026-12-10T18:30:00+09:00"})).await.expect(200);
        assert_eq!(moved["sequence"], 1);

        // Slots keep their ids when listed, new ones are added, missing ones go.
        let alumni = event["slots"][0]["id"].as_str().expect("slot id");
        let resized = app
            .patch(&format!("/api/v1/events/{id}"), json!({"seats": 60, "slots": [
                {"id": alumni, "name": "OB/OG", "seats": 45}, {"name": "ゲスト", "seats": 15}
            ]}))
            .await
            .expect(200);
        assert_eq!(resized["slots"][0]["id"], alumni);
        assert_eq!(resized["slots"][0]["seats"], 45);
        assert_eq!(resized["slots"][1]["name"], "ゲスト");
        assert_eq!(resized["slots"].as_array().map(Vec::len), Some(2));

        let foreign_slot = uuid::Uuid::now_v7();
        let bad = app.patch(&format!("/api/v1/events/{id}"), json!({"slots": [{"id": foreign_slot, "name": "x", "seats": 1}]})).await;
        bad.expect_problem(422, "validation_failed");
        assert_eq!(bad.fields(), vec!["slots[0].id"]);
    }

    async fn publishing_needs_a_place_and_a_future(app: TestApp) {
        let nowhere = app.event(json!({"online_url": null})).await;
        let id = nowhere["id"].as_str().expect("id");
        let reply = app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await;
        reply.expect_problem(422, "validation_failed");
        assert_eq!(reply.fields(), vec!["venue_id"]);

        let event = app.event(json!({})).await;
        let id = event["id"].as_str().expect("id");
        let published = app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200);
        assert_eq!(published["status"], "published");
        assert!(published["published_at"].is_string());
        app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect_problem(409, "already_published");

        let past = app.event(json!({"starts_at": "2026-10-01T19:00:00+09:00", "ends_at": "2026-10-01T21:00:00+09:00"})).await;
        let reply = app.post(&format!("/api/v1/events/{}/publish", past["id"].as_str().expect("id")), json!({})).await;
        reply.expect_problem(422, "validation_failed");
        assert_eq!(reply.fields(), vec!["ends_at"]);
    }

    async fn a_cancelled_event_stays_cancelled(app: TestApp) {
        let event = app.event(json!({})).await;
        let id = event["id"].as_str().expect("id");
        app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200);
        let cancelled = app.post(&format!("/api/v1/events/{id}/cancel"), json!({})).await.expect(200);
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(cancelled["sequence"], 1, "calendars learn of the cancellation");
        app.post(&format!("/api/v1/events/{id}/cancel"), json!({})).await.expect(200);
        app.patch(&format!("/api/v1/events/{id}"), json!({"title": "back on"})).await.expect_problem(409, "event_cancelled");
        app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect_problem(409, "event_cancelled");
    }

    async fn lists_filter_by_time_status_and_archive(app: TestApp) {
        let soon = app.event(json!({"title": "Soon", "starts_at": "2026-11-20T19:00:00+09:00", "ends_at": "2026-11-20T21:00:00+09:00"})).await;
        let later = app.event(json!({"title": "Later"})).await;
        let past = app.event(json!({"title": "Past", "starts_at": "2026-10-01T19:00:00+09:00", "ends_at": "2026-10-01T21:00:00+09:00"})).await;
        app.post(&format!("/api/v1/events/{}/publish", later["id"].as_str().expect("id")), json!({})).await.expect(200);

        let titles = |v: serde_json::Value| v.as_array().expect("list").iter().map(|e| e["title"].as_str().unwrap_or_default().to_owned()).collect::<Vec<_>>();
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events").await.expect(200)), vec!["Soon", "Later"]);
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events?when=past").await.expect(200)), vec!["Past"]);
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events?status=published").await.expect(200)), vec!["Later"]);
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events?when=all&limit=1").await.expect(200)), vec!["Later"]);
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events?when=all&limit=1&offset=2").await.expect(200)), vec!["Past"]);

        // Time moves on: the soon one becomes past.
        app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-11-21T00:00:00+09:00").expect("time").to_utc());
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events?when=past").await.expect(200)), vec!["Soon", "Past"]);

        app.post(&format!("/api/v1/events/{}/archive", soon["id"].as_str().expect("id")), json!({})).await.expect(200);
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events?when=past").await.expect(200)), vec!["Past"]);
        assert_eq!(titles(app.get("/api/v1/networks/tokyo/events?when=past&archived=true").await.expect(200)), vec!["Soon", "Past"]);
        let _ = past;
    }

    async fn cohosting_networks_manage_and_list_the_event(app: TestApp) {
        let osaka = app.other_network("osaka").await;
        // Only someone who organizes in a network may make it a co-host.
        let refused = app.create_event(json!({"title": "合同交流会", "cohosts": ["osaka"]})).await;
        refused.expect_problem(422, "validation_failed");
        assert_eq!(refused.fields(), vec!["cohosts[0]"]);
        app.join(&osaka, "osaka", "organizer").await;
        let event = app.event(json!({"title": "合同交流会", "cohosts": ["osaka"]})).await;
        assert_eq!(event["cohosts"], json!([{"slug": "osaka", "name": "osaka alumni"}]));
        let id = event["id"].as_str().expect("id");
        let changed = app.patch_as(&osaka, &format!("/api/v1/events/{id}"), json!({"theme": "越境"})).await.expect(200);
        assert_eq!(changed["theme"], "越境");
        // Both networks' logs show what happened to the event they share.
        for (token, network) in [(&app.token, "tokyo"), (&osaka, "osaka")] {
            let log = app.get_as(token, &format!("/api/v1/networks/{network}/audit-log")).await.expect(200);
            assert_eq!(log[0]["action"], "event.update", "{network}");
            assert_eq!(log[0]["summary"]["theme"][1], "越境", "{network}");
        }
        let listed = app.get_as(&osaka, "/api/v1/networks/osaka/events").await.expect(200);
        assert_eq!(listed[0]["id"], id);
        // The co-host's owner may be put in charge; a stranger may not.
        let osaka_me = app.get_as(&osaka, "/api/v1/me").await.expect(200);
        let in_charge = app.patch(&format!("/api/v1/events/{id}"), json!({"organizers": [osaka_me["id"]]})).await.expect(200);
        assert_eq!(in_charge["organizers"][0]["id"], osaka_me["id"]);
        let kyoto = app.other_network("kyoto").await;
        let kyoto_me = app.get_as(&kyoto, "/api/v1/me").await.expect(200);
        let refused = app.patch(&format!("/api/v1/events/{id}"), json!({"organizers": [kyoto_me["id"]]})).await;
        refused.expect_problem(422, "validation_failed");
        assert_eq!(refused.fields(), vec!["organizers[0]"]);
        // Dropping the co-host ends its access.
        app.patch(&format!("/api/v1/events/{id}"), json!({"cohosts": [], "organizers": []})).await.expect(200);
        app.get_as(&osaka, &format!("/api/v1/events/{id}")).await.expect_problem(404, "not_found");
        let unknown = app.patch(&format!("/api/v1/events/{id}"), json!({"cohosts": ["nowhere", "tokyo"]})).await;
        assert_eq!(unknown.fields(), vec!["cohosts[0]", "cohosts[1]"]);
    }

    async fn japanese_text_round_trips_intact(app: TestApp) {
        let title = "第8回 Crossing 〜越境するキャリア〜 🍶";
        let description = "## 概要\n\nＯＢ・ＯＧと現役社員が集まります。\n- 参加費: ¥1,000\n";
        let event = app.event(json!({"title": title, "description": description})).await;
        let id = event["id"].as_str().expect("id");
        let fetched = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        assert_eq!(fetched["title"], title);
        assert_eq!(fetched["description"], description.trim());
    }
}

e2e! {
    async fn a_published_event_keeps_its_place_its_future_and_its_address(app: TestApp) {
        let event = app.event(json!({"slug": "crossing-9"})).await;
        let id = event["id"].as_str().expect("id");
        app.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200);
        let placeless = app.patch(&format!("/api/v1/events/{id}"), json!({"online_url": null})).await;
        placeless.expect_problem(422, "validation_failed");
        assert_eq!(placeless.fields(), vec!["venue_id"]);
        let past = app.patch(&format!("/api/v1/events/{id}"), json!({"starts_at": "2026-10-01T19:00:00+09:00", "ends_at": "2026-10-01T21:00:00+09:00"})).await;
        assert_eq!(past.fields(), vec!["ends_at"]);
        app.patch(&format!("/api/v1/events/{id}"), json!({"slug": "renamed"})).await.expect_problem(409, "slug_locked");
        // A draft may still change its address.
        let draft = app.event(json!({"slug": "draft-a"})).await;
        app.patch(&format!("/api/v1/events/{}", draft["id"].as_str().expect("id")), json!({"slug": "draft-b"})).await.expect(200);
    }

    async fn the_single_slot_follows_the_events_seats(app: TestApp) {
        let event = app.event(json!({"seats": 40})).await;
        let id = event["id"].as_str().expect("id");
        let grown = app.patch(&format!("/api/v1/events/{id}"), json!({"seats": 50})).await.expect(200);
        assert_eq!(grown["slots"][0]["seats"], 50);
        assert_eq!(grown["slots"][0]["id"], event["slots"][0]["id"], "the same slot");
        let shrunk = app.patch(&format!("/api/v1/events/{id}"), json!({"seats": 30})).await.expect(200);
        assert_eq!(shrunk["slots"][0]["seats"], 30);
    }

    async fn an_event_stays_editable_after_its_organizer_changes_role(app: TestApp) {
        let organizer = app.member_token("sato@tokyo.example.jp", "organizer").await;
        let event = app.create_event_as(&organizer, "tokyo", json!({"title": "Salon"})).await.expect(201);
        let person = event["organizers"][0]["id"].as_str().expect("id").to_owned();
        app.patch(&format!("/api/v1/networks/tokyo/members/{person}"), json!({"role": "door_staff"})).await.expect(200);
        let renamed = app.patch(&format!("/api/v1/events/{}", event["id"].as_str().expect("id")), json!({"title": "Salon #2"})).await.expect(200);
        assert_eq!(renamed["organizers"][0]["id"], person.as_str(), "still in charge until someone changes it");
    }

    async fn a_network_with_a_long_slug_gets_generated_event_slugs(app: TestApp) {
        let slug = "a-very-long-network-slug-that-fills-almost-all-of-the-sixty-four";
        let owner = app.other_network(slug).await;
        let created = app.create_event_as(&owner, slug, json!({})).await.expect(201);
        assert!(created["slug"].as_str().is_some_and(|s| s.len() <= 64 && s.starts_with("a-very-long")), "{}", created["slug"]);
    }
}
