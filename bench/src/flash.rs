//! The flash crowd: 5,000 RSVPs from 64 connections for an event with 100 seats, the outbox
//! worker sending all the while, rate limits raised by configuration. Measured with the email
//! confirmation off (RSVP is the whole path) and on (RSVP, then the confirm button from each
//! email), on SQLite and, when given, PostgreSQL. Afterwards the database must show exactly 100
//! seats taken, by the first 100 to arrive, and everyone else waitlisted behind them.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, ensure};
use mail_parser::MessageParser;
use sea_orm::{ColumnTrait, ConnectionTrait, Database, EntityTrait, QueryFilter};
use serde_json::json;
use tsudoi_domain::{entity::rsvp, rsvp::RsvpStatus};

use crate::{Server, client::Connection, free_port};

pub struct Flash {
    pub engine: &'static str,
    pub confirmation: bool,
    pub rsvp: Phase,
    pub confirm: Option<Phase>,
    /// From the first RSVP until the worker had written every email.
    pub all_mail_sent: Duration,
    pub seats_taken: i64,
    pub waitlisted: i64,
}

pub struct Phase {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

const SEATS: i64 = 100;

/// Sends `bodies[i]` to `paths[i]` from `connections` keep-alive connections; every answer must
/// have `status`.
async fn burst(
    port: u16,
    connections: usize,
    requests: Vec<(String, String)>,
    status: u16,
) -> anyhow::Result<Phase> {
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..connections {
        let (requests, next) = (requests.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Connection::open(port).await?;
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some((path, body)) = requests.get(n) else { break };
                let sent = Instant::now();
                let reply = conn.post_form(path, body).await?;
                latencies.push(sent.elapsed());
                ensure!(reply.status == status, "{path} answered {} (wanted {status})", reply.status);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    ensure!(!latencies.is_empty(), "nothing to send");
    latencies.sort_unstable();
    let at = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    Ok(Phase {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    })
}

/// The `/r/...` path in every email the worker wrote.
fn manage_paths(outbox: &Path) -> anyhow::Result<Vec<String>> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(outbox)? {
        let raw = std::fs::read(entry?.path())?;
        let mail = MessageParser::default().parse(&raw).context("an email the worker wrote")?;
        let text = mail.body_text(0).context("a text part")?;
        if let Some(at) = text.find("/r/") {
            let token: String = text[at..].chars().take_while(|c| !c.is_whitespace()).collect();
            paths.push(token);
        }
    }
    Ok(paths)
}

fn emails_written(outbox: &Path) -> usize {
    std::fs::read_dir(outbox).map(|d| d.count()).unwrap_or(0)
}

/// One flash crowd on a fresh database (`database_url`, or a SQLite file in `dir`).
pub async fn run(
    binary: &Path,
    dir: &Path,
    engine: &'static str,
    database_url: &str,
    confirmation: bool,
    total: usize,
    connections: usize,
) -> anyhow::Result<Flash> {
    let env = [
        ("TSUDOI_DATABASE_URL", database_url),
        ("TSUDOI_RSVP_LIMIT_PER_IP", "0"),
        ("TSUDOI_RSVP_LIMIT_PER_EMAIL", "0"),
        ("TSUDOI_OUTBOX_DIR", "outbox"),
    ];
    std::fs::create_dir_all(dir)?;
    let with_db = |args: &'static [&'static str]| operator_env(binary, dir, args, database_url);
    with_db(&["migrate"]).await?;
    with_db(&["network", "create", "--slug", "flash", "--name", "フラッシュ同窓会"]).await?;
    let token = with_db(&["token", "create", "--network", "flash", "--email", "flash@example.jp"]).await?;
    let port = free_port()?;
    let (server, _) = Server::start_with(binary, dir, port, &env).await?;

    let mut conn = Connection::open(port).await?;
    let created = conn
        .request(
            "POST",
            "/api/v1/networks/flash/events",
            Some(&token),
            Some(json!({
                "slug": "flash", "title": "年末感謝祭 〜フラッシュ〜", "seats": SEATS,
                "starts_at": "2027-03-10T19:00:00+09:00", "ends_at": "2027-03-10T21:00:00+09:00",
                "online_url": "https://meet.example.jp/flash", "confirmation_required": confirmation,
            })),
        )
        .await?
        .json()?;
    let id = created["id"].as_str().context("event id")?;
    conn.request("POST", &format!("/api/v1/events/{id}/publish"), Some(&token), None).await?;

    let rsvps = (0..total)
        .map(|n| ("/e/flash/rsvp".to_owned(), format!("name=P{n}&email=p{n}%40example.jp")))
        .collect();
    let started = Instant::now();
    let rsvp = burst(port, connections, rsvps, 200).await?;
    let outbox = dir.join("outbox");
    while emails_written(&outbox) < total {
        ensure!(started.elapsed() < Duration::from_secs(300), "the worker did not send every email");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let all_mail_sent = started.elapsed();
    let confirm = if confirmation {
        let confirms =
            manage_paths(&outbox)?.into_iter().map(|p| (format!("{p}/confirm"), String::new())).collect();
        Some(burst(port, connections, confirms, 303).await?)
    } else {
        None
    };

    let db = Database::connect(database_url).await?;
    let rows = rsvp::Entity::find().filter(rsvp::Column::EventId.is_not_null()).all(&db).await?;
    let (taking, waiting): (Vec<_>, Vec<_>) = rows.iter().partition(|r| r.status.takes_seats());
    let seats_taken: i64 = taking.iter().map(|r| i64::from(r.party())).sum();
    let waitlisted = waiting.iter().filter(|r| r.status == RsvpStatus::Waitlisted).count() as i64;
    ensure!(seats_taken == SEATS, "{seats_taken} seats taken, not {SEATS}");
    ensure!(waitlisted == i64::try_from(total)? - SEATS, "{waitlisted} waitlisted");
    let last_in = taking.iter().map(|r| r.queued_at).max().context("nobody got a seat")?;
    ensure!(waiting.iter().all(|r| r.queued_at >= last_in), "a later RSVP took a seat before an earlier one");
    db.close().await?;
    server.stop().await?;
    Ok(Flash { engine, confirmation, rsvp, confirm, all_mail_sent, seats_taken, waitlisted })
}

pub async fn operator_env(
    binary: &Path,
    dir: &Path,
    args: &[&str],
    database_url: &str,
) -> anyhow::Result<String> {
    let out = tokio::process::Command::new(binary)
        .args(args)
        .current_dir(dir)
        .env("TSUDOI_LOG", "warn")
        .env("TSUDOI_DATABASE_URL", database_url)
        .output()
        .await?;
    ensure!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// A fresh PostgreSQL database next to `admin_url`'s, for one run.
pub async fn fresh_postgres(admin_url: &str) -> anyhow::Result<String> {
    let name = format!("tsudoi_flash_{}", std::process::id() as u64 * 1000 + u64::from(rand_suffix()));
    let admin = Database::connect(admin_url).await?;
    admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
    admin.close().await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}

fn rand_suffix() -> u16 {
    u16::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_micros() % 1000),
    )
    .unwrap_or(0)
}

pub fn report(results: &[Flash]) {
    println!(
        "| flash crowd, 5,000 RSVPs, 64 connections, 100 seats | RSVPs/s | p50 ms | p99 ms | confirms/s (p99 ms) | all email sent after | seats taken | waitlisted |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for f in results {
        let confirm =
            f.confirm.as_ref().map_or("—".to_owned(), |c| format!("{:.0} ({:.1})", c.per_second, c.p99_ms));
        println!(
            "| {}, confirmation {} | {:.0} | {:.1} | {:.1} | {} | {:.1} s | {} | {} |",
            f.engine,
            if f.confirmation { "on" } else { "off" },
            f.rsvp.per_second,
            f.rsvp.p50_ms,
            f.rsvp.p99_ms,
            confirm,
            f.all_mail_sent.as_secs_f64(),
            f.seats_taken,
            f.waitlisted,
        );
    }
}
