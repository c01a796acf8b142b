//! The dashboard and every other page in a real headless Chromium: an organizer signs in through
//! the emailed link, creates and publishes an event through the form, sees an RSVP arrive,
//! approves it, exports the CSV, makes a door pass and reads the survey results; and axe-core
//! finds no serious or critical accessibility violation on any page of the product. The
//! README's screenshots come from here (`TSUDOI_UPDATE_SCREENSHOTS=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a failed unwrap is a failed test

use serde_json::json;

use crate::{
    helpers::{Engine, TestApp, spawn_app},
    webdriver::Browser,
};

const OWNER: &str = "owner@tokyo.example.jp";

/// Signs the owner in: the form, the emailed link, its button.
async fn sign_in(browser: &Browser, app: &TestApp, email: &str) {
    browser.go(&format!("{}/admin?lang=ja", app.address)).await;
    browser.text_with("ログインリンクを送る").await;
    browser.check_accessibility("the sign-in page").await;
    browser.type_into("#email", email).await;
    browser.click("main form button").await;
    browser.text_with("メールをご確認ください").await;
    let mail = app.mail.message(email, "ログインリンク", 1).await;
    browser.go(&mail.link(&app.address, "/admin/sign-in/")).await;
    browser.text_with("このブラウザで管理画面にログインします").await;
    browser.check_accessibility("the sign-in link's page").await;
    browser.click("main form button").await;
    browser.text_with("ログアウト").await;
}

/// Sets a form field's value as a person picking from the browser's own control would (date
/// pickers and selects differ between platforms; typing into them does not).
async fn set_value(browser: &Browser, css: &str, value: &str) {
    browser
        .execute(
            "const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('change'));",
            json!([css, value]),
        )
        .await;
}

