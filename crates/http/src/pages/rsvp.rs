//! The RSVP form on `/e/{slug}`: showing it (seats left, the consent line, errors kept with what
//! was typed) and taking it (`POST /e/{slug}/rsvp`), rate-limited, answered with a "check your
//! inbox" page that never shows the attendee's link (only the email does: double opt-in).

use std::collections::HashMap;

use minijinja::{Value, context};
use poem::{
    Body, Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    error::Conflict,
    error::ValidationErrors,
    event::{NameReading, RsvpMode, public::PublicEvent},
    format,
    ids::SlotId,
    questions::{self, Answers, QuestionKind, Questions},
    rsvp::{self, Form},
    values::Language,
};

use super::{Page, event_view, texts};
use crate::{limits::client_ip, state::AppState};

/// Anything bigger is not a person typing: room for every question answered at full length
/// (20 long answers of 2,000 characters, 9 bytes each once percent-encoded) and the rest.
const FORM_LIMIT: usize = 512 * 1024;

/// What the form shows: the values typed, field errors, and a problem with the event itself.
#[derive(Default)]
pub(super) struct FormState {
    values: Posted,
    errors: HashMap<String, String>,
    problem: Option<String>,
}

impl FormState {
    /// The form filled in from an invitation (its "going" link); an unknown or foreign link
    /// fills nothing.
    pub(super) async fn invited(state: &AppState, event: &PublicEvent, token: &str) -> FormState {
        let found =
            tsudoi_domain::invitations::invitation_by_token(state.db.reader(), &state.links.keyring, token)
                .await;
        let Some((invitation, _)) = found.ok().filter(|(i, _)| i.event_id == event.event.id) else {
            return FormState::default();
        };
        let mut values = vec![("name".to_owned(), invitation.name), ("email".to_owned(), invitation.email)];
        values.extend(invitation.name_reading.map(|r| ("name_reading".to_owned(), r)));
        values.extend(invitation.slot_id.map(|s| ("slot".to_owned(), s.to_string())));
        FormState { values: Posted(values), ..FormState::default() }
    }
}

/// A posted urlencoded form: every field in order (a multiple choice repeats its name).
#[derive(Default)]
pub(super) struct Posted(Vec<(String, String)>);

impl Posted {
    /// The first value of `key`.
    pub(super) fn get(&self, key: &str) -> Option<&String> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// A form from its fields (tests build forms with it).
    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>) -> Posted {
        Posted(pairs)
    }

    /// The value of `key` without the spaces around it; empty when missing.
    pub(super) fn trimmed(&self, key: &str) -> String {
        self.get(key).map(|v| v.trim().to_owned()).unwrap_or_default()
    }

    /// The value of `key` without the spaces around it, if there is one.
    pub(super) fn optional(&self, key: &str) -> Option<String> {
        Some(self.trimmed(key)).filter(|v| !v.is_empty())
    }

    /// Every value of `key` (ticked checkboxes), in order.
    pub(super) fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every field, in order.
    pub(super) fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The answers to the event's questions (fields `answers.{question id}`), in order.
    pub(super) fn answers(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("answers.").map(|id| (id.to_owned(), v.clone())))
            .collect()
    }
}

/// The event's questions for a form, in `language`, filled with `given` (question id and value,
/// as posted or as stored).
pub(super) fn question_views(
    questions: Option<&Questions>,
    given: &[(String, String)],
    errors: &HashMap<String, String>,
    language: Language,
) -> Vec<Value> {
    let Some(questions) = questions else { return Vec::new() };
    questions
        .0
        .iter()
        .map(|q| {
            let field = questions::answer_field(&q.id);
            let chosen: Vec<&str> =
                given.iter().filter(|(id, _)| *id == q.id).map(|(_, v)| v.as_str()).collect();
            let choice = |id: String, label: &str| {
                context! { checked => chosen.contains(&id.as_str()), id => id, label => label }
            };
            let choices: Vec<Value> = match q.kind {
                QuestionKind::Rating => questions::RATING_LABELS
                    .iter()
                    .map(|(point, ..)| {
                        choice(
                            point.to_string(),
                            questions::rating_label(*point, language).unwrap_or_default(),
                        )
                    })
                    .collect(),
                QuestionKind::ZeroToTen => (0..=10).map(|p| choice(p.to_string(), &p.to_string())).collect(),
                _ => q.choices.iter().map(|c| choice(c.id.clone(), c.label.in_language(language))).collect(),
            };
            context! {
                field => field.clone(),
                kind => match q.kind {
                    QuestionKind::ShortText => "short_text",
                    QuestionKind::LongText => "long_text",
                    QuestionKind::SingleChoice => "single_choice",
                    QuestionKind::MultipleChoice => "multiple_choice",
                    QuestionKind::YesNo => "yes_no",
                    QuestionKind::Rating => "rating",
                    QuestionKind::ZeroToTen => "zero_to_ten",
                },
                label => q.label.in_language(language),
                required => q.required,
                choices => choices,
                text => chosen.first().copied().unwrap_or(""),
                error => errors.get(&field).cloned(),
            }
        })
        .collect()
}

