//! A check-in batch's reads and writes (what it decides is `admit`'s): through sea-orm
//! (PostgreSQL, a SQLite database in memory, offline uploads), or on the door's own SQLite
//! thread (`redeem_here`, see `door_thread`), where each statement is prepared once and run for
//! one key at a time. Both read with the same statements, built here; they write the same rows,
//! which a test compares byte for byte.
//!
//! What decides a party's fate holds until the batch commits: on SQLite the batch's transaction
//! takes the one write lock before its first read; on PostgreSQL it locks the parties' rows
//! (several servers may scan at once). Retried nonces and the slots are read unlocked there: a
//! nonce recorded meanwhile by another server meets the unique index, and the batch goes one
//! request at a time. The deciding update still only lets people in who are outside (DESIGN
//! invariant 3), and a batch it finds otherwise is undone whole.

use std::{collections::HashMap, sync::LazyLock};

use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, SqliteTransactionMode,
    TransactionOptions, TransactionTrait, UpdateMany,
    sea_query::{CaseStatement, Expr, ExprTrait, LockType, SimpleExpr},
};

use super::{
    Fees, Outcome, SlotFee,
    admit::{Keys, Party, Request, Retried, Snapshot, Standing, decide},
};
use crate::{
    db::direct,
    entity::{check_in, rsvp},
    error::{Conflict, Error, Result},
    ids::{EventId, RsvpId},
    rsvp::RsvpStatus,
};

/// Answers many requests in one transaction, in their order, through sea-orm.
pub async fn redeem_many(
    db: &DatabaseConnection,
    requests: Vec<Request>,
    now: DateTime<Utc>,
) -> Vec<Result<Outcome>> {
    match try_redeem_many(db, &requests, now).await {
        Ok(answers) => answers,
        Err(Error::Conflict(Conflict::Concurrent)) if requests.len() > 1 => {
            let mut answers = Vec::with_capacity(requests.len());
            for request in &requests {
                answers.push(only(try_redeem_many(db, std::slice::from_ref(request), now).await));
            }
            answers
        }
        Err(err) => failed(err, requests.len()),
    }
}

/// The answer of a batch of one.
fn only(answers: Result<Vec<Result<Outcome>>>) -> Result<Outcome> {
    answers?.pop().unwrap_or(Err(Error::Conflict(Conflict::Concurrent)))
}

/// A batch's answers when it could not be written: the error, for each request.
pub(crate) fn failed(err: Error, requests: usize) -> Vec<Result<Outcome>> {
    let message = err.to_string();
    std::iter::once(Err(err))
        .chain((1..requests).map(|_| Err(Error::Unexpected(anyhow::anyhow!("{message}")))))
        .collect()
}

