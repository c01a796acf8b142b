use chrono::Duration;
use sea_orm::{ConnectionTrait, QueryTrait, Statement};
use tsudoi_migration::{Migrator, MigratorTrait};

use super::*;
use crate::{
    access::{Actor, Role},
    checkin::{AtDoor, FirstCheckIn, NewPass, ScanResult, admit::Target, passes},
    db::{Db, PoolSizes},
    entity::door_pass,
    event::{
        draft::{self, EventDraft, SlotDraft},
        edit,
    },
    network::{self, NewNetwork},
    rsvp::{Form, submit_many},
};

/// The door's deciding update looks a batch's parties up by id, also on a database without
/// statistics (such as one fresh from a big import): walking the RSVPs by status instead made
/// every batch of a door storm read all of an event's RSVPs.
#[tokio::test]
async fn the_admission_finds_parties_by_id() {
    let db = Db::connect("sqlite::memory:", &PoolSizes::default()).await.unwrap();
    Migrator::up(db.writer(), None).await.unwrap();
    let admitted: Vec<_> = (0..4).map(|_| (RsvpId::new(), 1)).collect();
    let update = admission(&admitted, Utc::now(), DbBackend::Sqlite).build(DbBackend::Sqlite);
    let explain = Statement::from_sql_and_values(
        DbBackend::Sqlite,
        format!("EXPLAIN QUERY PLAN {}", update.sql),
        update.values.map(|values| values.0).unwrap_or_default(),
    );
    let plan: Vec<String> = db
        .writer()
        .query_all_raw(explain)
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "detail").unwrap())
        .collect();
    assert!(plan.iter().any(|step| step.starts_with("SEARCH rsvps") && step.contains("(id=?)")), "{plan:?}");
    assert!(!plan.iter().any(|step| step.contains("status")), "{plan:?}");
}

/// On PostgreSQL a door batch locks its parties, and an RSVP's change locks its event, each
/// `FOR NO KEY UPDATE`: a check-in's insert then waits for neither (its foreign keys take
/// key-share locks), so the two cannot wait for each other.
#[test]
fn the_locks_a_batch_takes_and_meets_leave_references_free() {
    let parties = lock_parties(&[RsvpId::new()]).build(DbBackend::Postgres).sql;
    let event = crate::event::locked(crate::entity::event::Entity::find_by_id(EventId::new()));
    let event = event.build(DbBackend::Postgres).sql;
    for sql in [parties, event] {
        assert!(sql.ends_with("FOR NO KEY UPDATE"), "{sql}");
    }
}

/// The door's thread binds each read's keys in the order the shared builders put them in.
#[test]
fn the_threads_reads_take_their_keys_in_order() {
    let (party, event, nonce) = (RsvpId::new(), EventId::new(), "n1".to_owned());
    fn values(sql: &str, query: impl QueryTrait) -> Vec<sea_orm::Value> {
        let built = query.build(DbBackend::Sqlite);
        assert_eq!(built.sql, sql);
        built.values.map(|v| v.0).unwrap_or_default()
    }
    assert_eq!(values(&SQLITE.party, select_parties(&[party])), vec![party.into()]);
    assert_eq!(values(&SQLITE.standing, select_standing(&[party])), vec![party.into()]);
    assert_eq!(values(&SQLITE.slots, Fees::query([event])), vec![event.into()]);
    let retried = select_retried([event], [nonce.clone()]);
    assert_eq!(values(&SQLITE.retried, retried), vec![event.into(), nonce.into()]);
}

