//! After the event, at scale on SQLite: a survey's results over 100,000 responses, and a series
//! report over 50 editions with 20,000 RSVPs, each read through the API of a release server.
//! The events are made through the API; RSVPs go in through the domain's group commit, and the
//! 100,000 responses through the same use case the survey page calls (so the answer counts are
//! kept exactly as in production). Then the reads are timed.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use anyhow::{Context, ensure};
use chrono::Utc;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde_json::json;
use tsudoi_domain::{
    db::{Db, PoolSizes},
    entity::{event, rsvp, survey as survey_entity, survey_invitation},
    ids::{EventId, SurveyInvitationId},
    links::{Keyring, LinkKind},
    settings::SecretKey,
    survey,
};

use crate::{SECRET_KEY, Server, bench_network, client::Connection, free_port, register};

pub struct Figures {
    pub responses: usize,
    pub submit_rate: f64,
    pub results: (Duration, Duration),
    pub editions: usize,
    pub rsvps: usize,
    pub series: (Duration, Duration),
}

/// p50 and p99 of `runs` sequential GETs of `path`, each answered 200.
async fn timed_gets(port: u16, token: &str, path: &str, runs: usize) -> anyhow::Result<(Duration, Duration)> {
    let mut conn = Connection::open(port).await?;
    let mut took = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let reply = conn.request("GET", path, Some(token), None).await?;
        took.push(started.elapsed());
        ensure!(reply.status == 200, "GET {path}: {} {}", reply.status, reply.body);
    }
    took.sort_unstable();
    Ok((took[runs / 2], took[(runs * 99 / 100).min(runs - 1)]))
}

async fn new_event(conn: &mut Connection, token: &str, fields: serde_json::Value) -> anyhow::Result<String> {
    let starts = Utc::now() + chrono::Duration::days(2);
    let mut body = json!({
        "title": "ありがとう会", "seats": 100_000, "confirmation_required": false,
        "starts_at": starts.to_rfc3339(), "ends_at": (starts + chrono::Duration::hours(3)).to_rfc3339(),
        "online_url": "https://meet.example.jp/thanks",
    });
    for (k, v) in fields.as_object().context("fields")? {
        body[k] = v.clone();
    }
    let event =
        conn.request("POST", "/api/v1/networks/bench/events", Some(token), Some(body)).await?.json()?;
    let id = event["id"].as_str().with_context(|| format!("no event: {event}"))?.to_owned();
    let published = conn.request("POST", &format!("/api/v1/events/{id}/publish"), Some(token), None).await?;
    ensure!(published.status == 200, "publishing: {}", published.body);
    Ok(id)
}

/// The answers of the `n`-th respondent: every point of every scale, some choices, a comment
/// from one in ten.
fn answers(n: usize) -> Vec<(String, String)> {
    let mut out = vec![
        ("satisfaction".to_owned(), (1 + (n * 7) % 5).to_string()),
        ("recommend".to_owned(), (n % 11).to_string()),
        ("again".to_owned(), ["yes", "maybe", "no"][n % 3].to_owned()),
    ];
    for (i, choice) in ["talks", "networking", "reunion", "careers", "venue"].iter().enumerate() {
        if (n >> i) & 1 == 1 {
            out.push(("valuable".to_owned(), (*choice).to_owned()));
        }
    }
    if n.is_multiple_of(10) {
        out.push((
            "comments".to_owned(),
            format!("{n} 番目の感想: とても良い会でした。次回も楽しみにしています。"),
        ));
    }
    out
}

