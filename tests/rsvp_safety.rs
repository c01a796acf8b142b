//! The attendee's path under stress and abuse: bad input gets a clear page, floods are
//! limited, concurrency never oversells, mail survives a dead SMTP server, and no link in any
//! email changes anything when opened (DESIGN invariant 5).

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::{
    e2e,
    helpers::{Engine, TestApp, try_spawn_app_with},
};

fn slug_and_id(event: &serde_json::Value) -> (String, String) {
    (event["slug"].as_str().unwrap().to_owned(), event["id"].as_str().unwrap().to_owned())
}

/// Every row of every table, as text, for comparing before and after.
async fn snapshot(app: &TestApp) -> BTreeMap<String, Vec<String>> {
    let db = app.db.writer();
    let backend = db.get_database_backend();
    let tables_sql = match app.engine {
        Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
        Engine::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        }
    };
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, tables_sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "name").unwrap())
        .collect();
    let mut snapshot = BTreeMap::new();
    for table in tables {
        let sql = match app.engine {
            Engine::Sqlite => format!("SELECT * FROM \"{table}\""),
            Engine::Postgres => format!("SELECT row_to_json(t)::text AS row FROM \"{table}\" t"),
        };
        let rows = db.query_all_raw(Statement::from_string(backend, sql)).await.unwrap();
        let mut rendered: Vec<String> = rows
            .iter()
            .map(|row| match app.engine {
                Engine::Postgres => row.try_get::<String>("", "row").unwrap(),
                Engine::Sqlite => format!("{row:?}"),
            })
            .collect();
        rendered.sort();
        snapshot.insert(table, rendered);
    }
    snapshot
}

