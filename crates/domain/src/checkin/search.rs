//! Finding an attendee at the door by name, name reading (furigana), email or door code, the way
//! people type them: NFKC (full-width and half-width alike), hiragana and katakana alike, case
//! and spaces ignored.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use unicode_normalization::UnicodeNormalization;

use super::{AtDoor, Party, at_door_with};
use crate::{
    entity::{door_pass, event_slot, rsvp},
    error::{Error, Result},
    rsvp::RsvpStatus,
};

/// The most answers a search gives: a door searches to find one person.
pub const RESULTS_MAX: usize = 20;

/// Text as the door search compares it.
pub fn fold(text: &str) -> String {
    text.nfkc()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            // Katakana ァ..ヶ to hiragana ぁ..ゖ.
            '\u{30A1}'..='\u{30F6}' => char::from_u32(c as u32 - 0x60).unwrap_or(c),
            other => other,
        })
        .collect()
}

/// An attendee found by search, with where their RSVP stands.
#[derive(Clone, Debug)]
pub struct Found {
    pub attendee: AtDoor,
    pub status: RsvpStatus,
}

/// Attendees of the pass's event whose name, reading, email or door code contains `query`;
/// those with a seat first, then by name.
pub async fn search(db: &impl ConnectionTrait, pass: &door_pass::Model, query: &str) -> Result<Vec<Found>> {
    if pass.scan_only {
        return Err(Error::Forbidden("a scan-only pass cannot search"));
    }
    let wanted = fold(query);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let slots =
        event_slot::Entity::find().filter(event_slot::Column::EventId.eq(pass.event_id)).all(db).await?;
    let rows = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(pass.event_id))
        .filter(rsvp::Column::ErasedAt.is_null())
        .order_by_asc(rsvp::Column::QueuedAt)
        .all(db)
        .await?;
    let mut found: Vec<Found> = rows
        .into_iter()
        .filter(|r| {
            [
                Some(r.name.as_str()),
                r.name_reading.as_deref(),
                r.email.as_deref(),
                Some(r.short_code.as_str()),
            ]
            .into_iter()
            .flatten()
            .any(|field| fold(field).contains(&wanted))
        })
        .map(|r| Found { status: r.status, attendee: at_door_with(&slots, &Party::from(&r)) })
        .collect();
    found.sort_by_cached_key(|f| {
        (f.status != RsvpStatus::Confirmed, !f.status.is_active(), fold(&f.attendee.name))
    });
    found.truncate(RESULTS_MAX);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_people_type_matches_what_was_registered() {
        assert_eq!(fold("ヤマダ ハナコ"), fold("やまだはなこ"));
        assert_eq!(fold("ﾔﾏﾀﾞ"), fold("やまだ"), "half-width katakana");
        assert_eq!(fold("ＨＡＮＡＫＯ＠example.jp"), "hanako@example.jp");
        assert_eq!(fold("山田　花子"), "山田花子", "an ideographic space");
        assert!(fold("K7P3XMA").contains(&fold("k7p")));
    }
}
