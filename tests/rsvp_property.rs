//! DESIGN invariants 1 and 2 against the real database: random sequences of RSVPs,
//! confirmations, expiries, cancellations, guest changes and seat changes never oversell a slot
//! or the event, and never leave a waiting party that fits behind (the waitlist is served in
//! order), on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use tsudoi_domain::{
    capacity::{Seats, SlotSeats},
    entity::{event, event_slot, rsvp as rsvp_row},
    ids::{EventId, SlotId},
    links::{Keyring, Links},
    rsvp::{self, Action, Form, Policy, RsvpStatus},
};

use crate::helpers::{Engine, TestApp, try_spawn_app};

#[derive(Clone, Debug)]
enum Op {
    Rsvp { slot: usize, guests: i64 },
    Confirm(usize),
    Cancel(usize),
    Guests(usize, i64),
    Erase(usize),
    Expire,
    Seats(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..2, 0i64..3).prop_map(|(slot, guests)| Op::Rsvp { slot, guests }),
        3 => (0usize..40).prop_map(Op::Confirm),
        2 => (0usize..40).prop_map(Op::Cancel),
        1 => (0usize..40, 0i64..3).prop_map(|(i, g)| Op::Guests(i, g)),
        1 => (0usize..40).prop_map(Op::Erase),
        1 => Just(Op::Expire),
        1 => (-3i64..4).prop_map(Op::Seats),
    ]
}

/// Checks both invariants on the database as it is now.
async fn check(app: &TestApp, event_id: EventId) -> Result<(), TestCaseError> {
    let db = app.db.reader();
    let event = event::Entity::find_by_id(event_id).one(db).await.unwrap().unwrap();
    let slots =
        event_slot::Entity::find().filter(event_slot::Column::EventId.eq(event_id)).all(db).await.unwrap();
    let rows = rsvp_row::Entity::find()
        .filter(rsvp_row::Column::EventId.eq(event_id))
        .order_by_asc(rsvp_row::Column::QueuedAt)
        .order_by_asc(rsvp_row::Column::Id)
        .all(db)
        .await
        .unwrap();
    let mut seats = Seats {
        event_seats: event.seats,
        slots: slots.iter().map(|s| (s.id, SlotSeats { seats: s.seats, taken: 0 })).collect(),
    };
    for r in rows.iter().filter(|r| r.status.takes_seats()) {
        seats.slots.get_mut(&r.slot_id).unwrap().taken += r.party();
    }
    prop_assert!(seats.taken() <= event.seats, "event oversold: {} > {}", seats.taken(), event.seats);
    for s in seats.slots.values() {
        prop_assert!(s.taken <= s.seats, "slot oversold: {} > {}", s.taken, s.seats);
    }
    for waiting in rows.iter().filter(|r| r.status == RsvpStatus::Waitlisted && r.verified) {
        prop_assert!(
            !seats.fits(waiting.slot_id, waiting.party()),
            "a waiting party that fits was left behind"
        );
    }
    Ok(())
}

async fn run_case(app: &TestApp, links: &Links, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let created = app
        .published_event(json!({
            "seats": 5, "max_guests": 2, "hold_minutes": 30,
            "slots": [{"name": "OB/OG", "seats": 3}, {"name": "現役", "seats": 3}],
        }))
        .await;
    let (slug, id) = (created["slug"].as_str().unwrap(), created["id"].as_str().unwrap());
    let event_id = EventId(id.parse().unwrap());
    let slots: Vec<SlotId> = created["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| SlotId(s["id"].as_str().unwrap().parse().unwrap()))
        .collect();
    let policy = Policy::default();
    let mut tokens: Vec<String> = Vec::new();
    let mut seats = 5i64;
    for (n, op) in ops.into_iter().enumerate() {
        let now = app.clock_now();
        let token = |i: usize| tokens.get(i % tokens.len().max(1)).cloned();
        match op {
            Op::Rsvp { slot, guests } => {
                let form = Form {
                    name: format!("参加者 {n}"),
                    email: format!("p{n}@example.jp"),
                    slot: Some(slots[slot]),
                    guests,
                    ..Form::default()
                };
                if let Ok(done) = rsvp::submit(app.db.writer(), slug, form, now).await {
                    tokens.push(links.manage_token(&done.rsvp));
                }
            }
            Op::Confirm(i) | Op::Cancel(i) | Op::Guests(i, _) | Op::Erase(i) if tokens.is_empty() => {
                let _ = i;
            }
            Op::Confirm(i) => {
                let _ = rsvp::act(
                    app.db.writer(),
                    &links.keyring,
                    &token(i).unwrap(),
                    Action::Confirm,
                    &policy,
                    now,
                )
                .await;
            }
            Op::Cancel(i) => {
                let _ = rsvp::act(
                    app.db.writer(),
                    &links.keyring,
                    &token(i).unwrap(),
                    Action::Cancel,
                    &policy,
                    now,
                )
                .await;
            }
            Op::Guests(i, g) => {
                let action = Action::SetGuests(g);
                let _ = rsvp::act(app.db.writer(), &links.keyring, &token(i).unwrap(), action, &policy, now)
                    .await;
            }
            Op::Erase(i) => {
                let _ = rsvp::act(
                    app.db.writer(),
                    &links.keyring,
                    &token(i).unwrap(),
                    Action::Erase,
                    &policy,
                    now,
                )
                .await;
            }
            Op::Expire => {
                app.clock.advance(chrono::Duration::minutes(31));
                rsvp::expire_due(app.db.writer(), app.db.reader(), &policy, app.clock_now()).await.unwrap();
            }
            Op::Seats(delta) => {
                // A slot may not have more seats than the event: the event keeps at least three.
                let wanted = (seats + delta).clamp(3, 6);
                let reply = app.patch(&format!("/api/v1/events/{id}"), json!({"seats": wanted})).await;
                match reply.status.as_u16() {
                    200 => seats = wanted,
                    409 => prop_assert_eq!(reply.code(), "seats_below_taken"),
                    other => prop_assert!(false, "changing seats answered {other}: {}", reply.text),
                }
            }
        }
        check(app, event_id).await?;
    }
    Ok(())
}

fn property_on(engine: Engine) {
    let handle = tokio::runtime::Handle::current();
    let Some(app) = tokio::task::block_in_place(|| handle.block_on(try_spawn_app(engine))) else {
        eprintln!("skipped: set TSUDOI_TEST_POSTGRES_URL to run on PostgreSQL");
        return;
    };
    let secret =
        tsudoi_domain::settings::SecretKey::parse(app.config.secret_key.as_ref().unwrap().expose()).unwrap();
    let links = Links::new(Keyring::new(&secret, &[]), &app.address);
    let mut runner = TestRunner::new(Config { cases: 32, failure_persistence: None, ..Config::default() });
    let result = runner.run(&proptest::collection::vec(op(), 1..40), |ops| {
        tokio::task::block_in_place(|| handle.block_on(run_case(&app, &links, ops)))
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_rsvp_sequences_never_oversell_nor_skip_the_queue_sqlite() {
    property_on(Engine::Sqlite);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_rsvp_sequences_never_oversell_nor_skip_the_queue_postgres() {
    property_on(Engine::Postgres);
}
