//! An event as an organizer describes it, and the pure checks on it. Both creating and
//! changing an event end here: a change is applied to the current draft, then checked whole.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde::Serialize;

use super::{NameReading, RsvpMode};
use crate::{
    error::ValidationErrors,
    ids::{PersonId, SeriesId, SlotId, VenueId},
    money,
    questions::{self, QuestionDraft, Questions},
    values::{self, Slug, TimeZone},
};

pub const TITLE_MAX: usize = 200;
pub const THEME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 20_000;
pub const SLOT_NAME_MAX: usize = 100;
pub const SEATS_MAX: i64 = 100_000;
pub const SLOTS_MAX: usize = 20;
pub const GUESTS_MAX: i64 = 10;
pub const HOLD_MINUTES: (i64, i64) = (5, 24 * 60);
pub const COHOSTS_MAX: usize = 10;
pub const ORGANIZERS_MAX: usize = 20;
/// A reminder a week ahead at most.
pub const REMIND_HOURS_MAX: i64 = 7 * 24;
pub const LONGEST_EVENT: Duration = Duration::days(31);
pub const DEFAULT_HOLD_MINUTES: i64 = 30;

#[derive(Clone, Debug, Serialize)]
pub struct SlotDraft {
    /// An existing slot keeps its id (and later its RSVPs); a slot without one is new.
    pub id: Option<SlotId>,
    pub name: String,
    pub seats: i64,
    /// The door fee per person in this slot, when it differs from the event's.
    pub door_fee: Option<i64>,
}

/// Everything an organizer sets on an event, before validation.
#[derive(Clone, Debug, Serialize)]
pub struct EventDraft {
    pub slug: Option<String>,
    pub title: String,
    pub theme: Option<String>,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: Option<String>,
    pub venue_id: Option<VenueId>,
    pub online_url: Option<String>,
    pub seats: i64,
    /// Empty means one slot holding all the seats.
    pub slots: Vec<SlotDraft>,
    pub rsvp_mode: RsvpMode,
    pub lottery_draw_at: Option<DateTime<Utc>>,
    pub hold_minutes: i64,
    pub confirmation_required: bool,
    pub waitlist_enabled: bool,
    /// Freed seats go to the waitlist by themselves (else organizers offer them by hand).
    pub auto_promote: bool,
    /// Asked on the RSVP form.
    pub questions: Vec<QuestionDraft>,
    pub max_guests: i64,
    /// Hours before the start the reminder goes out; 0 sends none; `None` is the service's
    /// setting (24 hours by default).
    pub remind_hours: Option<i64>,
    /// Collected at the door, per person, in the currency's smallest unit.
    pub door_fee: Option<i64>,
    /// ISO 4217; Japanese yen by default.
    pub door_fee_currency: Option<String>,
    pub name_reading: NameReading,
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    pub rsvp_deadline: Option<DateTime<Utc>>,
    pub series_id: Option<SeriesId>,
    pub edition: Option<i64>,
    /// Slugs of co-hosting networks.
    pub cohosts: Vec<String>,
    /// Organizers in charge; empty means the person creating the event.
    pub organizers: Vec<PersonId>,
}

/// A change to an event: `None` leaves a field alone; `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct EventPatch {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub theme: Option<Option<String>>,
    pub description: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub time_zone: Option<String>,
    pub venue_id: Option<Option<VenueId>>,
    pub online_url: Option<Option<String>>,
    pub seats: Option<i64>,
    pub slots: Option<Vec<SlotDraft>>,
    pub rsvp_mode: Option<RsvpMode>,
    pub lottery_draw_at: Option<Option<DateTime<Utc>>>,
    pub hold_minutes: Option<i64>,
    pub confirmation_required: Option<bool>,
    pub waitlist_enabled: Option<bool>,
    pub auto_promote: Option<bool>,
    pub questions: Option<Vec<QuestionDraft>>,
    pub name_reading: Option<NameReading>,
    pub max_guests: Option<i64>,
    pub remind_hours: Option<Option<i64>>,
    pub door_fee: Option<Option<i64>>,
    pub door_fee_currency: Option<String>,
    pub rsvp_opens_at: Option<Option<DateTime<Utc>>>,
    pub rsvp_deadline: Option<Option<DateTime<Utc>>>,
    pub series_id: Option<Option<SeriesId>>,
    pub edition: Option<Option<i64>>,
    pub cohosts: Option<Vec<String>>,
    pub organizers: Option<Vec<PersonId>>,
    /// Refuse the change if the event changed after this moment (its `updated_at` when a form
    /// was opened), rather than overwrite what someone else saved meanwhile.
    pub unless_changed_since: Option<DateTime<Utc>>,
}