/// Each field's first error, in words for the page.
pub(super) fn field_texts(errors: &ValidationErrors, language: Language) -> HashMap<String, String> {
    let t = texts::texts(language);
    let mut messages = HashMap::new();
    for e in errors.fields() {
        let text = t.get(format!("err_{}", e.code).as_str()).copied().unwrap_or(t["err_invalid"]);
        messages.entry(e.field.clone()).or_insert_with(|| text.to_owned());
    }
    messages
}

/// Stored answers as a form's fields.
pub(super) fn answer_pairs(answers: Option<&Answers>) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for (id, value) in answers.map(|a| a.0.iter()).into_iter().flatten() {
        match value {
            serde_json::Value::String(s) => pairs.push((id.clone(), s.clone())),
            serde_json::Value::Bool(yes) => {
                pairs.push((id.clone(), if *yes { "yes" } else { "no" }.to_owned()))
            }
            serde_json::Value::Array(ids) => {
                pairs.extend(ids.iter().filter_map(|v| v.as_str()).map(|v| (id.clone(), v.to_owned())));
            }
            serde_json::Value::Number(n) => pairs.push((id.clone(), n.to_string())),
            _ => {}
        }
    }
    pairs
}

/// Fills `{name}` placeholders in a catalogue text.
pub(super) fn fill(text: &str, pairs: &[(&str, &str)]) -> String {
    pairs.iter().fold(text.to_owned(), |out, (key, value)| out.replace(&format!("{{{key}}}"), value))
}

/// The words for a domain conflict, in the page's language.
pub(super) fn conflict_text(conflict: &Conflict, event: Option<&PublicEvent>, language: Language) -> String {
    let t = texts::texts(language);
    match conflict {
        Conflict::RsvpNotOpen(at) => {
            let tz = event.map_or("Asia/Tokyo", |e| e.event.time_zone.as_str());
            fill(t["rsvp_not_open"], &[("at", &format::moment(*at, tz, language))])
        }
        Conflict::EventCancelled => t["event_cancelled"].to_owned(),
        other => t.get(other.code()).map_or_else(|| other.to_string(), |s| (*s).to_owned()),
    }
}

