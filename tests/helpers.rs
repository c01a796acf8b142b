//! `spawn_app()` and typed request helpers.
//!
//! Every test runs on SQLite. It also runs on PostgreSQL when `TSUDOI_TEST_POSTGRES_URL` points
//! at a server (a fresh database per test, dropped afterwards); with
//! `TSUDOI_TEST_REQUIRE_POSTGRES=1` a missing PostgreSQL fails the test instead of skipping it.

use std::{path::PathBuf, sync::Arc};

use chrono::{DateTime, TimeZone, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tsudoi::{Application, Config, config::Secret};
use tsudoi_domain::{
    access::Role,
    clock::ManualClock,
    db::Db,
    network::{self, NewNetwork},
    token,
};
use uuid::Uuid;

use crate::mailbox::Mailbox;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The time every test starts at: a Monday morning in Tokyo.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).single().expect("valid time")
}

pub struct TestApp {
    pub engine: Engine,
    /// `http://127.0.0.1:PORT`
    pub address: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub db: Db,
    pub config: Config,
    /// An owner token for the network `tokyo`.
    pub token: String,
    pub network: String,
    /// The SMTP server the app sends to.
    pub mail: Mailbox,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _database: TestDatabase,
}

/// Where a test's database lives, removed when the test ends.
enum TestDatabase {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    async fn create(engine: Engine) -> Option<(TestDatabase, String)> {
        let name = format!("tsudoi_test_{}", Uuid::now_v7().simple());
        match engine {
            Engine::Sqlite => {
                let dir = std::env::temp_dir().join("tsudoi-tests");
                std::fs::create_dir_all(&dir).expect("temp dir");
                let path = dir.join(format!("{name}.db"));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                Some((TestDatabase::Sqlite(path), url))
            }
            Engine::Postgres => {
                let admin_url = postgres_url()?;
                let admin =
                    Database::connect(&admin_url).await.expect("connecting to TSUDOI_TEST_POSTGRES_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("creating a test database");
                admin.close().await.ok();
                let url = replace_database(&admin_url, &name);
                Some((TestDatabase::Postgres { admin_url, name }, url))
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            TestDatabase::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs inside the test's runtime; a thread with its own runtime can block.
                let _ = std::thread::spawn(move || {
                    let runtime =
                        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    runtime.block_on(async {
                        if let Ok(admin) = Database::connect(&admin_url).await {
                            let _ = admin
                                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .await;
                            let _ = admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// The PostgreSQL server to test against, if any; panics when it is required but missing.
pub fn postgres_url() -> Option<String> {
    match std::env::var("TSUDOI_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("TSUDOI_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") => {
            panic!("TSUDOI_TEST_REQUIRE_POSTGRES=1 but TSUDOI_TEST_POSTGRES_URL is not set")
        }
        _ => None,
    }
}

/// `postgres://user@host:5432/test` with the database name replaced.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

pub fn test_config(database_url: String) -> Config {
    Config {
        database_url,
        listen: "127.0.0.1:0".into(),
        secret_key: Some(Secret::new("test-secret-key-that-is-long-enough-32")),
        outbox_dir: std::env::temp_dir().join("tsudoi-tests").join("outbox"),
        db_connections: 4,
        // Tests move the clock, then wait a moment for the scheduler and the worker to notice.
        scheduler_ms: 20,
        mail_poll_ms: 20,
        mail_from: Some("集い Tsudoi <tsudoi@tsudoi.example.jp>".into()),
        // Every request comes from 127.0.0.1; the rate-limit test turns the limits back on.
        rsvp_limit_per_ip: 0,
        rsvp_limit_per_email: 0,
        ..Config::default()
    }
}

/// Server logs only when asked: `TEST_LOG=1 cargo test`.
fn init_logging() {
    if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug,sqlx=warn,sea_orm=info,hyper=info"))
            .with_test_writer()
            .try_init();
    }
}

/// Starts Tsudoi on `engine`, or `None` when PostgreSQL is asked for but not configured.
pub async fn try_spawn_app(engine: Engine) -> Option<TestApp> {
    try_spawn_app_with(engine, |_| {}).await
}

/// Like `try_spawn_app`, with the configuration adjusted by `configure` first.
pub async fn try_spawn_app_with(engine: Engine, configure: impl FnOnce(&mut Config)) -> Option<TestApp> {
    init_logging();
    let (database, url) = TestDatabase::create(engine).await?;
    let mail = Mailbox::start().await;
    let mut config = test_config(url);
    config.smtp_url = Some(Secret::new(mail.url()));
    configure(&mut config);
    let clock = ManualClock::new(start_time());
    let app = Application::build(&config, Arc::new(clock.clone())).await.expect("building the application");
    let address = format!("http://{}", app.addr());
    let db = app.db().clone();

    let now = start_time();
    let tokyo = network::create(
        db.writer(),
        NewNetwork {
            slug: "tokyo",
            name: "東京アルムナイ",
            default_language: Some("ja"),
            time_zone: Some("Asia/Tokyo"),
        },
        now,
    )
    .await
    .expect("creating the test network");
    let owner = network::add_member(
        db.writer(),
        None,
        tokyo.id,
        "owner@tokyo.example.jp",
        Some("オーナー 花子"),
        Role::Owner,
        now,
    )
    .await
    .expect("adding the owner");
    let token =
        token::issue(db.writer(), owner.person.id, None, "tests", now).await.expect("token").plaintext;

    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        app.run_until_stopped(async {
            let _ = rx.await;
        })
        .await
        .expect("server ran");
    });
    Some(TestApp {
        engine,
        address,
        client: reqwest::Client::new(),
        clock,
        db,
        config,
        token,
        network: "tokyo".into(),
        mail,
        shutdown: Some(tx),
        server: Some(server),
        _database: database,
    })
}

pub async fn spawn_app(engine: Engine) -> TestApp {
    try_spawn_app(engine).await.expect("the engine is available")
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
    }
}

/// A response with its status and JSON body (or `Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The `code` of a problem document.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// The field names of a problem document's `errors`.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        self.body
    }

    #[track_caller]
    pub fn expect_status(&self, status: u16, why: &str) {
        assert_eq!(self.status.as_u16(), status, "{why}; body: {}", self.text);
    }

    /// Asserts an RFC 9457 problem with this status and code.
    #[track_caller]
    pub fn expect_problem(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.text);
        let content_type = self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert_eq!(content_type, "application/problem+json", "problem content type; body: {}", self.text);
        assert_eq!(self.code(), code, "problem code; body: {}", self.text);
        assert_eq!(self.body["status"], status, "status inside the problem");
        assert!(self.body["type"].as_str().is_some_and(|t| t.ends_with(code)), "type names the code");
    }
}

impl TestApp {
    /// Stops the server as a SIGTERM would; its database stays.
    pub async fn stop_server(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("the server stopped cleanly");
        }
    }