/// The text of the first file ending in `suffix` that appears in `folder` (waits up to 10 s for
/// the download to finish).
async fn downloaded(folder: &std::path::Path, suffix: &str) -> String {
    for _ in 0..200 {
        let found = std::fs::read_dir(folder)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.to_string_lossy().ends_with(suffix));
        if let Some(path) = found {
            return std::fs::read_to_string(path).unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("nothing ending in {suffix} was downloaded into {}", folder.display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organizer_runs_an_event_from_the_dashboard_in_a_real_browser() {
    let downloads = std::env::temp_dir().join(format!("tsudoi-downloads-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&downloads).unwrap();
    let Some(browser) = Browser::start_with_downloads(&[], Some(&downloads)).await else {
        eprintln!("skipped: Chromium and chromedriver are not installed");
        return;
    };
    browser.resize(1280, 900).await;
    let app = spawn_app(Engine::Sqlite).await;
    sign_in(&browser, &app, OWNER).await;
    browser.text_with("これからのイベントはありません").await;
    browser.check_accessibility("the empty events list").await;

    // A new event through the form: a new venue typed in, approval, no email confirmation.
    browser.click("nav.places a[href$='/events/new']").await;
    browser.text_with("下書きとして作成").await;
    browser.check_accessibility("the event form").await;
    browser.screenshot("event-form").await;
    browser.type_into("#title", "Crossing #8 〜越境するキャリア〜").await;
    browser.type_into("#theme", "転職と副業のリアル").await;
    // The form starts a week ahead, 19:00 to 21:00 in the network's zone; that will do.
    set_value(&browser, "#ends_at", "2026-11-09T21:30").await;
    set_value(&browser, "#venue_id", "new").await;
    browser.type_into("#new_venue_name", "渋谷ヒカリエ 8F").await;
    browser.type_into("#new_venue_address", "東京都渋谷区渋谷2-21-1").await;
    browser.click("input[name=rsvp_mode][value=approval]").await;
    browser.click("input[name=confirmation_required]").await;
    browser.click("main form button[type=submit]").await;
    let overview = browser.text_with("公開する").await;
    assert!(
        overview.contains("2026年11月9日(月) 19:00〜21:30") && overview.contains("渋谷ヒカリエ 8F"),
        "{overview}"
    );
    browser.check_accessibility("the event overview").await;

    browser.click("form[action$='/publish'] button").await;
    browser.text_with("公開中").await;
    browser.screenshot("event-overview").await;

    // An RSVP arrives through the public form, and is approved from the table.
    let events = app.get("/api/v1/networks/tokyo/events").await.expect(200);
    let slug = events[0]["slug"].as_str().unwrap().to_owned();
    app.rsvp(&slug, "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "a request");
    browser.click("nav.tabs a[href$='/rsvps']").await;
    let table = browser.text_with("山田 花子").await;
    assert!(table.contains("承認待ち"), "{table}");
    browser.check_accessibility("the RSVP table").await;
    browser.screenshot("rsvps").await;
    browser.click("form input[value=approve] ~ button").await;
    // The row's status, not the filter's option of the same words.
    for _ in 0..100 {
        if browser.source().await.contains(r#"<span class="tag">参加確定</span>"#) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(browser.source().await.contains(r#"<span class="tag">参加確定</span>"#), "approved in the table");
    app.mail.message("hanako@example.jp", "参加承認", 1).await;

    // The CSV, downloaded as a person would (with the browser's own session).
    browser.click("a[href$='rsvps.csv']").await;
    let csv = downloaded(&downloads, ".csv").await;
    assert!(csv.starts_with('\u{feff}') && csv.contains("山田 花子") && csv.contains("参加確定"), "{csv}");

    // An invitation list, chosen in the file picker as a person would, previewed and sent.
    let list = downloads.join("招待リスト.csv");
    std::fs::write(&list, "氏名,メールアドレス\n鈴木 一郎,ichiro@example.jp\n山田 花子,hanako@example.jp\n")
        .unwrap();
    browser.click("nav.tabs a[href$='/invite']").await;
    browser.text_with("まだ招待リストはありません").await;
    browser.type_into("#file", list.to_str().unwrap()).await;
    browser.click("form[enctype] button").await;
    let preview = browser.text_with("1 名に招待を送る").await;
    assert!(preview.contains("申し込み済み") && preview.contains("鈴木 一郎"), "{preview}");
    browser.check_accessibility("the invitation preview").await;
    browser.screenshot("invitations").await;
    browser.type_into("#message", "ぜひお越しください。").await;
    browser.click("form textarea ~ button").await;
    browser.text_with("招待の送信が終わりました").await;
    browser.check_accessibility("the invitations sent").await;
    assert!(app.mail.message("ichiro@example.jp", "ご招待", 1).await.text.contains("ぜひお越しください。"));
    browser.click("main p.muted a[href$='/invite']").await;
    browser.text_with("招待リスト.csv").await;
    browser.check_accessibility("the invitation lists").await;

    // A door pass, with its QR to hand over.
    browser.click("nav.tabs a[href$='/door']").await;
    browser.text_with("入場パスはまだありません").await;
    browser.type_into("#label", "受付 A").await;
    browser.click("form[action$='/door'] button").await;
    let made = browser.text_with("入場パスを発行しました").await;
    let door_link = made.lines().find(|l| l.contains("/door/")).unwrap().trim().to_owned();
    assert!(browser.source().await.contains("<svg"), "the pass's QR code");
    browser.check_accessibility("the door passes").await;
    browser.screenshot("door-pass").await;

    // The survey: made, sent after the event, answered, read.
    browser.click("nav.tabs a[href$='/survey']").await;
    browser.text_with("標準のアンケートを作成").await;
    browser.click("form input[value=create] ~ button").await;
    browser.text_with("まだ回答はありません").await;
    let pass = door_link.rsplit('/').next().unwrap();
    let ticket = app.mail.message("hanako@example.jp", "参加承認", 1).await.qr_text();
    app.clock.advance(chrono::Duration::days(7) + chrono::Duration::hours(10));
    let scanned = crate::door::scan(&app, pass, json!({"code": ticket})).await.expect(200);
    assert_eq!(scanned["result"], "ok", "came in: {scanned}");
    app.clock.advance(chrono::Duration::hours(3));
    browser.click("form input[value=send] ~ button").await;
    browser.text_with("送信済みです").await;
    let link = app.mail.message("hanako@example.jp", "アンケート", 1).await.link(&app.address, "/s/");
    crate::surveys::answer(&app, &link, &[("satisfaction", "5"), ("comments", "とても刺激になりました")])
        .await
        .expect_status(200, "answered");
    browser.refresh().await;
    let results = browser.text_with("とても刺激になりました").await;
    assert!(results.contains("100%"), "{results}");
    browser.check_accessibility("the survey results").await;
    browser.screenshot("survey-results").await;

    browser.go(&format!("{}/admin/n/tokyo?tab=past", app.address)).await;
    browser.text_with("Crossing #8").await;
    browser.check_accessibility("the past events").await;
    browser.screenshot("events").await;

    // Every other page of the dashboard, for axe.
    let events = app.get("/api/v1/networks/tokyo/events?when=all").await.expect(200);
    let id = events[0]["id"].as_str().unwrap().to_owned();
    for (name, path) in [
        ("the edit form", format!("/admin/e/{id}/edit")),
        ("the live board", format!("/admin/e/{id}/board")),
        ("the cancel preview", format!("/admin/e/{id}/cancel")),
        ("the announcement form", format!("/admin/e/{id}/announce")),
        ("the members", "/admin/n/tokyo/members".to_owned()),
        ("the venues and series", "/admin/n/tokyo/places".to_owned()),
        ("the reports", "/admin/n/tokyo/reports".to_owned()),
        ("the undelivered emails", "/admin/n/tokyo/emails".to_owned()),
        ("the audit log", "/admin/n/tokyo/audit".to_owned()),
        ("the account", "/admin/account".to_owned()),
    ] {
        browser.go(&format!("{}{path}", app.address)).await;
        browser.text_with("ログアウト").await;
        browser.check_accessibility(name).await;
    }
    // The public page's preview, in the public page's own dress.
    browser.go(&format!("{}/admin/e/{id}/preview", app.address)).await;
    browser.text_with("プレビュー").await;
    browser.check_accessibility("the public page's preview").await;
    // The board's own script runs under its CSP: it shows its pause button.
    browser.go(&format!("{}/admin/e/{id}/board", app.address)).await;
    browser.text_with("自動更新を止める").await;
    let shown = browser.execute("return !document.getElementById('live-pause').hidden;", json!([])).await;
    assert_eq!(shown, json!(true), "the script ran");
    let _ = std::fs::remove_dir_all(&downloads);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_and_attendee_page_passes_axe_in_a_real_browser() {
    let Some(browser) = Browser::start().await else {
        eprintln!("skipped: Chromium and chromedriver are not installed");
        return;
    };
    let app = spawn_app(Engine::Sqlite).await;
    let venue = app.venue(50).await;
    let event = app
        .published_event(json!({"slug": "crossing-8", "venue_id": venue, "online_url": null, "confirmation_required": false, "description": "## 内容\n\n転職と副業のリアル"}))
        .await;
    let id = event["id"].as_str().unwrap();
    app.rsvp("crossing-8", "山田 花子", "hanako@example.jp", 0).await.expect_status(200, "an RSVP");
    let mail = app.mail.message("hanako@example.jp", "参加確定", 1).await;
    let pass = crate::browser_rsvp::door_pass(&app, id, "受付").await;
    let pages = [
        ("the front page", format!("{}/", app.address)),
        ("a network's page", format!("{}/n/tokyo", app.address)),
        ("an event page", format!("{}/e/crossing-8", app.address)),
        ("the attendee's page", mail.link(&app.address, "/r/")),
        ("a ticket", mail.qr_text()),
        ("the door scanner", pass["url"].as_str().unwrap().to_owned()),
        ("the door roster", format!("{}/roster", pass["url"].as_str().unwrap())),
        ("a page that is not there", format!("{}/e/nothing-here", app.address)),
    ];
    for (name, url) in pages {
        browser.go(&url).await;
        browser.text_with("Tsudoi").await;
        browser.check_accessibility(name).await;
    }
    // The survey page, after the event.
    let came = [("佐藤 太郎", "taro@example.jp")];
    let held = crate::surveys::held_event(&app, "held", &came, &["taro@example.jp"]).await;
    app.post(&format!("/api/v1/events/{held}/survey"), json!({})).await.expect(201);
    app.advance(chrono::Duration::hours(5)).await;
    let survey = app.mail.message("taro@example.jp", "アンケート", 1).await.link(&app.address, "/s/");
    browser.go(&survey).await;
    browser.text_with("満足").await;
    browser.check_accessibility("a survey").await;
}
