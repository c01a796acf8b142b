//! The attendee's path end to end: the form, the emails through real SMTP, the buttons on the
//! attendee's page, tickets with their QR decoded, seats and the waitlist.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use serde_json::json;

use crate::{e2e, helpers::TestApp};

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
