//! Emails as a mail client sees them: parsed back from MIME, the QR decoded, the `.ics` read.

#![allow(clippy::unwrap_used)] // a test file: a failed unwrap is a failed test

use lettre::message::Mailbox;
use mail_parser::{MessageParser, MimeHeaders};
use tsudoi_domain::{
    ids::MessageId,
    letter::{EventFacts, Letter, SurveyLinks, Ticket},
    outbox::MessageKind,
    rsvp::RsvpStatus,
    values::Language,
};
use tsudoi_mailer::{Envelope, compose};

const TICKET: &str = "https://tsudoi.example.jp/t/AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJQ";

fn facts() -> EventFacts {
    EventFacts {
        title: "Crossing #8 〜越境するキャリア〜".into(),
        when: "2026年12月10日(木) 19:00〜21:30 JST".into(),
        place: Some("渋谷ヒカリエ 8F 東京都渋谷区渋谷2-21-1".into()),
        access_notes: Some("8F 受付でお名前をお伝えください".into()),
        page_url: "https://tsudoi.example.jp/e/crossing-8".into(),
    }
}

fn envelope(language: Language) -> Envelope {
    Envelope {
        from: "集い Tsudoi <noreply@tsudoi.example.jp>".parse::<Mailbox>().unwrap(),
        to: "山田 花子 <hanako@example.jp>".parse::<Mailbox>().unwrap(),
        reply_to: Some("主催者 <organizer@alumni.example.jp>".parse::<Mailbox>().unwrap()),
        message_id: "<01a20c4e-0000-7000-8000-000000000001@tsudoi.example.jp>".into(),
        language,
    }
}

/// A small but real calendar file.
fn ics() -> String {
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Tsudoi//Tsudoi//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n\
     UID:evt@tsudoi.example.jp\r\nDTSTAMP:20261124T000000Z\r\nDTSTART:20261210T100000Z\r\n\
     DTEND:20261210T123000Z\r\nSUMMARY:Crossing #8\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        .to_owned()
}

fn letter(kind: MessageKind, name: &str, language: Language) -> Letter {
    let ticket = kind.carries_ticket().then(|| Ticket {
        url: TICKET.into(),
        short_code: "K7P3XMA".into(),
        qr_png: tsudoi_domain::qr::png(TICKET, 240).unwrap(),
    });
    Letter {
        id: MessageId::new(),
        kind,
        to_email: "hanako@example.jp".into(),
        to_name: name.into(),
        reply_to: None,
        language,
        guests: 1,
        waitlist_position: Some(3),
        event: facts(),
        manage_url: "https://tsudoi.example.jp/r/manage-token".into(),
        hold_until: Some("12月10日(木) 19:30 JST".into()),
        offer_until: Some("12月10日(木) 16:00 JST".into()),
        confirms: RsvpStatus::Holding,
        ticket,
        ics: Some(ics()),
        changes: vec!["日時".into()],
        by_organizers: false,
        note: Some("今回は定員に達したため、次回のご参加をお待ちしています。".into()),
        slot: Some("懇親会".into()),
        draw_at: Some("12月3日(木) 12:00 JST".into()),
        headline: (kind == MessageKind::Announcement).then(|| "会場が変わりました".into()),
        going_url: (kind == MessageKind::Invitation)
            .then(|| "https://tsudoi.example.jp/e/crossing-8?invite=t".into()),
        decline_url: (kind == MessageKind::Invitation).then(|| "https://tsudoi.example.jp/i/t".into()),
        unsubscribe_url: matches!(kind, MessageKind::Invitation | MessageKind::Announcement)
            .then(|| "https://tsudoi.example.jp/u/unsub-token".into()),
        survey: is_survey(kind).then(|| SurveyLinks {
            url: SURVEY.into(),
            question: Some("今回のイベントの満足度を教えてください".into()),
            answers: (1..=5)
                .rev()
                .map(|p| (format!("point {p}"), format!("{SURVEY}?satisfaction={p}")))
                .collect(),
            closes: "12月24日(木) 21:30 JST".into(),
        }),
        sign_in: matches!(kind, MessageKind::SignIn | MessageKind::Welcome)
            .then(|| (SIGN_IN.into(), "11月24日(火) 19:15 JST".into())),
        joined: (kind == MessageKind::Welcome).then(|| ("Acme OB/OG 会".into(), "受付スタッフ".into())),
    }
}

const SIGN_IN: &str = "https://tsudoi.example.jp/admin/sign-in/sign-in-token";

const SURVEY: &str = "https://tsudoi.example.jp/s/survey-token";

fn is_survey(kind: MessageKind) -> bool {
    matches!(kind, MessageKind::SurveyInvitation | MessageKind::SurveyReminder)
}

fn confirmed(name: &str) -> Letter {
    letter(MessageKind::Confirmed, name, Language::Ja)
}

#[test]
fn the_ticket_email_carries_a_scannable_qr_and_a_calendar_file() {
    let raw = compose(&confirmed("山田 花子"), &envelope(Language::Ja)).unwrap().formatted();
    let mail = MessageParser::default().parse(&raw).unwrap();

    assert_eq!(
        mail.subject(),
        Some("【参加確定】Crossing #8 〜越境するキャリア〜（2026年12月10日(木) 19:00〜21:30 JST）")
    );
    assert_eq!(mail.message_id(), Some("01a20c4e-0000-7000-8000-000000000001@tsudoi.example.jp"));
    let text = mail.body_text(0).unwrap();
    assert!(
        text.contains("山田 花子 さん") && text.contains("受付コード: K7P3XMA") && text.contains(TICKET),
        "{text}"
    );
    let html = mail.body_html(0).unwrap();
    assert!(html.contains("cid:ticket-qr@tsudoi"), "{html}");

    let qr = mail.parts.iter().find(|p| p.content_id() == Some("ticket-qr@tsudoi")).expect("the inline QR");
    assert_eq!(qr.content_type().map(|c| (c.ctype(), c.subtype())), Some(("image", Some("png"))));
    let image = image::load_from_memory(qr.contents()).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids[0].decode().unwrap().1, TICKET);

    let ics = mail.attachments().find(|a| a.attachment_name() == Some("event.ics")).expect("the .ics");
    let text = std::str::from_utf8(ics.contents()).unwrap();
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded).unwrap();
    assert!(calendar.components.iter().any(|c| c.name == "VEVENT"));
}

