//! `kill -9` in the middle of a burst of RSVPs: every RSVP that got its success page is in the
//! database after a restart, and its email still goes out (DESIGN invariant 4). A real process
//! on a SQLite file, with emails written as `.eml` files.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a test file: a failed unwrap is a failed test

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::Value;

struct Workdir(PathBuf);

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tsudoi(dir: &Path, args: &[&str], port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tsudoi"));
    command
        .args(args)
        .current_dir(dir)
        .env("TSUDOI_LOG", "warn")
        .env_remove("TSUDOI_DATABASE_URL")
        .env("TSUDOI_LISTEN", format!("127.0.0.1:{port}"))
        .env("TSUDOI_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("TSUDOI_RSVP_LIMIT_PER_IP", "0")
        .env("TSUDOI_RSVP_LIMIT_PER_EMAIL", "0")
        // Mail the killed server had claimed but not sent waits out its lease, then goes.
        .env("TSUDOI_MAIL_LEASE_SECONDS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn wait_until_up(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(format!("{base}/readyz")).send().await.map(|r| r.status() != 200).unwrap_or(true) {
        assert!(Instant::now() < deadline, "the server did not come up");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The addresses every `.eml` in `outbox/` is written to.
fn recipients(outbox: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(outbox) else { return Vec::new() };
    entries
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter_map(|raw| {
            raw.lines().find_map(|l| l.strip_prefix("To: ")).map(|to| {
                to.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .rsplit(' ')
                    .next()
                    .unwrap_or("")
                    .trim_matches(['<', '>'])
                    .to_owned()
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_keeps_every_rsvp_it_answered_and_still_sends_its_email() {
    let dir = std::env::temp_dir().join(format!("tsudoi-crash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let work = Workdir(dir);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    assert!(tsudoi(&work.0, &["demo"], port).status().unwrap().success(), "seeding the demo");

    let mut server: Child = tsudoi(&work.0, &["serve"], port).spawn().unwrap();
    let client = reqwest::Client::new();
    wait_until_up(&client, &base).await;
    let events: Value = client
        .get(format!("{base}/api/v1/public/networks/demo/events"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let slug = events.as_array().unwrap().iter().find(|e| e["title"] == "Crossing #8").unwrap()["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let event: Value =
        client.get(format!("{base}/api/v1/public/events/{slug}")).send().await.unwrap().json().await.unwrap();
    let slot = event["slots"][0]["id"].as_str().unwrap().to_owned();

    // A burst from many connections; the server dies in the middle of it.
    let (answered_tx, mut answered_rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let burst: Vec<_> = (0..400)
        .map(|n| {
            let (client, base, slug, slot, answered) =
                (client.clone(), base.clone(), slug.clone(), slot.clone(), answered_tx.clone());
            tokio::spawn(async move {
                let email = format!("p{n}@example.jp");
                let body = format!("name=P{n}&email={email}&slot={slot}");
                let sent = client
                    .post(format!("{base}/e/{slug}/rsvp"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await;
                if let Ok(reply) = sent
                    && reply.status() == 200
                    && reply.text().await.is_ok_and(|t| t.contains(&email))
                {
                    let _ = answered.send(email);
                }
            })
        })
        .collect();
    drop(answered_tx);
    let mut answered = Vec::new();
    while answered.len() < 60 {
        answered.push(answered_rx.recv().await.expect("some RSVPs answered before the kill"));
    }
    server.kill().unwrap(); // SIGKILL: no graceful anything
    server.wait().unwrap();
    for task in burst {
        let _ = task.await;
    }
    while let Ok(email) = answered_rx.try_recv() {
        answered.push(email);
    }

    let mut server = tsudoi(&work.0, &["serve"], port).spawn().unwrap();
    wait_until_up(&client, &base).await;
    let outbox = work.0.join("outbox");
    let deadline = Instant::now() + Duration::from_secs(20);
    let missing = loop {
        let sent = recipients(&outbox);
        let missing: Vec<&String> = answered.iter().filter(|e| !sent.contains(e)).collect();
        if missing.is_empty() || Instant::now() > deadline {
            break missing.into_iter().cloned().collect::<Vec<_>>();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(
        missing.is_empty(),
        "{} of {} answered RSVPs got no email: {missing:?}",
        missing.len(),
        answered.len()
    );
}
