//! The email templates from `email-templates/`, compiled into the binary.

use std::sync::LazyLock;

use minijinja::Environment;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../../email-templates/", $name)))),*]
    };
}

const SOURCES: [(&str, &str); 104] = templates![
    "layout.html",
    "layout.txt",
    "parts/qr.ja.html",
    "parts/qr.en.html",
    "parts/facts.ja.html",
    "parts/facts.en.html",
    "parts/facts.ja.txt",
    "parts/facts.en.txt",
    "confirm_rsvp/ja.subject",
    "confirm_rsvp/en.subject",
    "confirm_rsvp/ja.txt",
    "confirm_rsvp/en.txt",
    "confirm_rsvp/ja.html",
    "confirm_rsvp/en.html",
    "confirmed/ja.subject",
    "confirmed/en.subject",
    "confirmed/ja.txt",
    "confirmed/en.txt",
    "confirmed/ja.html",
    "confirmed/en.html",
    "waitlisted/ja.subject",
    "waitlisted/en.subject",
    "waitlisted/ja.txt",
    "waitlisted/en.txt",
    "waitlisted/ja.html",
    "waitlisted/en.html",
    "offered/ja.subject",
    "offered/en.subject",
    "offered/ja.txt",
    "offered/en.txt",
    "offered/ja.html",
    "offered/en.html",
    "promoted/ja.subject",
    "promoted/en.subject",
    "promoted/ja.txt",
    "promoted/en.txt",
    "promoted/ja.html",
    "promoted/en.html",
    "cancelled/ja.subject",
    "cancelled/en.subject",
    "cancelled/ja.txt",
    "cancelled/en.txt",
    "cancelled/ja.html",
    "cancelled/en.html",
    "event_changed/ja.subject",
    "event_changed/en.subject",
    "event_changed/ja.txt",
    "event_changed/en.txt",
    "event_changed/ja.html",
    "event_changed/en.html",
    "event_cancelled/ja.subject",
    "event_cancelled/en.subject",
    "event_cancelled/ja.txt",
    "event_cancelled/en.txt",
    "event_cancelled/ja.html",
    "event_cancelled/en.html",
    "reminder/ja.subject",
    "reminder/en.subject",
    "reminder/ja.txt",
    "reminder/en.txt",
    "reminder/ja.html",
    "reminder/en.html",
    "lottery_won/ja.subject",
    "lottery_won/en.subject",
    "lottery_won/ja.txt",
    "lottery_won/en.txt",
    "lottery_won/ja.html",
    "lottery_won/en.html",
    "approved/ja.subject",
    "approved/en.subject",
    "approved/ja.txt",
    "approved/en.txt",
    "approved/ja.html",
    "approved/en.html",
    "slot_changed/ja.subject",
    "slot_changed/en.subject",
    "slot_changed/ja.txt",
    "slot_changed/en.txt",
    "slot_changed/ja.html",
    "slot_changed/en.html",
    "lottery_entered/ja.subject",
    "lottery_entered/en.subject",
    "lottery_entered/ja.txt",
    "lottery_entered/en.txt",
    "lottery_entered/ja.html",
    "lottery_entered/en.html",
    "lottery_not_won/ja.subject",
    "lottery_not_won/en.subject",
    "lottery_not_won/ja.txt",
    "lottery_not_won/en.txt",
    "lottery_not_won/ja.html",
    "lottery_not_won/en.html",
    "approval_requested/ja.subject",
    "approval_requested/en.subject",
    "approval_requested/ja.txt",
    "approval_requested/en.txt",
    "approval_requested/ja.html",
    "approval_requested/en.html",
    "rejected/ja.subject",
    "rejected/en.subject",
    "rejected/ja.txt",
    "rejected/en.txt",
    "rejected/ja.html",
    "rejected/en.html",
];

pub static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    // `.html` names are escaped as HTML by minijinja's default; subjects and text are not.
    for (name, source) in SOURCES {
        if let Err(err) = env.add_template(name, source) {
            tracing::error!(template = name, error = %err, "email template does not parse");
        }
    }
    env
});
