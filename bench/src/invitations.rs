//! An invitation list of 10,000 people: uploaded as a CP932 CSV (as Excel in Japan saves it)
//! to a release server, read and previewed (every row checked, duplicates and registrations
//! marked, the list stored), then sent (10,000 emails queued in one transaction). Each step is
//! one API request, timed from the client. The outbox worker is off, so the send's figure is the
//! queueing alone and the emails are counted afterwards.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{Context, ensure};
use serde_json::json;

use crate::{Server, bench_network, client::Connection, free_port};

pub struct Invitations {
    pub people: usize,
    pub preview: Duration,
    pub send: Duration,
    pub queued: u64,
}

pub async fn run(binary: &Path, dir: &Path, people: usize) -> anyhow::Result<Invitations> {
    let token = bench_network(binary, dir).await?;
    let port = free_port()?;
    let (server, _) = Server::start_with(binary, dir, port, &[("TSUDOI_MAIL_WORKER", "false")]).await?;
    let mut conn = Connection::open(port).await?;
    let event = conn
        .request(
            "POST",
            "/api/v1/networks/bench/events",
            Some(&token),
            Some(json!({
                "slug": "homecoming", "title": "ホームカミングデー", "seats": 2000,
                "starts_at": "2026-12-10T10:00:00Z", "ends_at": "2026-12-10T12:00:00Z",
                "online_url": "https://meet.example.jp/homecoming",
            })),
        )
        .await?
        .json()?;
    let id = event["id"].as_str().context("event id")?.to_owned();
    conn.request("POST", &format!("/api/v1/events/{id}/publish"), Some(&token), None).await?;

    let mut text = String::from("氏名,メールアドレス,ふりがな\r\n");
    for n in 0..people {
        text.push_str(&format!("卒業生 {n}号,alumni{n}@example.jp,そつぎょうせい {n}ごう\r\n"));
    }
    let (file, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&text);
    ensure!(!unmappable, "the list has characters CP932 cannot hold");

    let started = Instant::now();
    let uploaded = conn
        .upload(
            &format!("/api/v1/events/{id}/invitations"),
            ("Authorization", &format!("Bearer {token}")),
            "text/csv",
            &file,
        )
        .await?;
    let preview = started.elapsed();
    ensure!(uploaded.status == 201, "upload: {} {}", uploaded.status, uploaded.body);
    let list = uploaded.json()?;
    ensure!(list["counts"]["new"] == people, "every person is new: {}", list["counts"]);
    let list_id = list["id"].as_str().context("list id")?.to_owned();

    let started = Instant::now();
    let sent = conn
        .request("POST", &format!("/api/v1/invitation-lists/{list_id}/send"), Some(&token), Some(json!({})))
        .await?;
    let send = started.elapsed();
    ensure!(sent.status == 200, "send: {} {}", sent.status, sent.body);
    let queued = sent.json()?["progress"]["total"].as_u64().unwrap_or(0);
    ensure!(usize::try_from(queued)? == people, "every invitation queued: {queued}");
    server.stop().await?;
    Ok(Invitations { people, preview, send, queued })
}

pub fn report(i: &Invitations) {
    println!("| invitation list (SQLite, one API request each) | time |");
    println!("|---|---:|");
    println!(
        "| {} people, CP932 CSV: read, checked, marked and stored (preview) | {:.0} ms |",
        i.people,
        i.preview.as_secs_f64() * 1000.0
    );
    println!(
        "| the same list sent: {} invitations queued | {:.0} ms |",
        i.queued,
        i.send.as_secs_f64() * 1000.0
    );
}