pub async fn run(
    binary: &Path,
    dir: &Path,
    responses: usize,
    editions: usize,
    rsvps: usize,
) -> anyhow::Result<Figures> {
    let url = format!("sqlite://{}/tsudoi.db?mode=rwc", dir.display());
    let token = bench_network(binary, dir).await?;
    let port = free_port()?;
    let (server, _) = Server::start(binary, dir, port).await?;
    let mut conn = Connection::open(port).await?;
    let thanks = new_event(&mut conn, &token, json!({"slug": "thanks"})).await?;
    let created =
        conn.request("POST", &format!("/api/v1/events/{thanks}/survey"), Some(&token), None).await?;
    ensure!(created.status == 201, "the survey: {}", created.body);
    let series = conn
        .request(
            "POST",
            "/api/v1/networks/bench/series",
            Some(&token),
            Some(json!({"slug": "crossing", "name": "Crossing"})),
        )
        .await?
        .json()?;
    let series_id = series["id"].as_str().context("series id")?.to_owned();
    let mut edition_ids = Vec::new();
    for n in 1..=editions {
        let fields = json!({"slug": format!("crossing-{n}"), "series_id": series_id, "edition": n});
        edition_ids.push(new_event(&mut conn, &token, fields).await?);
    }
    server.stop().await?;

    let db = Db::connect(&url, &PoolSizes::default()).await?;
    let now = Utc::now();
    // The thank-you gathering: everyone invited, everyone answers.
    register(&db, "thanks", responses, |_| 0, now).await?;
    let thanks_id = EventId(thanks.parse()?);
    let found = survey_entity::Entity::find()
        .filter(survey_entity::Column::EventId.eq(thanks_id))
        .one(db.reader())
        .await?
        .context("the survey")?;
    let rsvps_in: Vec<rsvp::Model> =
        rsvp::Entity::find().filter(rsvp::Column::EventId.eq(thanks_id)).all(db.reader()).await?;
    let invitations: Vec<survey_invitation::ActiveModel> = rsvps_in
        .iter()
        .map(|r| survey_invitation::ActiveModel {
            id: Set(SurveyInvitationId::new()),
            survey_id: Set(found.id),
            rsvp_id: Set(r.id),
            link_version: Set(0),
            sent_at: Set(now),
            reminded_at: Set(None),
            responded_at: Set(None),
        })
        .collect();
    let ids: Vec<SurveyInvitationId> = invitations.iter().map(|i| *i.id.as_ref()).collect();
    for chunk in invitations.chunks(1000) {
        survey_invitation::Entity::insert_many(chunk.to_vec()).exec_without_returning(db.writer()).await?;
    }
    let keyring = Keyring::new(&SecretKey::parse(SECRET_KEY)?, &[]);
    let started = Instant::now();
    for (n, id) in ids.iter().enumerate() {
        let token = keyring.make(LinkKind::Survey, id.uuid(), 0);
        survey::submit(db.writer(), &keyring, &token, &answers(n), now).await?;
    }
    let submit_rate = responses as f64 / started.elapsed().as_secs_f64();

    // The series: its editions held over the past year, most RSVPs there in person, the same
    // people coming back.
    for (n, id) in edition_ids.iter().enumerate() {
        let slug = format!("crossing-{}", n + 1);
        register(&db, &slug, rsvps / editions, |_| 0, now).await?;
        let starts = now - chrono::Duration::weeks(i64::try_from(editions - n)?);
        event::Entity::update_many()
            .col_expr(event::Column::StartsAt, Expr::value(starts))
            .col_expr(event::Column::EndsAt, Expr::value(starts + chrono::Duration::hours(3)))
            .filter(event::Column::Id.eq(EventId(id.parse()?)))
            .exec(db.writer())
            .await?;
    }
    rsvp::Entity::update_many()
        .col_expr(rsvp::Column::CheckedIn, Expr::value(1))
        .filter(rsvp::Column::Email.not_like("%3@example.jp"))
        .exec(db.writer())
        .await?;
    db.close().await;

    let (server, _) = Server::start(binary, dir, port).await?;
    let results = timed_gets(port, &token, &format!("/api/v1/events/{thanks}/survey/results"), 50).await?;
    let mut conn = Connection::open(port).await?;
    let check = conn
        .request("GET", &format!("/api/v1/events/{thanks}/survey/results"), Some(&token), None)
        .await?
        .json()?;
    ensure!(
        check["responses"].as_u64() == Some(responses as u64),
        "responses counted: {}",
        check["responses"]
    );
    let series_time = timed_gets(port, &token, &format!("/api/v1/series/{series_id}/report"), 50).await?;
    let report = conn
        .request("GET", &format!("/api/v1/series/{series_id}/report"), Some(&token), None)
        .await?
        .json()?;
    let editions_seen = report["editions"].as_array().map_or(0, Vec::len);
    ensure!(editions_seen == editions, "{editions_seen} editions reported");
    server.stop().await?;
    Ok(Figures { responses, submit_rate, results, editions, rsvps, series: series_time })
}

pub fn report(f: &Figures) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("| after the event (SQLite) | p50 | p99 |");
    println!("|---|---:|---:|");
    println!(
        "| survey results over {} responses (`GET .../survey/results`) | {:.1} ms | {:.1} ms |",
        f.responses,
        ms(f.results.0),
        ms(f.results.1)
    );
    println!(
        "| series report, {} editions with {} RSVPs (`GET /series/{{id}}/report`) | {:.1} ms | {:.1} ms |",
        f.editions,
        f.rsvps,
        ms(f.series.0),
        ms(f.series.1)
    );
    println!(
        "| responses stored through the survey page's use case, one at a time | {:.0}/s | |",
        f.submit_rate
    );
}
