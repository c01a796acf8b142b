//! The RSVP form: one use case from a submitted form to a seat held (or given, or a place on the
//! waitlist) and the email that says so.

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, TransactionTrait,
};

use super::{RsvpStatus, SHORT_CODE_LEN, seats_of, short_code, status_email};
use crate::{
    capacity::Seats,
    entity::{event, outbox as outbox_row, rsvp},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::{EventStatus, NameReading, RsvpMode},
    ids::{RsvpId, SlotId},
    outbox,
    questions::{self, Answers},
    values::{self, Email, Language, Slug},
};

pub const NAME_MAX: usize = 100;

/// What the attendee typed.
#[derive(Clone, Debug, Default)]
pub struct Form {
    pub name: String,
    pub name_reading: String,
    pub email: String,
    /// Needed when the event has more than one slot.
    pub slot: Option<SlotId>,
    pub guests: i64,
    pub language: Language,
    /// Appear in the event's "who's going" list.
    pub show_in_list: bool,
    /// Answers to the event's questions: question id and value (a multiple choice once per
    /// chosen value).
    pub answers: Vec<(String, String)>,
}

/// What happened, for the "check your inbox" page.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub rsvp: rsvp::Model,
    /// The event, as the RSVP found it.
    pub event: event::Model,
    /// The email already had an RSVP for this event: its link went out again.
    pub again: bool,
}

struct Checked {
    name: String,
    name_reading: Option<String>,
    email: Email,
    guests: i32,
    answers: Answers,
}

fn check(form: &Form, event: &event::Model) -> Result<Checked> {
    let mut errors = ValidationErrors::new();
    let name = errors.check("name", values::text(&form.name, NAME_MAX));
    let name_reading = match event.name_reading {
        NameReading::Hidden => Some(None),
        NameReading::Optional => {
            errors.check("name_reading", values::optional_text(&form.name_reading, NAME_MAX))
        }
        NameReading::Required => {
            errors.check("name_reading", values::text(&form.name_reading, NAME_MAX)).map(Some)
        }
    };
    let email = errors.check("email", Email::parse(&form.email));
    let guests = errors.check("guests", values::count(form.guests, 0, i64::from(event.max_guests)));
    let answers =
        questions::check_answers(&event.questions.clone().unwrap_or_default(), &form.answers, &mut errors);
    errors.into_result()?;
    match (name, name_reading, email, guests) {
        (Some(name), Some(name_reading), Some(email), Some(guests)) => {
            Ok(Checked { name, name_reading, email, guests, answers })
        }
        _ => Err(Error::Unexpected(anyhow::anyhow!("a checked field has no value"))),
    }
}

/// Whether the event takes RSVPs at `now`.
pub fn ensure_open(event: &event::Model, now: DateTime<Utc>) -> Result<()> {
    match event.status {
        EventStatus::Published if event.archived_at.is_none() => {}
        EventStatus::Cancelled => return Err(Conflict::EventCancelled.into()),
        _ => return Err(Error::NotFound(Resource::Event)),
    }
    // Between the draw time and the draw itself (the scheduler's next pass), nobody may slip in.
    if event.rsvp_mode == RsvpMode::Lottery
        && event.lottery_drawn_at.is_none()
        && event.lottery_draw_at.is_some_and(|at| now >= at)
    {
        return Err(Conflict::LotteryDrawing.into());
    }
    if let Some(opens) = event.rsvp_opens_at.filter(|&opens| now < opens) {
        return Err(Conflict::RsvpNotOpen(opens).into());
    }
    if now >= closes_at(event) {
        return Err(Conflict::RsvpClosed.into());
    }
    Ok(())
}

/// When RSVPs close: the deadline, or the start if that comes first. Answers may change until
/// then.
pub fn closes_at(event: &event::Model) -> DateTime<Utc> {
    event.rsvp_deadline.map_or(event.starts_at, |deadline| deadline.min(event.starts_at))
}

/// Registers `form` for the event at `slug`. RSVPing again with the same email re-sends the
/// email its status calls for and changes nothing else; after a cancellation or an expiry it
/// starts over.
pub async fn submit(
    db: &DatabaseConnection,
    slug: &str,
    form: Form,
    now: DateTime<Utc>,
) -> Result<Submitted> {
    let mut results = submit_many(db, vec![(slug.to_owned(), form)], now).await;
    results
        .pop()
        .unwrap_or_else(|| Err(Error::Unexpected(anyhow::anyhow!("a batch of one answered nothing"))))
}

