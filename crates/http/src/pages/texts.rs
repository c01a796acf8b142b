//! The words on the pages, in Japanese and English.

use std::collections::BTreeMap;

use tsudoi_domain::values::Language;

pub fn texts(language: Language) -> BTreeMap<&'static str, &'static str> {
    let pairs: &[(&str, &str, &str)] = &[
        ("when", "日時", "When"),
        ("venue", "会場", "Venue"),
        ("access", "アクセス", "Getting there"),
        ("map", "地図を開く", "Open the map"),
        ("online_label", "オンライン", "Online"),
        (
            "online",
            "オンラインで開催します。参加の方にリンクをお送りします。",
            "Held online; registered attendees get the link.",
        ),
        ("seats", "定員", "Seats"),
        ("hosted_by", "主催", "Hosted by"),
        ("ics", "カレンダーに追加 (.ics)", "Add to calendar (.ics)"),
        ("google", "Google カレンダーに追加", "Add to Google Calendar"),
        ("cancelled_banner", "このイベントは中止になりました。", "This event has been cancelled."),
        ("cancelled", "中止", "Cancelled"),
        ("upcoming", "これからのイベント", "Upcoming events"),
        ("past", "過去のイベント", "Past events"),
        ("no_upcoming", "予定されているイベントはまだありません。", "No events are planned yet."),
        ("no_past", "過去のイベントはありません。", "No past events."),
        ("online_short", "オンライン", "Online"),
        ("not_found_title", "ページが見つかりません", "Page not found"),
        (
            "not_found_body",
            "イベントが非公開になったか、URL が間違っている可能性があります。",
            "The event may no longer be public, or the address may be mistyped.",
        ),
        ("error_title", "エラーが発生しました", "Something went wrong"),
        ("error_body", "時間をおいてもう一度お試しください。", "Please try again in a moment."),
        ("home_title", "集い Tsudoi", "Tsudoi"),
        (
            "home_body",
            "アルムナイ・ネットワークのためのイベントサービスです。各ネットワークのページからイベントをご覧ください。",
            "Events and meetups for company alumni networks. Each network's page lists its events.",
        ),
        ("networks", "ネットワーク", "Networks"),
        ("api_docs", "主催者向け API ドキュメント", "API documentation for organizers"),
        ("footer", "集い Tsudoi — アルムナイのためのイベントサービス", "Tsudoi — events for alumni networks"),
    ];
    pairs
        .iter()
        .map(|&(key, ja, en)| {
            (
                key,
                match language {
                    Language::Ja => ja,
                    Language::En => en,
                },
            )
        })
        .collect()
}
