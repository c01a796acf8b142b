//! Letting people in. A scan (`scan_request`) or a check-in from search (`search_request`)
//! becomes a request; a door storm's requests are answered in batches (see the HTTP layer's
//! group commit): `redeem_many` reads what all of a batch's requests need with one query per
//! table, lets in the parties that may come in with one conditional update for all of them,
//! records their check-ins with one insert, and commits once. Each request still gets its own
//! answer, exactly as if it had been alone; a lone request is a batch of one.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, TransactionTrait, UpdateMany,
    sea_query::{CaseStatement, Expr, ExprTrait, SimpleExpr},
};

use super::{Fees, FirstCheckIn, Outcome, Scan, ScanResult, at_door_with, code_of};
use crate::{
    entity::{check_in, door_pass, event_slot, rsvp},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    ids::{CheckInId, EventId, RsvpId},
    links::{Keyring, LinkKind},
    rsvp::RsvpStatus,
};

const NONCE_MAX: usize = 64;
/// Longer than any ticket URL a scanner reads.
const SCANNED_MAX: usize = 500;
/// More than any party (the event's guest limit is far lower).
const PARTY_MAX: i32 = 100;
/// How long after a pass's hours its offline scans are still taken.
pub const OFFLINE_GRACE: chrono::Duration = chrono::Duration::hours(12);

