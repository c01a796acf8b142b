//! Demo data: a network with a venue, the "Crossing" series with past and upcoming editions, a
//! salon and a thank-you gathering, so there is something to click around in.

use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::{EntityTrait, PaginatorTrait};
use tsudoi_domain::{
    access::{Actor, Role},
    db::Db,
    entity::network as network_entity,
    event::{
        RsvpMode,
        draft::{EventDraft, SlotDraft},
        edit,
    },
    network::{self, NewNetwork},
    series::{self, SeriesInput},
    token,
    venue::{self, VenueInput},
};

pub const DEMO_EMAIL: &str = "owner@demo.tsudoi.example";

/// Seeds the demo network and returns an owner token, unless a `demo` network exists already.
pub async fn seed(db: &Db, now: DateTime<Utc>) -> anyhow::Result<Option<String>> {
    let writer = db.writer();
    let slug = tsudoi_domain::values::Slug::parse("demo")?;
    if network::find_by_slug(writer, &slug).await?.is_some() {
        return Ok(None);
    }
    let demo = network::create(
        writer,
        NewNetwork {
            slug: "demo",
            name: "デモ・アルムナイ (Demo Alumni)",
            default_language: Some("ja"),
            time_zone: Some("Asia/Tokyo"),
        },
        now,
    )
    .await?;
    let partner = network::create(
        writer,
        NewNetwork {
            slug: "partner",
            name: "パートナー社 OB/OG会",
            default_language: Some("ja"),
            time_zone: None,
        },
        now,
    )
    .await?;
    let owner =
        network::add_member(writer, None, demo.id, DEMO_EMAIL, Some("デモ 太郎"), Role::Owner, now).await?;
    network::add_member(
        writer,
        None,
        partner.id,
        "organizer@partner.tsudoi.example",
        Some("Partner Organizer"),
        Role::Owner,
        now,
    )
    .await?;
    // The demo owner also organizes in the partner network, so their mixer may be co-hosted.
    network::add_member(writer, None, partner.id, DEMO_EMAIL, None, Role::Organizer, now).await?;
    let actor = Actor {
        person_id: owner.person.id,
        token_id: None,
        restricted_to: None,
        memberships: vec![(demo.id, Role::Owner), (partner.id, Role::Organizer)],
    };

    let hall = venue::create(
        writer,
        &actor,
        demo.id,
        VenueInput {
            name: "渋谷ヒカリエ 8F イベントスペース".into(),
            address: "東京都渋谷区渋谷2-21-1".into(),
            map_url: Some("https://www.openstreetmap.org/?mlat=35.6590&mlon=139.7037".into()),
            access_notes: Some("渋谷駅 B5 出口直結。8F 受付で「集い」とお伝えください。".into()),
            room_capacity: 80,
        },
        now,
    )
    .await?;
    let crossing = series::create(
        writer,
        &actor,
        demo.id,
        SeriesInput {
            slug: "crossing".into(),
            name: "Crossing".into(),
            description: Some("OB/OG と現役が交差する夜".into()),
        },
        now,
    )
    .await?;

    // 19:00 Tokyo time, on the day `days` from now.
    let evening = |days: i64| {
        let day = (now + Duration::days(days)).duration_trunc(Duration::days(1)).unwrap_or(now);
        day + Duration::hours(10)
    };
    let themes = [
        "キャリアの交差点",
        "生成AIと働き方",
        "地方で働く",
        "副業のリアル",
        "子育てと仕事",
        "起業の一歩",
        "海外で働く",
        "10年後の私たち",
    ];
    for (i, theme) in themes.iter().enumerate() {
        let edition = i64::try_from(i).unwrap_or(0) + 1;
        // Editions #1-#7 monthly in the past, #8 in two weeks.
        let starts_at = if edition == 8 { evening(14) } else { evening(-30 * (8 - edition)) };
        let draft = EventDraft {
            slots: vec![
                SlotDraft { id: None, name: "OB/OG".into(), seats: 40, door_fee: None },
                // Current employees pay less at the door.
                SlotDraft { id: None, name: "現役社員".into(), seats: 20, door_fee: Some(1000) },
            ],
            door_fee: Some(3000),
            cohosts: if edition == 8 { vec!["partner".into()] } else { vec![] },
            ..base_draft(
                &format!("Crossing #{edition}"),
                theme,
                starts_at,
                Some(hall.id),
                60,
                Some(crossing.id),
            )
        };
        let created_at = starts_at - Duration::days(30);
        let event = edit::create(writer, &actor, demo.id, draft, created_at.min(now)).await?;
        edit::publish(writer, &actor, event.event.id, created_at.min(now)).await?;
    }

    let salon = EventDraft {
        rsvp_mode: RsvpMode::Approval,
        online_url: Some("https://meet.example.jp/salon".into()),
        ..base_draft(
            "読書サロン: 『イノベーションのジレンマ』",
            "少人数で語る夜",
            evening(21),
            None,
            12,
            None,
        )
    };
    let salon = edit::create(writer, &actor, demo.id, salon, now).await?;
    edit::publish(writer, &actor, salon.event.id, now).await?;

    let thanks = EventDraft {
        rsvp_mode: RsvpMode::Lottery,
        lottery_draw_at: Some(evening(30)),
        max_guests: 1,
        ..base_draft("年末感謝祭 2026", "一年の感謝を込めて", evening(45), Some(hall.id), 80, None)
    };
    edit::create(writer, &actor, demo.id, thanks, now).await?;

    let issued = token::issue(writer, owner.person.id, Some(demo.id), "demo", now).await?;
    Ok(Some(issued.plaintext))
}

fn base_draft(
    title: &str,
    theme: &str,
    starts_at: DateTime<Utc>,
    venue_id: Option<tsudoi_domain::ids::VenueId>,
    seats: i64,
    series_id: Option<tsudoi_domain::ids::SeriesId>,
) -> EventDraft {
    EventDraft {
        slug: None,
        title: title.into(),
        theme: Some(theme.into()),
        description: format!("## {theme}\n\nOB/OG と現役社員が集まる夜です。**お気軽にどうぞ。**"),
        starts_at,
        ends_at: starts_at + Duration::hours(2) + Duration::minutes(30),
        time_zone: None,
        venue_id,
        online_url: None,
        seats,
        slots: vec![],
        rsvp_mode: RsvpMode::FirstCome,
        lottery_draw_at: None,
        hold_minutes: 30,
        confirmation_required: true,
        waitlist_enabled: true,
        auto_promote: true,
        questions: Vec::new(),
        name_reading: Default::default(),
        max_guests: 0,
        remind_hours: None,
        door_fee: None,
        door_fee_currency: None,
        rsvp_opens_at: None,
        rsvp_deadline: None,
        series_id,
        edition: None,
        cohosts: vec![],
        organizers: vec![],
    }
}

/// Whether the database holds no network at all (a fresh install).
pub async fn is_empty(db: &Db) -> anyhow::Result<bool> {
    Ok(network_entity::Entity::find().count(db.reader()).await? == 0)
}
