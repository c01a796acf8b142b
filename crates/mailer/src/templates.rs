//! The email templates from `email-templates/`, compiled into the binary.

use std::sync::LazyLock;

use minijinja::Environment;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../../email-templates/", $name)))),*]
    };
}

const SOURCES: [(&str, &str); 14] = templates![
    "layout.html",
    "layout.txt",
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
