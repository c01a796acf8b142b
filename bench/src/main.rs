//! `tsudoi-bench`: starts a release `tsudoi serve` on a fresh SQLite file, seeds a few hundred
//! published events through the API, then drives it from this process with keep-alive HTTP/1.1
//! connections and reports requests/s, latency percentiles, server memory and start time.
//!
//! The load generator is a minimal HTTP/1.1 client on purpose: it shares the machine's two
//! cores with the server, so it must spend as little CPU per request as it can.

mod client;
mod dashboard;
mod door;
mod email;
mod flash;
mod invitations;
mod lottery;
mod surveys;

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::Parser;
use client::Connection;
use serde_json::json;
use tokio::process::{Child, Command};

/// Benchmarks a Tsudoi server binary.
#[derive(Parser)]
struct Args {
    /// The server binary (build it with `cargo build --release -p tsudoi`).
    #[arg(long, default_value = "target/release/tsudoi")]
    server: PathBuf,
    /// Concurrent connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Events to seed.
    #[arg(long, default_value_t = 300)]
    events: usize,
    /// Also run the flash crowd on this PostgreSQL server (a fresh database is made beside the
    /// URL's) [env: TSUDOI_BENCH_POSTGRES_URL]
    #[arg(long, env = "TSUDOI_BENCH_POSTGRES_URL", value_name = "URL")]
    postgres: Option<String>,
    /// Run only the flash crowd.
    #[arg(long)]
    flash_only: bool,
    /// Run only the lottery draw and the invitation list.
    #[arg(long)]
    organizer_only: bool,
    /// Run only the door storm.
    #[arg(long)]
    door_only: bool,
    /// Run only the survey results and the series report.
    #[arg(long)]
    after_only: bool,
    /// Run only the dashboard pages.
    #[arg(long)]
    dashboard_only: bool,
}