impl EventPatch {
    /// A change that makes the event exactly `draft` (a whole form posted).
    pub fn replacing(draft: EventDraft) -> EventPatch {
        EventPatch {
            slug: draft.slug,
            title: Some(draft.title),
            theme: Some(draft.theme),
            description: Some(draft.description),
            starts_at: Some(draft.starts_at),
            ends_at: Some(draft.ends_at),
            time_zone: draft.time_zone,
            venue_id: Some(draft.venue_id),
            online_url: Some(draft.online_url),
            seats: Some(draft.seats),
            slots: Some(draft.slots),
            rsvp_mode: Some(draft.rsvp_mode),
            lottery_draw_at: Some(draft.lottery_draw_at),
            hold_minutes: Some(draft.hold_minutes),
            confirmation_required: Some(draft.confirmation_required),
            waitlist_enabled: Some(draft.waitlist_enabled),
            auto_promote: Some(draft.auto_promote),
            questions: Some(draft.questions),
            name_reading: Some(draft.name_reading),
            max_guests: Some(draft.max_guests),
            remind_hours: Some(draft.remind_hours),
            door_fee: Some(draft.door_fee),
            door_fee_currency: draft.door_fee_currency,
            rsvp_opens_at: Some(draft.rsvp_opens_at),
            rsvp_deadline: Some(draft.rsvp_deadline),
            series_id: Some(draft.series_id),
            edition: Some(draft.edition),
            cohosts: Some(draft.cohosts),
            organizers: Some(draft.organizers),
            unless_changed_since: None,
        }
    }

