//! The attendee's path in a real headless Chromium driven over WebDriver (Debian's `chromium`
//! and `chromium-driver`): typing into the RSVP form, pressing its button, following the link
//! from the email, pressing the confirm button, seeing the ticket. Skips without them, unless
//! `TSUDOI_TEST_REQUIRE_BROWSER=1` (as in CI).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a failed unwrap is a failed test

use std::time::Duration;

use serde_json::{Value, json};

use crate::{
    helpers::{Engine, spawn_app},
    webdriver::Browser,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attendee_rsvps_confirms_and_sees_the_ticket_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        eprintln!("skipped: chromium-driver is not installed");
        return;
    };
    let app = spawn_app(Engine::Sqlite).await;
    let event =
        app.published_event(json!({"title": "Crossing #8 〜越境するキャリア〜", "max_guests": 1})).await;
    let slug = event["slug"].as_str().unwrap();

    browser.go(&app.url(&format!("/e/{slug}?lang=ja"))).await;
    browser.type_into("#name", "山田 花子").await;
    browser.type_into("#email", "hanako@example.jp").await;
    browser.click("form[action$='/rsvp'] button[type=submit]").await;
    let sent = browser.text_with("メールをご確認ください").await;
    assert!(sent.contains("hanako@example.jp"), "{sent}");

    let confirm = app.mail.message("hanako@example.jp", "確定してください", 1).await;
    browser.go(&confirm.link(&app.address, "/r/")).await;
    browser.text_with("登録の確定待ち").await;
    browser.click(".status form button").await;
    let confirmed = browser.text_with("登録を確定しました").await;
    assert!(confirmed.contains("参加確定"), "{confirmed}");
    assert!(browser.source().await.contains("<svg"), "the QR ticket is on the page");

    let ticket = app.mail.message("hanako@example.jp", "参加確定", 1).await.qr_text();
    browser.go(&ticket).await;
    let seen = browser.text_with("有効なチケット").await;
    assert!(seen.contains("山田") && !seen.contains("花子"), "{seen}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_person_finds_the_form_filled_in_and_answers_its_questions_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        eprintln!("skipped: chromium-driver is not installed");
        return;
    };
    let app = spawn_app(Engine::Sqlite).await;
    let questions = json!([
        {"id": "diet", "kind": "single_choice", "required": true, "label": {"ja": "食事の制限"},
         "choices": [{"id": "none", "label": {"ja": "なし"}}, {"id": "halal", "label": {"ja": "ハラール"}}]},
        {"id": "topics", "kind": "multiple_choice", "label": {"ja": "興味のある話題"},
         "choices": [{"id": "ai", "label": {"ja": "生成AI"}}, {"id": "career", "label": {"ja": "キャリア"}}]},
        {"id": "party", "kind": "yes_no", "label": {"ja": "懇親会に参加しますか"}}
    ]);
    let event = app
        .published_event(
            json!({"title": "ホームカミングデー", "confirmation_required": false, "questions": questions}),
        )
        .await;
    let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
    let list = app
        .upload_as(
            &app.token,
            &format!("/api/v1/events/{id}/invitations"),
            "text/csv",
            "氏名,メールアドレス\n山田 花子,hanako@example.jp\n".as_bytes().to_vec(),
        )
        .await
        .expect(201);
    app.post(&format!("/api/v1/invitation-lists/{}/send", list["id"].as_str().unwrap()), json!({}))
        .await
        .expect(200);
    let invitation = app.mail.message("hanako@example.jp", "ご招待", 1).await;

    browser.go(&invitation.link(&app.address, &format!("/e/{slug}?invite="))).await;
    browser.text_with("食事の制限").await;
    let source = browser.source().await;
    assert!(source.contains("value=\"山田 花子\""), "the name is filled in");
    browser.click("input[name='answers.diet'][value='halal']").await;
    browser.click("input[name='answers.topics'][value='ai']").await;
    browser.click("input[name='answers.topics'][value='career']").await;
    browser.click("input[name='answers.party'][value='yes']").await;
    browser.click("form[action$='/rsvp'] button[type=submit]").await;
    // The answer page names the address (the form's values are not page text); its language
    // is whatever headless Chromium asks for.
    browser.text_with("hanako@example.jp").await;

    let rsvps = app.get(&format!("/api/v1/events/{id}/rsvps")).await.expect(200);
    assert_eq!(rsvps[0]["email"], "hanako@example.jp");
    assert_eq!(rsvps[0]["answers"], json!({"diet": "halal", "topics": ["ai", "career"], "party": true}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn door_staff_scan_with_a_handheld_scanner_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        eprintln!("skipped: chromium-driver is not installed");
        return;
    };
    let app = spawn_app(Engine::Sqlite).await;
    let event =
        app.published_event(json!({"confirmation_required": false, "door_fee": 3000, "max_guests": 2})).await;
    let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
    app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
    let ticket = app.mail.message("hanako@example.jp", "参加確定", 1).await.qr_text();
    let pass = door_pass(&app, id, "受付A").await;

    browser.go(&format!("{}?lang=ja", pass["url"].as_str().unwrap())).await;
    browser.text_with("読み取り待ち").await;
    // A handheld scanner types the code and Enter into the focused field.
    browser.type_into("#code", &format!("{ticket}\u{E007}")).await;
    let green = browser.text_with("ようこそ").await;
    assert!(green.contains("山田 花子") && green.contains("会費") && green.contains("3,000"), "{green}");
    // The door fee, in cash: staff mark it received, and the counts add it up.
    browser.click("#fee-take").await;
    browser.text_with("会費受領済み").await;
    let counts = browser.text_with("入場 1 / 1").await;
    assert!(counts.contains("3,000"), "{counts}");
    browser.type_into("#code", &format!("{ticket}\u{E007}")).await;
    let amber = browser.text_with("受付済み").await;
    assert!(amber.contains("受付A"), "the first check-in's gate: {amber}");
    browser.type_into("#code", "what is this\u{E007}").await;
    browser.text_with("チケットではありません").await;

    // No ticket at hand: staff find the person by the reading, in katakana, and check them in.
    app.submit_form(
        &format!("/e/{slug}/rsvp"),
        &[("name", "佐藤 太郎"), ("name_reading", "さとう たろう"), ("email", "taro@example.jp")],
    )
    .await
    .expect_status(200, "Taro");
    browser.type_into("#search", "サトウ").await;
    browser.text_with("佐藤 太郎 (さとう たろう)").await;
    browser.click("#found button").await;
    let welcome = browser.text_with("ようこそ").await;
    assert!(welcome.contains("佐藤 太郎"), "{welcome}");
    browser.text_with("入場 2 / 2").await;

    // Someone without an RSVP, while seats are free.
    browser.click("details.walk-in summary").await;
    browser.type_into("#walk-name", "飛び入り 一郎").await;
    browser.click("#walk-in button[type=submit]").await;
    let walked_in = browser.text_with("飛び入り 一郎").await;
    assert!(walked_in.contains("ようこそ"), "{walked_in}");
    browser.text_with("入場 3 / 3").await;

    // Another gate lets someone in: this page's counts follow by themselves (pushed live).
    app.rsvp(slug, "鈴木 次郎", "jiro@example.jp", 0).await.expect_status(200, "Jiro");
    let jiro = app.mail.message("jiro@example.jp", "参加確定", 1).await.qr_text();
    let gate_b = door_pass(&app, id, "受付B").await;
    let request = app
        .client
        .post(app.url("/api/v1/door/scans"))
        .header("x-door-pass", gate_b["token"].as_str().unwrap());
    let scanned = request.json(&json!({"code": jiro})).send().await.unwrap();
    assert_eq!(scanned.status(), 200);
    let counts = browser.text_with("入場 4 / 4").await;
    assert!(counts.contains("受付B 1"), "{counts}");

    // A party of three, two of whom arrive first: staff choose 2, then scan the rest later.
    app.rsvp(slug, "大野 家族", "oono@example.jp", 2).await.expect_status(200, "the Oonos");
    let family = app.mail.message("oono@example.jp", "参加確定", 1).await.qr_text();
    browser.click("#people option[value='2']").await;
    browser.type_into("#code", &format!("{family}\u{E007}")).await;
    browser.text_with("大野 家族 (2/3)").await;
    browser.type_into("#code", &format!("{family}\u{E007}")).await;
    browser.text_with("大野 家族 (3/3)").await;
    browser.text_with("入場 7 / 7").await;
}

