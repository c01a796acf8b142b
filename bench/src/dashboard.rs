//! The organizers' dashboard at scale on SQLite: a network with 1,000 events (a fifth of them
//! drafts) and 50,000 RSVPs (10,000 of them for one big event), its pages read by a release server with a session cookie, as a
//! browser would: the events list (upcoming, drafts, a title search), an event's overview and
//! its RSVP table. Events are made through the API, RSVPs through the domain's group commit.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{Context, ensure};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use tsudoi_domain::{
    db::{Db, PoolSizes},
    entity::person,
    sign_in,
};

use crate::{Server, bench_network, client::Connection, free_port, register};

pub struct Figures {
    pub events: usize,
    pub rsvps: usize,
    /// Each page's name and path, with p50 and p99 over sequential reads.
    pub pages: Vec<(&'static str, String, Duration, Duration)>,
}

/// Reads per page.
const RUNS: usize = 200;

async fn timed_page(port: u16, cookie: &str, path: &str) -> anyhow::Result<(Duration, Duration)> {
    let mut conn = Connection::open(port).await?;
    let mut took = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let started = Instant::now();
        let reply = conn.get_with_cookie(path, cookie).await?;
        took.push(started.elapsed());
        ensure!(reply.status == 200, "GET {path}: {}", reply.status);
    }
    took.sort_unstable();
    Ok((took[RUNS / 2], took[(RUNS * 99 / 100).min(RUNS - 1)]))
}

pub async fn run(binary: &Path, dir: &Path, events: usize, rsvps: usize) -> anyhow::Result<Figures> {
    let url = format!("sqlite://{}/tsudoi.db?mode=rwc", dir.display());
    let token = bench_network(binary, dir).await?;
    let port = free_port()?;
    let (server, _) = Server::start(binary, dir, port).await?;
    let mut conn = Connection::open(port).await?;
    let now = Utc::now();
    let mut published = Vec::new();
    let mut first = String::new();
    for n in 0..events {
        let starts = now + chrono::Duration::hours(i64::try_from(n)? * 9 + 24);
        let title = if n % 10 == 0 { format!("Crossing #{n}") } else { format!("もくもく会 {n}") };
        let body = json!({
            "slug": format!("dash-{n}"), "title": title, "seats": 20_000, "max_guests": 1, "confirmation_required": false,
            "starts_at": starts.to_rfc3339(), "ends_at": (starts + chrono::Duration::hours(2)).to_rfc3339(),
            "online_url": "https://meet.example.jp/dash",
        });
        let event =
            conn.request("POST", "/api/v1/networks/bench/events", Some(&token), Some(body)).await?.json()?;
        let id = event["id"].as_str().with_context(|| format!("no event: {event}"))?.to_owned();
        if n % 5 != 4 {
            let done =
                conn.request("POST", &format!("/api/v1/events/{id}/publish"), Some(&token), None).await?;
            ensure!(done.status == 200, "publishing: {}", done.body);
            published.push(format!("dash-{n}"));
            if first.is_empty() {
                first = id;
            }
        }
    }
    server.stop().await?;

    let db = Db::connect(&url, &PoolSizes::default()).await?;
    // One big event (a fifth of the RSVPs: its table pages through 200 rows at a time, its
    // search looks through them all); the rest share the others.
    let big = rsvps / 5;
    let each = (rsvps - big).div_ceil(published.len() - 1);
    for (n, slug) in published.iter().enumerate() {
        register(&db, slug, if n == 0 { big } else { each }, |n| i64::from(n % 4 == 0), now).await?;
    }
    let owner = person::Entity::find()
        .filter(person::Column::Email.eq("bench@example.jp"))
        .one(db.reader())
        .await?
        .context("the bench owner")?;
    let (_, cookie) = sign_in::open_session(db.writer(), owner.id, now).await?;
    db.close().await;

    let (server, _) = Server::start(binary, dir, port).await?;
    let cookie = format!("tsudoi_session={cookie}");
    let mut pages = Vec::new();
    for (name, path) in [
        ("events, upcoming (50 of 800, with their counts)", "/admin/n/bench".to_owned()),
        ("events, drafts", "/admin/n/bench?tab=drafts".to_owned()),
        ("events, title search", "/admin/n/bench?q=crossing".to_owned()),
        ("the big event's overview", format!("/admin/e/{first}")),
        ("its RSVP table (200 of 10,000 rows)", format!("/admin/e/{first}/rsvps")),
        (
            "its RSVPs found by a name (\"参加者 1\": 1,111 match)",
            format!("/admin/e/{first}/rsvps?q=%E5%8F%82%E5%8A%A0%E8%80%85%201"),
        ),
        ("its confirmed RSVPs, page 10", format!("/admin/e/{first}/rsvps?status=confirmed&page=10")),
    ] {
        let (p50, p99) = timed_page(port, &cookie, &path).await?;
        pages.push((name, path, p50, p99));
    }
    server.stop().await?;
    Ok(Figures { events, rsvps: big + each * (published.len() - 1), pages })
}

pub fn report(f: &Figures) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "| dashboard, {} events and {} RSVPs (SQLite, {RUNS} reads each) | p50 | p99 |",
        f.events, f.rsvps
    );
    println!("|---|---:|---:|");
    for (name, path, p50, p99) in &f.pages {
        println!("| {name} (`{path}`) | {:.1} ms | {:.1} ms |", ms(*p50), ms(*p99));
    }
}
