//! Check-in at the door through the API (DESIGN invariant 3): door passes, every scan result a
//! door meets, parties in parts, the nonce, undo, counts, fees, walk-ins, attendance, and two
//! gates scanning one ticket at the same moment, on SQLite and PostgreSQL. What keeps a scanner
//! going (roster, offline uploads, live counts, camera frames) is in `door_scanners`.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tsudoi_domain::{
    entity::rsvp,
    links::{Keyring, Links},
    settings::SecretKey,
};

use crate::{e2e, helpers::TestApp};

/// The ticket URL of the RSVP made with `email`, as its QR code says.
pub(crate) async fn ticket_of(app: &TestApp, email: &str) -> String {
    let r = rsvp::Entity::find()
        .filter(rsvp::Column::Email.eq(email))
        .one(app.db.reader())
        .await
        .unwrap()
        .unwrap();
    ticket_url(app, &r)
}

/// What an RSVP's QR code says.
pub(crate) fn ticket_url(app: &TestApp, r: &rsvp::Model) -> String {
    let secret = SecretKey::parse(app.config.secret_key.as_ref().unwrap().expose()).unwrap();
    Links::new(Keyring::new(&secret, &[]), &app.address).ticket_url(r)
}

pub(crate) async fn scan(app: &TestApp, pass: &str, body: Value) -> crate::helpers::Reply {
    door_post(app, pass, "/api/v1/door/scans", body).await
}

/// A POST with a door pass, as a scanner sends it.
pub(crate) async fn door_post(app: &TestApp, pass: &str, path: &str, body: Value) -> crate::helpers::Reply {
    let request = app.client.post(app.url(path)).header("x-door-pass", pass).json(&body);
    crate::helpers::reply_of(request.send().await.unwrap()).await
}

pub(crate) async fn door_get(app: &TestApp, pass: &str, path: &str) -> crate::helpers::Reply {
    let request = app.client.get(app.url(path)).header("x-door-pass", pass);
    crate::helpers::reply_of(request.send().await.unwrap()).await
}

