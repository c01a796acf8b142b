//! Typed values at the edge of the domain. Each has a `parse` constructor with a clear error,
//! so code that holds a `Slug` or an `Email` never validates it again.

use std::{fmt, str::FromStr};

use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};

use crate::error::InvalidValue;

/// A URL-safe name: lowercase ASCII letters, digits and single hyphens, 1 to 64 characters.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 64;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(InvalidValue::new("required", "must not be empty"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(InvalidValue::new(
                "too_long",
                format!("must be at most {} characters", Self::MAX_LEN),
            ));
        }
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if !s.chars().all(allowed) || s.starts_with('-') || s.ends_with('-') || s.contains("--") {
            return Err(InvalidValue::new(
                "not_url_safe",
                "may contain only lowercase letters a-z, digits and single hyphens between them",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(slug: Slug) -> Self {
        slug.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An email address, trimmed and lowercased so that one person is one address.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() {
            return Err(InvalidValue::new("required", "must not be empty"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(InvalidValue::new("too_long", "is longer than an email address can be"));
        }
        // The crate accepts quoted local parts and IP-literal domains; people do not use them,
        // and a domain without a dot cannot receive mail from the internet.
        let valid = email_address::EmailAddress::is_valid(&s)
            && !s.contains(['"', '[', ' '])
            && s.rsplit_once('@').is_some_and(|(_, domain)| domain.contains('.'));
        if !valid {
            return Err(InvalidValue::new("invalid_email", "is not a valid email address"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

// Email addresses identify people: keep them out of debug output and therefore out of logs.
impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(..)")
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidValue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

/// An IANA time zone such as `Asia/Tokyo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeZone(chrono_tz::Tz);

impl TimeZone {
    pub const DEFAULT: TimeZone = TimeZone(chrono_tz::Asia::Tokyo);

    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        chrono_tz::Tz::from_str(raw.trim()).map(Self).map_err(|_| {
            InvalidValue::new(
                "unknown_time_zone",
                format!("`{}` is not an IANA time zone (for example Asia/Tokyo)", raw.trim()),
            )
        })
    }

    pub fn tz(self) -> chrono_tz::Tz {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for TimeZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

/// The two languages every page and email exists in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum,
)]
#[serde(rename_all = "lowercase")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Language {
    #[default]
    #[sea_orm(string_value = "ja")]
    Ja,
    #[sea_orm(string_value = "en")]
    En,
}

impl Language {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        match raw.trim() {
            "ja" => Ok(Language::Ja),
            "en" => Ok(Language::En),
            other => Err(InvalidValue::new("unknown_language", format!("`{other}` is not ja or en"))),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Language::Ja => "ja",
            Language::En => "en",
        }
    }
}

/// Free text typed by an organizer: trimmed, required or not, with a length limit counted in
/// characters (a Japanese title of 100 characters is 300 bytes).
pub fn text(raw: &str, max_chars: usize) -> Result<String, InvalidValue> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(InvalidValue::new("required", "must not be empty"));
    }
    optional_text(s, max_chars).map(|s| s.unwrap_or_default())
}

/// Like [`text`], but empty is fine (and becomes `None`).
pub fn optional_text(raw: &str, max_chars: usize) -> Result<Option<String>, InvalidValue> {
    let s = raw.trim();
    if s.chars().count() > max_chars {
        return Err(InvalidValue::new("too_long", format!("must be at most {max_chars} characters")));
    }
    if s.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(InvalidValue::new("control_character", "must not contain control characters"));
    }
    Ok((!s.is_empty()).then(|| s.to_owned()))
}

/// An absolute `http` or `https` URL (a map link, an online meeting).
pub fn web_url(raw: &str) -> Result<String, InvalidValue> {
    const MAX: usize = 2000;
    let s = raw.trim();
    if s.len() > MAX {
        return Err(InvalidValue::new("too_long", format!("must be at most {MAX} characters")));
    }
    match url::Url::parse(s) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Ok(url.to_string()),
        _ => Err(InvalidValue::new("invalid_url", "must be an absolute http:// or https:// URL")),
    }
}

/// A count of seats, guests or people: within `min..=max`.
pub fn count(value: i64, min: i64, max: i64) -> Result<i32, InvalidValue> {
    if value < min {
        return Err(InvalidValue::new("too_small", format!("must be at least {min}")));
    }
    if value > max {
        return Err(InvalidValue::new("too_large", format!("must be at most {max}")));
    }
    // Bounded above by `max`, which callers keep within i32.
    i32::try_from(value).map_err(|_| InvalidValue::new("too_large", format!("must be at most {max}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_url_safe() {
        assert!(Slug::parse("crossing-8").is_ok());
        assert_eq!(Slug::parse("  tokyo  ").unwrap().as_str(), "tokyo");
        for bad in ["", "Crossing", "a b", "-a", "a-", "a--b", "日本", "a/b", &"a".repeat(65)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(Email::parse(" Hanako@Example.JP ").unwrap().as_str(), "hanako@example.jp");
        for bad in ["", "hanako", "hanako@", "@example.jp", "hanako@localhost", "a b@example.jp"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(format!("{:?}", Email::parse("a@b.jp").unwrap()), "Email(..)");
    }

    #[test]
    fn time_zones_must_exist() {
        assert_eq!(TimeZone::parse("Asia/Tokyo").unwrap(), TimeZone::DEFAULT);
        assert_eq!(TimeZone::parse("Europe/Berlin").unwrap().name(), "Europe/Berlin");
        assert_eq!(TimeZone::parse("Mars/Olympus").unwrap_err().code, "unknown_time_zone");
    }

    #[test]
    fn text_counts_characters_not_bytes() {
        assert!(text(&"集".repeat(100), 100).is_ok());
        assert_eq!(text(&"集".repeat(101), 100).unwrap_err().code, "too_long");
        assert_eq!(text("   ", 10).unwrap_err().code, "required");
        assert_eq!(optional_text("  ", 10).unwrap(), None);
        assert_eq!(text("a\u{0}b", 10).unwrap_err().code, "control_character");
    }

    #[test]
    fn urls_must_be_absolute_web_urls() {
        assert!(web_url("https://maps.app.goo.gl/abc").is_ok());
        for bad in ["javascript:alert(1)", "/relative", "ftp://x.jp/", "https://"] {
            assert!(web_url(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
