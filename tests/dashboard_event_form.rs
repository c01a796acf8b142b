//! The dashboard's event form over HTTP: errors next to the fields with what was typed kept, a
//! double post making one event, a venue typed in, questions, times in the event's own zone,
//! co-hosts and organizers, and a save over a change made meanwhile; then publishing,
//! previewing and cancelling. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use chrono::Duration;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tsudoi_domain::entity::event;

use crate::{
    dashboard::{OWNER, Signed, create_through_form, event_fields, form_id, location, unescaped},
    e2e,
};

e2e! {
    async fn the_event_form_keeps_what_was_typed_and_a_double_post_makes_one_event(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let form = signed.get("/admin/n/tokyo/events/new").await;
        form.expect_status(200, "the form");
        assert!(unescaped(&form.text).contains("<option selected>Asia/Tokyo</option>"), "the network's zone");

        // Bad input: shown again with the errors next to their fields, and nothing made.
        let form_id = form_id(&signed).await;
        let mut fields = event_fields("", &form_id);
        fields.retain(|(k, _)| !matches!(*k, "ends_at" | "seats"));
        fields.extend([("ends_at", "2026-12-10T18:00"), ("seats", "三十"), ("theme", "越境するキャリア")]);
        let refused = signed.post("/admin/n/tokyo/events", &fields).await;
        refused.expect_status(422, "a number that is no number");
        assert!(refused.text.contains(r#"id="seats-error""#) && refused.text.contains("半角数字"), "{}", refused.text);
        assert!(refused.text.contains("越境するキャリア"), "what was typed is kept");
        fields.retain(|(k, _)| *k != "seats");
        fields.push(("seats", "３０"));
        let refused = signed.post("/admin/n/tokyo/events", &fields).await;
        refused.expect_status(422, "no title, and an end before the start");
        assert!(refused.text.contains(r#"id="title-error""#), "{}", refused.text);
        assert!(refused.text.contains(r#"id="ends_at-error""#) && refused.text.contains("開始より後に"), "{}", refused.text);
        assert!(refused.text.contains(r#"value="2026-12-10T18:00""#), "the typed time is kept");
        assert_eq!(event::Entity::find().count(app.db.reader()).await.unwrap(), 0);

        // Fixed, and posted twice (a double click): one event.
        fields.retain(|(k, _)| !matches!(*k, "title" | "ends_at"));
        fields.extend([("title", "Crossing #8"), ("ends_at", "2026-12-10T21:30")]);
        let first = location(&signed.post("/admin/n/tokyo/events", &fields).await);
        let second = location(&signed.post("/admin/n/tokyo/events", &fields).await);
        assert_eq!(first.split('?').next(), second.split('?').next());
        let made = event::Entity::find().all(app.db.reader()).await.unwrap();
        assert_eq!(made.len(), 1, "one event for one form");
        assert_eq!(made[0].starts_at.to_rfc3339(), "2026-12-10T10:00:00+00:00", "19:00 in Tokyo");
        assert_eq!(made[0].seats, 30, "full-width digits read as numbers");
        assert_eq!(made[0].theme.as_deref(), Some("越境するキャリア"));
        assert!(made[0].published_at.is_none(), "a draft");
    }

    async fn an_organizer_creates_edits_publishes_and_cancels_an_event_with_a_new_venue(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        // A refused event makes no venue: the form comes back with the venue as typed.
        let form_id = form_id(&signed).await;
        let mut fields = event_fields("Thank-you gathering", &form_id);
        fields.retain(|(k, _)| !matches!(*k, "ends_at" | "venue_id" | "online_url"));
        fields.extend([("ends_at", "2026-12-10T18:00"), ("venue_id", "new"), ("new_venue_name", "渋谷ヒカリエ 8F"), ("new_venue_address", "東京都渋谷区渋谷2-21-1")]);
        let refused = signed.post("/admin/n/tokyo/events", &fields).await;
        refused.expect_status(422, "the end is before the start");
        assert!(refused.text.contains(r#"value="渋谷ヒカリエ 8F""#) && refused.text.contains(r#"<option value="new" selected"#), "{}", refused.text);
        let venues = app.get("/api/v1/networks/tokyo/venues").await.expect(200);
        assert!(!venues.to_string().contains("渋谷ヒカリエ"), "no venue was made: {venues}");
        // Nor does a venue with errors of its own, which show at its fields.
        fields.retain(|(k, _)| !matches!(*k, "ends_at" | "new_venue_name"));
        fields.extend([("ends_at", "2026-12-10T21:00"), ("new_venue_name", "")]);
        let refused = signed.post("/admin/n/tokyo/events", &fields).await;
        refused.expect_status(422, "a venue without a name");
        assert!(refused.text.contains(r#"id="new_venue_name-error""#), "{}", refused.text);

        // A venue typed into the form is made with the event.
        let id = create_through_form(&signed, "Thank-you gathering", &[
            ("online_url", ""),
            ("venue_id", "new"),
            ("new_venue_name", "渋谷ヒカリエ 8F"),
            ("new_venue_address", "東京都渋谷区渋谷2-21-1"),
            ("slot_name_0", "OB/OG"),
            ("slot_seats_0", "20"),
            ("slot_name_1", "現役社員"),
            ("slot_seats_1", "10"),
        ]).await;
        let overview = signed.get(&format!("/admin/e/{id}")).await;
        overview.expect_status(200, "the overview");
        assert!(overview.text.contains("渋谷ヒカリエ 8F") && overview.text.contains("現役社員 (10)"), "{}", overview.text);
        assert!(overview.text.contains("下書き"));
        // The draft's public page is not public yet; its preview shows it as it will be.
        let slug = app.get(&format!("/api/v1/events/{id}")).await.expect(200)["slug"].as_str().unwrap().to_owned();
        app.page(&format!("/e/{slug}")).await.expect_status(404, "a draft is not public");
        let preview = signed.get(&format!("/admin/e/{id}/preview")).await;
        preview.expect_status(200, "the preview");
        assert!(preview.text.contains("プレビュー") && preview.text.contains("渋谷ヒカリエ 8F") && preview.text.contains("現役社員"), "{}", preview.text);
        assert!(preview.text.contains(r#"<button type="submit" disabled>"#), "no RSVP from the preview");
        app.member_token("door@tokyo.example.jp", "door_staff").await;
        Signed::sign_in(&app, "door@tokyo.example.jp").await.get(&format!("/admin/e/{id}/preview")).await.expect_status(404, "not for door staff");

        // The edit form shows times in the event's zone; a change is saved.
        let edit = signed.get(&format!("/admin/e/{id}/edit")).await;
        assert!(edit.text.contains(r#"value="2026-12-10T19:00""#), "{}", edit.text);
        assert!(edit.text.contains(r#"value="Thank-you gathering""#) && edit.text.contains(r#"value="現役社員""#));
        let before = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        let slot_ids: Vec<String> = before["slots"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect();
        for slot in &slot_ids {
            assert!(edit.text.contains(slot.as_str()), "the form keeps each slot's id");
        }
        let venue = before["venue_id"].as_str().unwrap().to_owned();
        let form_id = uuid::Uuid::now_v7().to_string();
        let mut fields = event_fields("Thank-you gathering 2026", &form_id);
        fields.retain(|(k, _)| !matches!(*k, "starts_at" | "online_url" | "venue_id"));
        fields.extend([
            ("starts_at", "2026-12-10T18:30"),
            ("venue_id", venue.as_str()),
            ("slot_id_0", slot_ids[0].as_str()),
            ("slot_name_0", "OB/OG"),
            ("slot_seats_0", "20"),
            ("slot_id_1", slot_ids[1].as_str()),
            ("slot_name_1", "現役社員"),
            ("slot_seats_1", "10"),
        ]);
        let saved = signed.post(&format!("/admin/e/{id}/edit"), &fields).await;
        assert!(location(&saved).contains("done=saved"));
        let api = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        assert_eq!(api["title"], "Thank-you gathering 2026");
        assert_eq!(api["starts_at"], "2026-12-10T09:30:00+00:00");
        let after: Vec<&str> = api["slots"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(after, slot_ids.iter().map(String::as_str).collect::<Vec<_>>(), "the slots kept their ids");

        signed.post(&format!("/admin/e/{id}/publish"), &[]).await.expect_status(303, "published");
        let slug = api["slug"].as_str().unwrap();
        app.page(&format!("/e/{slug}")).await.expect_status(200, "the public page");
        let slot = slot_ids[0].as_str();
        let rsvp = app.submit_form(&format!("/e/{slug}/rsvp"), &[("name", "山田 花子"), ("email", "hanako@example.jp"), ("slot", slot)]).await;
        rsvp.expect_status(200, "an RSVP");
        let confirm = app.mail.message("hanako@example.jp", "確定してください", 1).await;
        app.press(&confirm.link(&app.address, "/r/"), "confirm", &[]).await.expect_status(200, "confirmed");

        // Cancelling shows the email attendees will get, then tells them.
        let preview = signed.get(&format!("/admin/e/{id}/cancel")).await;
        preview.expect_status(200, "the preview");
        assert!(preview.text.contains("中止") && preview.text.contains("Thank-you gathering 2026"), "{}", preview.text);
        assert!(preview.text.contains("1 名"), "one person to tell: {}", preview.text);
        signed.post(&format!("/admin/e/{id}/cancel"), &[]).await.expect_status(303, "cancelled");
        assert_eq!(app.get(&format!("/api/v1/events/{id}")).await.expect(200)["status"], "cancelled");
        app.mail.message("hanako@example.jp", "中止", 1).await;
    }

    async fn questions_are_edited_in_the_forms_and_keep_their_ids(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let id = create_through_form(&signed, "Salon", &[
            ("questions_shown", "1"),
            ("q_kind_0", "single_choice"),
            ("q_ja_0", "お食事"),
            ("q_en_0", "Meal"),
            ("q_required_0", "on"),
            ("q_0_c0_ja", "肉"),
            ("q_0_c1_ja", "魚"),
            ("q_kind_1", "long_text"),
            ("q_kind_2", "yes_no"),
            ("q_ja_2", "懇親会に参加しますか"),
        ]).await;
        let api = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        let questions = api["questions"].as_array().unwrap();
        assert_eq!(questions.len(), 2, "the row without a label is left out: {questions:?}");
        assert_eq!((questions[0]["kind"].as_str(), questions[0]["required"].as_bool()), (Some("single_choice"), Some(true)));
        assert_eq!(questions[0]["choices"].as_array().unwrap().len(), 2);
        let (meal, fish) = (questions[0]["id"].as_str().unwrap().to_owned(), questions[0]["choices"][1]["id"].as_str().unwrap().to_owned());

        // The edit form shows them; relabelled and one removed, the rest keep their ids.
        let edit = signed.get(&format!("/admin/e/{id}/edit")).await;
        assert!(edit.text.contains(&format!(r#"name="q_id_0" value="{meal}""#)), "{}", edit.text);
        assert!(edit.text.contains(r#"value="懇親会に参加しますか""#));
        let form_id = form_id(&signed).await;
        let mut fields = event_fields("Salon", &form_id);
        let fish_row = ("q_0_c0_id", fish.as_str());
        fields.extend([
            ("questions_shown", "1"),
            ("q_id_0", meal.as_str()),
            ("q_kind_0", "single_choice"),
            ("q_ja_0", "お食事のご希望"),
            fish_row,
            ("q_0_c0_ja", "魚"),
            ("q_0_c1_ja", "野菜"),
        ]);
        fields.retain(|(k, _)| *k != "form_id");
        signed.post(&format!("/admin/e/{id}/edit"), &fields).await.expect_status(303, "saved");
        let api = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        let questions = api["questions"].as_array().unwrap();
        assert_eq!(questions.len(), 1, "the yes/no question was removed");
        assert_eq!((questions[0]["id"].as_str(), questions[0]["label"]["ja"].as_str()), (Some(meal.as_str()), Some("お食事のご希望")));
        assert_eq!(questions[0]["choices"][0]["id"], fish.as_str(), "the fish choice kept its id");

        // A choice question with one choice is refused, at its row, with what was typed kept.
        let refused = signed
            .post(&format!("/admin/e/{id}/edit"), &[
                ("title", "Salon"), ("starts_at", "2026-12-10T19:00"), ("ends_at", "2026-12-10T21:30"),
                ("online_url", "https://meet.example.jp/crossing"), ("seats", "30"),
                ("questions_shown", "1"), ("q_kind_0", "single_choice"), ("q_ja_0", "一つだけ"), ("q_0_c0_ja", "はい"),
            ])
            .await;
        refused.expect_status(422, "two choices at least");
        assert!(refused.text.contains(r#"id="q_row_0-error""#) && refused.text.contains(r#"value="一つだけ""#), "{}", refused.text);
    }

    async fn the_event_form_reads_and_shows_times_in_the_event_s_own_zone(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        // 19:00 in New York in December is 00:00 the next day in UTC.
        let id = create_through_form(&signed, "NY mixer", &[("time_zone", "America/New_York"), ("starts_at", "2026-12-10T19:00"), ("ends_at", "2026-12-10T21:00"), ("remind_hours", "48")]).await;
        let api = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        assert_eq!((api["starts_at"].as_str(), api["time_zone"].as_str()), (Some("2026-12-11T00:00:00+00:00"), Some("America/New_York")));
        assert_eq!(api["remind_hours"], 48, "its own reminder, two days before");
        let edit = signed.get(&format!("/admin/e/{id}/edit")).await;
        assert!(edit.text.contains(r#"<option value="48" selected>48 時間前</option>"#), "{}", edit.text);
        assert!(edit.text.contains(r#"value="2026-12-10T19:00""#) && edit.text.contains(r#"value="2026-12-10T21:00""#), "shown back in New York time");
        // 02:30 on 14 March 2027 does not happen in New York (the clocks go from 02:00 to 03:00).
        let form_id = uuid::Uuid::now_v7().to_string();
        let mut fields = event_fields("Spring forward", &form_id);
        fields.retain(|(k, _)| !matches!(*k, "time_zone" | "starts_at" | "ends_at"));
        fields.extend([("time_zone", "America/New_York"), ("starts_at", "2027-03-14T02:30"), ("ends_at", "2027-03-14T05:00")]);
        let refused = signed.post("/admin/n/tokyo/events", &fields).await;
        refused.expect_status(422, "a time the zone skips");
        assert!(refused.text.contains(r#"id="starts_at-error""#) && refused.text.contains(r#"value="2027-03-14T02:30""#), "{}", refused.text);
    }

    async fn a_save_over_a_change_made_meanwhile_is_refused_with_what_was_typed_kept(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let id = create_through_form(&signed, "Salon", &[]).await;
        let edit = format!("/admin/e/{id}/edit");
        let opened = signed.get(&edit).await.text;
        let seen = opened.split(r#"name="seen" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
        let form_id = uuid::Uuid::now_v7().to_string();
        let with = |title: &str, seen: &str| -> Vec<(String, String)> {
            let mut fields: Vec<(String, String)> =
                event_fields(title, &form_id).into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            fields.push(("seen".to_owned(), seen.to_owned()));
            fields
        };
        let post = |fields: Vec<(String, String)>| {
            let (signed, edit) = (&signed, edit.clone());
            async move {
                let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                signed.post(&edit, &borrowed).await
            }
        };
        // Two organizers opened the form at the same time; both save at the same moment.
        app.clock.advance(Duration::minutes(1));
        let (first, second) = tokio::join!(post(with("Salon by Hanako", &seen)), post(with("Salon by Taro", &seen)));
        let mut statuses = [first.status.as_u16(), second.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [303, 409], "one is saved, the other refused");
        let (saved, refused) = if first.status == 303 { ("Salon by Hanako", &second) } else { ("Salon by Taro", &first) };
        assert_eq!(app.get(&format!("/api/v1/events/{id}")).await.expect(200)["title"], saved, "the first save stands");
        assert!(refused.text.contains("ほかの方がイベントを変更しました"), "{}", refused.text);
        let lost = if saved == "Salon by Hanako" { "Salon by Taro" } else { "Salon by Hanako" };
        assert!(refused.text.contains(&format!(r#"value="{lost}""#)), "what was typed is kept");
        // Saved again knowing, it goes through.
        let fresh = refused.text.split(r#"name="seen" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
        assert_ne!(fresh, seen, "the form now carries the change it has seen");
        post(with(lost, &fresh)).await.expect_status(303, "saved over, knowingly");
        assert_eq!(app.get(&format!("/api/v1/events/{id}")).await.expect(200)["title"], lost);
    }

    async fn co_hosts_and_organizers_are_ticked_in_the_event_form(app: TestApp) {
        let osaka = app.other_network("osaka").await;
        app.join(&osaka, "osaka", "organizer").await;
        app.member_token("ichiro@tokyo.example.jp", "organizer").await;
        app.member_token("door@tokyo.example.jp", "door_staff").await;
        let members = app.get("/api/v1/networks/tokyo/members").await.expect(200);
        let id_of = |email: &str| {
            members.as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["person_id"].as_str().unwrap().to_owned()
        };
        let (owner, ichiro, door) = (id_of(OWNER), id_of("ichiro@tokyo.example.jp"), id_of("door@tokyo.example.jp"));
        let signed = Signed::sign_in(&app, OWNER).await;
        let form = unescaped(&signed.get("/admin/n/tokyo/events/new").await.text);
        assert!(form.contains(r#"name="cohost" value="osaka">"#) && form.contains("osaka alumni"), "osaka may co-host, unticked: {form}");
        assert!(form.contains(&format!(r#"name="organizer" value="{owner}" checked>"#)), "the creator is in charge");
        assert!(form.contains(&format!(r#"name="organizer" value="{ichiro}">"#)), "another organizer may be");
        assert!(!form.contains(&door), "door staff are not put in charge");

        let people = [("people_shown", "1"), ("cohost", "osaka"), ("organizer", owner.as_str()), ("organizer", ichiro.as_str())];
        let id = create_through_form(&signed, "Mixer", &people).await;
        let made = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        assert_eq!(made["cohosts"][0]["slug"], "osaka", "{made}");
        let mut in_charge: Vec<&str> = made["organizers"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
        in_charge.sort_unstable();
        let mut expected = vec![owner.as_str(), ichiro.as_str()];
        expected.sort_unstable();
        assert_eq!(in_charge, expected);

        // Editing: the co-host's own people may now be put in charge; unticking removes.
        let edit = unescaped(&signed.get(&format!("/admin/e/{id}/edit")).await.text);
        assert!(edit.contains(r#"name="cohost" value="osaka" checked>"#), "{edit}");
        assert_eq!(edit.matches(r#"name="organizer" value=""#).count(), 3, "the owner, Ichiro and osaka's owner: {edit}");
        let form_id = uuid::Uuid::now_v7().to_string();
        let mut fields = event_fields("Mixer", &form_id);
        fields.extend([("people_shown", "1"), ("organizer", ichiro.as_str())]);
        signed.post(&format!("/admin/e/{id}/edit"), &fields).await.expect_status(303, "saved");
        let saved = app.get(&format!("/api/v1/events/{id}")).await.expect(200);
        assert_eq!(saved["cohosts"], json!([]), "osaka unticked");
        assert_eq!(saved["organizers"].as_array().unwrap().len(), 1);
        assert_eq!(saved["organizers"][0]["id"], ichiro.as_str());

        // Door staff cannot be put in charge: the error shows at the organizers.
        fields.push(("organizer", door.as_str()));
        let refused = signed.post(&format!("/admin/e/{id}/edit"), &fields).await;
        refused.expect_status(422, "door staff in charge");
        assert!(refused.text.contains("オーナーかオーガナイザーを選んでください"), "{}", refused.text);
        assert_eq!(app.get(&format!("/api/v1/events/{id}")).await.expect(200)["organizers"].as_array().unwrap().len(), 1, "unchanged");
    }
}