    pub fn apply(self, to: EventDraft) -> EventDraft {
        let seats = self.seats.unwrap_or(to.seats);
        // An event with one slot holding all its seats keeps it that way when its seats change.
        let slots = match self.slots {
            Some(slots) => slots,
            None if to.slots.len() == 1 && to.slots[0].seats == to.seats => {
                vec![SlotDraft { seats, ..to.slots[0].clone() }]
            }
            None => to.slots,
        };
        EventDraft {
            slug: self.slug.or(to.slug),
            title: self.title.unwrap_or(to.title),
            theme: self.theme.unwrap_or(to.theme),
            description: self.description.unwrap_or(to.description),
            starts_at: self.starts_at.unwrap_or(to.starts_at),
            ends_at: self.ends_at.unwrap_or(to.ends_at),
            time_zone: self.time_zone.or(to.time_zone),
            venue_id: self.venue_id.unwrap_or(to.venue_id),
            online_url: self.online_url.unwrap_or(to.online_url),
            seats,
            slots,
            rsvp_mode: self.rsvp_mode.unwrap_or(to.rsvp_mode),
            lottery_draw_at: self.lottery_draw_at.unwrap_or(to.lottery_draw_at),
            hold_minutes: self.hold_minutes.unwrap_or(to.hold_minutes),
            confirmation_required: self.confirmation_required.unwrap_or(to.confirmation_required),
            waitlist_enabled: self.waitlist_enabled.unwrap_or(to.waitlist_enabled),
            auto_promote: self.auto_promote.unwrap_or(to.auto_promote),
            questions: self.questions.unwrap_or(to.questions),
            name_reading: self.name_reading.unwrap_or(to.name_reading),
            max_guests: self.max_guests.unwrap_or(to.max_guests),
            remind_hours: self.remind_hours.unwrap_or(to.remind_hours),
            door_fee: self.door_fee.unwrap_or(to.door_fee),
            door_fee_currency: self.door_fee_currency.or(to.door_fee_currency),
            rsvp_opens_at: self.rsvp_opens_at.unwrap_or(to.rsvp_opens_at),
            rsvp_deadline: self.rsvp_deadline.unwrap_or(to.rsvp_deadline),
            series_id: self.series_id.unwrap_or(to.series_id),
            // Moving to another series numbers the event anew there, unless a number is given.
            edition: match (self.edition, self.series_id) {
                (Some(edition), _) => edition,
                (None, Some(series)) if series != to.series_id => None,
                (None, _) => to.edition,
            },
            cohosts: self.cohosts.unwrap_or(to.cohosts),
            organizers: self.organizers.unwrap_or(to.organizers),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValidSlot {
    pub id: Option<SlotId>,
    pub name: String,
    pub seats: i32,
    pub door_fee: Option<i32>,
}

/// A draft that passed every check that needs no database.
#[derive(Clone, Debug, Serialize)]
pub struct ValidDraft {
    pub slug: Option<Slug>,
    pub title: String,
    pub theme: Option<String>,
    pub description: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub time_zone: String,
    pub venue_id: Option<VenueId>,
    pub online_url: Option<String>,
    pub seats: i32,
    pub slots: Vec<ValidSlot>,
    pub rsvp_mode: RsvpMode,
    pub lottery_draw_at: Option<DateTime<Utc>>,
    pub hold_minutes: i32,
    pub confirmation_required: bool,
    pub waitlist_enabled: bool,
    pub auto_promote: bool,
    pub questions: Questions,
    pub max_guests: i32,
    pub remind_hours: Option<i32>,
    pub door_fee: Option<i32>,
    pub door_fee_currency: &'static str,
    pub name_reading: NameReading,
    pub rsvp_opens_at: Option<DateTime<Utc>>,
    pub rsvp_deadline: Option<DateTime<Utc>>,
    pub series_id: Option<SeriesId>,
    pub edition: Option<i32>,
    pub cohosts: Vec<Slug>,
    pub organizers: Vec<PersonId>,
}

/// Times far outside any meetup are typing mistakes (and trouble for some databases).
fn plausible(at: DateTime<Utc>) -> bool {
    (2000..=2200).contains(&at.year())
}

/// Checks a draft. `default_slot_name` names the one slot made when none is given.
pub fn validate(draft: &EventDraft, default_slot_name: &str) -> Result<ValidDraft, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let slug = match draft.slug.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => errors.check("slug", Slug::parse(raw)).map(Some),
    };
    let title = errors.check("title", values::text(&draft.title, TITLE_MAX));
    let theme = errors.check("theme", values::optional_text(draft.theme.as_deref().unwrap_or(""), THEME_MAX));
    let description = errors
        .check("description", values::optional_text(&draft.description, DESCRIPTION_MAX))
        .map(Option::unwrap_or_default);
    let time_zone = match draft.time_zone.as_deref() {
        Some(raw) => errors.check("time_zone", TimeZone::parse(raw)),
        None => Some(TimeZone::DEFAULT),
    };

    for (field, at) in [
        ("starts_at", Some(draft.starts_at)),
        ("ends_at", Some(draft.ends_at)),
        ("lottery_draw_at", draft.lottery_draw_at),
        ("rsvp_opens_at", draft.rsvp_opens_at),
        ("rsvp_deadline", draft.rsvp_deadline),
    ] {
        if at.is_some_and(|at| !plausible(at)) {
            errors.add(field, "out_of_range", "must be between the years 2000 and 2200");
        }
    }
    if draft.ends_at <= draft.starts_at {
        errors.add("ends_at", "before_start", "must be after the start");
    } else if draft.ends_at - draft.starts_at > LONGEST_EVENT {
        errors.add("ends_at", "too_long", "an event may last at most 31 days");
    }

    let online_url = match draft.online_url.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(raw) => errors.check("online_url", values::web_url(raw)).map(Some),
    };