/// Registers many forms in one transaction (group commit): what the HTTP layer's queue hands
/// over when a crowd arrives at once. Each form gets the answer it would have got alone, in
/// order: the earlier one in the batch is the earlier one in the queue.
pub async fn submit_many(
    db: &DatabaseConnection,
    requests: Vec<(String, Form)>,
    now: DateTime<Utc>,
) -> Vec<Result<Submitted>> {
    let count = requests.len();
    let mut by_event: Vec<(String, Vec<(usize, Form)>)> = Vec::new();
    for (n, (slug, form)) in requests.into_iter().enumerate() {
        match by_event.iter_mut().find(|(s, _)| *s == slug) {
            Some((_, forms)) => forms.push((n, form)),
            None => by_event.push((slug, vec![(n, form)])),
        }
    }
    // Every batch locks its events in the same order, so two instances' batches never wait on
    // each other in a circle (a deadlock on PostgreSQL).
    by_event.sort_by(|a, b| a.0.cmp(&b.0));
    let mut results: Vec<Option<Result<Submitted>>> = (0..count).map(|_| None).collect();
    let outcome = async {
        let txn = db.begin().await?;
        for (slug, forms) in by_event {
            submit_to_event(&txn, &slug, forms, now, &mut results).await?;
        }
        txn.commit().await?;
        Ok::<(), Error>(())
    }
    .await;
    match outcome {
        Ok(()) => results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::Unexpected(anyhow::anyhow!("a form got no answer")))))
            .collect(),
        // The transaction is gone: nothing was written, and every form hears why.
        Err(err) => {
            tracing::error!(error = %err, forms = count, "RSVP batch failed");
            (0..count).map(|_| Err(Error::Unexpected(anyhow::anyhow!("saving the RSVP: {err}")))).collect()
        }
    }
}