/// The RSVP section of the event page.
pub(super) async fn section(
    state: &AppState,
    event: &PublicEvent,
    form: FormState,
    language: Language,
) -> Result<Value, Error> {
    let t = texts::texts(language);
    let e = &event.event;
    let free = rsvp::free_seats(state.db.reader(), event).await?;
    let full = free.iter().all(|(_, left)| *left == 0);
    let takes_requests = match e.rsvp_mode {
        RsvpMode::FirstCome => false,
        RsvpMode::Lottery => e.lottery_drawn_at.is_none(),
        RsvpMode::Approval => true,
    };
    let problem = form.problem.or_else(|| match rsvp::ensure_open(e, state.now()) {
        // Entries and requests take no seat, so a full event still takes them.
        Ok(()) if full && !e.waitlist_enabled && !takes_requests => Some(t["event_full"].to_owned()),
        Ok(()) => None,
        Err(Error::Conflict(conflict)) => Some(conflict_text(&conflict, Some(event), language)),
        Err(_) => Some(t["rsvp_closed"].to_owned()),
    });
    let slots: Vec<Value> = event
        .slots
        .iter()
        .map(|s| {
            let left = free.iter().find(|(id, _)| *id == s.id).map_or(0, |(_, left)| *left);
            let left_text = match (left, e.waitlist_enabled) {
                (0, true) => t["seats_full_waitlist"].to_owned(),
                (0, false) => t["seats_full"].to_owned(),
                (n, _) => fill(t["seats_left"], &[("n", &n.to_string())]),
            };
            context! { id => s.id.to_string(), name => s.name.clone(), seats => s.seats, left => left_text }
        })
        .collect();
    let networks: Vec<&str> = std::iter::once(event.host.name.as_str())
        .chain(event.cohosts.iter().map(|c| c.name.as_str()))
        .collect();
    let separator = if language == Language::Ja { "、" } else { ", " };
    // What was typed, or empty: a missing value must not render as "none".
    let typed = |key: &str| form.values.get(key).map_or("", String::as_str).to_owned();
    let guests: i64 = form.values.get("guests").and_then(|g| g.parse().ok()).unwrap_or(0);
    let moment = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| format::moment(at, &e.time_zone, language)).unwrap_or_default()
    };
    let mode = match e.rsvp_mode {
        RsvpMode::FirstCome => None,
        RsvpMode::Lottery => Some(match &e.lottery_drawn_at {
            None => context! {
                title => t["lottery_title"],
                note => fill(t["lottery_before"], &[("at", &moment(e.lottery_draw_at))]),
                proof => t["lottery_hash"],
                value => rsvp::lottery::seed_hash(e.lottery_seed.as_deref().unwrap_or_default()),
            },
            Some(drawn) => context! {
                title => t["lottery_title"],
                note => fill(t["lottery_after"], &[("at", &moment(Some(*drawn)))]),
                proof => t["lottery_seed"],
                value => e.lottery_seed.clone().unwrap_or_default(),
            },
        }),
        RsvpMode::Approval => Some(context! { title => t["approval_title"], note => t["approval_note"] }),
    };
    let button = match e.rsvp_mode {
        RsvpMode::Lottery if e.lottery_drawn_at.is_none() => t["rsvp_submit_lottery"],
        RsvpMode::Approval => t["rsvp_submit_approval"],
        _ if full => t["rsvp_submit_waitlist"],
        _ => t["rsvp_submit"],
    };
    let questions = question_views(e.questions.as_ref(), &form.values.answers(), &form.errors, language);
    Ok(context! {
        mode => mode,
        submit => button,
        open => problem.is_none(),
        problem => problem,
        action => format!("/e/{}/rsvp", e.slug),
        slots => slots,
        max_guests => e.max_guests,
        name_reading => match e.name_reading {
            NameReading::Hidden => "hidden",
            NameReading::Optional => "optional",
            NameReading::Required => "required",
        },
        consent => fill(t["consent"], &[("networks", &networks.join(separator))]),
        errors => form.errors,
        values => context! {
            name => typed("name"),
            name_reading => typed("name_reading"),
            email => typed("email"),
            slot => typed("slot"),
            guests => guests,
            language => form.values.get("language").map_or(language.code(), String::as_str),
            show_in_list => form.values.get("show_in_list").is_some(),
        },
        questions => questions,
    })
}

/// The event page with its form in `form`'s state.
pub(super) async fn event_page(
    page: &Page,
    state: &AppState,
    event: &PublicEvent,
    form: FormState,
    status: StatusCode,
) -> Response {
    let (section, going) =
        tokio::join!(section(state, event, form, page.language), rsvp::going(state.db.reader(), event));
    match (section, going) {
        (Ok(section), Ok(going)) => page.render(
            status,
            "event.html",
            context! { event => event_view(event, &state.base_url, page.language), rsvp => section, going => going },
        ),
        (Err(err), _) | (_, Err(err)) => page.failed(&err),
    }
}

/// The event page as it will be, shown to those who manage the event (a draft too): its form
/// shown as attendees will see it, and not sent from here.
pub(super) async fn preview_page(page: &Page, state: &AppState, event: &PublicEvent, back: &str) -> Response {
    let (section, going) = tokio::join!(
        section(state, event, FormState::default(), page.language),
        rsvp::going(state.db.reader(), event)
    );
    match (section, going) {
        (Ok(section), Ok(going)) => page.render(
            StatusCode::OK,
            "event.html",
            context! {
                event => event_view(event, &state.base_url, page.language),
                rsvp => context! { open => true, problem => None::<String>, action => "", ..section },
                going => going,
                preview => context! { back => back },
            },
        ),
        (Err(err), _) | (_, Err(err)) => page.failed(&err),
    }
}

fn form_of(values: &Posted, language: Language) -> Form {
    let text = |key: &str| values.get(key).cloned().unwrap_or_default();
    Form {
        name: text("name"),
        name_reading: text("name_reading"),
        email: text("email"),
        slot: values.get("slot").and_then(|s| s.parse::<uuid::Uuid>().ok()).map(SlotId),
        // Anything that is not a number is refused as too many, not silently read as none.
        guests: values
            .get("guests")
            .filter(|g| !g.is_empty())
            .map_or(0, |g| g.trim().parse().unwrap_or(i64::MAX)),
        language: values.get("language").and_then(|l| Language::parse(l).ok()).unwrap_or(language),
        show_in_list: values.get("show_in_list").is_some(),
        answers: values.answers(),
    }
}

