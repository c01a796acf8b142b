//! DESIGN invariants 1 and 2 against the real database: random sequences of RSVPs,
//! confirmations, expiries, cancellations, guest changes, seat changes, lottery draws, approvals,
//! declines, offers and moves between slots, on first-come, lottery and approval events, never
//! oversell a slot or the event, and never leave a waiting party that fits behind (the waitlist
//! is served in order), on SQLite and on PostgreSQL.

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
    Draw,
    Approve(usize),
    Reject(usize),
    Offer(usize),
    Move(usize, usize),
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    FirstCome,
    Lottery,
    Approval,
}

fn mode() -> impl Strategy<Value = Mode> {
    prop_oneof![Just(Mode::FirstCome), Just(Mode::Lottery), Just(Mode::Approval)]
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
        1 => Just(Op::Draw),
        2 => (0usize..40).prop_map(Op::Approve),
        1 => (0usize..40).prop_map(Op::Reject),
        1 => (0usize..40).prop_map(Op::Offer),
        1 => (0usize..40, 0usize..2).prop_map(|(i, slot)| Op::Move(i, slot)),
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

/// An organizer's request that may be refused, but only with a clear 409 (or 200).
fn decided(reply: &crate::helpers::Reply, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        matches!(reply.status.as_u16(), 200 | 409),
        "{what} answered {}: {}",
        reply.status,
        reply.text
    );
    Ok(())
}

async fn run_case(app: &TestApp, links: &Links, mode: Mode, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut fields = json!({
        "seats": 5, "max_guests": 2, "hold_minutes": 30,
        "slots": [{"name": "OB/OG", "seats": 3}, {"name": "現役", "seats": 3}],
    });
    match mode {
        Mode::FirstCome => {}
        Mode::Lottery => {
            fields["rsvp_mode"] = json!("lottery");
            fields["lottery_draw_at"] = json!((app.clock_now() + chrono::Duration::days(20)).to_rfc3339());
        }
        Mode::Approval => fields["rsvp_mode"] = json!("approval"),
    }
    let created = app.published_event(fields).await;
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
    let mut ids: Vec<String> = Vec::new();
    let mut seats = 5i64;
    for (n, op) in ops.into_iter().enumerate() {
        let now = app.clock_now();
        let token = |i: usize| tokens.get(i % tokens.len().max(1)).cloned();
        let rsvp_path = |i: usize, action: &str| {
            ids.get(i % ids.len().max(1)).map(|rsvp| format!("/api/v1/rsvps/{rsvp}/{action}"))
        };
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
                    ids.push(done.rsvp.id.uuid().to_string());
                }
            }
            Op::Confirm(i)
            | Op::Cancel(i)
            | Op::Guests(i, _)
            | Op::Erase(i)
            | Op::Approve(i)
            | Op::Reject(i)
            | Op::Offer(i)
            | Op::Move(i, _)
                if tokens.is_empty() =>
            {
                let _ = i;
            }
            Op::Draw => {
                let reply = app.post(&format!("/api/v1/events/{id}/lottery/draw"), json!({})).await;
                decided(&reply, "a draw")?;
            }
            Op::Approve(i) | Op::Offer(i) => {
                let action = if matches!(op, Op::Approve(_)) { "approve" } else { "offer" };
                let reply = app.post(&rsvp_path(i, action).unwrap(), json!({})).await;
                decided(&reply, action)?;
            }
            Op::Reject(i) => {
                let reply = app.post(&rsvp_path(i, "reject").unwrap(), json!({"note": "次回ぜひ"})).await;
                decided(&reply, "a decline")?;
            }
            Op::Move(i, slot) => {
                let body = json!({"slot_id": slots[slot].uuid().to_string()});
                let reply = app.post(&rsvp_path(i, "move").unwrap(), body).await;
                decided(&reply, "a move")?;
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
    let result = runner.run(&(mode(), proptest::collection::vec(op(), 1..40)), |(mode, ops)| {
        tokio::task::block_in_place(|| handle.block_on(run_case(&app, &links, mode, ops)))
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