e2e! {
    async fn door_staff_check_in_tickets_and_see_every_case(app: TestApp) {
        let event = app
            .published_event(json!({"seats": 4, "max_guests": 2, "confirmation_required": false}))
            .await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 2).await.expect_status(200, "Hanako and two guests");
        app.rsvp(slug, "佐藤 太郎", "taro@example.jp", 0).await.expect_status(200, "Taro");
        app.rsvp(slug, "鈴木 次郎", "jiro@example.jp", 0).await.expect_status(200, "Jiro waits");
        app.published_event(json!({"slug": "other", "confirmation_required": false})).await;
        app.rsvp("other", "他 一郎", "ichiro@example.jp", 0).await.expect_status(200, "another event");

        // Only the event's organizers make passes.
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let stranger = app.other_network("osaka").await;
        let passes = format!("/api/v1/events/{id}/door-passes");
        for token in [&door, &stranger] {
            app.post_as(token, &passes, json!({"label": "Gate A"})).await.expect_problem(404, "not_found");
        }
        let now = app.clock_now().to_rfc3339();
        let gate_a = app.post(&passes, json!({"label": "Gate A", "valid_from": now})).await.expect(201);
        let gate_b = app.post(&passes, json!({"label": "Gate B", "valid_from": now})).await.expect(201);
        let later = app.post(&passes, json!({"label": "明日"})).await.expect(201);
        assert!(gate_a["url"].as_str().unwrap().starts_with(&format!("{}/door/", app.address)));
        assert!(gate_a["qr_svg"].as_str().unwrap().contains("<svg"));
        let (a, b) = (gate_a["token"].as_str().unwrap(), gate_b["token"].as_str().unwrap());
        let listed = app.get(&passes).await.expect(200);
        assert_eq!(listed.as_array().unwrap().len(), 3);
        assert!(listed.to_string().find(a).is_none(), "tokens are shown once, never listed");

        // A party in two parts, then amber with the first check-in.
        let hanako = ticket_of(&app, "hanako@example.jp").await;
        let first = scan(&app, a, json!({"code": hanako, "people": 2})).await.expect(200);
        assert_eq!((first["result"].as_str(), first["attendee"]["checked_in"].as_i64()), (Some("ok"), Some(2)));
        assert_eq!(first["attendee"]["party"], 3);
        let rest = scan(&app, b, json!({"code": hanako})).await.expect(200);
        assert_eq!((rest["result"].as_str(), rest["attendee"]["checked_in"].as_i64()), (Some("ok"), Some(3)));
        let again = scan(&app, b, json!({"code": hanako})).await.expect(200);
        assert_eq!(again["result"], "already");
        assert_eq!(again["first"]["gate"], "Gate A", "the first check-in is reported");

        // A handheld scanner on a phone in Japanese input mode types full-width characters.
        let taro = ticket_of(&app, "taro@example.jp").await;
        let wide: String =
            taro.chars().map(|c| if c.is_ascii_graphic() { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c }).collect();
        let typed = scan(&app, a, json!({"code": wide, "nonce": "scan-1"})).await.expect(200);
        assert_eq!(typed["result"], "ok");
        let retried = scan(&app, a, json!({"code": wide, "nonce": "scan-1"})).await.expect(200);
        assert_eq!(retried["result"], "ok", "a retried request answers as the first");
        assert_eq!(retried["check_in_id"], typed["check_in_id"]);
        assert_eq!(retried["attendee"]["checked_in"], 1, "and lets nobody in twice");

        // Every red case, never an error.
        let jiro = ticket_of(&app, "jiro@example.jp").await;
        let ichiro = ticket_of(&app, "ichiro@example.jp").await;
        for (code, expected) in [
            ("hello".to_owned(), "unknown"),
            (format!("https://evil.example/t/{}", "A".repeat(50)), "unknown"),
            (taro.replace("/t/", "/t/x"), "unknown"),
            (jiro.clone(), "waitlisted"),
            (ichiro, "wrong_event"),
        ] {
            let answer = scan(&app, a, json!({"code": code})).await.expect(200);
            assert_eq!(answer["result"], expected, "{code}");
        }
        // A scanner app that sends null for what it leaves out.
        let nulls = json!({"code": "hello", "nonce": null, "scanned_at": null, "people": null});
        assert_eq!(scan(&app, a, nulls).await.expect(200)["result"], "unknown");
        let jiro_id = app.get(&format!("/api/v1/events/{id}/rsvps?status=waitlisted")).await.expect(200)[0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.post(&format!("/api/v1/rsvps/{jiro_id}/cancel"), json!({})).await.expect(200);
        assert_eq!(scan(&app, a, json!({"code": jiro})).await.expect(200)["result"], "cancelled");
        assert_eq!(scan(&app, later["token"].as_str().unwrap(), json!({"code": taro})).await.expect(200)["result"], "door_closed");
        scan(&app, a, json!({"code": taro, "people": 0})).await.expect_problem(422, "validation_failed");

        // Counts, then undo (recorded, and the count goes down once however often it is pressed).
        let counts = door_get(&app, a, "/api/v1/door/status").await.expect(200);
        assert_eq!((counts["checked_in"].as_i64(), counts["expected"].as_i64()), (Some(4), Some(4)));
        let gates: Vec<(String, i64)> = counts["gates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["gate"].as_str().unwrap().to_owned(), g["checked_in"].as_i64().unwrap()))
            .collect();
        assert_eq!(gates, vec![("Gate A".to_owned(), 3), ("Gate B".to_owned(), 1)]);
        let undo = format!("/api/v1/door/check-ins/{}/undo", first["check_in_id"].as_str().unwrap());
        for _ in 0..2 {
            let undone = door_post(&app, a, &undo, json!({})).await.expect(200);
            assert_eq!(undone["checked_in"], 1, "two of Hanako's party are out again");
        }
        door_post(&app, later["token"].as_str().unwrap(), &undo, json!({})).await.expect(200);
        let checked_in = app.get(&format!("/api/v1/events/{id}/rsvps?checked_in=true")).await.expect(200);
        assert_eq!(checked_in.as_array().unwrap().len(), 2, "the list filters by check-in");

        // A revoked pass, and no pass at all, are refused.
        let gate_b_id = gate_b["pass"]["id"].as_str().unwrap();
        app.post_as(&door, &format!("/api/v1/door-passes/{gate_b_id}/revoke"), json!({})).await.expect_problem(404, "not_found");
        app.post(&format!("/api/v1/door-passes/{gate_b_id}/revoke"), json!({})).await.expect(200);
        scan(&app, b, json!({"code": taro})).await.expect_problem(401, "unauthorized");
        scan(&app, "not-a-pass", json!({"code": taro})).await.expect_problem(401, "unauthorized");
        let bare = app.client.post(app.url("/api/v1/door/scans")).json(&json!({"code": taro})).send().await.unwrap();
        assert_eq!(bare.status(), 401);
    }

    async fn door_staff_find_people_as_they_type_and_check_them_in(app: TestApp) {
        let event = app.published_event(json!({"confirmation_required": false, "max_guests": 1, "name_reading": "required"})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.submit_form(
            &format!("/e/{slug}/rsvp"),
            &[("name", "山田 花子"), ("name_reading", "やまだ はなこ"), ("email", "Hanako@example.jp"), ("guests", "1")],
        )
        .await
        .expect_status(200, "Hanako");
        app.submit_form(
            &format!("/e/{slug}/rsvp"),
            &[("name", "山本 太郎"), ("name_reading", "やまもと たろう"), ("email", "taro@example.jp")],
        )
        .await
        .expect_status(200, "Taro");
        let now = app.clock_now().to_rfc3339();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let pass = app.post(&passes, json!({"label": "受付", "valid_from": now})).await.expect(201);
        let token = pass["token"].as_str().unwrap();
        let app = &app;
        let find = |q: &str| {
            let path = format!("/api/v1/door/search?q={}", url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>());
            async move { door_get(app, token, &path).await }
        };

        for query in ["ヤマダ", "ﾔﾏﾀﾞ ﾊﾅｺ", "やまだはなこ", "山田　花子", "HANAKO@EXAMPLE", "hanako"] {
            let found = find(query).await.expect(200);
            let names: Vec<&str> = found.as_array().unwrap().iter().map(|f| f["attendee"]["name"].as_str().unwrap()).collect();
            assert_eq!(names, vec!["山田 花子"], "{query}");
        }
        assert_eq!(find("やま").await.expect(200).as_array().unwrap().len(), 2);
        assert!(find("  ").await.expect(200).as_array().unwrap().is_empty());
        let hanako = find("やまだ").await.expect(200)[0].clone();
        assert_eq!(hanako["status"], "confirmed");
        let code = hanako["attendee"]["door_code"].as_str().unwrap().to_lowercase();
        assert_eq!(find(&code).await.expect(200)[0]["attendee"]["name"], "山田 花子", "door codes in any case");

        let rsvp = hanako["attendee"]["rsvp_id"].as_str().unwrap();
        let check_in = |who: &str, body: Value| {
            let path = format!("/api/v1/door/rsvps/{who}/check-in");
            let app = &app;
            async move { door_post(app, token, &path, body).await }
        };
        let one = check_in(rsvp, json!({"people": 1})).await.expect(200);
        assert_eq!((one["result"].as_str(), one["attendee"]["checked_in"].as_i64()), (Some("ok"), Some(1)));
        assert_eq!(check_in(rsvp, json!({})).await.expect(200)["attendee"]["checked_in"], 2);
        assert_eq!(check_in(rsvp, json!({})).await.expect(200)["result"], "already");
        check_in("0193a1b2-0000-7000-8000-000000000000", json!({})).await.expect_problem(404, "not_found");

        // A scan-only pass (for volunteers) neither searches nor checks in from search.
        let volunteer = app.post(&passes, json!({"label": "ボランティア", "valid_from": now, "scan_only": true})).await.expect(201);
        let volunteer = volunteer["token"].as_str().unwrap();
        door_get(app, volunteer, "/api/v1/door/search?q=yamada").await.expect_problem(403, "forbidden");
        door_post(app, volunteer, &format!("/api/v1/door/rsvps/{rsvp}/check-in"), json!({})).await.expect_problem(403, "forbidden");
        assert!(!app.page(&format!("/door/{volunteer}")).await.text.contains("id=\"search\""), "no search box");
    }

    async fn walk_ins_take_a_free_seat_and_are_in_at_once(app: TestApp) {
        let event = app.published_event(json!({"seats": 3, "max_guests": 1, "confirmation_required": false})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
        let now = app.clock_now().to_rfc3339();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let pass = app.post(&passes, json!({"label": "受付", "valid_from": now})).await.expect(201);
        let volunteer = app.post(&passes, json!({"label": "係", "valid_from": now, "scan_only": true})).await.expect(201);
        let walk_in = |pass: &Value, body: Value| {
            let token = pass["token"].as_str().unwrap().to_owned();
            let app = &app;
            async move { door_post(app, &token, "/api/v1/door/walk-ins", body).await }
        };

        walk_in(&volunteer, json!({"name": "飛び入り 一郎"})).await.expect_problem(403, "forbidden");
        let empty = walk_in(&pass, json!({"name": " "})).await;
        empty.expect_problem(422, "validation_failed");
        assert_eq!(empty.fields(), vec!["name"]);
        let known = walk_in(&pass, json!({"name": "山田 花子", "email": "HANAKO@example.jp"})).await;
        known.expect_problem(422, "validation_failed");
        assert_eq!(known.fields(), vec!["email"], "someone registered is found by search instead");

        let ichiro = walk_in(&pass, json!({"name": "飛び入り 一郎", "email": "ichiro@example.jp", "guests": 1})).await.expect(201);
        assert_eq!(ichiro["result"], "ok");
        assert!(ichiro["check_in_id"].is_string() && ichiro.get("fee").is_none(), "{ichiro}");
        let who = &ichiro["attendee"];
        assert_eq!((who["party"].as_i64(), who["checked_in"].as_i64()), (Some(2), Some(2)));
        app.mail.message("ichiro@example.jp", "参加確定", 1).await;
        walk_in(&pass, json!({"name": "もう一人"})).await.expect_problem(409, "not_enough_seats");
        let counts = door_get(&app, pass["token"].as_str().unwrap(), "/api/v1/door/status").await.expect(200);
        assert_eq!((counts["checked_in"].as_i64(), counts["expected"].as_i64()), (Some(2), Some(3)));
        let confirmed = app.get(&format!("/api/v1/events/{id}/rsvps?status=confirmed")).await.expect(200);
        assert_eq!(confirmed.as_array().unwrap().len(), 2, "the walk-in is an RSVP like the others");
    }

    async fn door_fees_are_shown_marked_paid_and_counted(app: TestApp) {
        let event = app
            .published_event(json!({
                "seats": 10, "max_guests": 2, "confirmation_required": false, "door_fee": 3000,
                "slots": [{"name": "OB/OG", "seats": 6}, {"name": "学生", "seats": 4, "door_fee": 1000}],
            }))
            .await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        assert_eq!((event["door_fee"].as_i64(), event["door_fee_currency"].as_str()), (Some(3000), Some("JPY")));
        let (alumni, students) = (event["slots"][0]["id"].as_str().unwrap(), event["slots"][1]["id"].as_str().unwrap());
        assert_eq!(event["slots"][1]["door_fee"], 1000);
        let public = app.get(&format!("/api/v1/public/events/{slug}")).await.expect(200);
        assert_eq!(public["door_fee"], 3000, "attendees see the fee before they come");
        let page = app.page(&format!("/e/{slug}")).await;
        // minijinja writes `/` as `&#x2f;`.
        assert!(page.text.replace("&#x2f;", "/").contains("OB/OG 3,000円 / 学生 1,000円"), "{}", page.text);
        for (name, email, slot, guests) in
            [("山田 花子", "hanako@example.jp", alumni, "2"), ("佐藤 学", "manabu@example.jp", students, "0")]
        {
            let form = [("name", name), ("email", email), ("slot", slot), ("guests", guests)];
            app.submit_form(&format!("/e/{slug}/rsvp"), &form).await.expect_status(200, name);
        }
        let now = app.clock_now().to_rfc3339();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let gate = app.post(&passes, json!({"label": "受付", "valid_from": now})).await.expect(201);
        let gate = gate["token"].as_str().unwrap();
        let volunteer = app.post(&passes, json!({"label": "係", "valid_from": now, "scan_only": true})).await.expect(201);
        let fee_paid = |pass: &str, check_in: &str| {
            let (pass, path) = (pass.to_owned(), format!("/api/v1/door/check-ins/{check_in}/fee"));
            let app = &app;
            async move { door_post(app, &pass, &path, json!({})).await }
        };

        // Hanako comes with one guest first (two people at ¥3,000), the second guest later.
        let hanako = ticket_of(&app, "hanako@example.jp").await;
        let first = scan(&app, gate, json!({"code": hanako, "people": 2, "nonce": "h1"})).await.expect(200);
        assert_eq!(first["fee"], json!({"amount": 6000, "currency": "JPY", "paid": false}));
        let first_in = first["check_in_id"].as_str().unwrap();
        fee_paid(volunteer["token"].as_str().unwrap(), first_in).await.expect_problem(403, "forbidden");
        let paid = fee_paid(gate, first_in).await.expect(200);
        assert_eq!(paid, json!({"amount": 6000, "currency": "JPY", "paid": true}));
        assert_eq!(fee_paid(gate, first_in).await.expect(200), paid, "marking twice is marking once");
        let retried = scan(&app, gate, json!({"code": hanako, "people": 2, "nonce": "h1"})).await.expect(200);
        assert_eq!(retried["fee"]["paid"], true, "a retried scan sees the payment");
        let second = scan(&app, gate, json!({"code": hanako})).await.expect(200);
        assert_eq!(second["fee"]["amount"], 3000, "the last guest, one person");
        let again = scan(&app, gate, json!({"code": hanako})).await.expect(200);
        assert_eq!(again["result"], "already");
        assert!(again.get("fee").is_none(), "nothing is owed by a party all in");

        // A student pays the slot's fee; an undone check-in takes no money.
        let manabu = scan(&app, gate, json!({"code": ticket_of(&app, "manabu@example.jp").await})).await.expect(200);
        assert_eq!(manabu["fee"]["amount"], 1000);
        let manabu_in = manabu["check_in_id"].as_str().unwrap();
        door_post(&app, gate, &format!("/api/v1/door/check-ins/{manabu_in}/undo"), json!({})).await.expect(200);
        fee_paid(gate, manabu_in).await.expect_problem(409, "check_in_undone");
        fee_paid(gate, "0193a1b2-0000-7000-8000-000000000000").await.expect_problem(404, "not_found");

        // A walk-in student owes ¥1,000 and pays it.
        let walk_in = door_post(&app, gate, "/api/v1/door/walk-ins", json!({"name": "飛び入り 学", "slot_id": students})).await.expect(201);
        assert_eq!(walk_in["fee"]["amount"], 1000);
        fee_paid(gate, walk_in["check_in_id"].as_str().unwrap()).await.expect(200);

        let counts = door_get(&app, gate, "/api/v1/door/status").await.expect(200);
        assert_eq!((counts["fees_collected"].as_i64(), counts["fee_currency"].as_str()), (Some(7000), Some("JPY")));

        // An event without a fee has nothing to mark; the fee is checked like any field.
        let free = app.published_event(json!({"slug": "free", "confirmation_required": false})).await;
        app.rsvp("free", "無料 一郎", "ichiro@example.jp", 0).await.expect_status(200, "Ichiro");
        let free_id = free["id"].as_str().unwrap();
        let free_gate = app.post(&format!("/api/v1/events/{free_id}/door-passes"), json!({"label": "A", "valid_from": now})).await.expect(201);
        let free_gate = free_gate["token"].as_str().unwrap();
        let ichiro = scan(&app, free_gate, json!({"code": ticket_of(&app, "ichiro@example.jp").await})).await.expect(200);
        assert!(ichiro.get("fee").is_none());
        fee_paid(free_gate, ichiro["check_in_id"].as_str().unwrap()).await.expect_problem(409, "no_door_fee");
        let bad = app.patch(&format!("/api/v1/events/{free_id}"), json!({"door_fee": 500, "door_fee_currency": "XYZ"})).await;
        bad.expect_problem(422, "validation_failed");
        assert_eq!(bad.fields(), vec!["door_fee_currency"]);
        let euros = app.patch(&format!("/api/v1/events/{free_id}"), json!({"door_fee": 1500, "door_fee_currency": "eur"})).await.expect(200);
        assert_eq!((euros["door_fee"].as_i64(), euros["door_fee_currency"].as_str()), (Some(1500), Some("EUR")));
        let cleared = app.patch(&format!("/api/v1/events/{free_id}"), json!({"door_fee": null})).await.expect(200);
        assert!(cleared.get("door_fee").is_none(), "{cleared}");
    }

    async fn organizers_see_who_came_when_and_who_did_not(app: TestApp) {
        let event = app
            .published_event(json!({
                "seats": 10, "max_guests": 1, "confirmation_required": false, "door_fee": 3000,
                "slots": [{"name": "OB/OG", "seats": 6}, {"name": "学生", "seats": 4, "door_fee": 1000}],
            }))
            .await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        let (alumni, students) = (event["slots"][0]["id"].as_str().unwrap(), event["slots"][1]["id"].as_str().unwrap());
        for (name, email, slot, guests) in [
            ("山田 花子", "hanako@example.jp", alumni, "1"),
            ("佐藤 太郎", "taro@example.jp", alumni, "0"),
            ("鈴木 学", "manabu@example.jp", students, "0"),
        ] {
            let form = [("name", name), ("email", email), ("slot", slot), ("guests", guests)];
            app.submit_form(&format!("/e/{slug}/rsvp"), &form).await.expect_status(200, name);
        }
        let start = app.clock_now();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let gate = app.post(&passes, json!({"label": "受付", "valid_from": start.to_rfc3339()})).await.expect(201);
        let gate = gate["token"].as_str().unwrap();
        // Hanako and her guest at +5 min (fee taken), Manabu at +20 min (fee not marked).
        app.advance(chrono::Duration::minutes(5)).await;
        let hanako = scan(&app, gate, json!({"code": ticket_of(&app, "hanako@example.jp").await})).await.expect(200);
        let hanako_in = hanako["check_in_id"].as_str().unwrap();
        door_post(&app, gate, &format!("/api/v1/door/check-ins/{hanako_in}/fee"), json!({})).await.expect(200);
        app.advance(chrono::Duration::minutes(15)).await;
        scan(&app, gate, json!({"code": ticket_of(&app, "manabu@example.jp").await})).await.expect(200);

        let path = format!("/api/v1/events/{id}/attendance");
        let report = app.get(&path).await.expect(200);
        assert_eq!((report["expected"].as_i64(), report["checked_in"].as_i64()), (Some(4), Some(3)));
        assert_eq!(report["attendance_rate"], 0.75);
        assert_eq!((report["no_show_people"].as_i64(), report["parties"].as_i64(), report["parties_in"].as_i64()), (Some(1), Some(3), Some(2)));
        assert_eq!(report["no_shows"].as_array().unwrap().len(), 1);
        assert_eq!(report["no_shows"][0]["name"], "佐藤 太郎");
        assert_eq!(report["slots"][0]["checked_in"], 2);
        assert_eq!(report["slots"][1]["checked_in"], 1);
        assert_eq!(report["gates"], json!([{"gate": "受付", "checked_in": 3}]));
        let arrivals: Vec<i64> = report["arrivals"].as_array().unwrap().iter().map(|a| a["people"].as_i64().unwrap()).collect();
        assert_eq!(arrivals, vec![2, 1], "two quarter hours: {}", report["arrivals"]);
        // Due: two alumni at ¥3,000 and a student at ¥1,000; taken: Hanako's party.
        assert_eq!((report["fees_due"].as_i64(), report["fees_collected"].as_i64()), (Some(7000), Some(6000)));

        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let stranger = app.other_network("osaka").await;
        for token in [&door, &stranger] {
            app.get_as(token, &path).await.expect_problem(404, "not_found");
        }
    }

    async fn door_staff_open_the_scanner_for_any_event_of_their_network(app: TestApp) {
        let event = app.published_event(json!({"seats": 10, "confirmation_required": false})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let opened = app.post_as(&door, &format!("/api/v1/events/{id}/scanner"), json!({})).await.expect(201);
        assert_eq!(opened["pass"]["label"], "door", "labelled with the member's name");
        assert!(opened["url"].as_str().unwrap().contains("/door/"));
        // The door opens 3 hours before the start.
        let starts_at = chrono::DateTime::parse_from_rfc3339(event["starts_at"].as_str().unwrap()).unwrap();
        let opens = chrono::DateTime::parse_from_rfc3339(opened["pass"]["valid_from"].as_str().unwrap()).unwrap();
        assert_eq!(starts_at - opens, chrono::Duration::hours(3));
        app.clock.set(opens.with_timezone(&chrono::Utc));
        let answer = scan(&app, opened["token"].as_str().unwrap(), json!({"code": ticket_of(&app, "hanako@example.jp").await})).await.expect(200);
        assert_eq!(answer["result"], "ok");
        assert_eq!(app.page(opened["url"].as_str().unwrap()).await.status, 200);
        // Organizers see the pass among the event's, and can revoke it.
        let passes = app.get(&format!("/api/v1/events/{id}/door-passes")).await.expect(200);
        assert!(passes.as_array().unwrap().iter().any(|p| p["id"] == opened["pass"]["id"]));

        let stranger = app.other_network("osaka").await;
        app.post_as(&stranger, &format!("/api/v1/events/{id}/scanner"), json!({})).await.expect_problem(404, "not_found");
        app.post_as(&door, "/api/v1/events/0193a1b2-0000-7000-8000-000000000000/scanner", json!({})).await.expect_problem(404, "not_found");
    }

    async fn the_scanner_page_opens_only_with_a_live_pass(app: TestApp) {
        let event = app.published_event(json!({"title": "Crossing #8"})).await;
        let id = event["id"].as_str().unwrap();
        let pass = app.post(&format!("/api/v1/events/{id}/door-passes"), json!({"label": "Gate A"})).await.expect(201);
        let page = app.page(pass["url"].as_str().unwrap()).await;
        assert_eq!(page.status, 200);
        assert!(page.text.contains("Crossing #8") && page.text.contains("Gate A"));
        assert_eq!(page.headers["cache-control"], "no-store");
        let csp = page.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"), "{csp}");
        let worker = app.client.get(app.url("/door/sw.js")).send().await.unwrap();
        assert!(worker.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert!(worker.text().await.unwrap().contains("caches.match"), "the service worker, not a pass");
        let script = app.client.get(app.url("/static/door.js")).send().await.unwrap();
        assert!(script.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert!(script.text().await.unwrap().contains("/api/v1/door/scans"));
        assert_eq!(app.page("/door/not-a-pass").await.status, 404);
        app.post(&format!("/api/v1/door-passes/{}/revoke", pass["pass"]["id"].as_str().unwrap()), json!({})).await.expect(200);
        assert_eq!(app.page(pass["url"].as_str().unwrap()).await.status, 404, "a revoked pass opens nothing");
    }

    async fn two_gates_scanning_one_ticket_at_once_let_it_in_once(app: TestApp) {
        let event = app.published_event(json!({"seats": 10, "confirmation_required": false})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
        let now = app.clock_now().to_rfc3339();
        let mut passes = Vec::new();
        for gate in ["Gate A", "Gate B"] {
            let pass = app.post(&format!("/api/v1/events/{id}/door-passes"), json!({"label": gate, "valid_from": now})).await;
            passes.push(pass.expect(201)["token"].as_str().unwrap().to_owned());
        }
        let ticket = ticket_of(&app, "hanako@example.jp").await;
        let scans = (0..20).map(|n| {
            let (app, pass, ticket) = (&app, passes[n % 2].clone(), ticket.clone());
            async move { scan(app, &pass, json!({"code": ticket})).await.expect(200)["result"].as_str().unwrap().to_owned() }
        });
        let results = futures::future::join_all(scans).await;
        assert_eq!(results.iter().filter(|r| *r == "ok").count(), 1, "{results:?}");
        assert_eq!(results.iter().filter(|r| *r == "already").count(), 19, "{results:?}");
        let counts = door_get(&app, &passes[0], "/api/v1/door/status").await.expect(200);
        assert_eq!(counts["checked_in"], 1);
    }

    async fn scans_and_other_writes_at_once_all_go_through(app: TestApp) {
        // On SQLite the door writes on a connection of its own, beside the one every other write
        // takes; organizers' changes and RSVPs meanwhile must neither fail nor make scans fail.
        let event = app.published_event(json!({"seats": 30, "confirmation_required": false})).await;
        let (slug, id) = (event["slug"].as_str().unwrap().to_owned(), event["id"].as_str().unwrap().to_owned());
        let other = app.published_event(json!({"seats": 30, "confirmation_required": false})).await;
        let other_slug = other["slug"].as_str().unwrap().to_owned();
        let mut tickets = Vec::new();
        for n in 0..24 {
            let email = format!("guest{n}@example.jp");
            app.rsvp(&slug, &format!("来場者 {n}"), &email, 0).await.expect_status(200, &email);
            tickets.push(ticket_of(&app, &email).await);
        }
        let now = app.clock_now().to_rfc3339();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let pass = app.post(&passes, json!({"label": "Gate A", "valid_from": now})).await.expect(201);
        let pass = pass["token"].as_str().unwrap().to_owned();

        let scans = tickets.iter().map(|ticket| {
            let (app, pass) = (&app, &pass);
            async move { scan(app, pass, json!({"code": ticket})).await.expect(200)["result"].clone() }
        });
        let edits = (0..8).map(|n| {
            let (app, path) = (&app, format!("/api/v1/events/{id}"));
            async move { app.patch(&path, json!({"theme": format!("第{n}部")})).await.status }
        });
        let rsvps = (0..8).map(|n| {
            let (app, slug) = (&app, &other_slug);
            async move { app.rsvp(slug, &format!("別の会 {n}"), &format!("other{n}@example.jp"), 0).await.status }
        });
        let (scanned, edited, registered) = tokio::join!(
            futures::future::join_all(scans),
            futures::future::join_all(edits),
            futures::future::join_all(rsvps)
        );
        assert!(scanned.iter().all(|r| r == "ok"), "{scanned:?}");
        assert!(edited.iter().all(|s| *s == 200), "{edited:?}");
        assert!(registered.iter().all(|s| *s == 200), "{registered:?}");
        let counts = door_get(&app, &pass, "/api/v1/door/status").await.expect(200);
        assert_eq!(counts["checked_in"], 24);
    }
}

/// A flood of requests from one pass meets its budget (far above a door's pace): a 429 problem
/// with `Retry-After`, while another pass of the same event goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_pass_is_rate_limited() {
    let app =
        crate::helpers::try_spawn_app_with(crate::helpers::Engine::Sqlite, |c| c.door_limit_per_minute = 30)
            .await
            .unwrap();
    let event = app.published_event(json!({"seats": 10, "confirmation_required": false})).await;
    let id = event["id"].as_str().unwrap();
    let now = app.clock_now().to_rfc3339();
    let mut passes = Vec::new();
    for gate in ["Gate A", "Gate B"] {
        let pass = app
            .post(&format!("/api/v1/events/{id}/door-passes"), json!({"label": gate, "valid_from": now}))
            .await;
        passes.push(pass.expect(201)["token"].as_str().unwrap().to_owned());
    }
    // A burst of a third of the minute's 30.
    for n in 0..10 {
        scan(&app, &passes[0], json!({"code": format!("garbage-{n}")}))
            .await
            .expect_status(200, &format!("scan {n}"));
    }
    let flood = scan(&app, &passes[0], json!({"code": "garbage-10"})).await;
    flood.expect_problem(429, "too_many_requests");
    assert_eq!(flood.headers["retry-after"], "1");
    door_get(&app, &passes[0], "/api/v1/door/status").await.expect_problem(429, "too_many_requests");
    let other = scan(&app, &passes[1], json!({"code": "garbage"})).await.expect(200);
    assert_eq!(other["result"], "unknown", "another pass has its own budget");
}
