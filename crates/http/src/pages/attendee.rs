//! An attendee's own page (`/r/{token}`) with its buttons, and a ticket's public view
//! (`/t/{code}`). A GET only shows (mail scanners open every link, DESIGN invariant 5); each
//! change is a POST from a button, answered with a redirect back to the page (no resubmits).

use std::collections::HashMap;

use minijinja::{Value, context};
use poem::{
    Body, IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Path, Redirect},
};
use tsudoi_domain::{
    Error,
    event::{EventStatus, public::PublicEvent},
    format, qr,
    rsvp::{self, Action, AttendeePage, RsvpStatus, TicketStanding},
};

use super::{
    Page, event_view,
    rsvp::{answer_pairs, conflict_text, field_texts, fill, question_views, read_form},
    texts,
};
use crate::state::AppState;

fn actions(token: &str) -> Value {
    context! {
        confirm => format!("/r/{token}/confirm"),
        accept => format!("/r/{token}/accept"),
        guests => format!("/r/{token}/guests"),
        list => format!("/r/{token}/list"),
        cancel => format!("/r/{token}/cancel"),
        erase => format!("/r/{token}/erase"),
        answers => format!("/r/{token}/answers"),
    }
}

/// What the attendee's page says besides their RSVP: a notice after a change, or why a change
/// was refused (with the answers as posted and their errors, to correct them).
#[derive(Default)]
struct Outcome {
    notice: Option<&'static str>,
    problem: Option<String>,
    status: StatusCode,
    again: Option<AnswersAgain>,
}

/// Answers posted again after a refusal, and the errors by field.
struct AnswersAgain {
    posted: Vec<(String, String)>,
    errors: HashMap<String, String>,
}

