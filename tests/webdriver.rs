//! A small WebDriver client for the browser tests: Debian's `chromium` and `chromium-driver`,
//! headless, driven over HTTP. `Browser::start` gives `None` without them, unless
//! `TSUDOI_TEST_REQUIRE_BROWSER=1` (as in CI) makes that a failure.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support: a failed unwrap is a failed test

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub(crate) struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
    profile: PathBuf,
}

impl Browser {
    pub(crate) async fn start() -> Option<Browser> {
        Self::start_with(&[]).await
    }

    /// Starts Chromium with more command-line switches (a fake camera, say).
    pub(crate) async fn start_with(switches: &[String]) -> Option<Browser> {
        Self::start_with_downloads(switches, None).await
    }

    /// Starts Chromium saving downloads (a CSV export) into `downloads`.
    pub(crate) async fn start_with_downloads(
        switches: &[String],
        downloads: Option<&std::path::Path>,
    ) -> Option<Browser> {
        let driver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists());
        let Some(driver) = driver else {
            if std::env::var("TSUDOI_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
                panic!(
                    "TSUDOI_TEST_REQUIRE_BROWSER=1 but chromedriver is not installed (apt-get install chromium-driver)"
                );
            }
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("tsudoi-webdriver-{}", uuid::Uuid::now_v7().simple()));
        let mut args: Vec<String> =
            ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=ja"]
                .map(String::from)
                .to_vec();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.extend_from_slice(switches);
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": args,
                "prefs": downloads.map_or_else(|| json!({}), |dir| json!({
                    "download.default_directory": dir.display().to_string(),
                    "download.prompt_for_download": false,
                })),
            },
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&capabilities)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        Some(Browser { driver: child, base, session, http, profile })
    }

    pub(crate) async fn try_call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply: Value = request.send().await.unwrap().json().await.unwrap();
        if reply["value"]["error"].is_null() { Ok(reply["value"].clone()) } else { Err(reply) }
    }

    pub(crate) async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        self.try_call(method, path, body).await.unwrap_or_else(|reply| panic!("WebDriver {path}: {reply}"))
    }

    pub(crate) async fn go(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({"url": url}))).await;
    }

    pub(crate) async fn refresh(&self) {
        self.call(reqwest::Method::POST, "/refresh", Some(json!({}))).await;
    }

    pub(crate) async fn find(&self, css: &str) -> String {
        let found = self
            .call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css})))
            .await;
        found[ELEMENT].as_str().unwrap().to_owned()
    }

    pub(crate) async fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/value"), Some(json!({"text": text})))
            .await;
    }

    pub(crate) async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/click"), Some(json!({}))).await;
    }

    /// The visible text of the page once it contains `needle` (a click may still be loading
    /// the next page), or panics after five seconds with what it shows.
    pub(crate) async fn text_with(&self, needle: &str) -> String {
        let mut seen = String::new();
        for _ in 0..100 {
            let body = self
                .try_call(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({"using": "css selector", "value": "body"})),
                )
                .await;
            if let Ok(body) = body {
                let path = format!("/element/{}/text", body[ELEMENT].as_str().unwrap_or_default());
                if let Ok(text) = self.try_call(reqwest::Method::GET, &path, None).await {
                    seen = text.as_str().unwrap_or_default().to_owned();
                    if seen.contains(needle) {
                        return seen;
                    }
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page never showed {needle:?}; it shows:\n{seen}")
    }

    /// Runs `script` in the page (its `arguments` are `args`) and returns what it returns.
    pub(crate) async fn execute(&self, script: &str, args: Value) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": args}))).await
    }

    /// The window's size, as a laptop or a phone would have it.
    pub(crate) async fn resize(&self, width: u32, height: u32) {
        self.call(reqwest::Method::POST, "/window/rect", Some(json!({"width": width, "height": height})))
            .await;
    }

    /// Saves what the window shows as `{name}.png`: always under the system's temporary folder,
    /// and into `docs/screenshots/` (the README's pictures) with `TSUDOI_UPDATE_SCREENSHOTS=1`.
    pub(crate) async fn screenshot(&self, name: &str) {
        let shot = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = data_encoding::BASE64.decode(shot.as_str().unwrap().as_bytes()).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let mut folders = vec![std::env::temp_dir().join("tsudoi-screenshots")];
        if std::env::var("TSUDOI_UPDATE_SCREENSHOTS").is_ok_and(|v| v == "1") {
            folders.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots"));
        }
        for folder in folders {
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::write(folder.join(format!("{name}.png")), &png).unwrap();
        }
    }

    /// Runs axe-core (from npm, installed under `tests/axe` by `.ci/run`) on the page and fails
    /// on any serious or critical violation, naming the rule and the elements. Without axe-core
    /// installed this is a failure under `TSUDOI_TEST_REQUIRE_BROWSER=1`, else a note.
    pub(crate) async fn check_accessibility(&self, page: &str) {
        let Some(axe) = axe_source() else { return };
        self.execute(axe, json!([])).await;
        let found = self
            .call(
                reqwest::Method::POST,
                "/execute/async",
                Some(json!({
                    "script": "const done = arguments[arguments.length - 1];
                        axe.run(document, { resultTypes: ['violations'] })
                            .then(r => done(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help,
                                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))))
                            .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));",
                    "args": [],
                })),
            )
            .await;
        let serious: Vec<&Value> = found
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(
            serious.is_empty(),
            "accessibility of {page}: {}",
            serde_json::to_string_pretty(&serious).unwrap()
        );
    }

    pub(crate) async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", None).await.as_str().unwrap().to_owned()
    }
}

impl Drop for Browser {
    /// Ends the session (so chromedriver closes Chromium, even after a failed assertion), then
    /// stops chromedriver. Drop cannot await: a plain blocking HTTP request does it.
    fn drop(&mut self) {
        use std::io::{Read, Write};
        let host = self.base.trim_start_matches("http://").to_owned();
        if let Ok(mut stream) = std::net::TcpStream::connect(&host) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let request = format!(
                "DELETE /session/{} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.session
            );
            let _ = stream.write_all(request.as_bytes());
            let _ = stream.read_to_end(&mut Vec::new());
        }
        let _ = self.driver.kill();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// axe-core's script, read once; `None` (with a note) when it is not installed.
fn axe_source() -> Option<&'static str> {
    static AXE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    AXE.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("axe/node_modules/axe-core/axe.min.js");
        match std::fs::read_to_string(&path) {
            Ok(source) => Some(source),
            Err(_) if std::env::var("TSUDOI_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") => {
                panic!(
                    "TSUDOI_TEST_REQUIRE_BROWSER=1 but axe-core is not installed (npm ci --prefix tests/axe)"
                )
            }
            Err(_) => {
                eprintln!("accessibility not checked: run `npm ci --prefix tests/axe` to install axe-core");
                None
            }
        }
    })
    .as_deref()
}
