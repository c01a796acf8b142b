//! The attendee's path end to end: the form, the emails through real SMTP, the buttons on the
//! attendee's page, tickets with their QR decoded, seats and the waitlist.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use serde_json::json;

use crate::e2e;

/// The event's `slug` and `id`.
fn ids(event: &serde_json::Value) -> (String, String) {
    (event["slug"].as_str().unwrap().to_owned(), event["id"].as_str().unwrap().to_owned())
}

/// Unescapes what minijinja escaped in HTML (`/` as `&#x2f;`), for looking into pages.
fn html(reply: &crate::helpers::Reply) -> String {
    reply.text.replace("&#x2f;", "/").replace("&#x27;", "'").replace("&quot;", "\"")
}

e2e! {
    async fn an_attendee_confirms_by_email_and_gets_a_ticket_that_scans(app: TestApp) {
        let event = app
            .published_event(json!({"title": "Crossing #8 〜越境するキャリア〜", "seats": 10, "max_guests": 2}))
            .await;
        let (slug, id) = ids(&event);
        let form = app.page(&format!("/e/{slug}")).await;
        form.expect_status(200, "the event page");
        let page = html(&form);
        assert!(page.contains(&format!(r#"action="/e/{slug}/rsvp""#)), "the page has the form");
        assert!(page.contains("東京アルムナイ"), "the consent line names the host");
        assert!(page.contains(r#"id="email" name="email" type="email" required maxlength="254" autocomplete="email" value="""#), "an empty form is empty");
        assert!(!page.contains(r#"value="none""#), "no missing value shows as `none`");

        let sent = app
            .submit_form(
                &format!("/e/{slug}/rsvp"),
                &[("name", "山田 花子"), ("name_reading", "やまだ はなこ"), ("email", "Hanako@Example.jp"), ("guests", "1")],
            )
            .await;
        sent.expect_status(200, "the check-your-inbox page");
        assert!(sent.text.contains("メールをご確認ください") && sent.text.contains("hanako@example.jp"), "{}", sent.text);
        assert!(!sent.text.contains("/r/"), "the page never shows the attendee's link: the email does");
        assert_eq!(app.rsvp_counts(&id).await.get("holding"), Some(&2), "the party's seats are held");

        let confirm = app.mail.message("hanako@example.jp", "参加登録を確定してください", 1).await;
        assert!(confirm.subject.contains("Crossing #8 〜越境するキャリア〜"), "Japanese subject intact: {}", confirm.subject);
        assert!(confirm.text.contains("山田 花子 さん"));
        let manage = confirm.link(&app.address, "/r/");

        let own = app.page(&manage).await;
        own.expect_status(200, "the attendee's page");
        assert!(html(&own).contains(&format!("{}/confirm", manage.strip_prefix(&app.address).unwrap())));
        assert_eq!(app.rsvp_counts(&id).await.get("holding"), Some(&2), "opening the page confirms nothing");

        let pressed = app.press(&manage, "confirm", &[]).await;
        pressed.expect_status(200, "the page after the redirect");
        assert!(pressed.text.contains("登録を確定しました"), "{}", pressed.text);
        assert_eq!(app.rsvp_counts(&id).await.get("confirmed"), Some(&2));

        let ticket = app.mail.message("hanako@example.jp", "参加確定", 1).await;
        assert_eq!(ticket.reply_to.as_deref(), Some("owner@tokyo.example.jp"), "replies reach the organizer");
        let code_url = ticket.qr_text();
        assert!(code_url.starts_with(&format!("{}/t/", app.address)), "the QR encodes the ticket URL: {code_url}");
        assert!(ticket.text.contains(&code_url), "the text part carries the same ticket link");
        let (ics, method) = ticket.ics.clone().unwrap();
        assert_eq!(method, "PUBLISH");
        let unfolded = icalendar::parser::unfold(&ics);
        let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
        let vevent = calendar.components.iter().find(|c| c.name == "VEVENT").unwrap();
        let summary = vevent.properties.iter().find(|p| p.name == "SUMMARY").unwrap();
        assert_eq!(summary.val.as_str(), "Crossing #8 〜越境するキャリア〜");

        let public = app.page(&code_url).await;
        public.expect_status(200, "the ticket's public view");
        assert!(public.text.contains("有効なチケット") && public.text.contains("山田"), "{}", public.text);
        assert!(!public.text.contains("花子"), "only the first word of the name");
        assert!(!public.text.contains("hanako@example.jp"), "never the email");
    }

    async fn rsvping_again_resends_the_link_and_never_makes_a_second_rsvp(app: TestApp) {
        let (slug, id) = ids(&app.published_event(json!({"seats": 5})).await);
        app.rsvp(&slug, "Hanako", "hanako@example.jp", 0).await.expect_status(200, "first");
        let again = app.rsvp(&slug, "Hanako Y.", " HANAKO@example.jp ", 0).await;
        again.expect_status(200, "second");
        assert!(again.text.contains("再送"), "{}", again.text);
        let mails = app.mail.wait_for(2, |m| m.to == "hanako@example.jp").await;
        assert_eq!(mails[0].link(&app.address, "/r/"), mails[1].link(&app.address, "/r/"), "the same link again");
        assert_ne!(mails[0].message_id, mails[1].message_id, "two messages, each with its own Message-ID");
        assert_eq!(app.rsvp_counts(&id).await.get("holding"), Some(&1), "one RSVP, one seat");
    }
}

e2e! {
    async fn a_cancellation_promotes_the_first_waiting_party_that_fits(app: TestApp) {
        let event =
            app.published_event(json!({"seats": 3, "max_guests": 2, "confirmation_required": false})).await;
        let (slug, id) = ids(&event);
        app.rsvp(&slug, "Aoi", "aoi@example.jp", 1).await.expect_status(200, "Aoi and a guest");
        app.rsvp(&slug, "Ben", "ben@example.jp", 0).await.expect_status(200, "Ben");
        let waiting = app.rsvp(&slug, "Chika", "chika@example.jp", 1).await;
        assert!(waiting.text.contains("キャンセル待ち（1 番目）"), "{}", waiting.text);
        app.rsvp(&slug, "Dai", "dai@example.jp", 0).await.expect_status(200, "Dai waits second");
        let counts = app.rsvp_counts(&id).await;
        assert_eq!((counts.get("confirmed"), counts.get("waitlisted")), (Some(&3), Some(&3)));
        app.mail.message("chika@example.jp", "キャンセル待ち", 1).await;

        // Ben's one seat frees: Chika's party of two does not fit, Dai takes it.
        let ben = app.mail.message("ben@example.jp", "参加確定", 1).await.link(&app.address, "/r/");
        let confirm_step = app.page(&format!("{ben}/cancel")).await;
        confirm_step.expect_status(200, "the cancel confirmation step");
        assert_eq!(app.rsvp_counts(&id).await.get("confirmed"), Some(&3), "opening the step cancels nothing");
        let cancelled = app.press(&ben, "cancel", &[]).await;
        assert!(cancelled.text.contains("キャンセルしました"), "{}", cancelled.text);
        let promoted = app.mail.message("dai@example.jp", "繰り上げ", 1).await;
        assert!(promoted.qr_text().contains("/t/"), "the promotion carries the ticket");
        app.mail.message("ben@example.jp", "キャンセル", 1).await;
        let ben_ticket = app.mail.message("ben@example.jp", "参加確定", 1).await.qr_text();
        app.page(&ben_ticket).await.expect_status(404, "a cancelled ticket is revoked");

        // Aoi's party of two frees two seats: now Chika fits.
        let aoi = app.mail.message("aoi@example.jp", "参加確定", 1).await.link(&app.address, "/r/");
        app.press(&aoi, "cancel", &[]).await.expect_status(200, "cancelled");
        app.mail.message("chika@example.jp", "繰り上げ", 1).await;
        let counts = app.rsvp_counts(&id).await;
        assert_eq!(counts.get("confirmed"), Some(&3), "{counts:?}");
        assert_eq!(counts.get("waitlisted"), None, "{counts:?}");
    }

    async fn within_a_day_of_the_start_a_freed_seat_is_offered_not_given(app: TestApp) {
        // The clock stands at 2026-11-02T00:00Z; the event starts twelve hours later.
        let event = app
            .published_event(json!({
                "seats": 1, "confirmation_required": false,
                "starts_at": "2026-11-02T12:00:00Z", "ends_at": "2026-11-02T14:00:00Z",
            }))
            .await;
        let (slug, id) = ids(&event);
        app.rsvp(&slug, "Aoi", "aoi@example.jp", 0).await.expect_status(200, "Aoi");
        app.rsvp(&slug, "Ben", "ben@example.jp", 0).await.expect_status(200, "Ben waits");
        app.rsvp(&slug, "Chika", "chika@example.jp", 0).await.expect_status(200, "Chika waits");
        let aoi = app.mail.message("aoi@example.jp", "参加確定", 1).await.link(&app.address, "/r/");
        app.press(&aoi, "cancel", &[]).await.expect_status(200, "cancelled");

        // (His "you are on the waitlist" email may be skipped: when the worker reaches it, he is
        // offered a seat already, and it is no longer true.)
        let offer = app.mail.message("ben@example.jp", "空席", 1).await;
        assert!(offer.qr_png.is_none(), "an offer is not a ticket");
        assert_eq!(app.rsvp_counts(&id).await.get("offered"), Some(&1), "the seat waits for Ben's answer");
        let ben = offer.link(&app.address, "/r/");
        assert!(app.page(&ben).await.text.contains("席を受け取る"));

        // Ben lets the offer lapse; it passes to Chika, who takes it.
        app.advance(chrono::Duration::hours(3) + chrono::Duration::minutes(1)).await;
        let chika = app.mail.message("chika@example.jp", "空席", 1).await.link(&app.address, "/r/");
        let refused = app.press(&ben, "accept", &[]).await;
        refused.expect_status(409, "too late");
        assert!(refused.text.contains("受け取り期限を過ぎました"), "{}", refused.text);
        app.press(&chika, "accept", &[]).await.expect_status(200, "accepted");
        app.mail.message("chika@example.jp", "参加確定", 1).await;
        let counts = app.rsvp_counts(&id).await;
        assert_eq!((counts.get("confirmed"), counts.get("expired")), (Some(&1), Some(&1)), "{counts:?}");
    }

    async fn an_unconfirmed_hold_expires_and_its_seat_goes_to_the_waitlist(app: TestApp) {
        let event = app.published_event(json!({"seats": 1, "hold_minutes": 30})).await;
        let (slug, id) = ids(&event);
        app.rsvp(&slug, "Aoi", "aoi@example.jp", 0).await.expect_status(200, "Aoi holds");
        app.rsvp(&slug, "Ben", "ben@example.jp", 0).await.expect_status(200, "Ben joins the waitlist");
        let ben = app.mail.message("ben@example.jp", "キャンセル待ち", 1).await.link(&app.address, "/r/");
        app.press(&ben, "confirm", &[]).await.expect_status(200, "Ben confirms his place in the queue");

        app.advance(chrono::Duration::minutes(29)).await;
        assert_eq!(app.rsvp_counts(&id).await.get("holding"), Some(&1), "not yet");
        app.advance(chrono::Duration::minutes(2)).await;
        app.mail.message("ben@example.jp", "繰り上げ", 1).await;
        let counts = app.rsvp_counts(&id).await;
        assert_eq!((counts.get("expired"), counts.get("confirmed")), (Some(&1), Some(&1)), "{counts:?}");

        let aoi = app.mail.message("aoi@example.jp", "確定してください", 1).await.link(&app.address, "/r/");
        let late = app.press(&aoi, "confirm", &[]).await;
        late.expect_status(409, "an expired hold cannot be confirmed");
        assert!(late.text.contains("期限切れ"), "{}", late.text);
    }

    async fn reminders_go_out_once_a_day_before_with_the_ticket(app: TestApp) {
        let event = app
            .published_event(json!({
                "confirmation_required": false,
                "starts_at": "2026-11-05T10:00:00Z", "ends_at": "2026-11-05T12:00:00Z",
            }))
            .await;
        let (slug, _) = ids(&event);
        app.rsvp(&slug, "Aoi", "aoi@example.jp", 0).await.expect_status(200, "Aoi");
        app.rsvp(&slug, "Ben", "ben@example.jp", 0).await.expect_status(200, "Ben");
        let ben = app.mail.message("ben@example.jp", "参加確定", 1).await.link(&app.address, "/r/");
        app.press(&ben, "cancel", &[]).await.expect_status(200, "Ben cancels");

        app.advance(chrono::Duration::hours(2 * 24 + 9)).await;
        assert!(app.mail.all().iter().all(|m| !m.subject.contains("リマインド")), "not yet: 25 hours to go");
        app.advance(chrono::Duration::hours(2)).await;
        let reminder = app.mail.message("aoi@example.jp", "リマインド", 1).await;
        let ticket = app.mail.message("aoi@example.jp", "参加確定", 1).await;
        assert_eq!(reminder.qr_text(), ticket.qr_text(), "the same ticket, made again");
        app.advance(chrono::Duration::hours(1)).await;
        let reminders = app.mail.all().into_iter().filter(|m| m.subject.contains("リマインド")).count();
        assert_eq!(reminders, 1, "once, and never to Ben who cancelled");
    }

    async fn an_event_sets_its_own_reminder_hours_or_none(app: TestApp) {
        let times = json!({"starts_at": "2026-11-05T10:00:00Z", "ends_at": "2026-11-05T12:00:00Z"});
        let early = app.published_event(json!({"slug": "early", "confirmation_required": false, "remind_hours": 48, "starts_at": times["starts_at"], "ends_at": times["ends_at"]})).await;
        assert_eq!(early["remind_hours"], 48);
        let quiet = app.published_event(json!({"slug": "quiet", "confirmation_required": false, "remind_hours": 0, "starts_at": times["starts_at"], "ends_at": times["ends_at"]})).await;
        app.rsvp("early", "Aoi", "aoi@example.jp", 0).await.expect_status(200, "Aoi");
        app.rsvp("quiet", "Ben", "ben@example.jp", 0).await.expect_status(200, "Ben");
        let refused = app.patch(&format!("/api/v1/events/{}", quiet["id"].as_str().unwrap()), json!({"remind_hours": 169})).await;
        refused.expect_problem(422, "validation_failed");

        app.advance(chrono::Duration::hours(24 + 9)).await;
        assert!(app.mail.all().iter().all(|m| !m.subject.contains("リマインド")), "not yet: 49 hours to go");
        app.advance(chrono::Duration::hours(2)).await;
        app.mail.message("aoi@example.jp", "リマインド", 1).await;
        app.advance(chrono::Duration::hours(36)).await;
        assert!(app.mail.all().iter().all(|m| !(m.to == "ben@example.jp" && m.subject.contains("リマインド"))), "none for the quiet event, 11 hours before");
        let reminders = app.mail.all().into_iter().filter(|m| m.subject.contains("リマインド")).count();
        assert_eq!(reminders, 1, "Aoi's, once");
    }

    async fn attendees_hear_of_changes_and_of_a_cancellation_with_calendar_updates(app: TestApp) {
        let event = app.published_event(json!({"confirmation_required": false})).await;
        let (slug, id) = ids(&event);
        app.rsvp(&slug, "Aoi", "aoi@example.jp", 0).await.expect_status(200, "Aoi");
        let ticket = app.mail.message("aoi@example.jp", "参加確定", 1).await;
        app.patch(&format!("/api/v1/events/{id}"), json!({"starts_at": "2026-12-10T19:30:00+09:00"})).await.expect(200);
        let changed = app.mail.message("aoi@example.jp", "変更", 1).await;
        assert!(changed.text.contains("日時"), "says what changed: {}", changed.text);
        let sequence = |ics: &str| {
            ics.lines().find_map(|l| l.strip_prefix("SEQUENCE:")).map(|s| s.trim().parse::<u32>().unwrap()).unwrap()
        };
        let (before, after) = (ticket.ics.clone().unwrap().0, changed.ics.clone().unwrap().0);
        assert!(sequence(&after) > sequence(&before), "the calendar entry is updated in place");

        app.post(&format!("/api/v1/events/{id}/cancel"), json!({})).await.expect(200);
        let cancelled = app.mail.message("aoi@example.jp", "中止", 1).await;
        let own = ticket.link(&app.address, "/r/");
        app.press(&own, "list", &[("show", "1")]).await.expect_status(409, "a cancelled event takes no more changes");
        let (ics, method) = cancelled.ics.unwrap();
        assert_eq!(method, "CANCEL");
        assert!(ics.contains("METHOD:CANCEL") && ics.contains("STATUS:CANCELLED"));
        let refused = app.rsvp(&slug, "Ben", "ben@example.jp", 0).await;
        refused.expect_status(409, "a cancelled event takes no RSVPs");
        assert!(refused.text.contains("中止"), "{}", refused.text);
    }

    async fn seats_cannot_be_cut_below_those_taken_and_added_seats_promote(app: TestApp) {
        let event = app.published_event(json!({"seats": 2, "confirmation_required": false})).await;
        let (slug, id) = ids(&event);
        for who in ["aoi", "ben", "chika"] {
            app.rsvp(&slug, who, &format!("{who}@example.jp"), 0).await.expect_status(200, who);
        }
        app.patch(&format!("/api/v1/events/{id}"), json!({"seats": 1}))
            .await
            .expect_problem(409, "seats_below_taken");
        app.patch(&format!("/api/v1/events/{id}"), json!({"seats": 3})).await.expect(200);
        app.mail.message("chika@example.jp", "繰り上げ", 1).await;
        assert_eq!(app.rsvp_counts(&id).await.get("confirmed"), Some(&3));
    }
}

e2e! {
    async fn an_attendees_pages_speak_the_language_they_registered_in(app: TestApp) {
        let (slug, _) = ids(&app.published_event(json!({"confirmation_required": false})).await);
        app.submit_form(
            &format!("/e/{slug}/rsvp"),
            &[("name", "Alex Smith"), ("email", "alex@example.com"), ("language", "en")],
        )
        .await
        .expect_status(200, "RSVP in English from a Japanese browser");
        let mail = app.mail.message("alex@example.com", "You're in", 1).await;
        let own = mail.link(&app.address, "/r/");
        // `page` sends `Accept-Language: ja`, as a browser in Japan would.
        let page = app.page(&own).await;
        assert!(page.text.contains(r#"<html lang="en">"#) && page.text.contains("Show my name"), "the registration's language wins");
        let switched = app.page(&format!("{own}?lang=ja")).await;
        assert!(switched.text.contains(r#"<html lang="ja">"#) && switched.text.contains("参加確定"), "the switch still works");
        assert!(app.page(&format!("{own}/cancel")).await.text.contains("Cancel your RSVP?"));
    }
}
