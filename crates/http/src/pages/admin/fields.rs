//! Reading what a dashboard form posted, and saying what is wrong with it next to its fields,
//! in the page's language: every form of the dashboard goes through these.

use std::collections::HashMap;

use tsudoi_domain::{error::ValidationErrors, values::Language};

use crate::pages::{rsvp::Posted, texts};

/// A whole number typed into `key` (full-width digits and thousands separators read as a
/// Japanese keyboard types them); `None` when empty, an error when it is no number.
pub(super) fn whole_number(form: &Posted, key: &str, errors: &mut ValidationErrors) -> Option<i64> {
    let raw = form.get(key).map(|v| v.trim()).unwrap_or_default();
    if raw.is_empty() {
        return None;
    }
    let normal: String = raw.chars().map(full_width_digit).filter(|c| *c != ',').collect();
    match normal.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(key, "not_a_number", "must be a whole number");
            None
        }
    }
}

/// Full-width digits (typed with a Japanese keyboard) read as ASCII ones.
fn full_width_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '，' => ',',
        other => other,
    }
}

/// The texts for a form's errors, by field, in the page's language. A slot's error shows at
/// its row (`slots[1].seats` at `slot_seats_1`), and one about all slots at the slots.
pub(super) fn error_texts(errors: &ValidationErrors, language: Language) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for e in errors.fields() {
        let text = said(e.code, &e.message, language);
        let field = slot_field(&e.field)
            .or_else(|| venue_field(&e.field))
            .or_else(|| super::questions::error_field(&e.field))
            .unwrap_or_else(|| e.field.split(['[', '.']).next().unwrap_or("").to_owned());
        out.entry(field).or_insert(text);
    }
    out
}

/// What is wrong, in `language`: the domain's English says exactly what ("must be at least
/// 1"); Japanese comes from the catalogue by `code`, the dashboard's own words first.
pub(super) fn said(code: &str, message: &str, language: Language) -> String {
    let t = texts::texts(language);
    match language {
        Language::En => capitalised(message),
        Language::Ja => t
            .get(format!("admin_err_{code}").as_str())
            .or_else(|| t.get(format!("err_{code}").as_str()))
            .copied()
            .unwrap_or(t["err_invalid"])
            .to_owned(),
    }
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect::<String>() + ".").unwrap_or_default()
}

/// `new_venue.name` as the form's `new_venue_name`; the venue's capacity is the event's seats.
fn venue_field(field: &str) -> Option<String> {
    match field.strip_prefix("new_venue.")? {
        "room_capacity" => Some("seats".to_owned()),
        rest => Some(format!("new_venue_{rest}")),
    }
}

/// `slots[1].seats` as the form's `slot_seats_1`.
fn slot_field(field: &str) -> Option<String> {
    let rest = field.strip_prefix("slots[")?;
    let (index, rest) = rest.split_once(']')?;
    let column = match rest.trim_start_matches('.') {
        "name" => "name",
        "seats" => "seats",
        "door_fee" => "fee",
        _ => return Some("slots".to_owned()),
    };
    Some(format!("slot_{column}_{index}"))
}