    /// Starts the server again, at the same address and on the same database.
    pub async fn start_server(&mut self) {
        let mut config = self.config.clone();
        config.listen = self.address.trim_start_matches("http://").to_owned();
        let app = Application::build(&config, Arc::new(self.clock.clone()))
            .await
            .expect("restarting the application");
        self.db = app.db().clone();
        let (tx, rx) = oneshot::channel::<()>();
        self.server = Some(tokio::spawn(async move {
            app.run_until_stopped(async {
                let _ = rx.await;
            })
            .await
            .expect("server ran");
        }));
        self.shutdown = Some(tx);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<&Value>) -> Reply {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        reply(request.send().await.expect("request sent")).await
    }

    /// A request with a raw body and content type (for malformed input).
    pub async fn send_raw(&self, method: Method, path: &str, content_type: &str, body: &str) -> Reply {
        let request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.token)
            .header("content-type", content_type)
            .body(body.to_owned());
        reply(request.send().await.expect("request sent")).await
    }

    /// Uploads a file (its bytes as they are) as `token`.
    pub async fn upload_as(&self, token: &str, path: &str, content_type: &str, bytes: Vec<u8>) -> Reply {
        let request = self
            .client
            .post(self.url(path))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(bytes);
        reply(request.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, Some(&self.token), None).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.send(Method::GET, path, Some(token), None).await
    }

