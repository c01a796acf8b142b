//! The lottery (抽選, DESIGN invariant 2): entries until the draw, then winners drawn uniformly at
//! random among the parties that fit. The draw is auditable: the seed is made when the event
//! becomes a lottery and only its SHA-256 is shown until the draw; afterwards the seed and the
//! entries' ids are published, and anyone can re-run the draw.
//!
//! The draw, exactly (so that it can be re-run by hand):
//! 1. Each entry's key is `SHA-256("{seed}:{rsvp id}")`, the seed as 64 lowercase hex digits and
//!    the id as a lowercase hyphenated UUID. Entries in ascending key order are the drawn order;
//!    rank 1 is the first drawn.
//! 2. In drawn order, every party (the person and their guests) that still fits in its slot and
//!    in the event wins its seats; a party too big for what is left is passed over, and the next
//!    one drawn may take the seats.
//! 3. The rest join the waitlist in drawn order (or are not selected, if the event has no
//!    waitlist). After the draw the event continues first come.
//!
//! Entries whose email was never confirmed by the draw are not in it.

use chrono::{DateTime, Duration, Utc};
use data_encoding::HEXLOWER;
use rand::RngCore;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait,
    sea_query::{CaseStatement, Expr},
};
use sha2::{Digest, Sha256};

use super::{RsvpStatus, seats_of};
use crate::{
    access::{Actor, Permission},
    entity::{event, lottery_draw, outbox as outbox_row, rsvp},
    error::{Conflict, Error, Resource, Result},
    event::{EventStatus, RsvpMode},
    ids::{EventId, RsvpId, SlotId},
    outbox::{self, MessageKind},
};

/// A fresh seed: 256 random bits as hex.
pub fn new_seed() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    HEXLOWER.encode(&bytes)
}

/// What is shown before the draw: SHA-256 of the seed's hex text, as hex.
pub fn seed_hash(seed: &str) -> String {
    crate::token::sha256_hex(seed)
}

/// An entry's key in the draw (step 1 above).
fn draw_key(seed: &str, id: RsvpId) -> [u8; 32] {
    Sha256::digest(format!("{seed}:{}", id.uuid().hyphenated()).as_bytes()).into()
}

/// The entries in drawn order.
pub fn drawn_order<T>(seed: &str, mut entries: Vec<T>, id: impl Fn(&T) -> RsvpId) -> Vec<T> {
    entries.sort_by_cached_key(|entry| draw_key(seed, id(entry)));
    entries
}

/// How a draw went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DrawOutcome {
    pub entries: usize,
    pub won: usize,
    pub waitlisted: usize,
    pub not_selected: usize,
}

/// Waitlist places per `CASE` update: few enough that each `CASE` (whose arms the database tries
/// one by one, per row) stays cheap.
const CASES_PER_UPDATE: usize = 100;
/// Rows per insert or `IN (...)` update: well inside SQLite's limit on bound values.
const ROWS_PER_INSERT: usize = 500;

/// Runs every draw that is due by `now`, one event per transaction; safe on several instances
/// (the event's row lock, and the draw time checked again under it). Returns the draws run.
pub async fn draw_due(
    db: &DatabaseConnection,
    reader: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64> {
    let due: Vec<EventId> = event::Entity::find()
        .select_only()
        .column(event::Column::Id)
        .filter(event::Column::RsvpMode.eq(RsvpMode::Lottery))
        .filter(event::Column::Status.eq(EventStatus::Published))
        .filter(event::Column::LotteryDrawnAt.is_null())
        .filter(event::Column::LotteryDrawAt.lte(now))
        .into_tuple()
        .all(reader)
        .await?;
    let mut drawn = 0;
    for id in due {
        // One event's failure (logged) must not hold up the others' draws.
        match draw_one(db, id, now).await {
            Ok(Some(outcome)) => {
                tracing::info!(event = %id, entries = outcome.entries, won = outcome.won, "lottery drawn");
                drawn += 1;
            }
            Ok(None) => {}
            Err(err) => tracing::error!(event = %id, error = %err, "drawing a lottery"),
        }
    }
    Ok(drawn)
}

/// Draws one due lottery, unless another instance did it first.
async fn draw_one(db: &DatabaseConnection, id: EventId, now: DateTime<Utc>) -> Result<Option<DrawOutcome>> {
    let txn = db.begin().await?;
    let e = crate::event::lock(&txn, id).await?;
    let due = e.status == EventStatus::Published
        && e.lottery_drawn_at.is_none()
        && e.lottery_draw_at.is_some_and(|at| at <= now);
    let outcome = if due { Some(draw(&txn, &e, now).await?) } else { None };
    txn.commit().await?;
    Ok(outcome)
}

/// Draws now, at the organizers' request (entries close early). Refused when there is nothing to
/// draw; an event already drawn is not drawn again.
pub async fn draw_now(
    db: &DatabaseConnection,
    actor: &Actor,
    id: EventId,
    now: DateTime<Utc>,
) -> Result<DrawOutcome> {
    let txn = db.begin().await?;
    crate::event::get(&txn, actor, id, Permission::ManageEvents)
        .await
        .map_err(|_| Error::NotFound(Resource::Event))?;
    let e = crate::event::lock(&txn, id).await?;
    if e.rsvp_mode != RsvpMode::Lottery {
        return Err(Conflict::NotALottery.into());
    }
    if e.lottery_drawn_at.is_some() {
        return Err(Conflict::LotteryDrawn.into());
    }
    if e.status != EventStatus::Published {
        return Err(Conflict::NotPublished.into());
    }
    let entries = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Entered))
        .filter(rsvp::Column::Verified.eq(true))
        .one(&txn)
        .await?;
    if entries.is_none() {
        return Err(Conflict::NoEntries.into());
    }
    let outcome = draw(&txn, &e, now).await?;
    let summary = serde_json::json!({
        "entries": outcome.entries, "won": outcome.won, "waitlisted": outcome.waitlisted,
    });
    crate::event::edit::record(&txn, actor, &e, "lottery.draw", summary, now).await?;
    txn.commit().await?;
    Ok(outcome)
}

