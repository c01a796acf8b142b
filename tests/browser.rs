//! Pages in a real headless Chromium (Debian's `chromium`). Without it these tests skip, unless
//! `TSUDOI_TEST_REQUIRE_BROWSER=1` makes a missing browser a failure (as in CI).

use std::{path::PathBuf, process::Command};

use super::*;

fn chromium() -> Option<PathBuf> {
    let candidates = [
        std::env::var("TSUDOI_CHROMIUM").unwrap_or_default(),
        "/usr/bin/chromium".into(),
        "/usr/bin/chromium-browser".into(),
    ];
    let found = candidates.into_iter().filter(|c| !c.is_empty()).map(PathBuf::from).find(|p| p.exists());
    if found.is_none() && std::env::var("TSUDOI_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("TSUDOI_TEST_REQUIRE_BROWSER=1 but Chromium is not installed (apt-get install chromium)");
    }
    found
}

/// The page's DOM after its scripts ran, as Chromium sees it.
fn rendered_dom(browser: &PathBuf, url: &str) -> String {
    let profile = std::env::temp_dir().join(format!("tsudoi-chromium-{}", uuid::Uuid::now_v7().simple()));
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            &format!("--user-data-dir={}", profile.display()),
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ])
        .output()
        .expect("running chromium");
    let _ = std::fs::remove_dir_all(&profile);
    assert!(output.status.success(), "chromium failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn swagger_ui_lists_every_operation_in_a_real_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed");
        return;
    };
    let app = helpers::spawn_app(helpers::Engine::Sqlite).await;
    let spec = app.get_public("/api/openapi.json").await.expect(200);
    let mut operations: Vec<String> = spec["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|methods| methods.as_object().into_iter().flat_map(|m| m.values()))
        .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
        .collect();
    operations.sort();
    assert!(operations.len() >= 30, "{operations:?}");

    let url = app.url("/api/docs/");
    let dom = tokio::task::spawn_blocking(move || rendered_dom(&browser, &url)).await.expect("browser ran");
    // Swagger UI renders one block per operation, with the id `operations-{tag}-{operationId}`.
    let mut shown: Vec<String> = dom
        .split("id=\"operations-")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|id| !id.starts_with("tag-"))
        .filter_map(|id| id.split_once('-').map(|(_tag, op)| op.to_owned()))
        .collect();
    shown.sort();
    assert_eq!(shown, operations, "Swagger UI shows each operation once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_event_page_renders_in_a_real_browser() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: Chromium is not installed");
        return;
    };
    let app = helpers::spawn_app(helpers::Engine::Sqlite).await;
    let venue = app.venue(60).await;
    let event = app
        .event(serde_json::json!({
            "slug": "crossing-8", "title": "Crossing #8", "venue_id": venue, "online_url": null,
            "description": "## 概要\n\n**ようこそ**<img src=x onerror=\"document.title='pwned'\">"
        }))
        .await;
    app.post(&format!("/api/v1/events/{}/publish", event["id"].as_str().expect("id")), serde_json::json!({}))
        .await
        .expect(200);

    let url = app.url("/e/crossing-8?lang=ja");
    let dom = tokio::task::spawn_blocking(move || rendered_dom(&browser, &url)).await.expect("browser ran");
    assert!(dom.contains("<title>Crossing #8 · Tsudoi</title>"), "the page's own title, not an injected one");
    assert!(dom.contains("2026年12月10日(木) 19:00〜21:30 JST"));
    assert!(dom.contains("<h2>概要</h2>") && dom.contains("<strong>ようこそ</strong>"));
    assert!(!dom.contains("<img"), "no element came from the description's HTML");
}
