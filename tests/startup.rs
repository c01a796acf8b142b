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