fn render_attendee(
    page: &Page,
    state: &AppState,
    token: &str,
    a: &AttendeePage,
    outcome: Outcome,
) -> Response {
    let Outcome { notice, problem, status, again } = outcome;
    let t = texts::texts(page.language);
    let r = &a.rsvp;
    let e = &a.event.event;
    let moment = |at: Option<chrono::DateTime<chrono::Utc>>| {
        at.map(|at| format::moment(at, &e.time_zone, page.language)).unwrap_or_default()
    };
    let position = a.waitlist_position.unwrap_or(0).to_string();
    let (tone, heading, body, action, button) = match r.status {
        RsvpStatus::Holding => (
            "wait",
            t["st_holding"],
            fill(t["st_holding_body"], &[("until", &moment(r.hold_expires_at))]),
            Some(format!("/r/{token}/confirm")),
            t["st_confirm"],
        ),
        RsvpStatus::Confirmed => ("ok", t["st_confirmed"], t["st_confirmed_body"].to_owned(), None, ""),
        RsvpStatus::Waitlisted if !r.verified => (
            "wait",
            t["st_waitlisted"],
            fill(t["st_waitlist_confirm_body"], &[("position", &position)]),
            Some(format!("/r/{token}/confirm")),
            t["st_confirm"],
        ),
        RsvpStatus::Waitlisted => {
            ("wait", t["st_waitlisted"], fill(t["st_waitlisted_body"], &[("position", &position)]), None, "")
        }
        RsvpStatus::Offered => (
            "wait",
            t["st_offered"],
            fill(t["st_offered_body"], &[("until", &moment(r.offer_expires_at))]),
            Some(format!("/r/{token}/accept")),
            t["st_accept"],
        ),
        RsvpStatus::Cancelled => ("off", t["st_cancelled"], t["st_cancelled_body"].to_owned(), None, ""),
        RsvpStatus::Expired if r.offer_expires_at.is_some() => {
            ("off", t["st_expired"], t["offer_expired"].to_owned(), None, "")
        }
        RsvpStatus::Expired => ("off", t["st_expired"], t["st_expired_body"].to_owned(), None, ""),
        RsvpStatus::Entered | RsvpStatus::Pending if !r.verified => (
            "wait",
            if r.status == RsvpStatus::Entered { t["st_entered"] } else { t["st_pending"] },
            fill(t["st_confirm_entry_body"], &[("until", &moment(r.hold_expires_at))]),
            Some(format!("/r/{token}/confirm")),
            t["st_confirm"],
        ),
        RsvpStatus::Entered => (
            "wait",
            t["st_entered"],
            fill(t["st_entered_body"], &[("at", &moment(e.lottery_draw_at))]),
            None,
            "",
        ),
        RsvpStatus::Pending => ("wait", t["st_pending"], t["st_pending_body"].to_owned(), None, ""),
        RsvpStatus::Rejected => ("off", t["st_rejected"], t["st_rejected_body"].to_owned(), None, ""),
        RsvpStatus::NotSelected => {
            ("off", t["st_not_selected"], t["st_not_selected_body"].to_owned(), None, "")
        }
    };
    let open = e.status == EventStatus::Published;
    let ticket = (r.status == RsvpStatus::Confirmed && open).then(|| {
        let url = state.links.ticket_url(r);
        let svg = qr::svg(&url).unwrap_or_default();
        context! { svg => Value::from_safe_string(svg), short_code => r.short_code.clone(), href => url }
    });
    let stored = r.answers.as_ref();
    let asked = e.questions.as_ref();
    let AnswersAgain { posted: given, errors } =
        again.unwrap_or_else(|| AnswersAgain { posted: answer_pairs(stored), errors: HashMap::new() });
    let questions = question_views(asked, &given, &errors, page.language);
    let shown: Vec<Value> = asked
        .map(|asked| {
            asked
                .0
                .iter()
                .map(|q| {
                    let answer = stored.and_then(|a| a.0.get(&q.id)).map(|v| q.display(v, page.language));
                    context! { label => q.label.in_language(page.language), shown => answer.unwrap_or_default() }
                })
                .collect()
        })
        .unwrap_or_default();
    let answers_open = r.status.is_active() && open && state.now() < rsvp::closes_at(e);
    let survey = a.survey.as_ref().filter(|(_, closes)| state.now() < *closes).map(|(invitation, _)| {
        let label =
            if invitation.responded_at.is_some() { t["survey_link_answered"] } else { t["survey_link"] };
        context! { href => state.links.survey_url(invitation), label => label }
    });
    let mut view = event_view(&a.event, &state.base_url, page.language);
    view = context! { href => format!("/e/{}", e.slug), ..view };
    page.render(
        status,
        "attendee.html",
        context! {
            event => view,
            notice => notice,
            problem => problem,
            status => context! { tone => tone, heading => heading, body => body, action => action.filter(|_| open), button => button },
            ticket => ticket,
            rsvp => context! { name => r.name.clone(), guests => r.guests, show_in_list => r.show_in_list, slot => (a.event.slots.len() > 1).then(|| a.slot.name.clone()) },
            active => r.status.is_active() && open,
            max_guests => e.max_guests,
            actions => actions(token),
            questions => if answers_open { questions } else { shown },
            answers_open => answers_open,
            survey => survey,
        },
    )
}

/// What a `?done=` after a redirect says.
fn notice_of(req: &Request, page: &Page) -> Option<&'static str> {
    let done = req.uri().query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "done").map(|(_, v)| v.into_owned())
    })?;
    let t = texts::texts(page.language);
    t.get(format!("done_{done}").as_str()).copied()
}

#[handler]
pub async fn rsvp_page(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let mut page = Page::of(req);
    match rsvp::attendee_page(state.db.reader(), &state.links.keyring, &token).await {
        Ok(a) => {
            page.prefer(a.rsvp.language);
            render_attendee(
                &page,
                &state,
                &token,
                &a,
                Outcome { notice: notice_of(req, &page), ..Outcome::default() },
            )
        }
        Err(err) => page.failed(&err),
    }
}