    let seats = errors.check("seats", values::count(draft.seats, 1, SEATS_MAX));
    let slots = validate_slots(draft, seats, default_slot_name, &mut errors);

    if draft.rsvp_mode == RsvpMode::Lottery {
        match draft.lottery_draw_at {
            None => errors.add("lottery_draw_at", "required", "a lottery needs a draw time"),
            Some(at) if at >= draft.starts_at => {
                errors.add("lottery_draw_at", "after_start", "the draw must happen before the event starts")
            }
            Some(at) if draft.rsvp_opens_at.is_some_and(|open| at <= open) => {
                errors.add("lottery_draw_at", "before_opening", "the draw must come after RSVPs open")
            }
            Some(_) => {}
        }
    }
    let lottery_draw_at = if draft.rsvp_mode == RsvpMode::Lottery { draft.lottery_draw_at } else { None };

    let questions = questions::validate(&draft.questions, &mut errors);

    let hold_minutes =
        errors.check("hold_minutes", values::count(draft.hold_minutes, HOLD_MINUTES.0, HOLD_MINUTES.1));
    let max_guests = errors.check("max_guests", values::count(draft.max_guests, 0, GUESTS_MAX));
    let remind_hours = match draft.remind_hours {
        None => Some(None),
        Some(hours) => errors.check("remind_hours", values::count(hours, 0, REMIND_HOURS_MAX)).map(Some),
    };
    let door_fee = match draft.door_fee {
        None => Some(None),
        Some(fee) => errors.check("door_fee", values::count(fee, 0, money::FEE_MAX)).map(Some),
    };
    let door_fee_currency = errors.check(
        "door_fee_currency",
        money::currency(draft.door_fee_currency.as_deref().unwrap_or(money::DEFAULT_CURRENCY)),
    );

    if let (Some(open), Some(deadline)) = (draft.rsvp_opens_at, draft.rsvp_deadline)
        && deadline <= open
    {
        errors.add("rsvp_deadline", "before_opening", "must be after RSVPs open");
    }
    if draft.rsvp_deadline.is_some_and(|deadline| deadline > draft.ends_at) {
        errors.add("rsvp_deadline", "after_end", "must not be after the event ends");
    }
    if draft.rsvp_opens_at.is_some_and(|open| open >= draft.ends_at) {
        errors.add("rsvp_opens_at", "after_end", "must be before the event ends");
    }

    let edition = match (draft.series_id, draft.edition) {
        (None, Some(_)) => {
            errors.add("edition", "without_series", "an edition number needs a series");
            None
        }
        (_, Some(n)) => errors.check("edition", values::count(n, 1, 100_000)).map(Some),
        (_, None) => Some(None),
    };

    let mut cohosts = validate_list(&draft.cohosts, "cohosts", COHOSTS_MAX, &mut errors, Slug::parse);
    // Order means nothing here: keep one canonical order, so reordering is no change.
    cohosts.sort();
    cohosts.dedup();
    if draft.organizers.len() > ORGANIZERS_MAX {
        errors.add("organizers", "too_many", format!("at most {ORGANIZERS_MAX} organizers"));
    }
    let mut organizers = draft.organizers.clone();
    organizers.sort();
    organizers.dedup();

    match (
        slug,
        title,
        theme,
        description,
        time_zone,
        online_url,
        seats,
        slots,
        hold_minutes,
        max_guests,
        remind_hours,
        edition,
        door_fee,
        door_fee_currency,
    ) {
        (
            Some(slug),
            Some(title),
            Some(theme),
            Some(description),
            Some(time_zone),
            Some(online_url),
            Some(seats),
            Some(slots),
            Some(hold_minutes),
            Some(max_guests),
            Some(remind_hours),
            Some(edition),
            Some(door_fee),
            Some(door_fee_currency),
        ) if errors.is_empty() => Ok(ValidDraft {
            slug,
            title,
            theme,
            description,
            starts_at: draft.starts_at,
            ends_at: draft.ends_at,
            time_zone: time_zone.name().to_owned(),
            venue_id: draft.venue_id,
            online_url,
            seats,
            slots,
            rsvp_mode: draft.rsvp_mode,
            lottery_draw_at,
            hold_minutes,
            confirmation_required: draft.confirmation_required,
            waitlist_enabled: draft.waitlist_enabled,
            auto_promote: draft.auto_promote,
            questions,
            name_reading: draft.name_reading,
            max_guests,
            remind_hours,
            door_fee,
            door_fee_currency,
            rsvp_opens_at: draft.rsvp_opens_at,
            rsvp_deadline: draft.rsvp_deadline,
            series_id: draft.series_id,
            edition,
            cohosts,
            organizers,
        }),
        _ => Err(errors),
    }
}

