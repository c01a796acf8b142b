//! The dashboard's event pages over HTTP, past the form: the RSVP table with its decisions and
//! CSV, the live board, door passes, the survey, invitations, announcements and the lottery,
//! copying an edition, reports, venues and series. SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use chrono::Duration;
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tsudoi_domain::entity::event;

use crate::{
    dashboard::{OWNER, Signed, location, unescaped},
    e2e,
};

e2e! {
    async fn the_rsvp_table_finds_approves_and_exports(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let event = app.published_event(json!({"slug": "salon", "rsvp_mode": "approval", "confirmation_required": false})).await;
        let id = event["id"].as_str().unwrap();
        app.rsvp("salon", "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "a request");
        app.rsvp("salon", "=Eve", "eve@example.jp", 0).await.expect_status(200, "a request");

        let table = signed.get(&format!("/admin/e/{id}/rsvps")).await;
        table.expect_status(200, "the table");
        assert!(table.text.contains("山田 花子") && table.text.contains("承認待ち"), "{}", table.text);
        let found = signed.get(&format!("/admin/e/{id}/rsvps?q=HANAKO")).await;
        assert!(found.text.contains("山田 花子") && !found.text.contains("eve@example.jp"), "search by email in any case");

        let rsvps = app.get(&format!("/api/v1/events/{id}/rsvps")).await.expect(200);
        let hanako = rsvps.as_array().unwrap().iter().find(|r| r["name"] == "山田 花子").unwrap()["id"].as_str().unwrap().to_owned();
        let eve = rsvps.as_array().unwrap().iter().find(|r| r["name"] == "=Eve").unwrap()["id"].as_str().unwrap().to_owned();
        let approved = signed.post(&format!("/admin/e/{id}/rsvps/{hanako}"), &[("decision", "approve")]).await;
        assert_eq!(location(&approved), format!("/admin/e/{id}/rsvps"));
        signed.post(&format!("/admin/e/{id}/rsvps/{eve}"), &[("decision", "reject")]).await.expect_status(303, "declined");
        app.mail.message("hanako@example.jp", "参加承認", 1).await;
        let confirmed = signed.get(&format!("/admin/e/{id}/rsvps?status=confirmed")).await;
        assert!(confirmed.text.contains("山田 花子") && !confirmed.text.contains("=Eve"), "filtered by status");

        // Approving again (a second click) changes nothing; an RSVP of another event through this
        // one's page is 404.
        signed.post(&format!("/admin/e/{id}/rsvps/{hanako}"), &[("decision", "approve")]).await.expect_status(303, "done already");
        assert_eq!(app.rsvp_counts(id).await.get("confirmed"), Some(&1));
        let other = app.published_event(json!({"slug": "other", "confirmation_required": false})).await;
        let other_id = other["id"].as_str().unwrap();
        signed.post(&format!("/admin/e/{other_id}/rsvps/{hanako}"), &[("decision", "cancel")]).await.expect_status(404, "not this event's");
        assert_eq!(app.rsvp_counts(id).await.get("confirmed"), Some(&1), "and nothing was done to it");
        signed.post(&format!("/admin/e/{id}/rsvps/{hanako}"), &[("decision", "explode")]).await.expect_status(404, "no such decision");

        let csv = signed.get(&format!("/admin/e/{id}/rsvps.csv")).await;
        csv.expect_status(200, "the CSV");
        assert!(csv.text.starts_with('\u{feff}'), "a byte-order mark for Excel");
        let mut reader = csv::Reader::from_reader(csv.text.trim_start_matches('\u{feff}').as_bytes());
        assert_eq!(&reader.headers().unwrap()[0], "氏名");
        let names: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        assert_eq!(names, ["山田 花子", "'=Eve"], "formulas neutralised");
    }

    async fn the_live_board_counts_who_came_in(app: TestApp) {
        let people = [("山田 花子", "hanako@example.jp"), ("佐藤 太郎", "taro@example.jp"), ("来ない 人", "absent@example.jp")];
        let id = crate::surveys::held_event(&app, "board", &people, &["hanako@example.jp", "taro@example.jp"]).await;
        let signed = Signed::sign_in(&app, OWNER).await;
        let board = signed.get(&format!("/admin/e/{id}/board")).await;
        board.expect_status(200, "the board");
        assert!(board.text.contains(r#"<script src="/static/live.js" defer></script>"#) && board.text.contains(r#"id="board" data-live="10""#), "it updates itself");
        let script = app.page("/static/live.js").await;
        assert!(script.text.contains("querySelector('[data-live]')"), "the script is served");
        assert!(board.text.contains("2 / 3"), "two of three in: {}", board.text);
        let latest = board.text.split("最近の来場").nth(1).unwrap();
        let (taro, hanako) = (latest.find("佐藤 太郎").unwrap(), latest.find("山田 花子").unwrap());
        assert!(taro < hanako, "the latest first");
        assert!(latest.contains("受付"), "at which gate");
        app.member_token("door@tokyo.example.jp", "door_staff").await;
        Signed::sign_in(&app, "door@tokyo.example.jp").await.get(&format!("/admin/e/{id}/board")).await.expect_status(404, "organizers only");
    }

    async fn an_edition_is_copied_as_the_next_once_and_series_and_supporters_are_reported(app: TestApp) {
        let series = app.post("/api/v1/networks/tokyo/series", json!({"slug": "crossing", "name": "Crossing"})).await.expect(201);
        let series_id = series["id"].as_str().unwrap();
        let eighth = app.published_event(json!({"slug": "crossing-8", "series_id": series_id, "edition": 8})).await;
        let id = eighth["id"].as_str().unwrap();
        let signed = Signed::sign_in(&app, OWNER).await;
        let overview = signed.get(&format!("/admin/e/{id}")).await;
        let at = overview.text.find(r#"name="form_id" value=""#).unwrap() + r#"name="form_id" value=""#.len();
        let copy_id = overview.text[at..].split('"').next().unwrap().to_owned();
        let first = location(&signed.post(&format!("/admin/e/{id}/duplicate"), &[("form_id", &copy_id)]).await);
        let second = location(&signed.post(&format!("/admin/e/{id}/duplicate"), &[("form_id", &copy_id)]).await);
        assert_eq!(first, second, "a double click makes one copy");
        assert!(first.ends_with("/edit"), "{first}");
        let copy_id = first.trim_start_matches("/admin/e/").trim_end_matches("/edit");
        let copy = app.get(&format!("/api/v1/events/{copy_id}")).await.expect(200);
        assert_eq!((copy["edition"].as_i64(), copy["status"].as_str()), (Some(9), Some("draft")));
        assert_eq!(copy["starts_at"], "2026-12-17T10:00:00+00:00", "the same hours a week on");
        assert_ne!(copy["slug"], eighth["slug"]);
        assert_eq!(event::Entity::find().count(app.db.reader()).await.unwrap(), 2);

        // Reports: the series edition by edition, the supporters' year and its CSV.
        let reports = signed.get("/admin/n/tokyo/reports?year=2026").await;
        reports.expect_status(200, "the reports");
        assert!(reports.text.contains(&format!("/admin/series/{series_id}/report")), "{}", reports.text);
        assert!(reports.text.contains("オーナー 花子"), "the supporter of the year: {}", reports.text);
        signed.get(&format!("/admin/series/{series_id}/report")).await.expect_status(200, "the printable series");
        let csv = signed.get("/admin/n/tokyo/supporters.csv?year=2026&fiscal=1").await;
        assert!(csv.text.starts_with('\u{feff}') && csv.text.contains("オーナー 花子"), "{}", csv.text);
        app.member_token("door@tokyo.example.jp", "door_staff").await;
        let door = Signed::sign_in(&app, "door@tokyo.example.jp").await;
        door.get("/admin/n/tokyo/reports").await.expect_status(404, "not for door staff");
        door.get(&format!("/admin/series/{series_id}/report")).await.expect_status(404, "nor the series");
        door.post(&format!("/admin/e/{id}/duplicate"), &[]).await.expect_status(404, "nor copying");
    }

    async fn venues_and_series_are_kept_and_the_switcher_changes_network(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let page = "/admin/n/tokyo/places";
        let refused = signed.post("/admin/n/tokyo/venues", &[("name", "渋谷ヒカリエ"), ("address", ""), ("room_capacity", "多い")]).await;
        refused.expect_status(422, "no number");
        assert!(refused.text.contains(r#"id="nv-room_capacity-error""#) && refused.text.contains(r#"value="渋谷ヒカリエ""#), "{}", refused.text);
        let refused = signed.post("/admin/n/tokyo/venues", &[("name", "渋谷ヒカリエ"), ("address", ""), ("room_capacity", "120")]).await;
        assert!(refused.text.contains(r#"id="nv-address-error""#), "an address is needed: {}", refused.text);
        signed.post("/admin/n/tokyo/venues", &[("name", "渋谷ヒカリエ"), ("address", "東京都渋谷区渋谷2-21-1"), ("room_capacity", "１２０")]).await.expect_status(303, "made");
        let venues = app.get("/api/v1/networks/tokyo/venues").await.expect(200);
        assert_eq!((venues[0]["name"].as_str(), venues[0]["room_capacity"].as_i64()), (Some("渋谷ヒカリエ"), Some(120)));
        let venue = venues[0]["id"].as_str().unwrap();
        let changed = &[("name", "渋谷ヒカリエ 8F"), ("address", "東京都渋谷区渋谷2-21-1"), ("room_capacity", "80"), ("map_url", ""), ("access_notes", "")];
        signed.post(&format!("/admin/n/tokyo/venues/{venue}"), changed).await.expect_status(303, "changed");
        assert_eq!(app.get(&format!("/api/v1/venues/{venue}")).await.expect(200)["name"], "渋谷ヒカリエ 8F");
        signed.post(&format!("/admin/n/tokyo/venues/{venue}"), &[("archive", "1")]).await.expect_status(303, "archived");
        assert!(signed.get(page).await.text.contains("アーカイブ済み"));
        assert!(!signed.get("/admin/n/tokyo/events/new").await.text.contains("渋谷ヒカリエ 8F"), "gone from the picker");

        signed.post("/admin/n/tokyo/series", &[("name", "Crossing"), ("slug", "Crossing Night")]).await.expect_status(422, "not an address name");
        signed.post("/admin/n/tokyo/series", &[("name", "Crossing"), ("slug", "crossing")]).await.expect_status(303, "made");
        let taken = signed.post("/admin/n/tokyo/series", &[("name", "Again"), ("slug", "crossing")]).await;
        taken.expect_status(422, "the slug is taken");
        assert!(taken.text.contains(r#"id="ns-slug-error""#), "{}", taken.text);
        assert_eq!(app.get("/api/v1/networks/tokyo/series").await.expect(200).as_array().unwrap().len(), 1);

        app.member_token("door@tokyo.example.jp", "door_staff").await;
        Signed::sign_in(&app, "door@tokyo.example.jp").await.get(page).await.expect_status(404, "not for door staff");

        // Someone in two networks switches between them.
        let osaka = app.other_network("osaka").await;
        app.join(&osaka, "osaka", "organizer").await;
        assert_eq!(location(&signed.get("/admin/switch?to=osaka").await), "/admin/n/osaka");
        let elsewhere = location(&signed.get("/admin/switch?to=nowhere").await);
        assert!(["/admin/n/osaka", "/admin/n/tokyo"].contains(&elsewhere.as_str()), "not theirs: one of theirs, {elsewhere}");
        assert!(signed.get("/admin/n/osaka").await.text.contains(r#"<option value="osaka" selected>"#), "the switcher shows where they are");
    }

    async fn announcements_go_out_and_a_lottery_is_drawn_from_the_overview(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let event = app.published_event(json!({"slug": "news", "confirmation_required": false})).await;
        let id = event["id"].as_str().unwrap();
        app.rsvp("news", "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "an RSVP");
        let page = format!("/admin/e/{id}/announce");
        let refused = signed.post(&page, &[("audience", "confirmed"), ("subject", ""), ("body", "会場が変わりました")]).await;
        refused.expect_status(422, "a subject is needed");
        assert!(refused.text.contains(r#"id="subject-error""#) && refused.text.contains("会場が変わりました"), "{}", refused.text);
        let sent = location(&signed.post(&page, &[("audience", "confirmed"), ("subject", "会場変更のお知らせ"), ("body", "8F に変わりました")]).await);
        assert!(sent.contains("?sent="), "{sent}");
        let progress = signed.get(&sent).await;
        assert!(progress.text.contains("会場変更のお知らせ") && progress.text.contains("1 通中"), "{}", progress.text);
        let mail = app.mail.message("hanako@example.jp", "会場変更のお知らせ", 1).await;
        assert!(mail.text.contains("8F に変わりました"));

        let lottery = app
            .published_event(json!({"slug": "draw", "rsvp_mode": "lottery", "lottery_draw_at": "2026-12-01T12:00:00+09:00", "confirmation_required": false}))
            .await;
        let draw_id = lottery["id"].as_str().unwrap();
        app.rsvp("draw", "佐藤 太郎", "taro@example.jp", 0).await.expect_status(200, "an entry");
        let before = signed.get(&format!("/admin/e/{draw_id}")).await;
        assert!(before.text.contains("SHA-256") && before.text.contains("現在の応募は 1 件"), "{}", before.text);
        app.member_token("door@tokyo.example.jp", "door_staff").await;
        let door = Signed::sign_in(&app, "door@tokyo.example.jp").await;
        door.post(&format!("/admin/e/{draw_id}/draw"), &[]).await.expect_status(404, "not for door staff");
        door.get(&page).await.expect_status(404, "nor the announcements");
        assert!(location(&signed.post(&format!("/admin/e/{draw_id}/draw"), &[]).await).ends_with("?done=drawn"));
        let after = signed.get(&format!("/admin/e/{draw_id}")).await;
        assert!(after.text.contains("抽選しました（1 件）"), "{}", after.text);
        app.mail.message("taro@example.jp", "当選", 1).await;
    }

    async fn an_invitation_list_is_uploaded_previewed_and_sent_from_the_dashboard(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let event = app.published_event(json!({"slug": "invite", "confirmation_required": false})).await;
        let id = event["id"].as_str().unwrap();
        app.rsvp("invite", "佐藤 太郎", "taro@example.jp", 0).await.expect_status(200, "Taro registered himself");
        let page = format!("/admin/e/{id}/invite");
        assert!(signed.get(&page).await.text.contains("まだ招待リストはありません"), "no lists yet");

        // Files that are not lists are refused at the file field, and nothing is kept.
        for (name, bytes, says) in [
            ("名簿.xlsx", b"PK\x03\x04\x00\x00\x08".as_slice(), "CSV ファイルではありません"),
            ("a.csv", b"a,b\n1,2\n".as_slice(), "1 行目に「氏名」と「メールアドレス」"),
            ("", b"".as_slice(), "CSV ファイルを選んでください"),
        ] {
            let refused = signed.upload(&page, name, bytes, true).await;
            refused.expect_status(422, name);
            assert!(refused.text.contains(r#"id="file-error""#) && refused.text.contains(says), "{name}: {}", refused.text);
        }
        let huge = "name,email\n".to_owned() + &"a,a@example.jp\n".repeat(8 * 1024 * 1024 / 14 + 1);
        let refused = signed.upload(&page, "huge.csv", huge.as_bytes(), true).await;
        refused.expect_status(413, "a file past the limit");
        assert!(refused.text.contains("ファイルが大きすぎます（8 MB まで）"), "{}", refused.text);
        let text = "氏名,メールアドレス,ふりがな\n山田 花子,hanako@example.jp,やまだ はなこ\n山田 花子,HANAKO@example.jp,\n佐藤 太郎,taro@example.jp,\n鈴木 一郎,not-an-address,\n";
        let (cp932, _, _) = encoding_rs::SHIFT_JIS.encode(text);
        signed.upload(&page, "名簿.csv", &cp932, false).await.expect_status(403, "an upload without the guard");
        assert!(signed.get(&page).await.text.contains("まだ招待リストはありません"), "the refused uploads left nothing");

        let list = location(&signed.upload(&page, "名簿.csv", &cp932, true).await);
        assert!(list.starts_with(&format!("{page}/")), "{list}");
        let preview = signed.get(&list).await;
        preview.expect_status(200, "the preview");
        for (n, what) in [(1, "招待する"), (1, "重複（上の行と同じアドレス）"), (1, "申し込み済み"), (0, "配信停止済み"), (1, "読めなかった行")] {
            assert!(preview.text.contains(&format!(r#"<span class="figure">{n}</span>{what}"#)), "{n} {what}: {}", preview.text);
        }
        assert!(preview.text.contains("<td class=\"num\">5</td><td>メールアドレス: "), "the bad line, in Japanese: {}", preview.text);
        assert!(preview.text.contains("やまだ はなこ") && preview.text.contains("1 名に招待を送る"), "{}", preview.text);
        assert!(!preview.text.contains("data-live"), "nothing is being sent yet");
        assert!(app.mail.all().iter().all(|m| m.to != "hanako@example.jp"), "nothing is sent before the button");

        let long = "あ".repeat(1001);
        let refused = signed.post(&list, &[("message", long.as_str())]).await;
        refused.expect_status(422, "a message too long");
        assert!(refused.text.contains(r#"id="message-error""#) && refused.text.contains(&long), "the text is kept");
        assert_eq!(location(&signed.post(&list, &[("message", "ぜひお越しください。")]).await), list);
        let invitation = app.mail.message("hanako@example.jp", "ご招待", 1).await;
        assert!(invitation.text.contains("ぜひお越しください。"), "{}", invitation.text);
        let mut progress = signed.get(&list).await;
        for _ in 0..50 {
            if progress.text.contains("招待の送信が終わりました") {
                break;
            }
            assert!(progress.text.contains(r#"data-live="3""#) && progress.text.contains("/static/live.js"), "{}", progress.text);
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            progress = signed.get(&list).await;
        }
        assert!(progress.text.contains("1 通中 送信済み 1"), "{}", progress.text);
        assert!(!progress.text.contains("data-live") && !progress.text.contains("名に招待を送る"), "done, and no second send");
        let lists = signed.get(&page).await;
        assert!(lists.text.contains("名簿.csv") && lists.text.contains("に送信"), "{}", lists.text);
        assert_eq!(app.mail.all().iter().filter(|m| m.subject.contains("ご招待")).count(), 1, "one invitation");
        // The same list uploaded again (or twice by a double click) invites nobody twice.
        let again = signed.get(&location(&signed.upload(&page, "名簿.csv", &cp932, true).await)).await;
        for (n, what) in [(0, "招待する"), (1, "招待済み（送信済みのリスト）")] {
            assert!(again.text.contains(&format!(r#"<span class="figure">{n}</span>{what}"#)), "{n} {what}: {}", again.text);
        }
        assert!(again.text.contains("このリストには招待できる方がいません") && !again.text.contains("名に招待を送る"), "{}", again.text);

        // Not for door staff, nor through another event's address.
        app.member_token("door@tokyo.example.jp", "door_staff").await;
        let door = Signed::sign_in(&app, "door@tokyo.example.jp").await;
        door.get(&page).await.expect_status(404, "door staff");
        door.get(&list).await.expect_status(404, "door staff");
        door.upload(&page, "名簿.csv", &cp932, true).await.expect_status(404, "door staff upload");
        let other = app.published_event(json!({"slug": "other"})).await;
        let list_id = list.rsplit('/').next().unwrap();
        let elsewhere = format!("/admin/e/{}/invite/{list_id}", other["id"].as_str().unwrap());
        signed.get(&elsewhere).await.expect_status(404, "a list through another event");
        signed.post(&elsewhere, &[]).await.expect_status(404, "nor sent through it");
    }

    async fn door_passes_are_shown_once_and_revoked(app: TestApp) {
        let signed = Signed::sign_in(&app, OWNER).await;
        let event = app.published_event(json!({"slug": "door"})).await;
        let id = event["id"].as_str().unwrap();
        signed.post(&format!("/admin/e/{id}/door"), &[("label", "")]).await.expect_status(422, "a pass needs a label");
        let made = signed.post(&format!("/admin/e/{id}/door"), &[("label", "受付 A")]).await;
        made.expect_status(201, "a pass");
        let page = unescaped(&made.text);
        let link = page.split(&format!("{}/door/", app.address)).nth(1).unwrap().split('"').next().unwrap().to_owned();
        assert!(made.text.contains("<svg"), "its QR code");
        app.page(&format!("/door/{link}")).await.expect_status(200, "the scanner opens");
        let list = signed.get(&format!("/admin/e/{id}/door")).await;
        assert!(list.text.contains("受付 A") && !list.text.contains(&link), "listed, its link never shown again");

        let pass = app.get(&format!("/api/v1/events/{id}/door-passes")).await.expect(200);
        let pass_id = pass[0]["id"].as_str().unwrap();
        // The pass scans (and is remembered for a moment), then is revoked: at once, it scans no more.
        crate::door::scan(&app, &link, json!({"code": "garbage"})).await.expect(200);
        signed.post(&format!("/admin/e/{id}/door/{pass_id}/revoke"), &[]).await.expect_status(303, "revoked");
        app.page(&format!("/door/{link}")).await.expect_status(404, "a revoked pass opens nothing");
        crate::door::scan(&app, &link, json!({"code": "garbage"})).await.expect_problem(401, "unauthorized");
    }

    async fn a_survey_is_made_set_sent_and_read_in_the_dashboard(app: TestApp) {
        let people = [("山田 花子", "hanako@example.jp"), ("佐藤 太郎", "taro@example.jp")];
        let id = crate::surveys::held_event(&app, "crossing-8", &people, &["hanako@example.jp", "taro@example.jp"]).await;
        let signed = Signed::sign_in(&app, OWNER).await;
        let page = format!("/admin/e/{id}/survey");
        assert!(signed.get(&page).await.text.contains("まだアンケートがありません"));
        signed.post(&page, &[("action", "create")]).await.expect_status(303, "made");

        // Settings: a time that is no time is shown again with the error, then saved right.
        let refused = signed.post(&page, &[("action", "save"), ("audience", "confirmed"), ("send_delay_minutes", "60"), ("closes_at", "soon")]).await;
        refused.expect_status(422, "no time");
        assert!(refused.text.contains(r#"id="closes_at-error""#) && refused.text.contains(r#"value="60""#), "{}", refused.text);
        let saved = signed.post(&page, &[("action", "save"), ("audience", "checked_in"), ("send_delay_minutes", "60"), ("reminder_days", ""), ("closes_at", "2026-11-20T21:00")]).await;
        saved.expect_status(303, "saved");
        let api = app.get(&format!("/api/v1/events/{id}/survey")).await.expect(200);
        assert_eq!(api["send_delay_minutes"], 60);
        assert!(api["reminder_days"].is_null(), "no reminder");
        assert_eq!(api["closes_at"], "2026-11-20T12:00:00+00:00", "21:00 in Tokyo");

        // Sent now, answered, and read back.
        signed.post(&page, &[("action", "send")]).await.expect_status(409, "the event is not over");
        app.advance(Duration::hours(3)).await;
        signed.post(&page, &[("action", "send")]).await.expect_status(303, "sent");
        let link = app.mail.message("hanako@example.jp", "アンケート", 1).await.link(&app.address, "/s/");
        crate::surveys::answer(&app, &link, &[("satisfaction", "5"), ("recommend", "9"), ("comments", "また参加したいです")]).await.expect_status(200, "answered");
        let results = signed.get(&page).await;
        assert!(results.text.contains("1 / 2") && results.text.contains("50%"), "{}", results.text);
        assert!(results.text.contains("<svg") && results.text.contains("また参加したいです"), "the chart and the comments");
        let csv = signed.get(&format!("/admin/e/{id}/survey.csv")).await;
        assert!(csv.text.starts_with('\u{feff}') && csv.text.contains("また参加したいです"));
        signed.get(&format!("/admin/e/{id}/survey/report")).await.expect_status(200, "the printable report");

        app.member_token("door@tokyo.example.jp", "door_staff").await;
        let door = Signed::sign_in(&app, "door@tokyo.example.jp").await;
        for path in [page.clone(), format!("/admin/e/{id}/survey.csv"), format!("/admin/e/{id}/survey/report")] {
            door.get(&path).await.expect_status(404, &path);
        }
    }
}