/// The door's SQLite thread and the sea-orm path answer the same batch alike and leave the
/// same rows behind, byte for byte: one is checked against the other on two copies of one
/// database, with a request of every kind.
#[tokio::test]
async fn the_sqlite_thread_and_sea_orm_agree() {
    let dir = std::env::temp_dir().join(format!("tsudoi-door-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.db"), dir.join("b.db"));
    let now = Utc::now();
    let (requests, events) = {
        let db =
            Db::connect(&format!("sqlite://{}?mode=rwc", a.display()), &PoolSizes::default()).await.unwrap();
        Migrator::up(db.writer(), None).await.unwrap();
        let fixture = Fixture::make(&db, now).await;
        let requests = fixture.requests(now);
        // Parties in already, by a scan whose nonce comes again below.
        let early = Request {
            nonce: Some("early".into()),
            scanned_at: now - Duration::minutes(5),
            ..requests[0].clone()
        };
        let early = Request { target: Target::Found(fixture.rsvps[3]), ..early };
        assert!(redeem_many(db.writer(), vec![early], now - Duration::minutes(5)).await[0].is_ok());
        db.writer().execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.unwrap();
        db.close().await;
        (requests, fixture.events)
    };
    std::fs::copy(&a, &b).unwrap();

    let db = Db::connect(&format!("sqlite://{}", a.display()), &PoolSizes::default()).await.unwrap();
    let through_sea_orm = redeem_many(db.writer(), requests.clone(), now).await;
    db.close().await;
    let mut connection = crate::db::direct::open(&b).unwrap();
    let on_the_thread = redeem_here(&mut connection, &requests, now);

    let seen = |answers: &[Result<Outcome>]| answers.iter().map(Seen::of).collect::<Vec<_>>();
    assert_eq!(seen(&through_sea_orm), seen(&on_the_thread));
    // Every kind of answer came up.
    let results: Vec<_> = through_sea_orm.iter().filter_map(|a| a.as_ref().ok().map(|o| o.result)).collect();
    for kind in [
        ScanResult::Ok,
        ScanResult::Already,
        ScanResult::Revoked,
        ScanResult::WrongEvent,
        ScanResult::Cancelled,
        ScanResult::Waitlisted,
        ScanResult::DoorClosed,
    ] {
        assert!(results.contains(&kind), "no {kind:?} in {results:?}");
    }
    assert!(through_sea_orm.iter().any(|a| matches!(a, Err(Error::NotFound(_)))));
    assert!(through_sea_orm.iter().any(|o| o.as_ref().is_ok_and(|o| o.fee.is_some())));
    assert_eq!(rows(&connection), rows(&crate::db::direct::open(&a).unwrap()));
    assert!(rows(&connection).len() > events.len() * 2, "{:?}", rows(&connection));
    drop(connection);
    std::fs::remove_dir_all(&dir).ok();
}

/// An answer as a scanner sees it (a check-in's id is made afresh by each path).
#[derive(Debug, PartialEq)]
enum Seen {
    Outcome(
        ScanResult,
        Option<(String, i32, i32, Option<String>)>,
        bool,
        Option<(i64, bool)>,
        Option<String>,
    ),
    Error(String),
}

impl Seen {
    fn of(answer: &Result<Outcome>) -> Seen {
        match answer {
            Ok(o) => Seen::Outcome(
                o.result,
                o.attendee.as_ref().map(|a: &AtDoor| (a.name.clone(), a.party, a.checked_in, a.slot.clone())),
                o.check_in.is_some(),
                o.fee.as_ref().map(|f| (f.amount, f.paid)),
                o.first.as_ref().map(|f: &FirstCheckIn| format!("{} {}", f.at.to_rfc3339(), f.gate)),
            ),
            Err(err) => Seen::Error(err.to_string()),
        }
    }
}

/// The rows a batch writes, as stored.
fn rows(connection: &rusqlite::Connection) -> Vec<String> {
    let mut rows = Vec::new();
    for sql in [
        "SELECT hex(id) || ' ' || checked_in || ' ' || updated_at FROM rsvps ORDER BY id",
        "SELECT hex(event_id) || ' ' || hex(rsvp_id) || ' ' || hex(pass_id) || ' ' || gate || ' ' || people || ' ' \
         || coalesce(nonce, '-') || ' ' || scanned_at || ' ' || recorded_at || ' ' || coalesce(undone_at, '-') \
         FROM check_ins ORDER BY rsvp_id, scanned_at, people, nonce",
    ] {
        let mut statement = connection.prepare(sql).unwrap();
        rows.extend(statement.query_map([], |row| row.get::<_, String>(0)).unwrap().map(Result::unwrap));
    }
    rows
}

/// Two events, the first with two slots (one with its own door fee) and parties of every
/// standing, the second with one party; a pass for the first.
struct Fixture {
    events: Vec<crate::ids::EventId>,
    rsvps: Vec<RsvpId>,
    other: RsvpId,
    pass: door_pass::Model,
}