/// The servers' key, so that the benchmark can make ticket codes they accept.
const SECRET_KEY: &str = "benchmark-secret-key-0123456789abcdef";

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(binary: &Path, dir: &Path, port: u16) -> anyhow::Result<(Server, Duration)> {
        Self::start_with(binary, dir, port, &[]).await
    }

    async fn start_with(
        binary: &Path,
        dir: &Path,
        port: u16,
        env: &[(&str, &str)],
    ) -> anyhow::Result<(Server, Duration)> {
        let started = Instant::now();
        let child = Command::new(binary)
            .envs(env.iter().copied())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .current_dir(dir)
            .env("TSUDOI_LOG", "warn")
            .env("TSUDOI_SECRET_KEY", SECRET_KEY)
            .env("TSUDOI_BASE_URL", format!("http://127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let server = Server { child, port };
        loop {
            if let Ok(mut conn) = Connection::open(port).await
                && conn.request("GET", "/readyz", None, None).await.is_ok_and(|r| r.status == 200)
            {
                return Ok((server, started.elapsed()));
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server did not become ready in 30 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    fn pid(&self) -> anyhow::Result<u32> {
        self.child.id().context("server exited")
    }

    /// Resident memory now and at its peak, in MiB.
    fn memory(&self) -> anyhow::Result<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?))?;
        let field = |name: &str| -> f64 {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        Ok((field("VmRSS:"), field("VmHWM:")))
    }

    async fn stop(mut self) -> anyhow::Result<()> {
        let pid = self.pid()?;
        // SIGTERM, for a graceful stop.
        Command::new("kill").arg(pid.to_string()).status().await?;
        tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await??;
        Ok(())
    }
}

/// Registers `count` people ("参加者 n", pn@example.jp, with `guests(n)` guests) for the event
/// `slug` through the domain's group commit, the RSVP form's path without HTTP, at `at`.
async fn register(
    db: &tsudoi_domain::db::Db,
    slug: &str,
    count: usize,
    guests: impl Fn(usize) -> i64,
    at: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<()> {
    use tsudoi_domain::rsvp::{Form, submit_many};
    for batch in (0..count).collect::<Vec<_>>().chunks(1000) {
        let forms = batch
            .iter()
            .map(|&n| {
                let form = Form {
                    name: format!("参加者 {n}"),
                    email: format!("p{n}@example.jp"),
                    guests: guests(n),
                    ..Form::default()
                };
                (slug.to_owned(), form)
            })
            .collect();
        for result in submit_many(db.writer(), forms, at).await {
            result?;
        }
    }
    Ok(())
}

/// The door storm on SQLite, and on PostgreSQL when given one.
async fn door_storms(binary: &Path, dir: &Path, postgres: Option<&str>) -> anyhow::Result<()> {
    let run_dir = dir.join("door-sqlite");
    let url = format!("sqlite://{}/tsudoi.db?mode=rwc", run_dir.display());
    let mut storms = vec![door::run(binary, &run_dir, "SQLite", &url, 10_000, 8).await?];
    if let Some(admin) = postgres {
        let url = flash::fresh_postgres(admin).await?;
        storms.push(door::run(binary, &dir.join("door-postgres"), "PostgreSQL", &url, 10_000, 8).await?);
    }
    door::report(&storms);
    Ok(())
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A fresh database in `dir` with the network `bench`; returns an owner's API token.
async fn bench_network(binary: &Path, dir: &Path) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir)?;
    operator(binary, dir, &["migrate"]).await?;
    operator(binary, dir, &["network", "create", "--slug", "bench", "--name", "ベンチマーク同窓会"]).await?;
    operator(binary, dir, &["token", "create", "--network", "bench", "--email", "bench@example.jp"]).await
}

async fn operator(binary: &Path, dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let out = Command::new(binary).args(args).current_dir(dir).env("TSUDOI_LOG", "warn").output().await?;
    anyhow::ensure!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// Creates and publishes `count` events in network `bench`, returning their slugs.
async fn seed(port: u16, token: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let mut conn = Connection::open(port).await?;
    let venue = conn
        .request(
            "POST",
            "/api/v1/networks/bench/venues",
            Some(token),
            Some(
                json!({"name": "渋谷ヒカリエ 8F", "address": "東京都渋谷区渋谷2-21-1", "room_capacity": 200}),
            ),
        )
        .await?
        .json()?;
    let first = chrono::DateTime::parse_from_rfc3339("2026-11-24T19:00:00+09:00")?;
    let mut slugs = Vec::with_capacity(count);
    for i in 0..count {
        // Half in the past, half upcoming, a day apart.
        let day = i64::try_from(i)? - i64::try_from(count / 2)?;
        let starts_at = first + chrono::Duration::days(day);
        let body = json!({
            "slug": format!("bench-{i}"),
            "title": format!("Crossing #{i} 〜越境するキャリア〜"),
            "theme": "生成AIと働き方",
            "description": "## 概要\n\nOB/OG と現役社員が集まる夜です。".repeat(3),
            "starts_at": starts_at.to_rfc3339(),
            "ends_at": (starts_at + chrono::Duration::minutes(150)).to_rfc3339(),
            "seats": 60,
            "venue_id": venue["id"],
            "slots": [{"name": "OB/OG", "seats": 40}, {"name": "現役社員", "seats": 20}],
        });
        let created = conn.request("POST", "/api/v1/networks/bench/events", Some(token), Some(body)).await?;
        anyhow::ensure!(created.status == 201, "creating an event: {}", created.body);
        let id = created.json()?["id"].as_str().context("id")?.to_owned();
        let published =
            conn.request("POST", &format!("/api/v1/events/{id}/publish"), Some(token), None).await?;
        // Events that have ended cannot be published; they stay drafts, out of public lists.
        if published.status == 200 {
            slugs.push(format!("bench-{i}"));
        }
    }
    Ok(slugs)
}

struct Outcome {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl Outcome {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let rank = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.latencies_us[rank]) / 1000.0
    }
}

/// Drives `connections` keep-alive connections for `seconds`, each asking `path_of(n)`.
async fn drive(port: u16, connections: usize, seconds: u64, paths: Vec<String>) -> anyhow::Result<Outcome> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..connections {
        let paths = paths.clone();
        workers.push(tokio::spawn(async move {
            let mut conn = Connection::open(port).await?;
            let mut latencies = Vec::with_capacity(200_000);
            let mut errors = 0usize;
            let mut n = worker;
            while Instant::now() < deadline {
                let path = &paths[n % paths.len()];
                n += connections;
                let sent = Instant::now();
                let reply = conn.request("GET", path, None, None).await?;
                latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                if reply.status != 200 {
                    errors += 1;
                }
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (l, e) = worker.await??;
        latencies_us.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed();
    latencies_us.sort_unstable();
    Ok(Outcome { requests: latencies_us.len(), errors, elapsed, latencies_us })
}

/// After the event: a survey's results over 100,000 responses, a series of 50 editions.
async fn after_event(binary: &Path, dir: &Path) -> anyhow::Result<()> {
    let figures = surveys::run(binary, &dir.join("surveys"), 100_000, 50, 20_000).await?;
    surveys::report(&figures);
    println!();
    Ok(())
}

/// The dashboard's pages over 1,000 events and 50,000 RSVPs.
async fn dashboard_pages(binary: &Path, dir: &Path) -> anyhow::Result<()> {
    let figures = dashboard::run(binary, &dir.join("dashboard"), 1000, 50_000).await?;
    dashboard::report(&figures);
    println!();
    Ok(())
}

/// The organizers' big operations: a lottery draw and an invitation list.
async fn organizer_scenarios(binary: &Path, dir: &Path) -> anyhow::Result<()> {
    let draw = lottery::run(binary, &dir.join("lottery"), 50_000, 500).await?;
    lottery::report(&draw);
    println!();
    let invited = invitations::run(binary, &dir.join("invitations"), 10_000).await?;
    invitations::report(&invited);
    println!();
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let binary = std::fs::canonicalize(&args.server).with_context(|| {
        format!("{} not found: run `cargo build --release -p tsudoi`", args.server.display())
    })?;
    let dir = std::env::temp_dir().join(format!("tsudoi-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;

    if args.dashboard_only {
        dashboard_pages(&binary, &dir).await?;
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }
    if args.after_only {
        after_event(&binary, &dir).await?;
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }
    if args.door_only {
        door_storms(&binary, &dir, args.postgres.as_deref()).await?;
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }
    if args.organizer_only {
        organizer_scenarios(&binary, &dir).await?;
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }
    let mut flashes = Vec::new();
    for confirmation in [false, true] {
        let run_dir = dir.join(format!("flash-sqlite-{confirmation}"));
        let url = format!("sqlite://{}/flash.db?mode=rwc", run_dir.display());
        flashes.push(flash::run(&binary, &run_dir, "SQLite", &url, confirmation, 5000, 64).await?);
        if let Some(admin) = &args.postgres {
            let url = flash::fresh_postgres(admin).await?;
            let run_dir = dir.join(format!("flash-postgres-{confirmation}"));
            flashes.push(flash::run(&binary, &run_dir, "PostgreSQL", &url, confirmation, 5000, 64).await?);
        }
    }
    flash::report(&flashes);
    println!();
    if args.flash_only {
        std::fs::remove_dir_all(&dir).ok();
        return Ok(());
    }

    organizer_scenarios(&binary, &dir).await?;
    after_event(&binary, &dir).await?;
    dashboard_pages(&binary, &dir).await?;
    door_storms(&binary, &dir, args.postgres.as_deref()).await?;
    println!();

    let token = bench_network(&binary, &dir).await?;

    let port = free_port()?;
    let (server, _) = Server::start(&binary, &dir, port).await?;
    let seeded = Instant::now();
    let slugs = seed(server.port, &token, args.events).await?;
    eprintln!("seeded {} events ({} published) in {:.1?}", args.events, slugs.len(), seeded.elapsed());
    server.stop().await?;

    // Start time with migrations already applied: process start until /readyz answers 200.
    let mut starts = Vec::new();
    for _ in 0..5 {
        let (server, took) = Server::start(&binary, &dir, free_port()?).await?;
        starts.push(took);
        server.stop().await?;
    }
    starts.sort();
    let start_median = starts[starts.len() / 2];
    let (server, _) = Server::start(&binary, &dir, port).await?;
    let (idle_rss, _) = server.memory()?;
    server.stop().await?;
    let mut last = None;

    let scenarios = [
        ("public event list (JSON, 50 events)", vec!["/api/v1/public/networks/bench/events".to_owned()]),
        (
            "one public event (JSON)",
            slugs.iter().map(|s| format!("/api/v1/public/events/{s}")).collect::<Vec<_>>(),
        ),
        ("public event page (HTML)", slugs.iter().map(|s| format!("/e/{s}")).collect::<Vec<_>>()),
    ];
    println!("| scenario | public cache | requests/s | p50 ms | p99 ms | max ms | errors |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    // The uncached run first, so that the memory figures below are those of the default setup.
    for (cache, env) in [("off", "0"), ("on (1 s, default)", "1000")] {
        let (server, _) = Server::start_with(&binary, &dir, port, &[("TSUDOI_PUBLIC_CACHE_MS", env)]).await?;
        for (name, paths) in &scenarios {
            // A short warm-up, then the measured run.
            drive(port, args.connections, 1, paths.clone()).await?;
            let outcome = drive(port, args.connections, args.seconds, paths.clone()).await?;
            println!(
                "| {name}, {} connections | {cache} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
                args.connections,
                outcome.requests as f64 / outcome.elapsed.as_secs_f64(),
                outcome.percentile(0.50),
                outcome.percentile(0.99),
                outcome.percentile(1.0),
                outcome.errors,
            );
        }
        if env == "0" {
            server.stop().await?;
        } else {
            last = Some(server);
        }
    }
    let server = last.context("the cached run kept its server")?;
    let (rss, peak) = server.memory()?;
    server.stop().await?;
    println!();
    println!("| server | value |");
    println!("|---|---:|");
    println!(
        "| start time, migrations applied (median of 5, process start to /readyz 200) | {:.0} ms |",
        start_median.as_secs_f64() * 1000.0
    );
    println!("| RSS idle after start | {idle_rss:.1} MiB |");
    println!("| RSS after the load | {rss:.1} MiB |");
    println!("| RSS peak | {peak:.1} MiB |");
    println!(
        "| full ticket email rendered (HTML, text, QR PNG, .ics), one core | {:.0} emails/s |",
        email::ticket_emails_per_second(5)?
    );
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}