#[test]
fn every_message_renders_in_both_languages_and_escapes_html_only_in_html() {
    use sea_orm::Iterable;
    let sneaky = "<b>Eve</b>";
    for language in [Language::Ja, Language::En] {
        for kind in MessageKind::iter() {
            let raw = compose(&letter(kind, sneaky, language), &envelope(language)).unwrap().formatted();
            let mail = MessageParser::default().parse(&raw).unwrap();
            assert!(!mail.subject().unwrap_or_default().is_empty(), "{kind:?}");
            assert!(mail.body_text(0).unwrap().contains(sneaky), "{kind:?}: plain text is not escaped");
            let html = mail.body_html(0).unwrap();
            assert!(
                !html.contains(sneaky) && html.contains("&lt;b&gt;Eve"),
                "{kind:?}: HTML is escaped: {html}"
            );
            assert!(html.contains(&format!(r#"<html lang="{}">"#, language.code())));
            // minijinja escapes `/` in HTML; a mail client reads the entity back.
            let unescaped = html.replace("&#x2f;", "/");
            // Every message with something left to do links to the attendee's page.
            // An invitation has no RSVP yet: its links open the form and the "can't go" page.
            let settled = matches!(
                kind,
                MessageKind::Cancelled
                    | MessageKind::EventCancelled
                    | MessageKind::Rejected
                    | MessageKind::Invitation
                    | MessageKind::SurveyInvitation
                    | MessageKind::SurveyReminder
                    | MessageKind::SignIn
                    | MessageKind::Welcome
            );
            if kind == MessageKind::Welcome {
                let text = mail.body_text(0).unwrap();
                assert!(
                    text.contains("Acme OB/OG 会") && text.contains("受付スタッフ"),
                    "names the network and role"
                );
            }
            if matches!(kind, MessageKind::SignIn | MessageKind::Welcome) {
                let text = mail.body_text(0).unwrap();
                assert!(text.contains(SIGN_IN) && unescaped.contains(SIGN_IN), "the sign-in link");
                assert!(text.contains("19:15"), "says until when the link works");
            }
            if is_survey(kind) {
                let text = mail.body_text(0).unwrap();
                for p in 1..=5 {
                    let link = format!("{SURVEY}?satisfaction={p}");
                    assert!(
                        text.contains(&link) && unescaped.contains(&link),
                        "{kind:?}: one-tap answer {p}"
                    );
                }
                assert!(text.contains("12月24日(木) 21:30 JST"), "{kind:?} says when it closes");
            }
            let unsubscribable = matches!(kind, MessageKind::Invitation | MessageKind::Announcement);
            assert_eq!(
                mail.header_raw("List-Unsubscribe").map(str::trim),
                unsubscribable.then_some("<https://tsudoi.example.jp/u/unsub-token>"),
                "{kind:?}"
            );
            assert_eq!(
                mail.header_raw("List-Unsubscribe-Post").map(str::trim),
                unsubscribable.then_some("List-Unsubscribe=One-Click"),
                "{kind:?}"
            );
            assert_eq!(
                unescaped.contains("https://tsudoi.example.jp/u/unsub-token"),
                unsubscribable,
                "{kind:?}"
            );
            assert_eq!(
                unescaped.contains("https://tsudoi.example.jp/r/manage-token"),
                !settled,
                "{kind:?} links to the attendee's page unless nothing is left to do"
            );
            let has_qr = mail.parts.iter().any(|p| p.content_id() == Some("ticket-qr@tsudoi"));
            assert_eq!(has_qr, kind.carries_ticket(), "{kind:?}");
            if kind.carries_ticket() {
                assert!(html.contains("cid:ticket-qr@tsudoi"), "{kind:?} shows its QR");
            }
        }
    }
}

#[test]
fn a_waitlist_confirmation_says_so_and_holds_no_seat() {
    let mut waitlist = letter(MessageKind::ConfirmRsvp, "山田 花子", Language::Ja);
    waitlist.confirms = RsvpStatus::Waitlisted;
    let raw = compose(&waitlist, &envelope(Language::Ja)).unwrap().formatted();
    let mail = MessageParser::default().parse(&raw).unwrap();
    assert!(mail.subject().unwrap().contains("キャンセル待ち"), "{:?}", mail.subject());
    assert!(mail.body_text(0).unwrap().contains('3'), "the position is told");
}

#[test]
fn a_cancelled_event_sends_a_cancelling_calendar_file() {
    let raw = compose(&letter(MessageKind::EventCancelled, "Hanako", Language::En), &envelope(Language::En))
        .unwrap()
        .formatted();
    let mail = MessageParser::default().parse(&raw).unwrap();
    let ics = mail.attachments().find(|a| a.attachment_name() == Some("event.ics")).expect("the .ics");
    let ctype = ics.content_type().unwrap();
    assert_eq!(ctype.attribute("method"), Some("CANCEL"));
}
