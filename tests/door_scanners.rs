//! What keeps a scanner going, through the API on SQLite and PostgreSQL: the roster it keeps
//! for offline use, uploads of offline scans (the earliest scan wins), live counts over SSE, and
//! camera frames read by the server.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use serde_json::{Value, json};

use crate::{
    door::{door_get, door_post, scan, ticket_of},
    e2e,
};

fn urlencoding(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

e2e! {
    async fn scanners_keep_a_roster_and_fetch_only_changes(app: TestApp) {
        let event = app.published_event(json!({"seats": 10, "confirmation_required": false, "door_fee": 2000})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.submit_form(&format!("/e/{slug}/rsvp"), &[("name", "山田 花子"), ("name_reading", "やまだ はなこ"), ("email", "hanako@example.jp")])
            .await
            .expect_status(200, "Hanako");
        app.rsvp(slug, "佐藤 太郎", "taro@example.jp", 0).await.expect_status(200, "Taro");
        let now = app.clock_now().to_rfc3339();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let gate = app.post(&passes, json!({"label": "受付", "valid_from": now})).await.expect(201);
        let gate = gate["token"].as_str().unwrap();
        let volunteer = app.post(&passes, json!({"label": "係", "valid_from": now, "scan_only": true})).await.expect(201);
        door_get(&app, volunteer["token"].as_str().unwrap(), "/api/v1/door/roster").await.expect_problem(403, "forbidden");
        app.advance(chrono::Duration::minutes(1)).await;

        let roster = door_get(&app, gate, "/api/v1/door/roster").await.expect(200);
        assert_eq!(roster["complete"], true);
        assert_eq!(roster["fee_currency"], "JPY");
        let entries = roster["entries"].as_array().unwrap();
        assert_eq!(entries.len(), 2);
        let hanako = entries.iter().find(|e| e["attendee"]["name"] == "山田 花子").unwrap();
        assert_eq!((hanako["status"].as_str(), hanako["fee"].as_i64()), (Some("confirmed"), Some(2000)));
        assert_eq!(hanako["attendee"]["name_reading"], "やまだ はなこ");
        // The roster holds no ticket, only its hash: what a scan reads, hashed, finds it.
        let ticket = ticket_of(&app, "hanako@example.jp").await;
        let code = ticket.rsplit('/').next().unwrap();
        assert_eq!(hanako["ticket_hash"].as_str().unwrap(), tsudoi_domain::checkin::ticket_hash(code));
        assert!(!roster.to_string().contains(code), "no ticket code in the roster");

        // Later, only what changed since the copy held (and, to be safe, a few seconds before).
        let version = roster["version"].as_str().unwrap();
        let since = |version: &str| format!("/api/v1/door/roster?since={}", urlencoding(version));
        let unchanged = door_get(&app, gate, &since(version)).await.expect(200);
        assert_eq!((unchanged["complete"].as_bool(), unchanged["entries"].as_array().unwrap().len()), (Some(false), 0));
        scan(&app, gate, json!({"code": ticket})).await.expect(200);
        let changed = door_get(&app, gate, &since(version)).await.expect(200);
        let changed = changed["entries"].as_array().unwrap();
        assert_eq!(changed.len(), 1, "{changed:?}");
        assert_eq!((changed[0]["attendee"]["name"].as_str(), changed[0]["attendee"]["checked_in"].as_i64()), (Some("山田 花子"), Some(1)));
        door_get(&app, gate, "/api/v1/door/roster?since=yesterday").await.expect_problem(400, "bad_request");

        // The paper fallback: by reading (gojūon), those without one after; who is in is ticked.
        app.submit_form(&format!("/e/{slug}/rsvp"), &[("name", "青木 一郎"), ("name_reading", "アオキ イチロウ"), ("email", "aoki@example.jp")])
            .await
            .expect_status(200, "Aoki");
        let paper = app.page(&format!("/door/{gate}/roster")).await;
        assert_eq!(paper.status, 200);
        assert_eq!(paper.headers["cache-control"], "no-store");
        let (aoki, yamada, sato) = (paper.text.find("青木 一郎"), paper.text.find("山田 花子"), paper.text.find("佐藤 太郎"));
        assert!(aoki < yamada && yamada < sato && aoki.is_some(), "{}", paper.text);
        let before_hanako = &paper.text[..yamada.unwrap()];
        let hanako_row = &before_hanako[before_hanako.rfind("<tr>").unwrap()..];
        assert!(hanako_row.contains('☑'), "Hanako is in: {hanako_row}");
        assert!(paper.text.contains("2,000円") && paper.text.contains("合計人数 3"), "{}", paper.text);
        assert_eq!(app.page(&format!("/door/{}/roster", volunteer["token"].as_str().unwrap())).await.status, 404);
        assert_eq!(app.page("/door/nonsense/roster").await.status, 404);
    }

    async fn offline_scans_sync_and_the_earliest_scan_wins(app: TestApp) {
        let event = app.published_event(json!({"seats": 10, "confirmation_required": false, "door_fee": 1000})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
        app.rsvp(slug, "佐藤 太郎", "taro@example.jp", 0).await.expect_status(200, "Taro");
        let start = app.clock_now();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let mut gates = Vec::new();
        for label in ["Gate A", "Gate B"] {
            let pass = app.post(&passes, json!({"label": label, "valid_from": start.to_rfc3339()})).await.expect(201);
            gates.push(pass["token"].as_str().unwrap().to_owned());
        }
        let upload = |pass: &str, scans: Value| {
            let pass = pass.to_owned();
            let app = &app;
            async move { door_post(app, &pass, "/api/v1/door/scans/batch", json!({"scans": scans})).await }
        };
        let hanako = ticket_of(&app, "hanako@example.jp").await;
        let at = |minutes: i64| (start + chrono::Duration::minutes(minutes)).to_rfc3339();

        // Both gates were offline; Gate B (which saw Hanako at +2 min) comes back first and took
        // her fee.
        app.advance(chrono::Duration::minutes(10)).await;
        let b = upload(&gates[1], json!([
            {"code": hanako, "nonce": "b1", "scanned_at": at(2)},
            {"code": "not a ticket", "nonce": "b2", "scanned_at": at(3)},
            {"code": "x".repeat(501), "nonce": "b3", "scanned_at": at(4)},
            {"code": "not a ticket either", "nonce": "b4", "scanned_at": at(4), "people": 0},
            {"code": "still not a ticket", "nonce": null, "scanned_at": at(5), "people": null},
        ]))
        .await
        .expect(200);
        assert_eq!(b[0]["answer"]["result"], "ok");
        assert_eq!(b[1]["answer"]["result"], "unknown");
        assert_eq!(b[2]["problem"]["code"], "validation_failed", "a malformed scan spoils only itself");
        assert_eq!(b[3]["problem"]["errors"][0]["field"], "people");
        assert_eq!(b[4]["answer"]["result"], "unknown", "null is as good as left out");
        let b_in = b[0]["answer"]["check_in_id"].as_str().unwrap();
        door_post(&app, &gates[1], &format!("/api/v1/door/check-ins/{b_in}/fee"), json!({})).await.expect(200);

        // Gate A saw her at +1 min: the earlier scan wins, Gate B's is its duplicate.
        // Taro was found by search in Gate A's roster, no ticket at hand.
        let roster = door_get(&app, &gates[0], "/api/v1/door/roster").await.expect(200);
        let taro_id = roster["entries"].as_array().unwrap().iter().find(|e| e["attendee"]["name"] == "佐藤 太郎").unwrap()["attendee"]["rsvp_id"].clone();
        let a = upload(&gates[0], json!([
            {"rsvp_id": taro_id, "nonce": "a2", "scanned_at": at(5)},
            {"code": hanako, "nonce": "a1", "scanned_at": at(1)},
        ]))
        .await
        .expect(200);
        assert_eq!(a[0]["answer"]["result"], "ok", "Taro");
        assert_eq!(a[0]["answer"]["attendee"]["name"], "佐藤 太郎");
        assert_eq!(a[1]["answer"]["result"], "ok", "{}", a[1]);
        assert_eq!(a[1]["duplicates"][0]["gate"], "Gate B");
        assert_eq!(a[1]["answer"]["fee"]["paid"], true, "the fee Gate B took moved with her");
        let again = upload(&gates[0], json!([{"code": hanako, "nonce": "a1", "scanned_at": at(1)}])).await.expect(200);
        assert_eq!(again[0]["answer"]["check_in_id"], a[1]["answer"]["check_in_id"], "an upload sent twice counts once");

        let counts = door_get(&app, &gates[0], "/api/v1/door/status").await.expect(200);
        assert_eq!(counts["checked_in"], 2);
        assert_eq!(counts["gates"], json!([{"gate": "Gate A", "checked_in": 2}]));
        assert_eq!(counts["fees_collected"], 1000);
        let online = scan(&app, &gates[1], json!({"code": hanako})).await.expect(200);
        assert_eq!((online["result"].as_str(), online["first"]["gate"].as_str()), (Some("already"), Some("Gate A")));

        let flood: Vec<Value> = (0..501).map(|n| json!({"code": format!("c{n}")})).collect();
        let too_many = upload(&gates[0], Value::from(flood)).await;
        too_many.expect_problem(422, "validation_failed");
        assert_eq!(too_many.fields(), vec!["scans"]);
    }

    async fn every_open_scanner_sees_the_counts_live(app: TestApp) {
        let event = app.published_event(json!({"seats": 10, "confirmation_required": false})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
        let now = app.clock_now().to_rfc3339();
        let passes = format!("/api/v1/events/{id}/door-passes");
        let a = app.post(&passes, json!({"label": "Gate A", "valid_from": now})).await.expect(201);
        let b = app.post(&passes, json!({"label": "Gate B", "valid_from": now})).await.expect(201);
        let mut live = app.client.get(app.url(&format!("/door/{}/live", a["token"].as_str().unwrap()))).send().await.unwrap();
        assert_eq!(live.headers()["content-type"], "text/event-stream");
        assert_eq!(live.headers()["cache-control"], "no-store");
        // The next `counts` event, as the page's EventSource gets it.
        let mut buffer = String::new();
        let mut next_counts = async || -> Value {
            loop {
                if let Some(end) = buffer.find("\n\n") {
                    let event: String = buffer.drain(..end + 2).collect();
                    if let Some(data) = event.lines().find_map(|l| l.strip_prefix("data: ")) {
                        assert!(event.contains("event: counts"), "{event}");
                        return serde_json::from_str(data).unwrap();
                    }
                    continue;
                }
                let chunk = tokio::time::timeout(std::time::Duration::from_secs(10), live.chunk()).await.unwrap().unwrap().unwrap();
                buffer.push_str(std::str::from_utf8(&chunk).unwrap());
            }
        };
        assert_eq!(next_counts().await["checked_in"], 0);
        // Another gate lets Hanako in; Gate A's page hears of it.
        scan(&app, b["token"].as_str().unwrap(), json!({"code": ticket_of(&app, "hanako@example.jp").await})).await.expect(200);
        let counts = next_counts().await;
        assert_eq!(counts["checked_in"], 1);
        assert_eq!(counts["gates"], json!([{"gate": "Gate B", "checked_in": 1}]));
        // A revoked pass's stream ends.
        app.post(&format!("/api/v1/door-passes/{}/revoke", a["pass"]["id"].as_str().unwrap()), json!({})).await.expect(200);
        let ended = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while let Some(_chunk) = live.chunk().await.unwrap() {}
        })
        .await;
        assert!(ended.is_ok(), "the stream ends with the pass");
        assert_eq!(app.page(&format!("/door/{}/live", a["token"].as_str().unwrap())).await.status, 404);
    }

    async fn the_server_reads_camera_frames_and_refuses_bad_ones(app: TestApp) {
        let event = app.published_event(json!({"confirmation_required": false})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
        let now = app.clock_now().to_rfc3339();
        let pass = app.post(&format!("/api/v1/events/{id}/door-passes"), json!({"label": "A", "valid_from": now})).await.expect(201);
        let pass = pass["token"].as_str().unwrap();
        let send = |query: &str, content_type: &str, body: Vec<u8>| {
            let request = app
                .client
                .post(app.url(&format!("/api/v1/door/frames?{query}")))
                .header("x-door-pass", pass)
                .header("content-type", content_type)
                .body(body);
            async move { crate::helpers::reply_of(request.send().await.unwrap()).await }
        };
        let ticket = ticket_of(&app, "hanako@example.jp").await;
        let frame = tsudoi_domain::qr::frame(&ticket, 640, 480).unwrap();
        let read = send("width=640&height=480", "application/octet-stream", frame.clone()).await.expect(200);
        assert_eq!(read["code"], ticket.as_str());
        // The code read is scanned like any other.
        assert_eq!(scan(&app, pass, json!({"code": read["code"]})).await.expect(200)["result"], "ok");
        let blank = send("width=640&height=480", "application/octet-stream", vec![200; 640 * 480]).await.expect(200);
        assert!(blank.get("code").is_none(), "{blank}");

        let short = send("width=640&height=480", "application/octet-stream", frame[..1000].to_vec()).await;
        short.expect_problem(422, "validation_failed");
        assert_eq!(short.fields(), vec!["frame"]);
        let huge = send("width=5000&height=480", "application/octet-stream", frame.clone()).await;
        huge.expect_problem(422, "validation_failed");
        assert_eq!(huge.fields(), vec!["width"]);
        send("width=640&height=480", "image/png", frame.clone()).await.expect_problem(415, "unsupported_media_type");
        // Just over a mebibyte (a little, so that the body is all sent before the answer).
        let over = tsudoi_domain::qr::FRAME_BYTES_MAX + 1024;
        send("width=1280&height=820", "application/octet-stream", vec![0; over]).await.expect_problem(413, "payload_too_large");
        send("height=480", "application/octet-stream", frame.clone()).await.expect_problem(400, "bad_request");
        let stranger = app.client.post(app.url("/api/v1/door/frames?width=640&height=480")).header("content-type", "application/octet-stream").body(frame);
        crate::helpers::reply_of(stranger.send().await.unwrap()).await.expect_problem(401, "unauthorized");
    }

    async fn one_upload_lets_a_party_in_by_parts_and_old_passes_stay_shut(app: TestApp) {
        let event = app.published_event(json!({"seats": 10, "max_guests": 2, "confirmation_required": false})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.rsvp(slug, "大野 家族", "oono@example.jp", 2).await.expect_status(200, "the Oonos");
        let start = app.clock_now();
        let pass = app
            .post(
                &format!("/api/v1/events/{id}/door-passes"),
                json!({"label": "A", "valid_from": start.to_rfc3339(), "valid_until": (start + chrono::Duration::hours(2)).to_rfc3339()}),
            )
            .await
            .expect(201);
        let pass = pass["token"].as_str().unwrap();
        let family = ticket_of(&app, "oono@example.jp").await;
        let at = |minutes: i64| (start + chrono::Duration::minutes(minutes)).to_rfc3339();
        app.advance(chrono::Duration::minutes(30)).await;
        // One of them first, then the other two: one upload, one batch.
        let answers = door_post(&app, pass, "/api/v1/door/scans/batch", json!({"scans": [
            {"code": family, "people": 1, "nonce": "f1", "scanned_at": at(1)},
            {"code": family, "nonce": "f2", "scanned_at": at(2)},
        ]}))
        .await
        .expect(200);
        assert_eq!(answers[0]["answer"]["attendee"]["checked_in"], 1, "{answers}");
        assert_eq!(answers[1]["answer"]["result"], "ok", "the other two: {answers}");
        assert_eq!(answers[1]["answer"]["attendee"]["checked_in"], 3);

        // Long after the pass's hours, a scan claiming a time within them is refused.
        app.rsvp(slug, "遅刻 一郎", "late@example.jp", 0).await.expect_status(200, "Ichiro");
        app.advance(chrono::Duration::hours(15)).await;
        let late = scan(&app, pass, json!({"code": ticket_of(&app, "late@example.jp").await, "scanned_at": at(30)})).await.expect(200);
        assert_eq!(late["result"], "door_closed");
    }
}