/// Reads an urlencoded form of at most `FORM_LIMIT` bytes; `None` when it is larger.
pub(super) async fn read_form(body: Body) -> Option<Posted> {
    let bytes = body.into_bytes_limit(FORM_LIMIT).await.ok()?;
    Some(Posted(url::form_urlencoded::parse(&bytes).into_owned().collect()))
}

/// The event page again with the form in `form`'s state (a refused RSVP).
async fn form_again(
    page: &Page,
    state: &AppState,
    slug: &str,
    form: FormState,
    status: StatusCode,
) -> Response {
    match tsudoi_domain::event::public::event(state.db.reader(), slug).await {
        Ok(event) => event_page(page, state, &event, form, status).await,
        Err(err) => page.failed(&err),
    }
}

#[handler]
pub async fn submit(req: &Request, Path(slug): Path<String>, body: Body, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let t = texts::texts(page.language);
    let Some(values) = read_form(body).await else {
        let form = FormState { problem: Some(t["form_has_errors"].to_owned()), ..Default::default() };
        return form_again(&page, &state, &slug, form, StatusCode::PAYLOAD_TOO_LARGE).await;
    };
    let form = form_of(&values, page.language);
    let ip_allowed = client_ip(req, state.trust_proxy).is_none_or(|ip| state.limits.allow_ip(ip));
    // An address that is not one sends nothing: its form is refused below without spending its
    // budget (nor anyone's).
    let sends_mail = tsudoi_domain::values::Email::parse(&form.email).is_ok();
    if !ip_allowed || (sends_mail && !state.limits.allow_email(&form.email)) {
        return page.message(
            StatusCode::TOO_MANY_REQUESTS,
            t["too_many_requests_title"],
            &[t["too_many_requests"]],
            Some((format!("/e/{slug}"), t["back_to_event"])),
        );
    }
    // The event is read inside the RSVP's transaction; the page is loaded again only to show
    // the form with what went wrong.
    match state.rsvp_queue.write((slug.clone(), form)).await {
        Ok(done) => {
            state.mail_wake.notify_one();
            let position = match done.rsvp.status {
                rsvp::RsvpStatus::Waitlisted => rsvp::waitlist_position(state.db.reader(), &done.rsvp).await,
                _ => Ok(0),
            };
            match position {
                Ok(position) => sent_page(&page, &done, position),
                Err(err) => page.failed(&err),
            }
        }
        Err(Error::Invalid(errors)) => {
            let form = FormState { values, errors: field_texts(&errors, page.language), problem: None };
            form_again(&page, &state, &slug, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(Error::Conflict(conflict)) => {
            match tsudoi_domain::event::public::event(state.db.reader(), &slug).await {
                Ok(event) => {
                    let problem = Some(conflict_text(&conflict, Some(&event), page.language));
                    let form = FormState { values, errors: HashMap::new(), problem };
                    event_page(&page, &state, &event, form, StatusCode::CONFLICT).await
                }
                Err(err) => page.failed(&err),
            }
        }
        Err(err) => page.failed(&err),
    }
}

fn sent_page(page: &Page, done: &rsvp::Submitted, position: u64) -> Response {
    let t = texts::texts(page.language);
    let e = &done.event;
    let r = &done.rsvp;
    let email = r.email.as_deref().unwrap_or_default();
    let position = position.to_string();
    let until =
        r.hold_expires_at.map(|at| format::moment(at, &e.time_zone, page.language)).unwrap_or_default();
    let line = match r.status {
        _ if done.again => fill(t["sent_again"], &[("email", email)]),
        rsvp::RsvpStatus::Confirmed => fill(t["sent_confirmed"], &[("email", email)]),
        rsvp::RsvpStatus::Waitlisted if r.verified => {
            fill(t["sent_waitlisted"], &[("email", email), ("position", &position)])
        }
        rsvp::RsvpStatus::Waitlisted => {
            fill(t["sent_waitlist_confirm"], &[("email", email), ("position", &position)])
        }
        rsvp::RsvpStatus::Entered | rsvp::RsvpStatus::Pending if !r.verified => {
            fill(t["sent_confirm_first"], &[("email", email), ("until", &until)])
        }
        rsvp::RsvpStatus::Entered => {
            let at = e.lottery_draw_at.map(|at| format::moment(at, &e.time_zone, page.language));
            fill(t["sent_entered"], &[("email", email), ("at", &at.unwrap_or_default())])
        }
        rsvp::RsvpStatus::Pending => fill(t["sent_requested"], &[("email", email)]),
        _ => fill(t["sent_holding"], &[("email", email), ("until", &until)]),
    };
    page.message(
        StatusCode::OK,
        t["sent_title"],
        &[&line, t["sent_spam"]],
        Some((format!("/e/{}", e.slug), t["back_to_event"])),
    )
}
