//! The lottery draw at scale: 50,000 entries for 500 seats on SQLite. The event is made through
//! the API of a release server; the entries go in through the domain's group commit (the path
//! the RSVP form takes, without HTTP, to keep the setup short); then the draw runs exactly as
//! the scheduler runs it, and is timed: ranks, confirmations, the waitlist in drawn order and
//! 50,000 emails queued, in one transaction. Afterwards the seats taken must be exactly 500.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{Context, ensure};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use tsudoi_domain::{
    db::{Db, PoolSizes},
    entity::{outbox, rsvp},
    rsvp::{RsvpStatus, lottery},
};

use crate::{Server, bench_network, client::Connection, free_port, register};

pub struct Draw {
    pub entries: usize,
    pub seats: i64,
    pub took: Duration,
    pub won: u64,
    pub waitlisted: u64,
    pub emails: u64,
}

pub async fn run(binary: &Path, dir: &Path, entries: usize, seats: i64) -> anyhow::Result<Draw> {
    // The server's default database, `tsudoi.db` in its working folder.
    let url = format!("sqlite://{}/tsudoi.db?mode=rwc", dir.display());
    let token = bench_network(binary, dir).await?;

    let port = free_port()?;
    let (server, _) = Server::start(binary, dir, port).await?;
    let draw_at: DateTime<Utc> = "2026-12-01T03:00:00Z".parse()?;
    let mut conn = Connection::open(port).await?;
    let event = conn
        .request(
            "POST",
            "/api/v1/networks/bench/events",
            Some(&token),
            Some(json!({
                "slug": "lottery", "title": "大抽選会", "seats": seats, "max_guests": 1,
                "starts_at": "2026-12-10T10:00:00Z", "ends_at": "2026-12-10T12:00:00Z",
                "online_url": "https://meet.example.jp/lottery", "confirmation_required": false,
                "rsvp_mode": "lottery", "lottery_draw_at": draw_at.to_rfc3339(),
            })),
        )
        .await?
        .json()?;
    let id = event["id"].as_str().context("event id")?.to_owned();
    let published = conn.request("POST", &format!("/api/v1/events/{id}/publish"), Some(&token), None).await?;
    ensure!(published.status == 200, "publishing the lottery event: {}", published.status);
    server.stop().await?;

    let db = Db::connect(&url, &PoolSizes::default()).await?;
    let entered_at = draw_at - chrono::Duration::days(1);
    // One party in five brings a guest.
    register(&db, "lottery", entries, |n| i64::from(n % 5 == 0), entered_at).await?;

    let started = Instant::now();
    let drawn = lottery::draw_due(db.writer(), db.reader(), draw_at + chrono::Duration::seconds(1)).await?;
    let took = started.elapsed();
    ensure!(drawn == 1, "the draw did not run");

    let count =
        |status: RsvpStatus| rsvp::Entity::find().filter(rsvp::Column::Status.eq(status)).count(db.reader());
    let (won, waitlisted) = (count(RsvpStatus::Confirmed).await?, count(RsvpStatus::Waitlisted).await?);
    let taken: i64 = rsvp::Entity::find()
        .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
        .all(db.reader())
        .await?
        .iter()
        .map(|r| i64::from(r.party()))
        .sum();
    ensure!(taken <= seats && taken >= seats - 1, "seats taken after the draw: {taken} of {seats}");
    ensure!(usize::try_from(won + waitlisted)? == entries, "every entry is decided");
    let emails = outbox::Entity::find().count(db.reader()).await?;
    db.close().await;
    Ok(Draw { entries, seats, took, won, waitlisted, emails })
}

pub fn report(draw: &Draw) {
    println!("| lottery draw (SQLite) | value |");
    println!("|---|---:|");
    println!(
        "| {} entries for {} seats: draw, ranks, waitlist in drawn order, emails queued | {:.0} ms |",
        draw.entries,
        draw.seats,
        draw.took.as_secs_f64() * 1000.0
    );
    println!(
        "| winners / waitlisted / emails queued in all | {} / {} / {} |",
        draw.won, draw.waitlisted, draw.emails
    );
}