async fn try_redeem_many(
    db: &DatabaseConnection,
    requests: &[Request],
    now: DateTime<Utc>,
) -> Result<Vec<Result<Outcome>>> {
    let immediate = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    let txn = db.begin_with_options(immediate).await?;
    let snapshot = read(&txn, &Keys::of(requests)).await?;
    let decision = decide(requests, snapshot, now);
    if !decision.admitted.is_empty() {
        let backend = txn.get_database_backend();
        let updated = admission(&decision.admitted, now, backend).exec(&txn).await?.rows_affected;
        check_admitted(usize::try_from(updated).unwrap_or(usize::MAX), &decision.admitted)?;
        check_in::Entity::insert_many(decision.check_ins.into_iter().map(check_in::ActiveModel::from))
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(decision.answers)
}

async fn read(txn: &DatabaseTransaction, keys: &Keys) -> Result<Snapshot> {
    let mut parties = by_id(lock_parties(&keys.targets).into_model::<Party>().all(txn).await?);
    let retried = if keys.nonces.is_empty() {
        Vec::new()
    } else {
        let nonces = keys.nonces.iter().map(|(_, nonce)| nonce.clone());
        select_retried(keys.events.iter().copied(), nonces).into_model::<Retried>().all(txn).await?
    };
    let others = others(&parties, &retried);
    if !others.is_empty() {
        parties.extend(by_id(select_parties(&others).into_model::<Party>().all(txn).await?));
    }
    let inside = inside(&parties, keys);
    let standing = if inside.is_empty() {
        Vec::new()
    } else {
        select_standing(&inside).into_model::<Standing>().all(txn).await?
    };
    let (slots, fees) =
        Fees::from_rows(Fees::query(keys.events.iter().copied()).into_model().all(txn).await?);
    Ok(Snapshot { parties, retried, standing, slots, fees })
}

/// The same on the door's SQLite thread.
pub(crate) fn redeem_here(
    connection: &mut rusqlite::Connection,
    requests: &[Request],
    now: DateTime<Utc>,
) -> Vec<Result<Outcome>> {
    match try_redeem_here(connection, requests, now) {
        Ok(answers) => answers,
        Err(Error::Conflict(Conflict::Concurrent)) if requests.len() > 1 => requests
            .iter()
            .map(|request| only(try_redeem_here(connection, std::slice::from_ref(request), now)))
            .collect(),
        Err(err) => failed(err, requests.len()),
    }
}

/// In a transaction that takes the write lock at once: each party, nonce and event read by its
/// key, each party let in with its own update and each check-in recorded with its own insert.
fn try_redeem_here(
    connection: &mut rusqlite::Connection,
    requests: &[Request],
    now: DateTime<Utc>,
) -> Result<Vec<Result<Outcome>>> {
    let txn = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let sql = &*SQLITE;
    let keys = Keys::of(requests);
    let mut parties = HashMap::new();
    for id in &keys.targets {
        parties.extend(by_id(direct::rows(&txn, &sql.party, [id])?));
    }
    let mut retried: Vec<Retried> = Vec::new();
    for (event, nonce) in &keys.nonces {
        retried.extend(direct::rows(&txn, &sql.retried, params![event, nonce])?);
    }
    for id in others(&parties, &retried) {
        parties.extend(by_id(direct::rows(&txn, &sql.party, [id])?));
    }
    let mut standing: Vec<Standing> = Vec::new();
    for id in inside(&parties, &keys) {
        standing.extend(direct::rows(&txn, &sql.standing, [id])?);
    }
    let mut slots: Vec<SlotFee> = Vec::new();
    for event in &keys.events {
        slots.extend(direct::rows(&txn, &sql.slots, [event])?);
    }
    let (slots, fees) = Fees::from_rows(slots);
    let decision = decide(requests, Snapshot { parties, retried, standing, slots, fees }, now);
    let (confirmed, updated_at) = (RsvpStatus::Confirmed.into_value(), direct::time(now));
    let mut updated = 0;
    for (id, people) in &decision.admitted {
        updated += direct::execute(&txn, ADMIT, params![id, people, updated_at, confirmed])?;
    }
    check_admitted(updated, &decision.admitted)?;
    for c in &decision.check_ins {
        let (scanned_at, recorded_at) = (direct::time(c.scanned_at), direct::time(c.recorded_at));
        let values = params![
            c.id,
            c.event_id,
            c.rsvp_id,
            c.pass_id,
            c.gate,
            c.people,
            c.nonce,
            scanned_at,
            recorded_at
        ];
        direct::execute(&txn, RECORD, values)?;
    }
    txn.commit()?;
    Ok(decision.answers)
}

/// The reads of `redeem_here`: the sea-orm path's statements, built once, for one key each (in
/// the order of their `?`: a party's, a standing check-in's party's and an event's id; a retried
/// nonce's event, then the nonce).
struct SqliteReads {
    party: String,
    retried: String,
    standing: String,
    slots: String,
}

static SQLITE: LazyLock<SqliteReads> = LazyLock::new(|| {
    let (party, event) = (RsvpId(uuid::Uuid::nil()), EventId(uuid::Uuid::nil()));
    SqliteReads {
        party: select_parties(&[party]).build(DbBackend::Sqlite).sql,
        retried: select_retried([event], [String::new()]).build(DbBackend::Sqlite).sql,
        standing: select_standing(&[party]).build(DbBackend::Sqlite).sql,
        slots: Fees::query([event]).build(DbBackend::Sqlite).sql,
    }
});

/// `admission` for one party, its status kept off the indexes as there.
const ADMIT: &str = "UPDATE rsvps SET checked_in = checked_in + ?2, updated_at = ?3 \
    WHERE id = ?1 AND +status = ?4 AND checked_in + ?2 <= guests + 1";
/// A check-in as sea-orm inserts it (the columns left out are empty until an undo or a fee).
const RECORD: &str = "INSERT INTO check_ins \
    (id, event_id, rsvp_id, pass_id, gate, people, nonce, scanned_at, recorded_at) \
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/// The parties of `ids`, in id order (the order PostgreSQL locks them in).
fn select_parties(ids: &[RsvpId]) -> Select<rsvp::Entity> {
    rsvp::Entity::find()
        .select_only()
        .columns(Party::COLUMNS)
        .filter(rsvp::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(rsvp::Column::Id)
}

/// The parties of `ids`, their rows locked for the batch (`FOR NO KEY UPDATE`: what the update
/// needs, and no more, so that inserts referencing them, and the event's lock, are not held up;
/// see `event::locked`).
fn lock_parties(ids: &[RsvpId]) -> Select<rsvp::Entity> {
    select_parties(ids).lock(LockType::NoKeyUpdate)
}

fn by_id(parties: Vec<Party>) -> HashMap<RsvpId, Party> {
    parties.into_iter().map(|p| (p.id, p)).collect()
}

/// Check-ins recorded earlier with the batch's nonces (the events first, for the index; `decide`
/// matches each nonce with its event).
fn select_retried(
    events: impl IntoIterator<Item = EventId>,
    nonces: impl IntoIterator<Item = String>,
) -> Select<check_in::Entity> {
    check_in::Entity::find()
        .select_only()
        .columns([
            check_in::Column::Id,
            check_in::Column::EventId,
            check_in::Column::RsvpId,
            check_in::Column::Nonce,
            check_in::Column::People,
            check_in::Column::FeePaid,
        ])
        .filter(check_in::Column::EventId.is_in(events))
        .filter(check_in::Column::Nonce.is_in(nonces))
}

/// The parties of retried check-ins not asked for by the batch (a scanner that used one nonce
/// for two tickets): read for their answers, not locked.
fn others(parties: &HashMap<RsvpId, Party>, retried: &[Retried]) -> Vec<RsvpId> {
    let mut others: Vec<RsvpId> =
        retried.iter().map(|c| c.rsvp_id).filter(|id| !parties.contains_key(id)).collect();
    others.sort_unstable();
    others.dedup();
    others
}

/// The parties asked for that have someone in: a party's count of people in is the sum of its
/// check-ins that stand, so only these have any.
fn inside(parties: &HashMap<RsvpId, Party>, keys: &Keys) -> Vec<RsvpId> {
    keys.targets.iter().copied().filter(|id| parties.get(id).is_some_and(|p| p.checked_in > 0)).collect()
}

/// The parties' check-ins that stand (for when and where each came in first).
fn select_standing(ids: &[RsvpId]) -> Select<check_in::Entity> {
    check_in::Entity::find()
        .select_only()
        .columns([
            check_in::Column::Id,
            check_in::Column::RsvpId,
            check_in::Column::ScannedAt,
            check_in::Column::Gate,
        ])
        .filter(check_in::Column::RsvpId.is_in(ids.iter().copied()))
        .filter(check_in::Column::UndoneAt.is_null())
}

/// The one write that decides: each party's count of people in rises only while that many are
/// still outside.
fn admission(admitted: &[(RsvpId, i32)], now: DateTime<Utc>, backend: DbBackend) -> UpdateMany<rsvp::Entity> {
    let people: Expr = admitted
        .iter()
        .fold(CaseStatement::new(), |case, (id, people)| {
            case.case(rsvp::Column::Id.eq(*id), Expr::value(*people))
        })
        .into();
    rsvp::Entity::update_many()
        .col_expr(rsvp::Column::CheckedIn, Expr::col(rsvp::Column::CheckedIn).add(people.clone()))
        // Door rosters fetch what changed since their last copy.
        .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
        .filter(rsvp::Column::Id.is_in(admitted.iter().map(|(id, _)| *id)))
        .filter(confirmed(backend))
        .filter(Expr::col(rsvp::Column::CheckedIn).add(people).lte(Expr::col(rsvp::Column::Guests).add(1)))
}

/// Every party the batch let in was still outside: otherwise the batch is undone whole.
fn check_admitted(updated: usize, admitted: &[(RsvpId, i32)]) -> Result<()> {
    if updated == admitted.len() { Ok(()) } else { Err(Conflict::Concurrent.into()) }
}

/// `status = 'confirmed'`, as a condition no index is chosen for. SQLite's planner, without
/// statistics (a database fresh from a big import has none), would rather walk the indexes led
/// by `status`, every confirmed RSVP of every event, than look a batch's few parties up by id;
/// a unary `+` keeps the term off the indexes (<https://sqlite.org/optoverview.html#uplus>).
fn confirmed(backend: DbBackend) -> SimpleExpr {
    match backend {
        DbBackend::Sqlite => Expr::cust_with_exprs(
            "+? = ?",
            [Expr::col(rsvp::Column::Status), Expr::val(RsvpStatus::Confirmed.into_value())],
        ),
        _ => rsvp::Column::Status.eq(RsvpStatus::Confirmed),
    }
}

#[cfg(test)]
mod tests {
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
        assert!(
            plan.iter().any(|step| step.starts_with("SEARCH rsvps") && step.contains("(id=?)")),
            "{plan:?}"
        );
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
            let db = Db::connect(&format!("sqlite://{}?mode=rwc", a.display()), &PoolSizes::default())
                .await
                .unwrap();
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
        let results: Vec<_> =
            through_sea_orm.iter().filter_map(|a| a.as_ref().ok().map(|o| o.result)).collect();
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
                    o.attendee
                        .as_ref()
                        .map(|a: &AtDoor| (a.name.clone(), a.party, a.checked_in, a.slot.clone())),
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
            let new =
                NewNetwork { slug: "door", name: "Door", default_language: Some("ja"), time_zone: None };
            let net = network::create(writer, new, now).await.unwrap();
            let owner = network::add_member(writer, None, net.id, "o@example.jp", None, Role::Owner, now)
                .await
                .unwrap();
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
}
