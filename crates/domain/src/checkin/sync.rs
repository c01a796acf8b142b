//! Scans made offline, uploaded when the network returns. Each is answered as it would have
//! been online, in the order they were made. When two gates let the same ticket in while
//! offline, the earliest scan wins, whichever arrives first: a later check-in of the same people
//! is undone and marked as its duplicate (its door fee, if taken, moves to the earlier one), and
//! the answer lists it.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};

use super::{
    Fees, FirstCheckIn, Outcome, Scan, ScanResult, admit::Request, redeem_many, scan_request, search_request,
};
use crate::{
    entity::{check_in, door_pass, rsvp},
    error::{Result, ValidationErrors},
    ids::{CheckInId, RsvpId},
    links::Keyring,
    rsvp::RsvpStatus,
};

/// Scans in one upload at most: a long evening offline at a busy gate.
pub const SYNC_MAX: usize = 500;

/// A scan made offline: of a ticket, or (with `rsvp`) a check-in of someone found by search in
/// the roster, whose `scan.code` is then left empty.
#[derive(Clone, Debug, Default)]
pub struct OfflineScan {
    pub scan: Scan,
    pub rsvp: Option<RsvpId>,
}

/// The answer to one uploaded scan.
#[derive(Clone, Debug)]
pub struct Synced {
    pub outcome: Outcome,
    /// Later check-ins of the same people at other gates, undone because this scan came first.
    pub duplicates: Vec<FirstCheckIn>,
}

/// Answers uploaded scans, in the order given (each an error of its own if it is malformed).
pub async fn sync(
    db: &DatabaseConnection,
    keyring: &Keyring,
    pass: &door_pass::Model,
    scans: Vec<OfflineScan>,
    now: DateTime<Utc>,
) -> Result<Vec<Result<Synced>>> {
    if scans.len() > SYNC_MAX {
        return Err(ValidationErrors::single("scans", "too_many", format!("at most {SYNC_MAX} scans")).into());
    }
    let mut answers: Vec<Option<Result<Synced>>> = scans.iter().map(|_| None).collect();
    // In the order they were made, so that the earliest of two scans of one ticket comes first.
    let mut order: Vec<usize> = (0..scans.len()).collect();
    order.sort_by_key(|&i| scans[i].scan.scanned_at.unwrap_or(now));
    let mut requests: Vec<(usize, Request)> = Vec::new();
    for i in order {
        let OfflineScan { scan, rsvp } = scans[i].clone();
        let request = match rsvp {
            Some(id) => {
                let scanned_at = scan.scanned_at.map_or(now, |at| std::cmp::min(at, now));
                match search_request(pass, id, scan.people, scan.nonce.as_deref(), now) {
                    Ok(request) => Ok(Ok(Request { scanned_at, ..request })),
                    Err(err) => Err(err),
                }
            }
            None => scan_request(keyring, pass, scan, now),
        };
        match request {
            Ok(Ok(request)) => requests.push((i, request)),
            Ok(Err(answer)) => answers[i] = Some(Ok(Synced { outcome: answer, duplicates: Vec::new() })),
            Err(err) => answers[i] = Some(Err(err)),
        }
    }
    let (indices, batch): (Vec<usize>, Vec<Request>) = requests.iter().cloned().unzip();
    let redeemed = redeem_many(db, batch, now).await;
    for ((i, request), answer) in indices.into_iter().zip(requests.into_iter().map(|(_, r)| r)).zip(redeemed)
    {
        let answer = match answer {
            Ok(outcome) if came_first(&outcome, &request) => earliest_wins(db, &request, outcome, now).await,
            Ok(outcome) => Ok(Synced { outcome, duplicates: Vec::new() }),
            Err(err) => Err(err),
        };
        answers[i] = Some(answer);
    }
    Ok(answers.into_iter().map(|a| a.unwrap_or_else(|| Err(unanswered()))).collect())
}

fn unanswered() -> crate::error::Error {
    crate::error::Error::Unexpected(anyhow::anyhow!("an uploaded scan went unanswered"))
}

/// An `already` for a scan made before the party's first check-in that stands.
fn came_first(outcome: &Outcome, request: &Request) -> bool {
    outcome.result == ScanResult::Already && outcome.first.as_ref().is_some_and(|f| request.scanned_at < f.at)
}

/// Lets the earlier scan's people in in place of later check-ins at other gates.
async fn earliest_wins(
    db: &DatabaseConnection,
    request: &Request,
    already: Outcome,
    now: DateTime<Utc>,
) -> Result<Synced> {
    let id = request.target.id();
    let txn = db.begin().await?;
    // The RSVP's row first: a scan, an undo or another upload of the same party waits for this
    // transaction (PostgreSQL locks the row; SQLite has one writer).
    rsvp::Entity::update_many()
        .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
        .filter(rsvp::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let Some(r) = rsvp::Entity::find_by_id(id).one(&txn).await?.filter(|r| r.status == RsvpStatus::Confirmed)
    else {
        return Ok(Synced { outcome: already, duplicates: Vec::new() });
    };
    let wanted = request.people.map_or(r.party(), |n| std::cmp::min(n, r.party()));
    let later = check_in::Entity::find()
        .filter(check_in::Column::RsvpId.eq(id))
        .filter(check_in::Column::UndoneAt.is_null())
        .filter(check_in::Column::ScannedAt.gt(request.scanned_at))
        .order_by_desc(check_in::Column::ScannedAt)
        .all(&txn)
        .await?;
    // The latest first, until the earlier scan's people are covered.
    let mut undone = Vec::new();
    let mut freed = 0;
    for c in later {
        if freed >= wanted {
            break;
        }
        freed += c.people;
        undone.push(c);
    }
    if undone.is_empty() {
        return Ok(Synced { outcome: already, duplicates: Vec::new() });
    }
    let new_id = CheckInId::new();
    let marked = check_in::Entity::update_many()
        .col_expr(check_in::Column::UndoneAt, Expr::value(now))
        .col_expr(check_in::Column::DuplicateOf, Expr::value(new_id))
        .filter(check_in::Column::Id.is_in(undone.iter().map(|c| c.id)))
        .filter(check_in::Column::UndoneAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if usize::try_from(marked).ok() != Some(undone.len()) {
        // Undone meanwhile: what stands now is the answer.
        return Ok(Synced { outcome: already, duplicates: Vec::new() });
    }
    let fee_paid: Option<i32> = undone.iter().filter_map(|c| c.fee_paid).reduce(|a, b| a.saturating_add(b));
    check_in::Entity::insert(check_in::ActiveModel::from(check_in::Model {
        id: new_id,
        event_id: r.event_id,
        rsvp_id: id,
        pass_id: Some(request.pass.id),
        gate: request.pass.label.clone(),
        people: freed,
        nonce: request.nonce.clone(),
        scanned_at: request.scanned_at,
        recorded_at: now,
        undone_at: None,
        fee_paid,
        fee_paid_at: fee_paid.and(undone.iter().find_map(|c| c.fee_paid_at)),
        duplicate_of: None,
    }))
    .exec_without_returning(&txn)
    .await?;
    // The count of people in is unchanged: the same people, let in earlier.
    let fee = Fees::of_event(&txn, r.event_id).await?.1.due(r.slot_id, freed, fee_paid.is_some());
    txn.commit().await?;
    let duplicates = undone.into_iter().map(|c| FirstCheckIn { at: c.scanned_at, gate: c.gate }).collect();
    Ok(Synced {
        outcome: Outcome { result: ScanResult::Ok, check_in: Some(new_id), first: None, fee, ..already },
        duplicates,
    })
}