/// The door when the network drops: the page reloads without the server (its service worker
/// kept it), scans by keyboard are answered from the saved roster (green, amber, red), a search
/// finds people in it, and when the server is back the scans waiting are sent and counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_door_goes_on_offline_and_syncs_when_the_server_is_back() {
    let Some(browser) = Browser::start().await else {
        eprintln!("skipped: chromium-driver is not installed");
        return;
    };
    let mut app = spawn_app(Engine::Sqlite).await;
    let event = app.published_event(json!({"confirmation_required": false})).await;
    let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap().to_owned());
    app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
    app.submit_form(
        &format!("/e/{slug}/rsvp"),
        &[("name", "佐藤 太郎"), ("name_reading", "さとう たろう"), ("email", "taro@example.jp")],
    )
    .await
    .expect_status(200, "Taro");
    let ticket = app.mail.message("hanako@example.jp", "参加確定", 1).await.qr_text();
    let pass = door_pass(&app, &id, "受付A").await;

    browser.go(&format!("{}?lang=ja", pass["url"].as_str().unwrap())).await;
    browser.text_with("オフラインでも使えます（名簿 2人を保存）").await;
    app.stop_server().await;
    browser.refresh().await;
    browser.text_with("読み取り待ち").await;

    // A valid ticket, the same again, and garbage, by keyboard, with no server.
    browser.type_into("#code", &format!("{ticket}\u{E007}")).await;
    let green = browser.text_with("ようこそ").await;
    assert!(green.contains("山田 花子") && green.contains("オフライン"), "{green}");
    browser.text_with("送信待ち 1件").await;
    browser.type_into("#code", &format!("{ticket}\u{E007}")).await;
    browser.text_with("受付済み").await;
    browser.type_into("#code", "what is this\u{E007}").await;
    browser.text_with("チケットではありません").await;
    // Search works from the saved roster, katakana for hiragana.
    browser.type_into("#search", "サトウ").await;
    browser.text_with("佐藤 太郎 (さとう たろう)").await;
    browser.click("#found button").await;
    let taro = browser.text_with("ようこそ").await;
    assert!(taro.contains("佐藤 太郎"), "{taro}");
    browser.text_with("送信待ち 2件").await;

    // The server is back: the two scans are sent and counted once each.
    app.start_server().await;
    browser.text_with("オフライン中の受付 2件を送信しました").await;
    browser.text_with("入場 2 / 2").await;
    let report = app.get(&format!("/api/v1/events/{id}/attendance")).await.expect(200);
    assert_eq!((report["checked_in"].as_i64(), report["expected"].as_i64()), (Some(2), Some(2)));
    assert_eq!(report["gates"], json!([{"gate": "受付A", "checked_in": 2}]));
}