/// The forms for one event, inside the batch's transaction. Errors of a single form go into
/// its answer; an error returned here is the database's and undoes the whole batch.
async fn submit_to_event(
    txn: &DatabaseTransaction,
    slug: &str,
    forms: Vec<(usize, Form)>,
    now: DateTime<Utc>,
    results: &mut [Option<Result<Submitted>>],
) -> Result<()> {
    let mut answer = |n: usize, result: Result<Submitted>| results[n] = Some(result);
    let Ok(slug) = Slug::parse(slug) else {
        forms.into_iter().for_each(|(n, _)| answer(n, Err(Error::NotFound(Resource::Event))));
        return Ok(());
    };
    let event = crate::event::locked(
        event::Entity::find()
            .filter(event::Column::Slug.eq(slug.as_str()))
            .filter(event::Column::PublishedAt.is_not_null()),
    )
    .one(txn)
    .await?;
    let Some(event) = event else {
        forms.into_iter().for_each(|(n, _)| answer(n, Err(Error::NotFound(Resource::Event))));
        return Ok(());
    };
    if let Err(closed) = ensure_open(&event, now) {
        for (n, _) in forms {
            answer(n, Err(same_error(&closed)));
        }
        return Ok(());
    }
    let mut seats = seats_of(txn, &event).await?;
    // Lottery entries before the draw, and requests for approval, take no seat yet.
    let undecided = match event.rsvp_mode {
        RsvpMode::Lottery if event.lottery_drawn_at.is_none() => Some(RsvpStatus::Entered),
        RsvpMode::Approval => Some(RsvpStatus::Pending),
        _ => None,
    };

    // Every form that passes its own checks, then their earlier RSVPs and the fresh door codes'
    // collisions, in one query.
    let mut valid = Vec::new();
    for (n, form) in forms {
        match check(&form, &event).and_then(|checked| Ok((checked, choose_slot(&seats, form.slot)?))) {
            Ok((checked, slot)) => valid.push((n, form, checked, slot, short_code())),
            Err(err) => answer(n, Err(err)),
        }
    }
    if valid.is_empty() {
        return Ok(());
    }
    let emails: Vec<&str> = valid.iter().map(|(_, _, c, _, _)| c.email.as_str()).collect();
    let codes: Vec<&str> = valid.iter().map(|(_, _, _, _, code)| code.as_str()).collect();
    let found: Vec<rsvp::Model> = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(event.id))
        .filter(
            Condition::any()
                .add(rsvp::Column::Email.is_in(emails.iter().copied()))
                .add(rsvp::Column::ShortCode.is_in(codes.iter().copied())),
        )
        .all(txn)
        .await?;
    let mut known: HashMap<String, rsvp::Model> =
        found.iter().filter_map(|r| r.email.clone().map(|e| (e, r.clone()))).collect();
    let mut codes_taken: HashSet<String> = found.into_iter().map(|r| r.short_code).collect();

    let (mut inserts, mut messages) = (Vec::new(), Vec::new());
    for (n, form, checked, slot, code) in valid {
        let earlier = known.get(checked.email.as_str()).cloned();
        // The organizers' "no" stands: asking again does not reopen the request.
        if earlier.as_ref().is_some_and(|r| r.status == RsvpStatus::Rejected) {
            answer(n, Err(Conflict::RsvpRejected.into()));
            continue;
        }
        if let Some(earlier) = earlier.as_ref().filter(|r| r.status.is_active()) {
            let kind = status_email(earlier.status, earlier.verified);
            messages.push(outbox::message(kind, event.id, Some(earlier.id), None, now));
            answer(n, Ok(Submitted { rsvp: earlier.clone(), event: event.clone(), again: true }));
            continue;
        }
        let party = 1 + checked.guests;
        let (status, verified) = if let Some(waiting) = undecided {
            (waiting, !event.confirmation_required)
        } else if seats.take(slot, party) {
            if event.confirmation_required {
                (RsvpStatus::Holding, false)
            } else {
                (RsvpStatus::Confirmed, true)
            }
        } else if event.waitlist_enabled {
            (RsvpStatus::Waitlisted, !event.confirmation_required)
        } else {
            answer(n, Err(Conflict::EventFull.into()));
            continue;
        };
        let code = match earlier.as_ref() {
            Some(r) => r.short_code.clone(),
            None if codes_taken.contains(&code) => unused_code(txn, &event, &codes_taken).await?,
            None => code,
        };
        codes_taken.insert(code.clone());
        // Unconfirmed entries (holds, and waitlist places awaiting the email) lapse after the window.
        let hold_expires_at = (!verified)
            .then(|| (now + chrono::Duration::minutes(i64::from(event.hold_minutes))).min(event.starts_at));
        let model = rsvp::Model {
            id: earlier.as_ref().map_or_else(RsvpId::new, |r| r.id),
            event_id: event.id,
            slot_id: slot,
            email: Some(checked.email.as_str().to_owned()),
            name: checked.name,
            name_reading: checked.name_reading,
            language: form.language,
            guests: checked.guests,
            status,
            verified,
            show_in_list: form.show_in_list,
            short_code: code,
            link_version: earlier.as_ref().map_or(0, |r| r.link_version),
            ticket_version: earlier.as_ref().map_or(0, |r| r.ticket_version),
            queued_at: now,
            hold_expires_at,
            offer_expires_at: None,
            confirmed_at: (status == RsvpStatus::Confirmed).then_some(now),
            reminded_at: None,
            // Whoever came through the door before starting over still did.
            checked_in: earlier.as_ref().map_or(0, |r| r.checked_in),
            answers: Some(checked.answers),
            cancelled_at: None,
            erased_at: None,
            created_at: earlier.as_ref().map_or(now, |r| r.created_at),
            updated_at: now,
        };
        let row = model.clone().into_active_model().reset_all();
        if earlier.is_some() {
            // Starting over after a cancellation or an expiry: rare, so one statement each.
            rsvp::Entity::update(row).exec(txn).await?;
        } else {
            inserts.push(row);
        }
        messages.push(outbox::message(status_email(status, verified), event.id, Some(model.id), None, now));
        known.insert(checked.email.as_str().to_owned(), model.clone());
        answer(n, Ok(Submitted { rsvp: model, event: event.clone(), again: false }));
    }
    if !inserts.is_empty() {
        rsvp::Entity::insert_many(inserts).exec_without_returning(txn).await?;
    }
    if !messages.is_empty() {
        outbox_row::Entity::insert_many(messages).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// The same answer for every form of a batch that one check refused (an event not open).
fn same_error(err: &Error) -> Error {
    match err {
        Error::NotFound(resource) => Error::NotFound(*resource),
        Error::Conflict(conflict) => Error::Conflict(conflict.clone()),
        other => Error::Unexpected(anyhow::anyhow!("{other}")),
    }
}

fn choose_slot(seats: &Seats, chosen: Option<SlotId>) -> Result<SlotId> {
    let mut slots = seats.slots.keys().copied();
    match chosen {
        Some(slot) if seats.slots.contains_key(&slot) => Ok(slot),
        Some(_) => {
            Err(ValidationErrors::single("slot", "unknown_slot", "is not a slot of this event").into())
        }
        None => match (slots.next(), slots.next()) {
            (Some(only), None) => Ok(only),
            _ => Err(ValidationErrors::single("slot", "required", "choose one of the event's slots").into()),
        },
    }
}

/// A door code nobody at this event has yet (the first random one collided).
async fn unused_code(
    txn: &DatabaseTransaction,
    event: &event::Model,
    taken_in_batch: &HashSet<String>,
) -> Result<String> {
    for _ in 0..8 {
        let code = short_code();
        let taken = taken_in_batch.contains(&code)
            || rsvp::Entity::find()
                .filter(rsvp::Column::EventId.eq(event.id))
                .filter(rsvp::Column::ShortCode.eq(code.as_str()))
                .one(txn)
                .await?
                .is_some();
        if !taken {
            debug_assert_eq!(code.len(), SHORT_CODE_LEN);
            return Ok(code);
        }
    }
    Err(Error::Unexpected(anyhow::anyhow!("no free door code after 8 tries")))
}
