//! Starting up: migrations under a lock, the shared secret key, graceful shutdown.

use std::sync::Arc;

use tsudoi::Application;
use tsudoi_domain::{clock::ManualClock, settings::stored_secret_key};

use super::*;
use helpers::{Engine, spawn_app, test_config};

e2e! {
    async fn instances_starting_together_agree_on_one_secret_key(app: TestApp) {
        let (first, created) = stored_secret_key(app.db.writer()).await.expect("key");
        let (second, created_again) = stored_secret_key(app.db.writer()).await.expect("key");
        assert_eq!(first.bytes(), second.bytes());
        assert!(!(created && created_again), "made once at most");
        let _ = app.engine;
    }

    async fn a_second_instance_on_the_same_database_starts_and_serves(app: TestApp) {
        let second = Application::build(&app.config, Arc::new(ManualClock::new(helpers::start_time()))).await.expect("second instance");
        let address = format!("http://{}", second.addr());
        let handle = tokio::spawn(second.run_until_stopped(std::future::pending()));
        let me = app.client.get(format!("{address}/api/v1/me")).bearer_auth(&app.token).send().await.expect("sent");
        assert_eq!(me.status(), 200);
        handle.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_instances_migrating_one_fresh_postgres_database_at_once_all_start() {
    let Some(admin_url) = helpers::postgres_url() else {
        eprintln!("skipped: set TSUDOI_TEST_POSTGRES_URL to run on PostgreSQL");
        return;
    };
    // spawn_app made (and migrated) one database; take a fresh one for the race.
    let name = format!("tsudoi_race_{}", uuid::Uuid::now_v7().simple());
    let admin = sea_orm::Database::connect(&admin_url).await.expect("admin");
    sea_orm::ConnectionTrait::execute_unprepared(&admin, &format!("CREATE DATABASE {name}"))
        .await
        .expect("create");
    let config = test_config(helpers::replace_database(&admin_url, &name));
    let clock = ManualClock::new(helpers::start_time());
    let starts = (0..4).map(|_| Application::build(&config, Arc::new(clock.clone())));
    let apps = futures::future::join_all(starts).await;
    for app in &apps {
        assert!(app.is_ok(), "an instance failed to start: {:?}", app.as_ref().err());
    }
    drop(apps);
    sea_orm::ConnectionTrait::execute_unprepared(&admin, &format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .expect("drop");
}

#[tokio::test]
async fn the_server_stops_gracefully_when_asked() {
    let app = spawn_app(Engine::Sqlite).await;
    app.get("/api/v1/me").await.expect(200);
    let address = app.address.clone();
    drop(app);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(reqwest::get(format!("{address}/healthz")).await.is_err(), "still answering after shutdown");
}

/// `tsudoi serve --tls-cert --tls-key` speaks HTTPS itself (phones need it for the camera).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_certificate_the_server_speaks_https() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio_rustls::{
        TlsConnector,
        rustls::{ClientConfig, RootCertStore, crypto::ring::default_provider, pki_types::ServerName},
    };

    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    let dir = std::env::temp_dir().join(format!("tsudoi-tls-{}", uuid::Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (cert_path, key_path) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_path, key.cert.pem()).expect("cert");
    std::fs::write(&key_path, key.signing_key.serialize_pem()).expect("key");

    let database = dir.join("tsudoi.db");
    let config = tsudoi::Config {
        tls_cert: Some(cert_path),
        tls_key: Some(key_path),
        ..test_config(format!("sqlite://{}?mode=rwc", database.display()))
    };
    let app = Application::build(&config, Arc::new(ManualClock::new(helpers::start_time())))
        .await
        .expect("https server");
    assert!(app.base_url().starts_with("https://"), "{}", app.base_url());
    let addr = app.addr();
    let server = tokio::spawn(app.run_until_stopped(std::future::pending()));

    let mut roots = RootCertStore::empty();
    roots.add(key.cert.der().clone()).expect("root");
    let client = ClientConfig::builder_with_provider(Arc::new(default_provider()))
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut tls = TlsConnector::from(Arc::new(client))
        .connect(ServerName::try_from("localhost").expect("name"), tcp)
        .await
        .expect("TLS handshake");
    tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .expect("write");
    let mut answer = String::new();
    tls.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.to_lowercase().contains("strict-transport-security"), "{answer}");

    // A client speaking plain HTTP to the HTTPS port gets nowhere, and the server carries on.
    let mut plain = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let _ = plain.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").await;
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), plain.read_to_end(&mut buf)).await;
    assert!(!String::from_utf8_lossy(&buf).contains("200 OK"));

    server.abort();
    let _ = std::fs::remove_dir_all(&dir);
}