/// A door pass for the event `id`, open from now.
pub(crate) async fn door_pass(app: &crate::helpers::TestApp, id: &str, label: &str) -> Value {
    let now = app.clock_now().to_rfc3339();
    app.post(&format!("/api/v1/events/{id}/door-passes"), json!({"label": label, "valid_from": now}))
        .await
        .expect(201)
}

/// A video of `frame` (640×480 grayscale) as Chromium's fake camera reads it: YUV4MPEG2, 4:2:0,
/// the grayscale as luma and neutral chroma.
fn y4m(frame: &[u8], frames: usize) -> Vec<u8> {
    let mut video = b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n".to_vec();
    for _ in 0..frames {
        video.extend_from_slice(b"FRAME\n");
        video.extend_from_slice(frame);
        video.extend(std::iter::repeat_n(128_u8, 2 * 320 * 240));
    }
    video
}

/// A phone camera in front of a ticket, in a browser without BarcodeDetector (Chromium on
/// Linux): the page sends frames, the server reads the QR code, the door lets the person in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_camera_reads_a_ticket_through_the_server() {
    let app = spawn_app(Engine::Sqlite).await;
    let event = app.published_event(json!({"confirmation_required": false})).await;
    let (slug, id) = (event["slug"].as_str().unwrap(), event["id"].as_str().unwrap());
    app.rsvp(slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "Hanako");
    let ticket = app.mail.message("hanako@example.jp", "参加確定", 1).await.qr_text();
    let video = std::env::temp_dir().join(format!("tsudoi-camera-{}.y4m", uuid::Uuid::now_v7().simple()));
    std::fs::write(&video, y4m(&tsudoi_domain::qr::frame(&ticket, 640, 480).unwrap(), 10)).unwrap();
    let switches = [
        "--use-fake-ui-for-media-stream".to_owned(),
        "--use-fake-device-for-media-stream".to_owned(),
        format!("--use-file-for-fake-video-capture={}", video.display()),
    ];
    let Some(browser) = Browser::start_with(&switches).await else {
        eprintln!("skipped: chromium-driver is not installed");
        return;
    };
    let pass = door_pass(&app, id, "受付A").await;
    browser.go(&format!("{}?lang=ja", pass["url"].as_str().unwrap())).await;
    browser.text_with("読み取り待ち").await;
    browser.click("#camera").await;
    let green = browser.text_with("ようこそ").await;
    assert!(green.contains("山田 花子"), "{green}");
    browser.text_with("入場 1 / 1").await;
    // The ticket stays in front of the camera: it is not sent again.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let still = browser.text_with("ようこそ").await;
    assert!(!still.contains("受付済み"), "{still}");
    std::fs::remove_file(&video).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attendee_answers_the_survey_from_the_emails_one_tap_link_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        eprintln!("skipped: chromium-driver is not installed");
        return;
    };
    let app = spawn_app(Engine::Sqlite).await;
    let people = [("山田 花子", "hanako@example.jp")];
    let id = crate::surveys::held_event(&app, "thanks-2026", &people, &["hanako@example.jp"]).await;
    let survey = format!("/api/v1/events/{id}/survey");
    app.post(&survey, json!({})).await.expect(201);
    app.advance(chrono::Duration::hours(5)).await;
    let mail = app.mail.message("hanako@example.jp", "アンケート", 1).await;
    let one_tap = mail.links(&app.address).into_iter().find(|l| l.ends_with("?satisfaction=5")).unwrap();

    browser.go(&one_tap).await;
    browser.text_with("今回のイベントの満足度").await;
    let five = browser.find("input[name='answers.satisfaction'][value='5']").await;
    let selected = browser.call(reqwest::Method::GET, &format!("/element/{five}/selected"), None).await;
    assert_eq!(selected, json!(true), "the tapped answer is chosen");
    assert_eq!(app.get(&survey).await.expect(200)["responses"], 0, "opening records nothing");
    browser.click("input[name='answers.recommend'][value='9']").await;
    browser.click("input[name='answers.valuable'][value='reunion']").await;
    browser.type_into("textarea[name='answers.comments']", "久しぶりに皆さんに会えて嬉しかったです").await;
    browser.click("form[action$='/answers'] button[type=submit]").await;
    browser.text_with("ご回答ありがとうございました").await;

    let results = app.get(&format!("{survey}/results")).await.expect(200);
    let question = |id: &str| {
        results["questions"].as_array().unwrap().iter().find(|q| q["question"]["id"] == id).unwrap().clone()
    };
    assert_eq!(question("satisfaction")["top_box"], json!({"count": 1, "percent": 100.0}));
    assert_eq!(question("recommend")["nps"], 100);
    assert_eq!(question("valuable")["answers"][2]["count"], 1);
    assert_eq!(question("comments")["texts"][0]["text"], "久しぶりに皆さんに会えて嬉しかったです");
}