/// The draw itself, under the event's lock.
async fn draw(txn: &DatabaseTransaction, e: &event::Model, now: DateTime<Utc>) -> Result<DrawOutcome> {
    let seed = e
        .lottery_seed
        .clone()
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("a lottery event without a seed")))?;
    // Entries nobody confirmed are out of the draw.
    rsvp::Entity::update_many()
        .col_expr(rsvp::Column::Status, Expr::value(RsvpStatus::Expired))
        .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
        .filter(rsvp::Column::EventId.eq(e.id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Entered))
        .filter(rsvp::Column::Verified.eq(false))
        .exec(txn)
        .await?;
    let entries: Vec<(RsvpId, SlotId, i32)> = rsvp::Entity::find()
        .select_only()
        .columns([rsvp::Column::Id, rsvp::Column::SlotId, rsvp::Column::Guests])
        .filter(rsvp::Column::EventId.eq(e.id))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Entered))
        .order_by_asc(rsvp::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    let drawn = drawn_order(&seed, entries, |(id, _, _)| *id);
    let mut seats = seats_of(txn, e).await?;
    let (mut won, mut rest, mut record) = (Vec::new(), Vec::new(), Vec::with_capacity(drawn.len()));
    for (n, (id, slot, guests)) in drawn.iter().enumerate() {
        let party = 1 + guests;
        let wins = seats.take(*slot, party);
        if wins {
            won.push(*id)
        } else {
            rest.push(*id)
        }
        record.push(lottery_draw::ActiveModel {
            event_id: Set(e.id),
            rank: Set(i32::try_from(n + 1).unwrap_or(i32::MAX)),
            rsvp_id: Set(*id),
            party: Set(party),
            slot_id: Set(*slot),
            won: Set(wins),
        });
    }
    // The draw as it happened, for anyone to re-run.
    for chunk in record.chunks(ROWS_PER_INSERT) {
        lottery_draw::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    for chunk in won.chunks(ROWS_PER_INSERT) {
        rsvp::Entity::update_many()
            .col_expr(rsvp::Column::Status, Expr::value(RsvpStatus::Confirmed))
            .col_expr(rsvp::Column::ConfirmedAt, Expr::value(now))
            .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
            .filter(rsvp::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    if e.waitlist_enabled {
        // The waitlist keeps the drawn order: its places are dated just before the draw, a
        // microsecond apart, so anyone who RSVPs after the draw queues behind them.
        let behind = i64::try_from(rest.len()).unwrap_or(i64::MAX);
        let place = |n: usize| now - Duration::microseconds(behind - i64::try_from(n).unwrap_or(0));
        for (n, chunk) in rest.chunks(CASES_PER_UPDATE).enumerate() {
            let queued = chunk.iter().enumerate().fold(CaseStatement::new(), |case, (i, id)| {
                case.case(rsvp::Column::Id.eq(*id), Expr::value(place(n * CASES_PER_UPDATE + i)))
            });
            rsvp::Entity::update_many()
                .col_expr(rsvp::Column::Status, Expr::value(RsvpStatus::Waitlisted))
                .col_expr(rsvp::Column::QueuedAt, queued.into())
                .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
                .filter(rsvp::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
    } else {
        for chunk in rest.chunks(ROWS_PER_INSERT) {
            rsvp::Entity::update_many()
                .col_expr(rsvp::Column::Status, Expr::value(RsvpStatus::NotSelected))
                .col_expr(rsvp::Column::UpdatedAt, Expr::value(now))
                .filter(rsvp::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
    }
    let messages = won
        .iter()
        .map(|id| (MessageKind::LotteryWon, *id))
        .chain(rest.iter().map(|id| (MessageKind::LotteryNotWon, *id)))
        .map(|(kind, id)| outbox::message(kind, e.id, Some(id), None, now))
        .collect::<Vec<_>>();
    for chunk in messages.chunks(ROWS_PER_INSERT) {
        outbox_row::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    event::Entity::update(event::ActiveModel {
        id: Set(e.id),
        lottery_drawn_at: Set(Some(now)),
        updated_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(DrawOutcome {
        entries: drawn.len(),
        won: won.len(),
        waitlisted: if e.waitlist_enabled { rest.len() } else { 0 },
        not_selected: if e.waitlist_enabled { 0 } else { rest.len() },
    })
}

/// The lottery as anyone may see it: the seed's hash before the draw; the seed and every entry's
/// id and rank after it, to re-run the draw.
#[derive(Clone, Debug)]
pub struct LotteryState {
    pub draw_at: Option<DateTime<Utc>>,
    pub drawn_at: Option<DateTime<Utc>>,
    pub seed_hash: String,
    pub seed: Option<String>,
    /// Entries waiting for the draw (with a confirmed email).
    pub entries: u64,
    /// After the draw: every entry in drawn order, as it was at the draw.
    pub drawn: Vec<lottery_draw::Model>,
}

/// The lottery of an event.
pub async fn state(db: &impl ConnectionTrait, e: &event::Model) -> Result<LotteryState> {
    if e.rsvp_mode != RsvpMode::Lottery {
        return Err(Conflict::NotALottery.into());
    }
    let seed = e.lottery_seed.clone().unwrap_or_default();
    let entries = if e.lottery_drawn_at.is_none() {
        sea_orm::PaginatorTrait::count(
            rsvp::Entity::find()
                .filter(rsvp::Column::EventId.eq(e.id))
                .filter(rsvp::Column::Status.eq(RsvpStatus::Entered))
                .filter(rsvp::Column::Verified.eq(true)),
            db,
        )
        .await?
    } else {
        0
    };
    let drawn = if e.lottery_drawn_at.is_some() {
        lottery_draw::Entity::find()
            .filter(lottery_draw::Column::EventId.eq(e.id))
            .order_by_asc(lottery_draw::Column::Rank)
            .all(db)
            .await?
    } else {
        Vec::new()
    };
    Ok(LotteryState {
        draw_at: e.lottery_draw_at,
        drawn_at: e.lottery_drawn_at,
        seed_hash: seed_hash(&seed),
        seed: e.lottery_drawn_at.is_some().then_some(seed),
        entries,
        drawn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn the_seed_hash_is_sha256_of_the_hex_text() {
        // Known answer: SHA-256 of the ASCII text "abc".
        assert_eq!(seed_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let seed = new_seed();
        assert_eq!(seed.len(), 64);
        assert_ne!(seed, new_seed());
    }

    #[test]
    fn the_drawn_order_depends_on_the_seed_only() {
        let ids: Vec<RsvpId> = (0..50).map(|_| RsvpId(Uuid::new_v4())).collect();
        let mut shuffled = ids.clone();
        shuffled.reverse();
        let a = drawn_order("seed-a", ids.clone(), |id| *id);
        assert_eq!(a, drawn_order("seed-a", shuffled, |id| *id), "the input order does not matter");
        assert_ne!(a, drawn_order("seed-b", ids, |id| *id), "another seed, another order");
    }

    #[test]
    fn every_entry_is_first_about_equally_often() {
        // Uniformity, roughly: over many seeds each of 4 entries comes first about 1/4 of the time.
        let ids: Vec<RsvpId> = (0..4u128).map(|n| RsvpId(Uuid::from_u128(n + 1))).collect();
        let mut firsts = [0u32; 4];
        for n in 0..4000 {
            let first = drawn_order(&format!("{n:064x}"), ids.clone(), |id| *id)[0];
            let index = ids.iter().position(|id| *id == first).unwrap_or(0);
            firsts[index] += 1;
        }
        for count in firsts {
            assert!((850..=1150).contains(&count), "{firsts:?}");
        }
    }
}
