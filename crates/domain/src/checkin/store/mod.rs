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
mod tests;