fn validate_slots(
    draft: &EventDraft,
    seats: Option<i32>,
    default_name: &str,
    errors: &mut ValidationErrors,
) -> Option<Vec<ValidSlot>> {
    if draft.slots.is_empty() {
        return seats
            .map(|seats| vec![ValidSlot { id: None, name: default_name.to_owned(), seats, door_fee: None }]);
    }
    if draft.slots.len() > SLOTS_MAX {
        errors.add("slots", "too_many", format!("at most {SLOTS_MAX} slots"));
        return None;
    }
    let before = errors.fields().len();
    let mut slots = Vec::with_capacity(draft.slots.len());
    for (i, slot) in draft.slots.iter().enumerate() {
        let name = errors.check(&format!("slots[{i}].name"), values::text(&slot.name, SLOT_NAME_MAX));
        let max = seats.map_or(SEATS_MAX, i64::from);
        let slot_seats = errors.check(&format!("slots[{i}].seats"), values::count(slot.seats, 1, max));
        if let Some(name) = &name
            && slots.iter().any(|s: &ValidSlot| s.name == *name)
        {
            errors.add(format!("slots[{i}].name"), "duplicate", "two slots cannot share a name");
        }
        if let Some(id) = slot.id
            && draft.slots[..i].iter().any(|s| s.id == Some(id))
        {
            errors.add(format!("slots[{i}].id"), "duplicate", "the same slot is listed twice");
        }
        let door_fee = match slot.door_fee {
            None => Some(None),
            Some(fee) => {
                errors.check(&format!("slots[{i}].door_fee"), values::count(fee, 0, money::FEE_MAX)).map(Some)
            }
        };
        if let (Some(name), Some(seats), Some(door_fee)) = (name, slot_seats, door_fee) {
            slots.push(ValidSlot { id: slot.id, name, seats, door_fee });
        }
    }
    (errors.fields().len() == before).then_some(slots)
}

