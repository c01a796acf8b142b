//! Invitation lists from a CP932 file with Japanese names, through preview, send, the "going"
//! and "can't go" links, announcements, and unsubscribing with the one-click POST; nobody but
//! the event's organizers sees any of it.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use serde_json::json;

use crate::e2e;

/// The list as Excel in Japan saves it: CP932, CRLF line ends.
fn cp932(text: &str) -> Vec<u8> {
    let crlf = text.replace('\n', "\r\n");
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&crlf);
    assert!(!unmappable, "every character has a CP932 code");
    bytes.into_owned()
}

e2e! {
    async fn two_lists_of_the_same_people_invite_each_person_once(app: TestApp) {
        let event = app.published_event(json!({"slug": "twice", "confirmation_required": false})).await;
        let upload = format!("/api/v1/events/{}/invitations", event["id"].as_str().unwrap());
        let file = "name,email\n山田 花子,hanako@example.jp\n".as_bytes().to_vec();
        // Uploaded twice before either is sent (a double click, or two organizers): both preview her.
        let first = app.upload_as(&app.token, &upload, "text/csv", file.clone()).await.expect(201);
        let second = app.upload_as(&app.token, &upload, "text/csv", file.clone()).await.expect(201);
        assert_eq!(second["counts"]["new"], 1);
        let send = |list: &serde_json::Value| format!("/api/v1/invitation-lists/{}/send", list["id"].as_str().unwrap());
        app.post(&send(&first), json!({})).await.expect(200);
        let sent = app.post(&send(&second), json!({})).await.expect(200);
        assert_eq!((sent["counts"]["new"].as_u64(), sent["counts"]["invited"].as_u64()), (Some(0), Some(1)), "{sent}");
        app.mail.message("hanako@example.jp", "ご招待", 1).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(app.mail.all().iter().filter(|m| m.subject.contains("ご招待")).count(), 1, "one invitation");
        // A third upload, after, marks her invited already.
        let third = app.upload_as(&app.token, &upload, "text/csv", file).await.expect(201);
        assert_eq!(third["counts"], json!({"new": 0, "duplicate": 0, "registered": 0, "invited": 1, "unsubscribed": 0}));
    }

    async fn organizers_invite_a_list_and_people_answer_or_unsubscribe(app: TestApp) {
        let event = app
            .published_event(json!({
                "seats": 10, "confirmation_required": false,
                "slots": [{"name": "OB/OG", "seats": 5}, {"name": "現役", "seats": 5}],
            }))
            .await;
        let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
        let alumni = event["slots"][0]["id"].as_str().unwrap();
        app.submit_form(&format!("/e/{slug}/rsvp"), &[("name", "既存 健二"), ("email", "kenji@example.jp"), ("slot", alumni)])
            .await
            .expect_status(200, "Kenji registered before the list");

        let file = cp932(
            "氏名,メールアドレス,ふりがな,参加枠\n\
             山田 花子,Hanako@Example.jp,やまだ はなこ,OB/OG\n\
             佐藤 太郎,taro@example.jp,さとう たろう,現役\n\
             山田 花子,hanako@example.jp,,\n\
             既存 健二,kenji@example.jp,,\n\
             壊れた 行,not-an-address,,\n\
             髙橋 一郎,ichiro@example.jp,,幻の枠\n",
        );
        let upload = format!("/api/v1/events/{id}/invitations?file_name=名簿.csv");
        let door = app.member_token("door@tokyo.example.jp", "door_staff").await;
        let stranger = app.other_network("osaka").await;
        for token in [&door, &stranger] {
            app.upload_as(token, &upload, "text/csv", file.clone()).await.expect_problem(404, "not_found");
        }
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
        app.upload_as(&app.token, &upload, "text/csv", png).await.expect_problem(422, "validation_failed");
        app.upload_as(&app.token, &upload, "application/json", file.clone())
            .await
            .expect_problem(415, "unsupported_media_type");

        let list = app.upload_as(&app.token, &upload, "text/csv", file.clone()).await.expect(201);
        assert_eq!(list["file_name"], "名簿.csv");
        assert_eq!(list["counts"], json!({"new": 2, "duplicate": 1, "registered": 1, "invited": 0, "unsubscribed": 0}));
        let lines: Vec<u64> = list["problems"].as_array().unwrap().iter().map(|p| p["line"].as_u64().unwrap()).collect();
        assert_eq!(lines, vec![6, 7], "the broken rows, by their line in the file");
        let people = list["people"].as_array().unwrap();
        assert_eq!((people[0]["name"].as_str(), people[0]["email"].as_str()), (Some("山田 花子"), Some("hanako@example.jp")));
        assert_eq!(people[1]["slot_id"], event["slots"][1]["id"]);
        assert!(app.mail.all().iter().all(|m| !m.subject.contains("ご招待")), "a preview sends nothing");
        let list_id = list["id"].as_str().unwrap();
        for token in [&door, &stranger] {
            app.get_as(token, &format!("/api/v1/invitation-lists/{list_id}")).await.expect_problem(404, "not_found");
            app.post_as(token, &format!("/api/v1/invitation-lists/{list_id}/send"), json!({}))
                .await
                .expect_problem(404, "not_found");
        }

        let sent = app
            .post(&format!("/api/v1/invitation-lists/{list_id}/send"), json!({"message": "ぜひお越しください。"}))
            .await
            .expect(200);
        assert_eq!(sent["progress"]["total"], 2);
        let invitation = app.mail.message("hanako@example.jp", "ご招待", 1).await;
        assert!(invitation.text.contains("ぜひお越しください。"), "{}", invitation.text);
        let unsubscribe_url = invitation.link(&app.address, "/u/");
        assert_eq!(invitation.list_unsubscribe.as_deref(), Some(format!("<{unsubscribe_url}>").as_str()));
        assert_eq!(invitation.list_unsubscribe_post.as_deref(), Some("List-Unsubscribe=One-Click"));
        app.mail.message("taro@example.jp", "ご招待", 1).await;
        app.post(&format!("/api/v1/invitation-lists/{list_id}/send"), json!({})).await.expect(200);

        // "Going" opens the form filled in; opening it changes nothing.
        let going = invitation.link(&app.address, &format!("/e/{slug}?invite="));
        let form = app.page(&going).await;
        assert_eq!(form.status, 200);
        assert!(form.text.contains("value=\"山田 花子\"") && form.text.contains("value=\"hanako@example.jp\""));
        assert_eq!(form.headers["cache-control"], "no-store", "a filled-in form is nobody else's");
        assert_eq!(app.rsvp_counts(id).await.values().sum::<i64>(), 1, "a GET changes nothing");
        app.submit_form(
            &format!("/e/{slug}/rsvp"),
            &[("name", "山田 花子"), ("email", "hanako@example.jp"), ("slot", alumni)],
        )
        .await
        .expect_status(200, "Hanako RSVPs from her invitation");

        // "Can't go" is a page with a button.
        let taro = app.mail.message("taro@example.jp", "ご招待", 1).await;
        let decline = taro.link(&app.address, "/i/");
        assert!(app.page(&decline).await.text.contains("参加できないと伝える"));
        let before = app.get(&format!("/api/v1/invitation-lists/{list_id}")).await.expect(200);
        assert!(before["people"][1].get("declined_at").is_none(), "opening the link declined nothing");
        app.submit_form(decline.strip_prefix(&app.address).unwrap(), &[]).await.expect_status(200, "declined");
        let after = app.get(&format!("/api/v1/invitation-lists/{list_id}")).await.expect(200);
        assert!(after["people"][1]["declined_at"].is_string());

        // Taro unsubscribes in one click, as a mail client does it.
        let taro_unsubscribe = taro.link(&app.address, "/u/");
        assert!(app.page(&taro_unsubscribe).await.text.contains("停止する"), "the page has the button");
        let one_click = app
            .client
            .post(&taro_unsubscribe)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
            .send()
            .await
            .unwrap();
        assert_eq!(one_click.status(), 200);
        let again = app.upload_as(&app.token, &upload, "text/csv", file.clone()).await.expect(201);
        assert_eq!(again["counts"]["unsubscribed"], 1, "Taro is not invited again");
        assert_eq!(again["counts"]["registered"], 2, "Kenji and now Hanako are registered");

        // Announcements reach the attendees, except those who unsubscribed.
        let body = json!({"audience": "confirmed", "subject": "会場のご案内", "body": "8F の受付までお越しください。"});
        let announced = app.post(&format!("/api/v1/events/{id}/announcements"), body.clone()).await.expect(201);
        assert_eq!(announced["recipients"], 2);
        let note = app.mail.message("hanako@example.jp", "会場のご案内", 1).await;
        assert!(note.text.contains("8F の受付までお越しください。"));
        assert!(note.list_unsubscribe.is_some());
        app.submit_form(note.link(&app.address, "/u/").strip_prefix(&app.address).unwrap(), &[])
            .await
            .expect_status(200, "Hanako unsubscribes with the button");
        let second = app.post(&format!("/api/v1/events/{id}/announcements"), body).await.expect(201);
        assert_eq!(second["recipients"], 1, "only Kenji now");
        let announcement = second["id"].as_str().unwrap();
        let mut progress = json!(null);
        for _ in 0..100 {
            progress = app.get(&format!("/api/v1/announcements/{announcement}")).await.expect(200)["progress"].clone();
            if progress["sent"] == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(progress, json!({"total": 1, "queued": 0, "sent": 1, "failed": 0, "dropped": 0}));
        for token in [&door, &stranger] {
            app.get_as(token, &format!("/api/v1/announcements/{announcement}")).await.expect_problem(404, "not_found");
        }

        // Her own RSVP's emails still come.
        let hanako = app.get(&format!("/api/v1/events/{id}/rsvps?status=confirmed")).await.expect(200)[1]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.post(&format!("/api/v1/rsvps/{hanako}/cancel"), json!({})).await.expect(200);
        app.mail.message("hanako@example.jp", "キャンセル", 1).await;
        let sent_list = app.get(&format!("/api/v1/invitation-lists/{list_id}")).await.expect(200);
        assert_eq!(sent_list["progress"]["sent"], 2);
        let log = app.get("/api/v1/networks/tokyo/audit-log").await.expect(200).to_string();
        assert!(log.contains("invitations.send") && log.contains("announcement.send"));
    }
}