e2e! {
    async fn opening_every_link_of_every_email_changes_nothing(app: TestApp) {
        // Produce every kind of email an attendee can get.
        let soon = app
            .published_event(json!({
                "seats": 1, "max_guests": 1,
                "starts_at": "2026-11-03T12:00:00Z", "ends_at": "2026-11-03T14:00:00Z",
            }))
            .await;
        let (slug, id) = slug_and_id(&soon);
        app.rsvp(&slug, "Aoi", "aoi@example.jp", 0).await.expect_status(200, "Aoi holds");
        app.rsvp(&slug, "Ben", "ben@example.jp", 1).await.expect_status(200, "Ben on the waitlist");
        let aoi = app.mail.message("aoi@example.jp", "確定してください", 1).await.link(&app.address, "/r/");
        app.press(&aoi, "confirm", &[]).await.expect_status(200, "confirmed");
        let ben = app.mail.message("ben@example.jp", "キャンセル待ち", 1).await.link(&app.address, "/r/");
        app.press(&ben, "confirm", &[]).await.expect_status(200, "Ben's place confirmed");
        app.patch(&format!("/api/v1/events/{id}"), json!({"title": "Crossing #9"})).await.expect(200);
        app.advance(chrono::Duration::hours(13)).await; // within a day of the start
        app.mail.message("aoi@example.jp", "リマインド", 1).await;
        app.press(&aoi, "cancel", &[]).await.expect_status(200, "Aoi cancels");
        app.mail.message("ben@example.jp", "", 3).await; // the offer
        let later = app.published_event(json!({"seats": 1, "confirmation_required": false})).await;
        let (later_slug, later_id) = slug_and_id(&later);
        app.rsvp(&later_slug, "Chika", "chika@example.jp", 0).await.expect_status(200, "Chika");
        app.rsvp(&later_slug, "Dai", "dai@example.jp", 0).await.expect_status(200, "Dai waits");
        let chika = app.mail.message("chika@example.jp", "参加確定", 1).await.link(&app.address, "/r/");
        app.press(&chika, "cancel", &[]).await.expect_status(200, "Chika cancels");
        app.mail.message("dai@example.jp", "繰り上げ", 1).await;
        app.post(&format!("/api/v1/events/{later_id}/cancel"), json!({})).await.expect(200);
        app.mail.message("dai@example.jp", "中止", 1).await;
        // And after an event, the survey with its one-tap answers.
        let salon = app
            .published_event(json!({
                "slug": "salon", "confirmation_required": false,
                "starts_at": "2026-11-03T10:00:00Z", "ends_at": "2026-11-03T12:00:00Z",
            }))
            .await;
        app.rsvp("salon", "Eri", "eri@example.jp", 0).await.expect_status(200, "Eri");
        let survey = format!("/api/v1/events/{}/survey", salon["id"].as_str().unwrap());
        app.post(&survey, json!({})).await.expect(201);
        app.patch(&survey, json!({"audience": "confirmed", "send_delay_minutes": 0})).await.expect(200);
        app.advance(chrono::Duration::days(1)).await;
        app.mail.message("eri@example.jp", "アンケート", 1).await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;

        let mails = app.mail.all();
        let mut links: Vec<String> = mails.iter().flat_map(|m| m.links(&app.address)).collect();
        links.sort();
        links.dedup();
        assert!(links.iter().any(|l| l.contains("/r/")) && links.iter().any(|l| l.contains("/t/")));
        assert!(links.iter().any(|l| l.contains("/s/") && l.ends_with("=5")), "a one-tap survey answer");
        let before = snapshot(&app).await;
        for link in &links {
            for step in ["", "/cancel", "/erase", "/confirm", "/accept"] {
                if step.is_empty() || link.contains("/r/") {
                    let opened = app.page(&format!("{link}{step}")).await;
                    assert!(opened.status.as_u16() < 500, "{link}{step}: {}", opened.status);
                }
            }
        }
        let after = snapshot(&app).await;
        assert_eq!(before, after, "opening {} links changed the database", links.len());
    }

    async fn bad_rsvps_get_clear_answers_and_never_a_500(app: TestApp) {
        let event = app
            .published_event(json!({"seats": 2, "max_guests": 1, "waitlist_enabled": false, "confirmation_required": false}))
            .await;
        let (slug, id) = slug_and_id(&event);
        let path = format!("/e/{slug}/rsvp");
        let invalid = app.submit_form(&path, &[("name", "Aoi"), ("email", "not-an-email")]).await;
        invalid.expect_status(422, "a bad email");
        assert!(invalid.text.contains("メールアドレスの形式が正しくありません"));
        assert!(invalid.text.contains(r#"value="Aoi""#), "what was typed stays in the form");
        let guests = app.submit_form(&path, &[("name", "Aoi"), ("email", "aoi@example.jp"), ("guests", "5")]).await;
        guests.expect_status(422, "too many guests");
        assert!(guests.text.contains("人数が多すぎます"));
        let junk = app.submit_form(&path, &[("name", "Aoi"), ("email", "aoi@example.jp"), ("guests", "lots")]).await;
        junk.expect_status(422, "guests that are not a number");
        let slot = app
            .submit_form(&path, &[("name", "Aoi"), ("email", "aoi@example.jp"), ("slot", "0193a1b2-0000-7000-8000-000000000000")])
            .await;
        slot.expect_status(422, "an unknown slot");
        let empty = app.submit_form(&path, &[]).await;
        empty.expect_status(422, "nothing typed");
        let garbage = app.submit_form(&path, &[("name", "\u{0}\u{7}"), ("email", "a@b.jp")]).await;
        garbage.expect_status(422, "control characters");
        app.page("/e/no-such-event").await.expect_status(404, "unknown event");
        app.submit_form("/e/no-such-event/rsvp", &[("name", "A")]).await.expect_status(404, "unknown event");

        app.rsvp(&slug, "Aoi", "aoi@example.jp", 1).await.expect_status(200, "fills the event");
        let full = app.rsvp(&slug, "Ben", "ben@example.jp", 0).await;
        full.expect_status(409, "full, no waitlist");
        assert!(full.text.contains("満席"), "{}", full.text);
        assert_eq!(app.rsvp_counts(&id).await.get("confirmed"), Some(&2), "nothing oversold");

        for token in ["", "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "../../etc/passwd", "%00"] {
            let page = app.page(&format!("/r/{token}")).await;
            assert!(matches!(page.status.as_u16(), 404), "/r/{token}: {}", page.status);
            let pressed = app.submit_form(&format!("/r/{token}/cancel"), &[]).await;
            assert!(matches!(pressed.status.as_u16(), 404 | 405), "/r/{token}/cancel: {}", pressed.status);
            assert!(app.page(&format!("/t/{token}")).await.status.as_u16() == 404);
        }
        let aoi = app.mail.message("aoi@example.jp", "参加確定", 1).await.link(&app.address, "/r/");
        let mut tampered = aoi.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        let page = app.page(&tampered).await;
        page.expect_status(404, "a tampered link");
        assert!(page.text.contains("ページが見つかりません"), "a friendly page");
        let guests = app.press(&aoi, "guests", &[("guests", "9")]).await;
        guests.expect_status(422, "more guests than allowed");
        app.press(&aoi, "dance", &[]).await.expect_status(404, "an unknown button");
        // Pressing twice (a double-submitted form) changes nothing the second time.
        app.press(&aoi, "cancel", &[]).await.expect_status(200, "cancelled");
        app.press(&aoi, "cancel", &[]).await.expect_status(200, "still cancelled");
        assert_eq!(app.mail.wait_for(1, |m| m.subject.contains("キャンセル")).await.len(), 1);

        let closed = app
            .published_event(json!({"rsvp_deadline": "2026-11-01T00:00:00Z"}))
            .await;
        let closed = app.rsvp(closed["slug"].as_str().unwrap(), "Aoi", "aoi@example.jp", 0).await;
        closed.expect_status(409, "past the deadline");
        assert!(closed.text.contains("受付は終了しました"));

        // Not open yet, for an event in Berlin: the page says when, in the event's time zone.
        let early = app
            .published_event(json!({"time_zone": "Europe/Berlin", "rsvp_opens_at": "2026-11-10T09:00:00Z"}))
            .await;
        let early_slug = early["slug"].as_str().unwrap();
        assert!(app.page(&format!("/e/{early_slug}")).await.text.contains("11月10日(火) 10:00 CET"), "the page says when");
        let early = app.rsvp(early_slug, "Aoi", "aoi@example.jp", 0).await;
        early.expect_status(409, "not open yet");
        assert!(early.text.contains("参加登録は 11月10日(火) 10:00 CET から受け付けます"), "{}", early.text);
    }

    async fn an_attendee_changes_guests_appears_in_the_list_and_erases_their_data(app: TestApp) {
        let event = app.published_event(json!({"seats": 3, "max_guests": 2, "confirmation_required": false})).await;
        let (slug, id) = slug_and_id(&event);
        app.submit_form(
            &format!("/e/{slug}/rsvp"),
            &[("name", "山田 花子"), ("email", "hanako@example.jp"), ("show_in_list", "1")],
        )
        .await
        .expect_status(200, "RSVP");
        assert!(app.page(&format!("/e/{slug}")).await.text.contains("山田 花子"), "listed by choice");
        let own = app.mail.message("hanako@example.jp", "参加確定", 1).await.link(&app.address, "/r/");
        app.press(&own, "guests", &[("guests", "2")]).await.expect_status(200, "two guests");
        assert_eq!(app.rsvp_counts(&id).await.get("confirmed"), Some(&3));
        app.rsvp(&slug, "Ben", "ben@example.jp", 0).await.expect_status(200, "Ben waits");
        app.press(&own, "guests", &[("guests", "1")]).await.expect_status(200, "one guest fewer");
        app.mail.message("ben@example.jp", "繰り上げ", 1).await;
        app.press(&own, "list", &[("show", "0")]).await.expect_status(200, "hidden");
        assert!(!app.page(&format!("/e/{slug}")).await.text.contains("山田 花子"), "no longer listed");

        app.page(&format!("{own}/erase")).await.expect_status(200, "the erase step");
        let erased = app.press(&own, "erase", &[]).await;
        erased.expect_status(200, "erased");
        app.page(&own).await.expect_status(404, "the link no longer opens");
        assert_eq!(app.rsvp_counts(&id).await.get("confirmed"), Some(&3), "the seats stay counted");
        let (name, email): (String, Option<String>) = {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            use tsudoi_domain::entity::rsvp;
            let r = rsvp::Entity::find()
                .filter(rsvp::Column::ErasedAt.is_not_null())
                .one(app.db.reader())
                .await
                .unwrap()
                .unwrap();
            (r.name, r.email)
        };
        assert_eq!((name.as_str(), email), ("", None), "the person is gone");
    }

    async fn two_hundred_simultaneous_rsvps_take_exactly_ten_seats(app: TestApp) {
        let event = app.published_event(json!({"seats": 10, "confirmation_required": false})).await;
        let (slug, id) = slug_and_id(&event);
        let app = std::sync::Arc::new(app);
        let tasks: Vec<_> = (0..200)
            .map(|n| {
                let (app, slug) = (app.clone(), slug.clone());
                tokio::spawn(async move { app.rsvp(&slug, &format!("参加者{n}"), &format!("p{n}@example.jp"), 0).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().expect_status(200, "every RSVP gets an answer");
        }
        let counts = app.rsvp_counts(&id).await;
        assert_eq!(counts.get("confirmed"), Some(&10), "{counts:?}");
        assert_eq!(counts.get("waitlisted"), Some(&190), "{counts:?}");
        app.mail.wait_for(200, |_| true).await;
    }
}

/// A dead SMTP server loses nothing: messages wait, show in the API with their error, and all
/// arrive, once each, after it returns.
async fn mail_waits_out_a_dead_smtp_server(engine: Engine) {
    let Some(app) = try_spawn_app_with(engine, |_| {}).await else { return };
    let event = app.published_event(json!({"confirmation_required": false})).await;
    let (slug, _) = slug_and_id(&event);
    app.mail.stop();
    for who in ["aoi", "ben", "chika"] {
        app.rsvp(&slug, who, &format!("{who}@example.jp"), 0).await.expect_status(200, who);
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let failed = app.get("/api/v1/networks/tokyo/outbox/failed").await.expect(200);
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 3, "{failed:?}");
    assert!(
        failed
            .iter()
            .all(|m| m["status"] == "pending" && m["last_error"].as_str().is_some_and(|e| !e.is_empty()))
    );

    app.mail.restart().await;
    // One retry by hand, the rest after their backoff.
    let id = failed[0]["id"].as_str().unwrap();
    app.post(&format!("/api/v1/outbox/{id}/retry"), json!({})).await.expect(200);
    app.mail.wait_for(1, |_| true).await;
    app.advance(chrono::Duration::minutes(2)).await;
    let mails = app.mail.wait_for(3, |_| true).await;
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let all = app.mail.all();
    assert_eq!(all.len(), 3, "each once: {:?}", all.iter().map(|m| &m.to).collect::<Vec<_>>());
    assert!(mails.iter().all(|m| m.qr_png.is_some()));
    assert!(app.get("/api/v1/networks/tokyo/outbox/failed").await.expect(200).as_array().unwrap().is_empty());
    app.post("/api/v1/outbox/0193a1b2-0000-7000-8000-000000000000/retry", json!({}))
        .await
        .expect_problem(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_waits_out_a_dead_smtp_server_sqlite() {
    mail_waits_out_a_dead_smtp_server(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_waits_out_a_dead_smtp_server_postgres() {
    mail_waits_out_a_dead_smtp_server(Engine::Postgres).await;
}

/// Bots flooding the form meet the limits, per address and per email.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_is_rate_limited_per_address_and_per_email() {
    let app = try_spawn_app_with(Engine::Sqlite, |c| {
        c.rsvp_limit_per_ip = 24;
        c.rsvp_limit_per_email = 4;
    })
    .await
    .unwrap();
    let (slug, _) = slug_and_id(&app.published_event(json!({})).await);
    app.rsvp(&slug, "Aoi", "not-an-email", 0).await.expect_status(422, "a typo spends no email budget");
    for n in 0..3 {
        app.rsvp(&slug, "Aoi", "aoi@example.jp", 0)
            .await
            .expect_status(200, &format!("try {n}: within the burst"));
    }
    let flood = app.rsvp(&slug, "Aoi", "aoi@example.jp", 0).await;
    flood.expect_status(429, "the email's burst of three is spent");
    assert!(flood.text.contains("しばらくお待ちください"));
    app.rsvp(&slug, "Ben", "ben@example.jp", 0)
        .await
        .expect_status(200, "another email, the address's sixth");
    app.rsvp(&slug, "Chika", "chika@example.jp", 0)
        .await
        .expect_status(429, "the address's burst of six is spent");
}

/// Two instances on one PostgreSQL database, RSVPs split across both: no oversell, every email
/// delivered once, and both instances' workers did some of the sending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_share_one_database_without_oversell_or_double_sends() {
    let Some(app) =
        try_spawn_app_with(Engine::Postgres, |c| c.mail_from = Some("Tsudoi A <a@tsudoi.example.jp>".into()))
            .await
    else {
        eprintln!("skipped: set TSUDOI_TEST_POSTGRES_URL to run on PostgreSQL");
        return;
    };
    let mut config = app.config.clone();
    config.mail_from = Some("Tsudoi B <b@tsudoi.example.jp>".into());
    let second = tsudoi::Application::build(&config, std::sync::Arc::new(app.clock.clone())).await.unwrap();
    let other = format!("http://{}", second.addr());
    let server = tokio::spawn(second.run_until_stopped(std::future::pending()));

    let event = app.published_event(json!({"seats": 20, "confirmation_required": false})).await;
    let (slug, id) = slug_and_id(&event);
    let app = std::sync::Arc::new(app);
    let tasks: Vec<_> = (0..120)
        .map(|n| {
            let (app, slug, other) = (app.clone(), slug.clone(), other.clone());
            tokio::spawn(async move {
                let body = format!("name=P{n}&email=p{n}%40example.jp");
                let base = if n % 2 == 0 { app.address.clone() } else { other };
                app.client
                    .post(format!("{base}/e/{slug}/rsvp"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let counts = app.rsvp_counts(&id).await;
    assert_eq!((counts.get("confirmed"), counts.get("waitlisted")), (Some(&20), Some(&100)), "{counts:?}");
    app.mail.wait_for(120, |_| true).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let mails = app.mail.all();
    let mut ids: Vec<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!((mails.len(), ids.len()), (120, 120), "every email once");
    let by_a = mails.iter().filter(|m| m.from == "a@tsudoi.example.jp").count();
    assert!(by_a > 0 && by_a < 120, "both workers sent some: A sent {by_a} of 120");
    server.abort();
}

e2e! {
    async fn one_batch_answers_each_form_as_if_it_came_alone(app: TestApp) {
        use tsudoi_domain::rsvp::{Form, RsvpStatus, submit_many};
        let event = app.published_event(json!({"seats": 2, "confirmation_required": false})).await;
        let (slug, id) = slug_and_id(&event);
        let form = |name: &str, email: &str, guests: i64| {
            (slug.clone(), Form { name: name.into(), email: email.into(), guests, ..Form::default() })
        };
        let answers = submit_many(
            app.db.writer(),
            vec![
                form("Aoi", "aoi@example.jp", 0),
                form("Aoi again", "AOI@example.jp", 0),
                form("Ben", "not an email", 0),
                ("no-such-event".into(), Form { name: "X".into(), email: "x@example.jp".into(), ..Form::default() }),
                form("Chika", "chika@example.jp", 0),
                form("Dai", "dai@example.jp", 0),
            ],
            app.clock_now(),
        )
        .await;
        assert_eq!(answers.len(), 6);
        let aoi = answers[0].as_ref().unwrap();
        assert_eq!((aoi.rsvp.status, aoi.again), (RsvpStatus::Confirmed, false));
        let again = answers[1].as_ref().unwrap();
        assert_eq!((again.rsvp.id, again.again), (aoi.rsvp.id, true), "the same address in one batch is one RSVP");
        assert!(matches!(answers[2], Err(tsudoi_domain::Error::Invalid(_))));
        assert!(matches!(answers[3], Err(tsudoi_domain::Error::NotFound(_))));
        assert_eq!(answers[4].as_ref().unwrap().rsvp.status, RsvpStatus::Confirmed, "the last seat");
        assert_eq!(answers[5].as_ref().unwrap().rsvp.status, RsvpStatus::Waitlisted, "then the queue");
        assert_ne!(answers[0].as_ref().unwrap().rsvp.short_code, answers[4].as_ref().unwrap().rsvp.short_code);
        let counts = app.rsvp_counts(&id).await;
        assert_eq!((counts.get("confirmed"), counts.get("waitlisted")), (Some(&2), Some(&1)), "{counts:?}");
        // Aoi's ticket, Aoi's resend, Chika's ticket, Dai's waitlist email.
        app.mail.wait_for(4, |_| true).await;
    }
}

/// With a DKIM key configured, every email is signed for the configured domain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emails_are_signed_when_dkim_is_configured() {
    let key = std::env::temp_dir().join(format!("tsudoi-dkim-{}.key", uuid::Uuid::now_v7().simple()));
    std::fs::write(&key, "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=").unwrap();
    let app = try_spawn_app_with(Engine::Sqlite, |c| {
        c.dkim_domain = Some("tsudoi.example.jp".into());
        c.dkim_selector = Some("mail2026".into());
        c.dkim_key_file = Some(key.clone());
    })
    .await
    .unwrap();
    let (slug, _) = slug_and_id(&app.published_event(json!({})).await);
    app.rsvp(&slug, "Aoi", "aoi@example.jp", 0).await.expect_status(200, "RSVP");
    let mail = app.mail.message("aoi@example.jp", "", 1).await;
    let signature = mail.dkim.expect("a DKIM-Signature header").replace(['\r', '\n', ' ', '\t'], "");
    assert!(signature.contains("d=tsudoi.example.jp;") && signature.contains("s=mail2026;"), "{signature}");
    std::fs::remove_file(key).ok();
}
