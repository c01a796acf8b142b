//! The door storm: 10,000 confirmed tickets, 8 scanners at once, each ticket scanned once plus
//! 10% scanned again and 5% garbage, through the check-in API of a release server on SQLite. The
//! tickets are made through the domain's group commit (the RSVP form's path without HTTP), their
//! codes with the server's key. Afterwards exactly 10,000 people must be in.

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::{Context, ensure};
use sea_orm::EntityTrait;
use serde_json::json;
use tsudoi_domain::{
    db::{Db, PoolSizes},
    entity::rsvp,
    links::{Keyring, Links},
    settings::SecretKey,
};

use crate::{SECRET_KEY, Server, client::Connection, flash::operator_env, free_port, register};

pub struct Storm {
    pub engine: &'static str,
    pub scans: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub rss_peak_mib: f64,
    pub inside: i64,
    /// Reading a 640×480 camera frame through the API, one at a time.
    pub frame_p50_ms: f64,
    pub frame_p99_ms: f64,
}

/// Camera frames read after the storm.
const FRAMES: usize = 200;

/// One storm on a fresh database (`url`, or a SQLite file in `dir`).
pub async fn run(
    binary: &Path,
    dir: &Path,
    engine: &'static str,
    url: &str,
    tickets: usize,
    scanners: usize,
) -> anyhow::Result<Storm> {
    std::fs::create_dir_all(dir)?;
    let with_db = |args: &'static [&'static str]| operator_env(binary, dir, args, url);
    with_db(&["migrate"]).await?;
    with_db(&["network", "create", "--slug", "bench", "--name", "ベンチマーク同窓会"]).await?;
    let token = with_db(&["token", "create", "--network", "bench", "--email", "bench@example.jp"]).await?;
    let port = free_port()?;
    let env = [
        ("TSUDOI_DATABASE_URL", url),
        ("TSUDOI_MAIL_WORKER", "false"),
        ("TSUDOI_DOOR_LIMIT_PER_MINUTE", "0"),
    ];
    let (server, _) = Server::start_with(binary, dir, port, &env).await?;
    let mut conn = Connection::open(port).await?;
    // Two days ahead, so that the day-before reminders are not due during the storm; the pass
    // opens now.
    let now = chrono::Utc::now();
    let starts = now + chrono::Duration::days(2);
    let event = conn
        .request(
            "POST",
            "/api/v1/networks/bench/events",
            Some(&token),
            Some(json!({
                "slug": "storm", "title": "大交流会", "seats": tickets, "confirmation_required": false,
                "starts_at": starts.to_rfc3339(), "ends_at": (starts + chrono::Duration::hours(3)).to_rfc3339(),
                "online_url": "https://meet.example.jp/storm",
            })),
        )
        .await?
        .json()?;
    let id = event["id"].as_str().context("event id")?.to_owned();
    conn.request("POST", &format!("/api/v1/events/{id}/publish"), Some(&token), None).await?;
    let pass = conn
        .request(
            "POST",
            &format!("/api/v1/events/{id}/door-passes"),
            Some(&token),
            Some(json!({"label": "Gate A", "valid_from": (now - chrono::Duration::minutes(1)).to_rfc3339()})),
        )
        .await?
        .json()?;
    let pass = pass["token"].as_str().context("pass token")?.to_owned();

    // The tickets, straight into the database, and their codes made with the server's key.
    let db = Db::connect(url, &PoolSizes::default()).await?;
    register(&db, "storm", tickets, |_| 0, chrono::Utc::now()).await?;
    let links =
        Links::new(Keyring::new(&SecretKey::parse(SECRET_KEY)?, &[]), &format!("http://127.0.0.1:{port}"));
    let mut codes: Vec<String> =
        rsvp::Entity::find().all(db.reader()).await?.iter().map(|r| links.ticket_url(r)).collect();
    ensure!(codes.len() == tickets, "{} tickets made", codes.len());
    // 10% scanned twice (a second gate, a nervous guest), 5% garbage.
    let repeats: Vec<String> = codes.iter().step_by(10).cloned().collect();
    codes.extend(repeats);
    codes.extend((0..tickets / 20).map(|n| format!("garbage-{n}")));
    // Spread the repeats and the garbage through the storm.
    let len = codes.len();
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by_key(|&i| (i * 7919) % len);
    let bodies: Arc<Vec<String>> = Arc::new(
        order
            .into_iter()
            .enumerate()
            .map(|(n, i)| json!({"code": codes[i], "nonce": format!("s{n}")}).to_string())
            .collect(),
    );

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..scanners {
        let (bodies, next, pass) = (bodies.clone(), next.clone(), pass.clone());
        workers.push(tokio::spawn(async move {
            let mut conn = Connection::open(port).await?;
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                let Some(body) = bodies.get(n) else { break };
                let sent = Instant::now();
                let reply = conn
                    .upload("/api/v1/door/scans", ("X-Door-Pass", &pass), "application/json", body.as_bytes())
                    .await?;
                latencies.push(sent.elapsed());
                ensure!(reply.status == 200, "a scan answered {}: {}", reply.status, reply.body);
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies: Vec<Duration> = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    let (_, rss_peak_mib) = server.memory()?;
    latencies.sort_unstable();
    let at = |p: f64| latencies[((latencies.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    let inside: i64 =
        rsvp::Entity::find().all(db.reader()).await?.iter().map(|r| i64::from(r.checked_in)).sum();
    ensure!(inside == i64::try_from(tickets)?, "{inside} people in, {tickets} tickets");

    // A phone without BarcodeDetector: frames of a ticket, read by the server.
    let frame = tsudoi_domain::qr::frame(&codes[0], 640, 480)?;
    let mut reads = Vec::with_capacity(FRAMES);
    for _ in 0..FRAMES {
        let sent = Instant::now();
        let reply = conn
            .upload(
                "/api/v1/door/frames?width=640&height=480",
                ("X-Door-Pass", &pass),
                "application/octet-stream",
                &frame,
            )
            .await?;
        reads.push(sent.elapsed());
        ensure!(
            reply.status == 200 && reply.body.contains(&codes[0]),
            "a frame read {}: {}",
            reply.status,
            reply.body
        );
    }
    reads.sort_unstable();
    let frame_at = |p: f64| reads[((reads.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0;
    db.close().await;
    server.stop().await?;
    Ok(Storm {
        engine,
        scans: latencies.len(),
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: at(0.5),
        p99_ms: at(0.99),
        rss_peak_mib,
        inside,
        frame_p50_ms: frame_at(0.5),
        frame_p99_ms: frame_at(0.99),
    })
}

pub fn report(storms: &[Storm]) {
    println!(
        "| door storm: 10,000 tickets + 10% repeats + 5% garbage, 8 scanners | scans | scans/s | p50 ms | p99 ms | server RSS peak | people in afterwards |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for s in storms {
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {:.1} MiB | {} |",
            s.engine, s.scans, s.per_second, s.p50_ms, s.p99_ms, s.rss_peak_mib, s.inside
        );
    }
    println!();
    println!(
        "| a 640×480 camera frame read by the server ({FRAMES}, one at a time, through the API) | p50 ms | p99 ms |"
    );
    println!("|---|---:|---:|");
    for s in storms {
        println!("| {} | {:.2} | {:.2} |", s.engine, s.frame_p50_ms, s.frame_p99_ms);
    }
}
