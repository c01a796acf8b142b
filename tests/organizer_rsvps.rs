//! The organizers' view of RSVPs: the list with its filters, the CSV export for Excel, and
//! nobody else seeing any of it.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use serde_json::json;

use crate::e2e;

e2e! {
    async fn organizers_list_and_export_rsvps_and_nobody_else_sees_them(app: TestApp) {
        let event = app.published_event(json!({"seats": 1, "confirmation_required": false, "max_guests": 1})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        app.submit_form(
            &format!("/e/{slug}/rsvp"),
            &[("name", "山田 花子"), ("name_reading", "やまだ はなこ"), ("email", "hanako@example.jp")],
        )
        .await
        .expect_status(200, "Hanako");
        app.rsvp(slug, "=HYPERLINK(\"http://evil.example\")", "eve@example.jp", 0).await.expect_status(200, "Eve waits");

        let all = app.get(&format!("/api/v1/events/{id}/rsvps")).await.expect(200);
        let all = all.as_array().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!((all[0]["name"].as_str(), all[0]["status"].as_str()), (Some("山田 花子"), Some("confirmed")));
        assert_eq!(all[0]["email"], "hanako@example.jp");
        assert_eq!(all[1]["status"], "waitlisted", "in order of arrival");
        let waiting = app.get(&format!("/api/v1/events/{id}/rsvps?status=waitlisted")).await.expect(200);
        assert_eq!(waiting.as_array().unwrap().len(), 1);
        app.get(&format!("/api/v1/events/{id}/rsvps?status=maybe")).await.expect_problem(400, "bad_request");

        let csv = app.client.get(app.url(&format!("/api/v1/events/{id}/rsvps.csv"))).bearer_auth(&app.token).send().await.unwrap();
        assert_eq!(csv.status(), 200);
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(csv.headers()["content-disposition"].to_str().unwrap().contains(&format!("rsvps-{slug}.csv")));
        let bytes = csv.bytes().await.unwrap();
        assert!(bytes.starts_with("\u{feff}".as_bytes()), "a byte-order mark for Excel");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("氏名,ふりがな,メールアドレス"), "headers in the network's language");
        assert!(lines.next().unwrap().starts_with("山田 花子,やまだ はなこ,hanako@example.jp"), "{text}");
        let eve = lines.next().unwrap();
        assert!(eve.starts_with("\"'=HYPERLINK("), "a formula is neutralised: {eve}");

        // Door staff of the same network, and another network's owner: nothing there.
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        app.get_as(&door, &format!("/api/v1/events/{id}/rsvps")).await.expect_problem(404, "not_found");
        app.get_as(&door, &format!("/api/v1/events/{id}/rsvps.csv")).await.expect_problem(404, "not_found");
        let stranger = app.other_network("osaka").await;
        app.get_as(&stranger, &format!("/api/v1/events/{id}/rsvps")).await.expect_problem(404, "not_found");
        let organizer = app.member_token("organizer@tokyo.example.jp", "organizer").await;
        app.get_as(&organizer, &format!("/api/v1/events/{id}/rsvps")).await.expect(200);

        // Cancelling on Hanako's behalf: her ticket stops, Eve gets the seat, Hanako hears why.
        let hanako = all[0]["id"].as_str().unwrap();
        let cancel = format!("/api/v1/rsvps/{hanako}/cancel");
        app.post_as(&door, &cancel, json!({})).await.expect_problem(404, "not_found");
        app.post_as(&stranger, &cancel, json!({})).await.expect_problem(404, "not_found");
        let cancelled = app.post_as(&organizer, &cancel, json!({})).await.expect(200);
        assert_eq!(cancelled["status"], "cancelled");
        app.post_as(&organizer, &cancel, json!({})).await.expect(200);
        let told = app.mail.message("hanako@example.jp", "キャンセル", 1).await;
        assert!(told.text.contains("主催者がキャンセルしました"), "{}", told.text);
        app.mail.message("eve@example.jp", "繰り上げ", 1).await;
        let log = app.get("/api/v1/networks/tokyo/audit-log").await.expect(200);
        assert!(log.to_string().contains("rsvp.cancel"), "the cancellation is in the audit log");
        app.post("/api/v1/rsvps/0193a1b2-0000-7000-8000-000000000000/cancel", json!({}))
            .await
            .expect_problem(404, "not_found");
    }
}
