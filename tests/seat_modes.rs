//! Lottery (抽選), approval, and the organizers' hand on the waitlist, end to end through real
//! SMTP: a draw anyone can re-run from the revealed seed, approve and decline with their emails,
//! offers by hand and moves between slots, and nobody but the event's organizers doing any of it.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use chrono::Duration;
use data_encoding::HEXLOWER;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::e2e;

/// The draw as its documentation states it, written again here so the test checks the promise
/// rather than the code: entries in ascending SHA-256("{seed}:{id}") order; each party that
/// still fits wins. Returns the drawn order, the winners and the rest.
fn rerun(seed: &str, entries: &[(String, i64)], seats: i64) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut keyed: Vec<_> = entries
        .iter()
        .map(|(id, party)| (Sha256::digest(format!("{seed}:{id}")), id.clone(), *party))
        .collect();
    keyed.sort();
    let order = keyed.iter().map(|(_, id, _)| id.clone()).collect();
    let (mut won, mut rest, mut free) = (Vec::new(), Vec::new(), seats);
    for (_, id, party) in keyed {
        if party <= free {
            free -= party;
            won.push(id);
        } else {
            rest.push(id);
        }
    }
    (order, won, rest)
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
}

e2e! {
    async fn a_lottery_draws_winners_anyone_can_verify(app: TestApp) {
        let draw_at = app.clock_now() + Duration::days(2);
        let event = app
            .published_event(json!({
                "seats": 5, "max_guests": 1, "confirmation_required": false,
                "rsvp_mode": "lottery", "lottery_draw_at": draw_at.to_rfc3339(),
            }))
            .await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());

        // Before the draw: the seed's hash is public, the seed is not.
        let before = app.get_public(&format!("/api/v1/public/events/{slug}/lottery")).await.expect(200);
        let hash = before["seed_hash"].as_str().unwrap().to_owned();
        assert_eq!(hash.len(), 64);
        assert!(before.get("seed").is_none(), "the seed stays secret until the draw");
        let page = app.page(&format!("/e/{slug}")).await;
        assert!(page.text.contains(&hash) && page.text.contains("抽選に申し込む"), "the page shows the hash");

        for n in 0..12u32 {
            let guests = n % 2;
            app.rsvp(slug, &format!("参加者 {n}"), &format!("p{n}@example.jp"), guests)
                .await
                .expect_status(200, "an entry");
        }
        app.mail.wait_for(12, |m| m.subject.contains("抽選申込完了")).await;
        let entered = app.get(&format!("/api/v1/events/{id}/rsvps?status=entered")).await.expect(200);
        assert_eq!(entered.as_array().unwrap().len(), 12, "entries take no seat before the draw");
        assert_eq!(app.get(&format!("/api/v1/events/{id}/lottery")).await.expect(200)["entries"], 12);

        // The scheduler draws once the clock passes the draw time.
        app.advance(Duration::days(2) + Duration::minutes(1)).await;
        let mut after = Value::Null;
        for _ in 0..100 {
            after = app.get_public(&format!("/api/v1/public/events/{slug}/lottery")).await.expect(200);
            if after.get("seed").is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let seed = after["seed"].as_str().expect("the seed is revealed after the draw").to_owned();
        assert_eq!(HEXLOWER.encode(&Sha256::digest(seed.as_bytes())), hash, "the seed matches the hash shown");

        // Re-running the draw from the seed gives the same winners and the same waitlist order.
        let all = app.get(&format!("/api/v1/events/{id}/rsvps")).await.expect(200);
        let entries: Vec<(String, i64)> = all
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["id"].as_str().unwrap().to_owned(), 1 + r["guests"].as_i64().unwrap()))
            .collect();
        let (order, won, rest) = rerun(&seed, &entries, 5);
        let confirmed = app.get(&format!("/api/v1/events/{id}/rsvps?status=confirmed")).await.expect(200);
        let mut confirmed_ids = ids(&confirmed);
        confirmed_ids.sort();
        let mut expected = won.clone();
        expected.sort();
        assert_eq!(confirmed_ids, expected, "the winners are the re-run's");
        let taken: i64 = confirmed.as_array().unwrap().iter().map(|r| 1 + r["guests"].as_i64().unwrap()).sum();
        assert!(taken <= 5, "never more seats than there are: {taken}");
        let waitlist = app.get(&format!("/api/v1/events/{id}/rsvps?status=waitlisted")).await.expect(200);
        assert_eq!(ids(&waitlist), rest, "the waitlist is in drawn order");
        let published: Vec<String> =
            after["drawn"].as_array().unwrap().iter().map(|d| d["rsvp_id"].as_str().unwrap().to_owned()).collect();
        assert_eq!(published, order, "the published draw is the drawn order");
        for d in after["drawn"].as_array().unwrap() {
            assert_eq!(d["won"], won.contains(&d["rsvp_id"].as_str().unwrap().to_owned()), "{d}");
        }

        // Everyone hears: winners get a ticket, the others their place on the waitlist.
        let winner = confirmed.as_array().unwrap()[0]["email"].as_str().unwrap().to_owned();
        let ticket = app.mail.message(&winner, "当選", 1).await;
        assert!(ticket.qr_text().starts_with(&format!("{}/t/", app.address)), "the ticket is in the email");
        let first_waiting = waitlist.as_array().unwrap()[0]["email"].as_str().unwrap().to_owned();
        let result = app.mail.message(&first_waiting, "抽選結果", 1).await;
        assert!(result.text.contains("1 番目"), "{}", result.text);
        app.mail.wait_for(rest.len(), |m| m.subject.contains("抽選結果")).await;

        // After the draw it is first come: a newcomer queues behind the drawn waitlist.
        app.rsvp(slug, "遅れて来た人", "late@example.jp", 0).await.expect_status(200, "first come now");
        let waitlist = app.get(&format!("/api/v1/events/{id}/rsvps?status=waitlisted")).await.expect(200);
        assert_eq!(waitlist.as_array().unwrap().last().unwrap()["email"], "late@example.jp");
        // The draw does not run twice, and the mode and draw time stay as they were.
        app.post(&format!("/api/v1/events/{id}/lottery/draw"), json!({})).await.expect_problem(409, "lottery_drawn");
        app.patch(&format!("/api/v1/events/{id}"), json!({"rsvp_mode": "first_come"}))
            .await
            .expect_problem(409, "rsvp_mode_locked");
        let later = (draw_at + Duration::days(1)).to_rfc3339();
        app.patch(&format!("/api/v1/events/{id}"), json!({"lottery_draw_at": later}))
            .await
            .expect_problem(409, "lottery_drawn");
    }

    async fn organizers_may_draw_early_but_not_from_nothing(app: TestApp) {
        let draw_at = app.clock_now() + Duration::days(2);
        let lottery = json!({"seats": 2, "rsvp_mode": "lottery", "lottery_draw_at": draw_at.to_rfc3339()});
        let event = app.published_event(lottery.clone()).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        let draw = format!("/api/v1/events/{id}/lottery/draw");
        app.post(&draw, json!({})).await.expect_problem(409, "no_entries");

        // An entry whose email is never confirmed is not in the draw.
        app.rsvp(slug, "確認しない人", "silent@example.jp", 0).await.expect_status(200, "an unconfirmed entry");
        app.post(&draw, json!({})).await.expect_problem(409, "no_entries");
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "an entry");
        // The confirm-your-email message speaks of the lottery, not of a held seat.
        let confirm = app.mail.message("hanako@example.jp", "抽選申し込みを確定", 1).await;
        assert!(!confirm.text.contains("お席を確保"), "{}", confirm.text);
        let confirm = confirm.link(&app.address, "/r/");
        app.press(&confirm, "confirm", &[]).await.expect_status(200, "confirmed");
        app.mail.message("hanako@example.jp", "抽選申込完了", 1).await;

        // Door staff and other networks see no lottery at all.
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let stranger = app.other_network("osaka").await;
        for token in [&door, &stranger] {
            app.post_as(token, &draw, json!({})).await.expect_problem(404, "not_found");
            app.get_as(token, &format!("/api/v1/events/{id}/lottery")).await.expect_problem(404, "not_found");
        }
        let drawn = app.post(&draw, json!({})).await.expect(200);
        assert_eq!(drawn["drawn"].as_array().unwrap().len(), 1, "only the confirmed entry was drawn");
        app.mail.message("hanako@example.jp", "当選", 1).await;
        let counts = app.rsvp_counts(id).await;
        assert_eq!(counts.get("confirmed"), Some(&1));
        assert_eq!(counts.get("expired"), Some(&1), "the unconfirmed entry lapsed");

        // A first-come event has no lottery.
        let plain = app.published_event(json!({"slug": "plain"})).await;
        let plain_id = plain["id"].as_str().unwrap();
        app.post(&format!("/api/v1/events/{plain_id}/lottery/draw"), json!({}))
            .await
            .expect_problem(409, "not_a_lottery");
        app.get_public("/api/v1/public/events/plain/lottery").await.expect_problem(409, "not_a_lottery");
    }

    async fn approval_gives_seats_only_to_approved_requests(app: TestApp) {
        let event = app.published_event(json!({"seats": 1, "rsvp_mode": "approval"})).await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        assert!(app.page(&format!("/e/{slug}")).await.text.contains("参加を申請する"));
        app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako asks");
        app.rsvp(slug, "佐藤 太郎", "taro@example.jp", 0).await.expect_status(200, "Taro asks");
        let list = app.get(&format!("/api/v1/events/{id}/rsvps?status=pending")).await.expect(200);
        let (hanako, taro) = (list[0]["id"].as_str().unwrap().to_owned(), list[1]["id"].as_str().unwrap().to_owned());

        // Approving before the attendee confirmed their address is refused.
        app.post(&format!("/api/v1/rsvps/{hanako}/approve"), json!({}))
            .await
            .expect_problem(409, "email_unconfirmed");
        for who in ["hanako@example.jp", "taro@example.jp"] {
            let link = app.mail.message(who, "参加申請を確定", 1).await.link(&app.address, "/r/");
            let page = app.press(&link, "confirm", &[]).await;
            assert!(page.text.contains("承認待ち"), "{}", page.text);
            app.mail.message(who, "参加申請を受け付けました", 1).await;
        }

        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let stranger = app.other_network("osaka").await;
        for token in [&door, &stranger] {
            for action in ["approve", "offer", "cancel"] {
                app.post_as(token, &format!("/api/v1/rsvps/{hanako}/{action}"), json!({}))
                    .await
                    .expect_problem(404, "not_found");
            }
            app.post_as(token, &format!("/api/v1/rsvps/{hanako}/reject"), json!({"note": "x"}))
                .await
                .expect_problem(404, "not_found");
        }

        let approved = app.post(&format!("/api/v1/rsvps/{hanako}/approve"), json!({})).await.expect(200);
        assert_eq!(approved["status"], "confirmed");
        let again = app.post(&format!("/api/v1/rsvps/{hanako}/approve"), json!({})).await.expect(200);
        assert_eq!(again["status"], "confirmed", "a second approval changes nothing");
        let ticket = app.mail.message("hanako@example.jp", "参加承認", 1).await;
        assert!(ticket.qr_text().contains("/t/"));
        assert!(ticket.ics.is_some(), "with the calendar file");

        // No seat left for Taro: refused, and nothing changed.
        app.post(&format!("/api/v1/rsvps/{taro}/approve"), json!({}))
            .await
            .expect_problem(409, "not_enough_seats");
        assert_eq!(app.rsvp_counts(id).await.get("pending"), Some(&1));

        let long = "あ".repeat(1001);
        app.post(&format!("/api/v1/rsvps/{taro}/reject"), json!({"note": long})).await.expect_problem(400, "bad_request");
        let note = "定員に達したため、次回ぜひお越しください。";
        let rejected = app.post(&format!("/api/v1/rsvps/{taro}/reject"), json!({"note": note})).await.expect(200);
        assert_eq!(rejected["status"], "rejected");
        app.post(&format!("/api/v1/rsvps/{taro}/reject"), json!({})).await.expect(200);
        app.post(&format!("/api/v1/rsvps/{taro}/approve"), json!({})).await.expect_problem(409, "not_pending");
        let again = app.rsvp(slug, "佐藤 太郎", "taro@example.jp", 0).await;
        assert_eq!(again.status, 409, "a declined request does not reopen by asking again");
        assert!(again.text.contains("見送"), "{}", again.text);
        let declined = app.mail.message("taro@example.jp", "参加申請について", 1).await;
        assert!(declined.text.contains(note), "the organizers' note is in the email: {}", declined.text);
        let taro_page = app.page(&declined.link(&app.address, "/e/")).await;
        assert_eq!(taro_page.status, 200);

        // One email per decision, however many times it was pressed.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let count = |to: &str, subject: &str| {
            app.mail.all().iter().filter(|m| m.to == to && m.subject.contains(subject)).count()
        };
        assert_eq!(count("hanako@example.jp", "参加承認"), 1);
        assert_eq!(count("taro@example.jp", "参加申請について"), 1);
        let log = app.get("/api/v1/networks/tokyo/audit-log").await.expect(200).to_string();
        assert!(log.contains("rsvp.approve") && log.contains("rsvp.reject"));

        // Taro's history: his request, each email it owed him and how it went, and who declined.
        let history = app.get(&format!("/api/v1/rsvps/{taro}/history")).await.expect(200);
        assert_eq!(history["rsvp"]["status"], "rejected");
        let lines = history["history"].as_array().unwrap();
        let what: Vec<String> = lines
            .iter()
            .map(|l| match l["what"].as_str().unwrap() {
                "email" => format!("email:{}", l["email"].as_str().unwrap()),
                "decision" => format!("decision:{}", l["action"].as_str().unwrap()),
                other => other.to_owned(),
            })
            .collect();
        assert_eq!(
            what,
            ["registered", "email:confirm_rsvp", "email:approval_requested", "email:rejected", "decision:rsvp.reject"],
            "{history}"
        );
        let decision = &lines[4];
        assert_eq!(decision["changes"]["note"], note);
        assert!(decision["by"].is_string(), "who declined: {decision}");
        assert_eq!(lines[3]["email_status"], "sent");
        for token in [&door, &stranger] {
            app.get_as(token, &format!("/api/v1/rsvps/{taro}/history")).await.expect_problem(404, "not_found");
        }

        // A co-hosting network's organizers decide as the host's do.
        app.join(&stranger, "osaka", "organizer").await;
        let shared = app.published_event(json!({"slug": "joint", "seats": 5, "rsvp_mode": "approval", "cohosts": ["osaka"], "confirmation_required": false})).await;
        app.rsvp("joint", "合同 参加者", "joint@example.jp", 0).await.expect_status(200, "a request");
        let request = app.get(&format!("/api/v1/events/{}/rsvps", shared["id"].as_str().unwrap())).await.expect(200);
        let request = request[0]["id"].as_str().unwrap();
        let approved = app.post_as(&stranger, &format!("/api/v1/rsvps/{request}/approve"), json!({})).await.expect(200);
        assert_eq!(approved["status"], "confirmed");
    }

    async fn organizers_offer_freed_seats_by_hand_and_move_rsvps_between_slots(app: TestApp) {
        let event = app
            .published_event(json!({
                "seats": 2, "confirmation_required": false, "auto_promote": false,
                "slots": [{"name": "昼の部", "seats": 1}, {"name": "夜の部", "seats": 1}],
            }))
            .await;
        assert_eq!(event["auto_promote"], false);
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        let (day, night) = (event["slots"][0]["id"].as_str().unwrap(), event["slots"][1]["id"].as_str().unwrap());
        for (name, email, slot) in [
            ("山田 花子", "hanako@example.jp", day),
            ("佐藤 太郎", "taro@example.jp", day),
            ("鈴木 次郎", "jiro@example.jp", night),
        ] {
            app.submit_form(&format!("/e/{slug}/rsvp"), &[("name", name), ("email", email), ("slot", slot)])
                .await
                .expect_status(200, name);
        }
        let all = app.get(&format!("/api/v1/events/{id}/rsvps")).await.expect(200);
        let [hanako, taro, jiro] = [0, 1, 2].map(|n| all[n]["id"].as_str().unwrap().to_owned());
        assert_eq!(all[1]["status"], "waitlisted");

        app.post(&format!("/api/v1/rsvps/{hanako}/offer"), json!({})).await.expect_problem(409, "not_waitlisted");
        app.post(&format!("/api/v1/rsvps/{taro}/offer"), json!({})).await.expect_problem(409, "not_enough_seats");
        // With promotion by hand, a cancellation leaves the seat free for the organizers to give.
        app.post(&format!("/api/v1/rsvps/{hanako}/cancel"), json!({})).await.expect(200);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(app.rsvp_counts(id).await.get("waitlisted"), Some(&1), "nobody promoted by itself");
        let offered = app.post(&format!("/api/v1/rsvps/{taro}/offer"), json!({})).await.expect(200);
        assert_eq!(offered["status"], "offered");
        assert!(offered["offer_expires_at"].is_string());
        app.post(&format!("/api/v1/rsvps/{taro}/offer"), json!({})).await.expect(200);
        let offer = app.mail.message("taro@example.jp", "空席のご案内", 1).await;
        let accepted = app.press(&offer.link(&app.address, "/r/"), "accept", &[]).await;
        assert!(accepted.text.contains("参加確定"), "{}", accepted.text);

        // Moving: only into a slot with room, never to another event's slot.
        let move_to = |rsvp: &str| format!("/api/v1/rsvps/{rsvp}/move");
        app.post(&move_to(&taro), json!({"slot_id": night})).await.expect_problem(409, "not_enough_seats");
        let unknown = app.post(&move_to(&taro), json!({"slot_id": "0193a1b2-0000-7000-8000-000000000000"})).await;
        unknown.expect_problem(422, "validation_failed");
        assert_eq!(unknown.fields(), vec!["slot_id"]);
        app.post(&move_to(&taro), json!({"slot_id": "night"})).await.expect_problem(400, "bad_request");
        app.post(&format!("/api/v1/rsvps/{jiro}/cancel"), json!({})).await.expect(200);
        let moved = app.post(&move_to(&taro), json!({"slot_id": night})).await.expect(200);
        assert_eq!(moved["slot_id"], night);
        let new_ticket = app.mail.message("taro@example.jp", "参加枠の変更", 1).await;
        assert!(new_ticket.text.contains("夜の部"), "{}", new_ticket.text);
        assert!(new_ticket.qr_text().contains("/t/"));
        let counts = app.rsvp_counts(id).await;
        assert_eq!(counts.get("confirmed"), Some(&1));
        let log = app.get("/api/v1/networks/tokyo/audit-log").await.expect(200).to_string();
        assert!(log.contains("rsvp.offer") && log.contains("rsvp.move"));
    }
}