fn validate_list<T>(
    raw: &[String],
    field: &str,
    max: usize,
    errors: &mut ValidationErrors,
    parse: impl Fn(&str) -> Result<T, crate::error::InvalidValue>,
) -> Vec<T> {
    if raw.len() > max {
        errors.add(field, "too_many", format!("at most {max} entries"));
        return Vec::new();
    }
    raw.iter()
        .enumerate()
        .filter_map(|(i, item)| errors.check(&format!("{field}[{i}]"), parse(item)))
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::TimeZone as _;

    use super::*;

    pub(crate) fn sample() -> EventDraft {
        let start = Utc.with_ymd_and_hms(2026, 12, 10, 10, 0, 0).unwrap();
        EventDraft {
            slug: Some("crossing-8".into()),
            title: "Crossing #8".into(),
            theme: Some("生成AIと働き方".into()),
            description: "**Welcome**".into(),
            starts_at: start,
            ends_at: start + Duration::hours(2),
            time_zone: Some("Asia/Tokyo".into()),
            venue_id: None,
            online_url: None,
            seats: 40,
            slots: vec![],
            rsvp_mode: RsvpMode::FirstCome,
            lottery_draw_at: None,
            hold_minutes: 30,
            confirmation_required: true,
            waitlist_enabled: true,
            auto_promote: true,
            questions: Vec::new(),
            name_reading: NameReading::Optional,
            max_guests: 1,
            remind_hours: None,
            door_fee: None,
            door_fee_currency: None,
            rsvp_opens_at: None,
            rsvp_deadline: None,
            series_id: None,
            edition: None,
            cohosts: vec![],
            organizers: vec![],
        }
    }

    fn codes(draft: &EventDraft) -> Vec<(String, &'static str)> {
        validate(draft, "一般").unwrap_err().fields().iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn a_plain_event_gets_one_slot_with_all_its_seats() {
        let valid = validate(&sample(), "一般").unwrap();
        assert_eq!(valid.slots, vec![ValidSlot { id: None, name: "一般".into(), seats: 40, door_fee: None }]);
        assert_eq!(valid.time_zone, "Asia/Tokyo");
    }

    #[test]
    fn the_end_must_follow_the_start() {
        let mut draft = sample();
        draft.ends_at = draft.starts_at;
        assert_eq!(codes(&draft), vec![("ends_at".into(), "before_start")]);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let mut draft = sample();
        draft.title = " ".into();
        draft.seats = 0;
        draft.time_zone = Some("Asia/Atlantis".into());
        draft.slug = Some("Not A Slug".into());
        let found = codes(&draft);
        assert!(found.contains(&("title".into(), "required")));
        assert!(found.contains(&("seats".into(), "too_small")));
        assert!(found.contains(&("time_zone".into(), "unknown_time_zone")));
        assert!(found.contains(&("slug".into(), "not_url_safe")));
    }

    #[test]
    fn slots_cannot_hold_more_than_the_event() {
        let mut draft = sample();
        draft.slots = vec![
            SlotDraft { id: None, name: "OB/OG".into(), seats: 30, door_fee: None },
            SlotDraft { id: None, name: "現役".into(), seats: 41, door_fee: None },
            SlotDraft { id: None, name: "OB/OG".into(), seats: 5, door_fee: None },
        ];
        let found = codes(&draft);
        assert!(found.contains(&("slots[1].seats".into(), "too_large")));
        assert!(found.contains(&("slots[2].name".into(), "duplicate")));
    }

    #[test]
    fn a_lottery_needs_a_draw_before_the_start() {
        let mut draft = sample();
        draft.rsvp_mode = RsvpMode::Lottery;
        assert_eq!(codes(&draft), vec![("lottery_draw_at".into(), "required")]);
        draft.lottery_draw_at = Some(draft.starts_at + Duration::minutes(1));
        assert_eq!(codes(&draft), vec![("lottery_draw_at".into(), "after_start")]);
        draft.lottery_draw_at = Some(draft.starts_at - Duration::days(3));
        assert!(validate(&draft, "一般").is_ok());
    }

    #[test]
    fn the_rsvp_window_must_make_sense() {
        let mut draft = sample();
        draft.rsvp_opens_at = Some(draft.starts_at - Duration::days(7));
        draft.rsvp_deadline = Some(draft.starts_at - Duration::days(8));
        assert_eq!(codes(&draft), vec![("rsvp_deadline".into(), "before_opening")]);
    }

    #[test]
    fn the_single_slot_follows_the_events_seats_but_named_slots_do_not() {
        let mut draft = sample();
        draft.slots = vec![SlotDraft { id: None, name: "一般".into(), seats: 40, door_fee: None }];
        let grown = EventPatch { seats: Some(50), ..EventPatch::default() }.apply(draft.clone());
        assert_eq!(grown.slots[0].seats, 50);
        draft.slots = vec![
            SlotDraft { id: None, name: "OB/OG".into(), seats: 30, door_fee: None },
            SlotDraft { id: None, name: "現役".into(), seats: 10, door_fee: None },
        ];
        let grown = EventPatch { seats: Some(50), ..EventPatch::default() }.apply(draft);
        assert_eq!((grown.slots[0].seats, grown.slots[1].seats), (30, 10));
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let patch = EventPatch { seats: Some(60), theme: Some(None), ..EventPatch::default() };
        let changed = patch.apply(sample());
        assert_eq!(changed.seats, 60);
        assert_eq!(changed.theme, None);
        assert_eq!(changed.title, "Crossing #8");
    }
}