/// A check-in asked for at a pass: a scanned ticket, or an RSVP found by search.
#[derive(Clone, Debug)]
pub struct Request {
    pub(super) pass: door_pass::Model,
    pub(super) target: Target,
    pub(super) people: Option<i32>,
    pub(super) nonce: Option<String>,
    pub(super) scanned_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Target {
    Ticket { id: RsvpId, version: u32 },
    Found(RsvpId),
}

impl Target {
    pub(super) fn id(self) -> RsvpId {
        match self {
            Target::Ticket { id, .. } | Target::Found(id) => id,
        }
    }
}

/// A scan as a request, or its answer when it is no ticket at all (no database needed).
pub fn scan_request(
    keyring: &Keyring,
    pass: &door_pass::Model,
    scan: Scan,
    now: DateTime<Utc>,
) -> Result<Result<Request, Outcome>> {
    let nonce = checked(scan.nonce.as_deref(), &scan.code, scan.people)?;
    let Some(opened) = code_of(&scan.code).and_then(|code| keyring.open(LinkKind::Ticket, &code)) else {
        return Ok(Err(Outcome::red(ScanResult::Unknown)));
    };
    Ok(Ok(Request {
        pass: pass.clone(),
        target: Target::Ticket { id: RsvpId(opened.id), version: opened.version },
        people: scan.people,
        nonce,
        // A scan that waited offline counts when it was made (never later than now).
        scanned_at: scan.scanned_at.map_or(now, |at| std::cmp::min(at, now)),
    }))
}

/// A check-in of an RSVP found by search, as a request.
pub fn search_request(
    pass: &door_pass::Model,
    id: RsvpId,
    people: Option<i32>,
    nonce: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Request> {
    if pass.scan_only {
        return Err(Error::Forbidden("a scan-only pass cannot check in from search"));
    }
    let nonce = checked(nonce, "", people)?;
    Ok(Request { pass: pass.clone(), target: Target::Found(id), people, nonce, scanned_at: now })
}

/// The trimmed nonce, once the fields are within bounds.
fn checked(nonce: Option<&str>, code: &str, people: Option<i32>) -> Result<Option<String>> {
    let nonce = nonce.map(str::trim).filter(|n| !n.is_empty());
    let mut errors = ValidationErrors::new();
    if nonce.is_some_and(|n| n.len() > NONCE_MAX) {
        errors.add("nonce", "too_long", format!("at most {NONCE_MAX} characters"));
    }
    if code.chars().count() > SCANNED_MAX {
        errors.add("code", "too_long", format!("at most {SCANNED_MAX} characters"));
    }
    match people {
        Some(n) if n < 1 => errors.add("people", "too_small", "at least 1"),
        Some(n) if n > PARTY_MAX => errors.add("people", "too_large", format!("at most {PARTY_MAX}")),
        _ => {}
    }
    errors.into_result()?;
    Ok(nonce.map(str::to_owned))
}

/// Answers many requests in one transaction, in their order.
pub async fn redeem_many(
    db: &DatabaseConnection,
    requests: Vec<Request>,
    now: DateTime<Utc>,
) -> Vec<Result<Outcome>> {
    match try_redeem_many(db, &requests, now).await {
        Ok(answers) => answers,
        // A nonce recorded meanwhile through another server (PostgreSQL): one at a time, so that
        // only the retried scan is answered from its first one.
        Err(Error::Conflict(Conflict::Concurrent)) if requests.len() > 1 => {
            let mut answers = Vec::with_capacity(requests.len());
            for request in requests {
                let answer = match try_redeem_many(db, std::slice::from_ref(&request), now).await {
                    Ok(mut one) => one.pop().unwrap_or(Err(Error::Conflict(Conflict::Concurrent))),
                    Err(err) => Err(err),
                };
                answers.push(answer);
            }
            answers
        }
        Err(err) => {
            let message = err.to_string();
            std::iter::once(Err(err))
                .chain((1..requests.len()).map(|_| Err(Error::Unexpected(anyhow::anyhow!("{message}")))))
                .collect()
        }
    }
}

/// What a request comes to before anything is written.
enum Plan {
    Answer(Box<Result<Outcome>>),
    /// The same nonce as an earlier request of the batch: its answer again.
    SameAs(usize),
    /// The party is all in already.
    AllIn(RsvpId),
    Admit {
        id: RsvpId,
        people: i32,
    },
}

impl Plan {
    fn answer(answer: Result<Outcome>) -> Plan {
        Plan::Answer(Box::new(answer))
    }

    fn red(result: ScanResult) -> Plan {
        Plan::answer(Ok(Outcome::red(result)))
    }
}

async fn try_redeem_many(
    db: &DatabaseConnection,
    requests: &[Request],
    now: DateTime<Utc>,
) -> Result<Vec<Result<Outcome>>> {
    let txn = db.begin().await?;
    // Scans retried after their first answer was written (the event first, for the index).
    let events: HashSet<EventId> = requests.iter().map(|r| r.pass.event_id).collect();
    let nonces: Vec<&str> = requests.iter().filter_map(|r| r.nonce.as_deref()).collect();
    let earlier: HashMap<(EventId, String), check_in::Model> = if nonces.is_empty() {
        HashMap::new()
    } else {
        check_in::Entity::find()
            .filter(check_in::Column::EventId.is_in(events.iter().copied()))
            .filter(check_in::Column::Nonce.is_in(nonces))
            .all(&txn)
            .await?
            .into_iter()
            .filter_map(|c| Some(((c.event_id, c.nonce.clone()?), c)))
            .collect()
    };
    let ids: HashSet<RsvpId> =
        requests.iter().map(|r| r.target.id()).chain(earlier.values().map(|c| c.rsvp_id)).collect();
    let mut rsvps: HashMap<RsvpId, rsvp::Model> = rsvp::Entity::find()
        .filter(rsvp::Column::Id.is_in(ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let (slots, fees) = Fees::of_events(&txn, events).await?;
    let door = |r: &rsvp::Model| {
        let own: Vec<event_slot::Model> =
            slots.iter().filter(|s| s.event_id == r.event_id).cloned().collect();
        at_door_with(&own, r)
    };

    let mut seen: HashMap<(EventId, &str), usize> = HashMap::new();
    let mut plans: Vec<Plan> = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let event_id = request.pass.event_id;
        let plan = if let Some(first) = request.nonce.as_deref().and_then(|n| seen.get(&(event_id, n))) {
            Plan::SameAs(*first)
        } else if let Some(c) = request.nonce.as_ref().and_then(|n| earlier.get(&(event_id, n.clone()))) {
            let r = rsvps.get(&c.rsvp_id);
            Plan::answer(Ok(Outcome {
                result: ScanResult::Ok,
                attendee: r.map(door),
                check_in: Some(c.id),
                first: None,
                fee: r.and_then(|r| fees.due(r.slot_id, c.people, c.fee_paid.is_some())),
            }))
        } else {
            plan(request, rsvps.get(&request.target.id()), &door, now)
        };
        if let Some(nonce) = request.nonce.as_deref() {
            seen.entry((event_id, nonce)).or_insert(i);
        }
        plans.push(plan);
    }

    // Rounds, so that a party scanned twice in one batch is counted in two updates.
    // Each admission's check-in, and the party as that update left it.
    let mut admitted: HashMap<usize, (CheckInId, rsvp::Model)> = HashMap::new();
    let mut decided: HashSet<usize> = HashSet::new();
    let mut check_ins = Vec::new();
    loop {
        // Each party once per round, with as many people as are still outside it now (an
        // earlier round may have let some in).
        let mut parties = HashSet::new();
        let mut round: Vec<(usize, RsvpId, i32)> = Vec::new();
        for (i, plan) in plans.iter_mut().enumerate() {
            let Plan::Admit { id, .. } = *plan else { continue };
            if decided.contains(&i) || !parties.insert(id) {
                continue;
            }
            let remaining = rsvps.get(&id).map_or(0, |r| r.party() - r.checked_in);
            match requests[i].people.map_or(remaining, |n| std::cmp::min(n, remaining)) {
                people if people > 0 => {
                    *plan = Plan::Admit { id, people };
                    round.push((i, id, people));
                }
                _ => *plan = Plan::AllIn(id),
            }
        }
        if round.is_empty() {
            break;
        }
        decided.extend(round.iter().map(|(i, _, _)| *i));
        let updated = admit(&txn, &round, now).await?;
        for (i, id, people) in round {
            let Some(r) = updated.iter().find(|r| r.id == id) else { continue };
            let request = &requests[i];
            let check_in = CheckInId::new();
            check_ins.push(check_in::ActiveModel::from(check_in::Model {
                id: check_in,
                event_id: r.event_id,
                rsvp_id: id,
                pass_id: Some(request.pass.id),
                gate: request.pass.label.clone(),
                people,
                nonce: request.nonce.clone(),
                scanned_at: request.scanned_at,
                recorded_at: now,
                undone_at: None,
                fee_paid: None,
                fee_paid_at: None,
                duplicate_of: None,
            }));
            admitted.insert(i, (check_in, r.clone()));
            rsvps.insert(id, r.clone());
        }
    }
    if !check_ins.is_empty() {
        check_in::Entity::insert_many(check_ins).exec_without_returning(&txn).await?;
    }

    // Parties found all in, or let in first by another scan: when and where they came in.
    let all_in: HashSet<RsvpId> = plans
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Plan::AllIn(id) => Some(*id),
            Plan::Admit { id, .. } if !admitted.contains_key(&i) => Some(*id),
            _ => None,
        })
        .collect();
    let firsts = if all_in.is_empty() { HashMap::new() } else { first_check_ins(&txn, &all_in).await? };
    // Parties let in through another server meanwhile (PostgreSQL) are counted as they are now.
    let lost: HashSet<RsvpId> = plans
        .iter()
        .enumerate()
        .filter_map(|(i, p)| match p {
            Plan::Admit { id, .. } if !admitted.contains_key(&i) => Some(*id),
            _ => None,
        })
        .collect();
    if !lost.is_empty() {
        for r in rsvp::Entity::find().filter(rsvp::Column::Id.is_in(lost)).all(&txn).await? {
            rsvps.insert(r.id, r);
        }
    }
    txn.commit().await?;

    let mut answers: Vec<Result<Outcome>> = Vec::with_capacity(requests.len());
    for (i, p) in plans.into_iter().enumerate() {
        let answer = match p {
            Plan::Answer(answer) => *answer,
            Plan::SameAs(first) => match &answers[first] {
                Ok(outcome) => Ok(outcome.clone()),
                Err(_) => Err(Error::Conflict(Conflict::Concurrent)),
            },
            Plan::Admit { people, .. } if let Some((check_in, r)) = admitted.get(&i) => Ok(Outcome {
                result: ScanResult::Ok,
                attendee: Some(door(r)),
                check_in: Some(*check_in),
                first: None,
                fee: fees.due(r.slot_id, people, false),
            }),
            Plan::AllIn(id) | Plan::Admit { id, .. } => Ok(Outcome {
                result: ScanResult::Already,
                attendee: rsvps.get(&id).map(door),
                check_in: None,
                first: firsts.get(&id).cloned(),
                fee: None,
            }),
        };
        answers.push(answer);
    }
    Ok(answers)
}

/// What a request that is no retry comes to, given its RSVP as it is now.
fn plan(
    request: &Request,
    found: Option<&rsvp::Model>,
    door: &impl Fn(&rsvp::Model) -> super::AtDoor,
    now: DateTime<Utc>,
) -> Plan {
    let pass = &request.pass;
    // A scan counts at the time it was made, within the pass's hours; one made offline may
    // arrive a while after they end, but not later than that.
    let late = now > pass.valid_until + OFFLINE_GRACE;
    if late || request.scanned_at < pass.valid_from || request.scanned_at > pass.valid_until {
        return Plan::red(ScanResult::DoorClosed);
    }
    let (r, version) = match (request.target, found) {
        (Target::Ticket { .. }, None) => return Plan::red(ScanResult::Unknown),
        (Target::Ticket { .. }, Some(r)) if r.event_id != pass.event_id => {
            return Plan::red(ScanResult::WrongEvent);
        }
        (Target::Ticket { version, .. }, Some(r)) => (r, Some(version)),
        (Target::Found(_), Some(r)) if r.event_id == pass.event_id => (r, None),
        (Target::Found(_), _) => return Plan::answer(Err(Error::NotFound(Resource::Rsvp))),
    };
    if let Some(red) = red_for(r, version) {
        return Plan::answer(Ok(Outcome {
            result: red,
            attendee: Some(door(r)),
            check_in: None,
            first: None,
            fee: None,
        }));
    }
    let remaining = r.party() - r.checked_in;
    match request.people.map_or(remaining, |n| std::cmp::min(n, remaining)) {
        people if people > 0 => Plan::Admit { id: r.id, people },
        _ => Plan::AllIn(r.id),
    }
}

/// Why an RSVP may not come in, if it may not (`version`: the scanned ticket's).
fn red_for(r: &rsvp::Model, version: Option<u32>) -> Option<ScanResult> {
    match r.status {
        RsvpStatus::Confirmed if version.is_some_and(|v| i64::from(r.ticket_version) != i64::from(v)) => {
            Some(ScanResult::Revoked)
        }
        RsvpStatus::Confirmed => None,
        RsvpStatus::Cancelled | RsvpStatus::Expired | RsvpStatus::Rejected | RsvpStatus::NotSelected => {
            Some(ScanResult::Cancelled)
        }
        RsvpStatus::Waitlisted | RsvpStatus::Entered | RsvpStatus::Pending => Some(ScanResult::Waitlisted),
        RsvpStatus::Holding | RsvpStatus::Offered => Some(ScanResult::NotConfirmed),
    }
}

/// The one write that decides: each party's count of people in rises only while that many are
/// still outside. Returns the parties let in, as they are now.
async fn admit(
    txn: &DatabaseTransaction,
    round: &[(usize, RsvpId, i32)],
    now: DateTime<Utc>,
) -> Result<Vec<rsvp::Model>> {
    Ok(admission(round, now, txn.get_database_backend()).exec_with_returning(txn).await?)
}

fn admission(
    round: &[(usize, RsvpId, i32)],
    now: DateTime<Utc>,
    backend: DbBackend,
) -> UpdateMany<rsvp::Entity> {
    let people: Expr = round
        .iter()
        .fold(CaseStatement::new(), |case, (_, id, people)| {
            case.case(rsvp::Column::Id.eq(*id), Expr::value(*people))
        })
        .into();
    rsvp::Entity::update_many()
        .col_expr(rsvp::Column::CheckedIn, Expr::col(rsvp::Column::CheckedIn).add(people.clone()))
        // Door rosters fetch what changed since their last copy.
        .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
        .filter(rsvp::Column::Id.is_in(round.iter().map(|(_, id, _)| *id)))
        .filter(confirmed(backend))
        .filter(Expr::col(rsvp::Column::CheckedIn).add(people).lte(Expr::col(rsvp::Column::Guests).add(1)))
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

/// Each party's first check-in that stands.
async fn first_check_ins(
    txn: &DatabaseTransaction,
    ids: &HashSet<RsvpId>,
) -> Result<HashMap<RsvpId, FirstCheckIn>> {
    let mut firsts = HashMap::new();
    for c in check_in::Entity::find()
        .filter(check_in::Column::RsvpId.is_in(ids.iter().copied()))
        .filter(check_in::Column::UndoneAt.is_null())
        .order_by_desc(check_in::Column::ScannedAt)
        .order_by_desc(check_in::Column::Id)
        .all(txn)
        .await?
    {
        // Latest first, so the earliest is written last.
        firsts.insert(c.rsvp_id, FirstCheckIn { at: c.scanned_at, gate: c.gate });
    }
    Ok(firsts)
}

#[cfg(test)]
mod tests {
    use sea_orm::{QueryTrait, Statement};
    use tsudoi_migration::{Migrator, MigratorTrait};

    use super::*;
    use crate::db::{Db, PoolSizes};

    /// The door's deciding update looks a batch's parties up by id, also on a database without
    /// statistics (such as one fresh from a big import): walking the RSVPs by status instead made
    /// every batch of a door storm read all of an event's RSVPs.
    #[tokio::test]
    async fn the_admission_finds_parties_by_id() {
        let db = Db::connect("sqlite::memory:", &PoolSizes::default()).await.unwrap();
        Migrator::up(db.writer(), None).await.unwrap();
        let round: Vec<_> = (0..4).map(|i| (i, RsvpId::new(), 1)).collect();
        let update = admission(&round, Utc::now(), DbBackend::Sqlite).build(DbBackend::Sqlite);
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
}