impl Fixture {
    async fn make(db: &Db, now: DateTime<Utc>) -> Fixture {
        let writer = db.writer();
        let new = NewNetwork { slug: "door", name: "Door", default_language: Some("ja"), time_zone: None };
        let net = network::create(writer, new, now).await.unwrap();
        let owner =
            network::add_member(writer, None, net.id, "o@example.jp", None, Role::Owner, now).await.unwrap();
        let actor = Actor {
            person_id: owner.person.id,
            token_id: None,
            restricted_to: None,
            memberships: vec![(net.id, Role::Owner)],
        };
        let mut events = Vec::new();
        let mut rsvps = Vec::new();
        for (title, slots) in [("受付", 2), ("別の会", 1)] {
            let draft = EventDraft {
                slug: None,
                title: title.into(),
                starts_at: now + Duration::hours(1),
                ends_at: now + Duration::hours(3),
                online_url: Some("https://meet.example.jp/door".into()),
                seats: 50,
                slots: (0..slots)
                    .map(|n| SlotDraft {
                        id: None,
                        name: format!("枠{n}"),
                        seats: 25,
                        door_fee: (n == 1).then_some(500),
                    })
                    .collect(),
                confirmation_required: false,
                max_guests: 2,
                door_fee: Some(3000),
                ..draft::tests::sample()
            };
            let event = edit::create(writer, &actor, net.id, draft, now).await.unwrap();
            edit::publish(writer, &actor, event.event.id, now).await.unwrap();
            let forms = (0..if slots == 2 { 8 } else { 1 })
                .map(|n: usize| {
                    let form = Form {
                        name: format!("参加者{n}"),
                        email: format!("p{n}@example.jp"),
                        guests: i64::try_from(n % 3).unwrap(),
                        slot: Some(event.slots[n % event.slots.len()].id),
                        ..Form::default()
                    };
                    (event.event.slug.clone(), form)
                })
                .collect();
            for submitted in submit_many(writer, forms, now).await {
                rsvps.push(submitted.unwrap().rsvp.id);
            }
            events.push(event.event.id);
        }
        let other = rsvps.pop().unwrap();
        for (n, status) in [(5, RsvpStatus::Cancelled), (6, RsvpStatus::Waitlisted)] {
            rsvp::Entity::update_many()
                .col_expr(rsvp::Column::Status, Expr::value(status.into_value()))
                .filter(rsvp::Column::Id.eq(rsvps[n]))
                .exec(writer)
                .await
                .unwrap();
        }
        let new = NewPass {
            label: "Gate A".into(),
            scan_only: false,
            valid_from: Some(now - Duration::hours(1)),
            valid_until: Some(now + Duration::hours(4)),
        };
        let pass = passes::create(writer, &actor, events[0], new, now).await.unwrap().pass;
        Fixture { events, rsvps, other, pass }
    }

    /// A request of every kind, some parties more than once.
    fn requests(&self, now: DateTime<Utc>) -> Vec<Request> {
        let request = |target, people, nonce: Option<&str>| Request {
            pass: self.pass.clone(),
            target,
            people,
            nonce: nonce.map(str::to_owned),
            scanned_at: now,
        };
        let found = |n: usize| Target::Found(self.rsvps[n]);
        let ticket = |id, version| Target::Ticket { id, version };
        vec![
            request(found(0), None, Some("a")),
            // Two of a party of three, then the third, then none left.
            request(found(2), Some(2), Some("b")),
            request(found(2), None, Some("c")),
            request(found(2), None, Some("d")),
            // The same scan twice in one batch.
            request(found(1), None, Some("e")),
            request(found(1), None, Some("e")),
            // A scan retried after its first answer was written.
            request(found(3), None, Some("early")),
            request(found(3), None, None),
            request(ticket(self.rsvps[4], 0), None, None),
            request(ticket(self.rsvps[7], 1), None, None),
            request(found(5), None, None),
            request(found(6), None, None),
            request(ticket(self.other, 0), None, None),
            request(Target::Found(self.other), None, None),
            request(Target::Found(RsvpId::new()), None, None),
            Request { scanned_at: now - Duration::hours(2), ..request(found(7), None, None) },
        ]
    }
}