    pub async fn get_public(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(&self.token), Some(&body)).await
    }

    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> Reply {
        self.send(Method::POST, path, Some(token), Some(&body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(&self.token), Some(&body)).await
    }

    pub async fn patch_as(&self, token: &str, path: &str, body: Value) -> Reply {
        self.send(Method::PATCH, path, Some(token), Some(&body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(Method::DELETE, path, Some(&self.token), None).await
    }

    /// Creates a network with an owner, returning the owner's token.
    pub async fn other_network(&self, slug: &str) -> String {
        let now = self.clock_now();
        let created = network::create(
            self.db.writer(),
            NewNetwork {
                slug,
                name: &format!("{slug} alumni"),
                default_language: Some("en"),
                time_zone: Some("Europe/Berlin"),
            },
            now,
        )
        .await
        .expect("network");
        let owner = network::add_member(
            self.db.writer(),
            None,
            created.id,
            &format!("{slug}@example.jp"),
            None,
            Role::Owner,
            now,
        )
        .await
        .expect("owner");
        token::issue(self.db.writer(), owner.person.id, None, "other", now).await.expect("token").plaintext
    }

    /// Makes the `tokyo` owner a member of another network, through that network's owner.
    pub async fn join(&self, owner_token: &str, network: &str, role: &str) {
        self.post_as(
            owner_token,
            &format!("/api/v1/networks/{network}/members"),
            json!({"email": "owner@tokyo.example.jp", "role": role}),
        )
        .await
        .expect(201);
    }

    /// Adds a member of `tokyo` with `role` through the API and returns a token for them.
    pub async fn member_token(&self, email: &str, role: &str) -> String {
        let member = self
            .post(
                &format!("/api/v1/networks/{}/members", self.network),
                json!({"email": email, "role": role}),
            )
            .await
            .expect(201);
        let person_id: Uuid = member["person_id"].as_str().and_then(|s| s.parse().ok()).expect("person id");
        token::issue(self.db.writer(), person_id.into(), None, "member", self.clock_now())
            .await
            .expect("token")
            .plaintext
    }

    pub fn clock_now(&self) -> DateTime<Utc> {
        use tsudoi_domain::clock::Clock;
        self.clock.now()
    }

    /// Creates a venue in `tokyo` and returns its id.
    pub async fn venue(&self, capacity: i64) -> String {
        let venue = self
            .post(
                &format!("/api/v1/networks/{}/venues", self.network),
                json!({"name": "渋谷ヒカリエ", "address": "東京都渋谷区渋谷2-21-1", "room_capacity": capacity}),
            )
            .await
            .expect(201);
        venue["id"].as_str().expect("id").to_owned()
    }

    /// Creates an event in `tokyo` from `fields` over sensible defaults; returns its JSON.
    pub async fn event(&self, fields: Value) -> Value {
        let reply = self.create_event(fields).await;
        reply.expect(201)
    }

    pub async fn create_event(&self, fields: Value) -> Reply {
        self.create_event_as(&self.token, &self.network, fields).await
    }

    /// Creates an event in `network` as `token`, from `fields` over the same defaults.
    pub async fn create_event_as(&self, token: &str, network: &str, fields: Value) -> Reply {
        let mut body = json!({
            "title": "Crossing",
            "starts_at": "2026-12-10T19:00:00+09:00",
            "ends_at": "2026-12-10T21:30:00+09:00",
            "seats": 40,
            "online_url": "https://meet.example.jp/crossing",
        });
        if let (Some(base), Some(extra)) = (body.as_object_mut(), fields.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        self.post_as(token, &format!("/api/v1/networks/{network}/events"), body).await
    }
}

/// Attendee-facing helpers: the RSVP form, buttons on pages, seats.
impl TestApp {
    /// Creates and publishes an event in `tokyo`; returns its JSON.
    pub async fn published_event(&self, fields: Value) -> Value {
        let event = self.event(fields).await;
        let id = event["id"].as_str().expect("id");
        self.post(&format!("/api/v1/events/{id}/publish"), json!({})).await.expect(200)
    }

    /// Posts a browser form (urlencoded) to a page, following the redirect that answers it.
    pub async fn submit_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(fields).finish();
        let request = self
            .client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept-language", "ja")
            .body(body);
        reply(request.send().await.expect("request sent")).await
    }

    /// RSVPs for the event `slug` as `name` <`email`> with `guests`, through the form.
    pub async fn rsvp(&self, slug: &str, name: &str, email: &str, guests: u32) -> Reply {
        let guests = guests.to_string();
        self.submit_form(&format!("/e/{slug}/rsvp"), &[("name", name), ("email", email), ("guests", &guests)])
            .await
    }

    /// A page as a browser gets it (HTML), by absolute URL or path.
    pub async fn page(&self, url_or_path: &str) -> Reply {
        let url =
            if url_or_path.starts_with("http") { url_or_path.to_owned() } else { self.url(url_or_path) };
        reply(self.client.get(url).header("accept-language", "ja").send().await.expect("request sent")).await
    }

    /// Presses a button on the attendee's page: `action` is `confirm`, `cancel`, `accept`, ...
    pub async fn press(&self, manage_url: &str, action: &str, fields: &[(&str, &str)]) -> Reply {
        let path = manage_url.strip_prefix(&self.address).unwrap_or(manage_url);
        self.submit_form(&format!("{path}/{action}"), fields).await
    }

    /// Seats taken (holding, confirmed, offered; with guests) and waitlisted parties, by status.
    pub async fn rsvp_counts(&self, event_id: &str) -> std::collections::BTreeMap<String, i64> {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use tsudoi_domain::entity::rsvp;
        let id: Uuid = event_id.parse().expect("event id");
        let rows = rsvp::Entity::find()
            .filter(rsvp::Column::EventId.eq(tsudoi_domain::ids::EventId(id)))
            .all(self.db.reader())
            .await
            .expect("rsvps");
        let mut counts = std::collections::BTreeMap::new();
        for r in rows {
            *counts.entry(format!("{:?}", r.status).to_lowercase()).or_insert(0) += i64::from(r.party());
        }
        counts
    }

    /// Moves the clock, then gives the scheduler a moment to run.
    pub async fn advance(&self, by: chrono::Duration) {
        self.clock.advance(by);
        tokio::time::sleep(std::time::Duration::from_millis(120)).await;
    }
}

/// A response read whole, as the helpers above answer.
pub async fn reply_of(response: reqwest::Response) -> Reply {
    reply(response).await
}

async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

/// Runs a test body on SQLite and, when configured, on PostgreSQL.
#[macro_export]
macro_rules! e2e {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run($crate::helpers::spawn_app($crate::helpers::Engine::Sqlite).await).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::helpers::try_spawn_app($crate::helpers::Engine::Postgres).await {
                    Some(app) => run(app).await,
                    None => eprintln!("skipped: set TSUDOI_TEST_POSTGRES_URL to run on PostgreSQL"),
                }
            }
        }
    )*};
}
