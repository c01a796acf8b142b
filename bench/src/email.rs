//! Rendering a full ticket email (HTML, text, QR PNG, `.ics`) on one core: the work behind
//! every confirmation the outbox sends.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use lettre::message::Mailbox;
use tsudoi_domain::{
    calendar,
    entity::{event, network},
    event::{EventStatus, RsvpMode, public::PublicEvent},
    format, qr,
    values::Language,
};
use tsudoi_domain::{
    ids::MessageId,
    letter::{EventFacts, Letter, Ticket},
    outbox::MessageKind,
};
use tsudoi_mailer::{Envelope, compose};

fn sample() -> PublicEvent {
    let starts_at = Utc.with_ymd_and_hms(2026, 12, 10, 10, 0, 0).single().unwrap_or_default();
    let event = event::Model {
        id: tsudoi_domain::ids::EventId::new(),
        network_id: tsudoi_domain::ids::NetworkId::new(),
        series_id: None,
        edition: Some(8),
        slug: "crossing-8".into(),
        title: "Crossing #8 〜越境するキャリア〜".into(),
        theme: Some("生成AIと働き方".into()),
        description_md: "## 概要\n\nOB/OG と現役社員が集まる夜です。".repeat(3),
        starts_at,
        ends_at: starts_at + chrono::Duration::minutes(150),
        time_zone: "Asia/Tokyo".into(),
        venue_id: None,
        online_url: None,
        seats: 60,
        rsvp_mode: RsvpMode::FirstCome,
        lottery_draw_at: None,
        lottery_seed: None,
        lottery_drawn_at: None,
        auto_promote: true,
        questions: None,
        hold_minutes: 30,
        confirmation_required: true,
        waitlist_enabled: true,
        name_reading: Default::default(),
        max_guests: 1,
        remind_hours: None,
        door_fee: None,
        door_fee_currency: "JPY".into(),
        rsvp_opens_at: None,
        rsvp_deadline: None,
        status: EventStatus::Published,
        sequence: 2,
        published_at: Some(starts_at),
        cancelled_at: None,
        archived_at: None,
        created_at: starts_at,
        updated_at: starts_at,
    };
    let host = network::Model {
        id: event.network_id,
        slug: "demo".into(),
        name: "デモ・アルムナイ".into(),
        default_language: Language::Ja,
        time_zone: "Asia/Tokyo".into(),
        created_at: starts_at,
    };
    PublicEvent { event, slots: vec![], host, cohosts: vec![], venue: None, series: None }
}

/// Emails rendered per second on this thread, over `seconds`.
pub fn ticket_emails_per_second(seconds: u64) -> anyhow::Result<f64> {
    let event = sample();
    let base = "https://tsudoi.example.jp";
    let envelope = Envelope {
        from: "集い Tsudoi <noreply@tsudoi.example.jp>".parse::<Mailbox>()?,
        to: "山田 花子 <hanako@example.jp>".parse::<Mailbox>()?,
        reply_to: None,
        message_id: "<bench@tsudoi.example.jp>".into(),
        language: Language::Ja,
    };
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut count = 0u64;
    let mut bytes = 0usize;
    while Instant::now() < deadline {
        let ticket_url = format!("{base}/t/AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMk{}", count % 10);
        let email = Letter {
            id: MessageId::new(),
            kind: MessageKind::Confirmed,
            to_email: "hanako@example.jp".into(),
            to_name: "山田 花子".into(),
            reply_to: None,
            language: Language::Ja,
            guests: 0,
            waitlist_position: None,
            event: EventFacts {
                title: event.event.title.clone(),
                when: format::when(
                    event.event.starts_at,
                    event.event.ends_at,
                    &event.event.time_zone,
                    Language::Ja,
                ),
                place: Some("渋谷ヒカリエ 8F 東京都渋谷区渋谷2-21-1".into()),
                access_notes: None,
                page_url: format!("{base}/e/{}", event.event.slug),
            },
            manage_url: format!("{base}/r/manage-token"),
            hold_until: None,
            offer_until: None,
            confirms: tsudoi_domain::rsvp::RsvpStatus::Confirmed,
            ticket: Some(Ticket {
                qr_png: qr::png(&ticket_url, 240)?,
                url: ticket_url,
                short_code: "K7P3XMA".into(),
            }),
            ics: Some(calendar::event_ics(&event, base, Utc::now())),
            changes: Vec::new(),
            by_organizers: false,
            note: None,
            slot: None,
            draw_at: None,
            headline: None,
            going_url: None,
            decline_url: None,
            unsubscribe_url: None,
            survey: None,
            sign_in: None,
            joined: None,
        };
        bytes += compose(&email, &envelope)?.formatted().len();
        count += 1;
    }
    anyhow::ensure!(bytes > 0, "nothing rendered");
    Ok(count as f64 / started.elapsed().as_secs_f64())
}