/// The confirmation step before cancelling or erasing: a page with the button.
#[handler]
pub async fn rsvp_step(
    req: &Request,
    Path((token, step)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let mut page = Page::of(req);
    if !matches!(step.as_str(), "cancel" | "erase") {
        return page.not_found();
    }
    match rsvp::attendee_page(state.db.reader(), &state.links.keyring, &token).await {
        Ok(a) => {
            page.prefer(a.rsvp.language);
            let t = texts::texts(page.language);
            let (heading, body, button) = match step.as_str() {
                "cancel" => (t["cancel_heading"], t["cancel_body"], t["cancel_button"]),
                _ => (t["erase_heading"], t["erase_body"], t["erase_button"]),
            };
            page.render(
                StatusCode::OK,
                "confirm_action.html",
                context! {
                    heading => heading, body => body, button => button,
                    action => format!("/r/{token}/{step}"),
                    back_href => format!("/r/{token}"),
                    event_title => a.event.event.title,
                },
            )
        }
        Err(err) => page.failed(&err),
    }
}

#[handler]
pub async fn rsvp_act(
    req: &Request,
    Path((token, verb)): Path<(String, String)>,
    body: Body,
    state: Data<&AppState>,
) -> Response {
    let mut page = Page::of(req);
    let Some(form) = read_form(body).await else { return page.form_too_large() };
    let action = match verb.as_str() {
        "confirm" => Action::Confirm,
        "accept" => Action::AcceptOffer,
        "cancel" => Action::Cancel,
        "erase" => Action::Erase,
        "guests" => {
            Action::SetGuests(form.get("guests").map_or(i64::MAX, |g| g.trim().parse().unwrap_or(i64::MAX)))
        }
        "list" => Action::ShowInList(form.get("show").is_some_and(|v| v == "1")),
        "answers" => Action::SetAnswers(form.answers()),
        _ => return page.not_found(),
    };
    let keyring = &state.links.keyring;
    match rsvp::act(state.db.writer(), keyring, &token, action.clone(), &state.policy, state.now()).await {
        Ok(r) => {
            state.mail_wake.notify_one();
            page.prefer(r.language);
            if action == Action::Erase {
                let t = texts::texts(page.language);
                return page.message(StatusCode::OK, t["erased_title"], &[t["erased_body"]], None);
            }
            let done = match action {
                Action::Confirm if r.status == RsvpStatus::Waitlisted => "waitlist",
                Action::Confirm => "confirm",
                Action::AcceptOffer => "accept",
                Action::Cancel => "cancel",
                Action::SetGuests(_) => "guests",
                Action::SetAnswers(_) => "answers",
                _ => "list",
            };
            Redirect::see_other(format!("/r/{token}?done={done}")).into_response()
        }
        Err(refused @ (Error::Conflict(_) | Error::Invalid(_))) => {
            // The attendee's page again, in their language, saying why nothing changed.
            match rsvp::attendee_page(state.db.reader(), keyring, &token).await {
                Ok(a) => {
                    page.prefer(a.rsvp.language);
                    let t = texts::texts(page.language);
                    let (problem, status, again) = match (&refused, action) {
                        (Error::Conflict(conflict), _) => {
                            (conflict_text(conflict, None, page.language), StatusCode::CONFLICT, None)
                        }
                        (Error::Invalid(errors), Action::SetAnswers(posted)) => {
                            let errors = field_texts(errors, page.language);
                            (
                                t["form_has_errors"].to_owned(),
                                StatusCode::UNPROCESSABLE_ENTITY,
                                Some(AnswersAgain { posted, errors }),
                            )
                        }
                        _ => (t["err_too_large"].to_owned(), StatusCode::UNPROCESSABLE_ENTITY, None),
                    };
                    let outcome = Outcome { problem: Some(problem), status, again, ..Outcome::default() };
                    render_attendee(&page, &state, &token, &a, outcome)
                }
                Err(err) => page.failed(&err),
            }
        }
        Err(err) => page.failed(&err),
    }
}

#[handler]
pub async fn ticket_page(req: &Request, Path(code): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let t = texts::texts(page.language);
    let view = match rsvp::ticket(state.db.reader(), &state.links.keyring, &code).await {
        Ok(view) => view,
        Err(err) => return page.failed(&err),
    };
    let (tone, heading, body) = match view.standing {
        TicketStanding::Valid => ("ok", t["tk_valid"], t["tk_valid_body"]),
        TicketStanding::NotConfirmed => ("wait", t["tk_pending"], t["tk_pending_body"]),
        TicketStanding::EventCancelled => ("off", t["tk_event_cancelled"], t["tk_event_cancelled_body"]),
    };
    let event: &PublicEvent = &view.event;
    let mut facts = event_view(event, &state.base_url, page.language);
    facts = context! { href => format!("/e/{}", event.event.slug), ..facts };
    page.render(
        StatusCode::OK,
        "ticket.html",
        context! {
            event => facts, tone => tone, heading => heading, body => body,
            first_name => view.first_name, guests => view.guests, short_code => view.short_code,
            slot => (event.slots.len() > 1).then(|| view.slot.name.clone()),
        },
    )
}
