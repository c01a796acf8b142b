//! An event's survey in the dashboard: make one from the template, set who it goes to, when
//! and for how long, send it now, and read the results (the charts, the free texts, the CSV
//! and the printable report).

use std::collections::BTreeMap;

use minijinja::{Value, context};
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    error::ValidationErrors,
    event::EventDetails,
    format,
    ids::EventId,
    questions::QuestionDraft,
    survey::{self, Audience, SurveyChanges},
};
use uuid::Uuid;

use super::{
    Admin, Managed, ManagedPost, csv_file,
    events::{event_head, home_network},
    not_found, printable, see_other,
};
use crate::{charts, pages::rsvp::Posted, state::AppState};

/// The survey page: its settings (as stored, or as posted with `errors`) and its results.
async fn survey_page(
    admin: &Admin,
    state: &AppState,
    details: &EventDetails,
    posted: Option<(&Posted, ValidationErrors)>,
    status: StatusCode,
) -> Response {
    let language = admin.page.language;
    let e = &details.event;
    let head = event_head(details, language, &state.base_url);
    let found = match survey::get(state.db.reader(), &admin.who.actor, e.id).await {
        Ok(found) => Some(found),
        Err(Error::NotFound(tsudoi_domain::error::Resource::Survey)) => None,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let Some(overview) = found else {
        return admin.render(
            status,
            "admin/survey.html",
            home_network(admin, details),
            "events",
            context! {
                event => head, tab => "survey", survey => Value::from(()),
            },
        );
    };
    let results = match survey::results::results(state.db.reader(), &admin.who.actor, e.id).await {
        Ok(results) => results,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let s = &overview.survey;
    let zone = e.time_zone.as_str();
    let (values, errors) = match posted {
        Some((form, errors)) => {
            let mut values: BTreeMap<String, String> =
                ["anonymous", "audience", "send_delay_minutes", "reminder_days", "closes_at"]
                    .into_iter()
                    .filter_map(|k| form.get(k).map(|v| (k.to_owned(), v.clone())))
                    .collect();
            super::questions::posted_values(form, &mut values);
            (values, super::fields::error_texts(&errors, language))
        }
        None => {
            let mut values = BTreeMap::from([
                (
                    "audience".to_owned(),
                    match s.audience {
                        Audience::CheckedIn => "checked_in",
                        Audience::Confirmed => "confirmed",
                    }
                    .to_owned(),
                ),
                ("send_delay_minutes".to_owned(), s.send_delay_minutes.to_string()),
                ("reminder_days".to_owned(), s.reminder_days.map(|d| d.to_string()).unwrap_or_default()),
                ("closes_at".to_owned(), format::local_input(s.closes_at, zone)),
            ]);
            if s.anonymous {
                values.insert("anonymous".to_owned(), "on".to_owned());
            }
            let drafts: Vec<QuestionDraft> = s.questions.0.iter().cloned().map(QuestionDraft::from).collect();
            super::questions::put_values(&drafts, &mut values);
            (values, Default::default())
        }
    };
    let texts: Vec<Value> = results
        .questions
        .iter()
        .filter(|q| q.question.kind.is_text() && !q.texts.is_empty())
        .map(|q| {
            let answers: Vec<Value> = q
                .texts
                .iter()
                .map(|t| context! { text => t.text.clone(), author => t.author.clone() })
                .collect();
            context! { label => q.question.label.in_language(language).to_owned(), answers => answers }
        })
        .collect();
    admin.render(
        status,
        "admin/survey.html",
        home_network(admin, details),
        "events",
        context! {
            event => head,
            tab => "survey",
            survey => context! {
                sent => s.invited_at.is_some(),
                send_at => format::moment(overview.send_at, zone, language),
                closes => format::moment(s.closes_at, zone, language),
                invited => results.invited,
                responses => results.responses,
                response_rate => results.response_rate,
            },
            qrows => super::questions::rows(&values),
            qkinds => super::questions::kinds(true),
            f => values,
            errors => errors,
            chart => (results.responses > 0).then(|| Value::from_safe_string(charts::survey(&results, language))),
            texts => texts,
        },
    )
}

/// `GET /admin/e/{id}/survey`.
#[handler]
pub async fn survey_overview(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    survey_page(&admin, &state, &details, None, StatusCode::OK).await
}

/// The survey settings as posted; text that is no number or time is an error here.
fn changes_of(form: &Posted, zone: &str) -> Result<SurveyChanges, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let text = |k: &str| form.trimmed(k);
    let number = |k: &str, errors: &mut ValidationErrors| {
        super::fields::whole_number(form, k, errors).and_then(|n| match i32::try_from(n) {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(k, "too_large", "is too large");
                None
            }
        })
    };
    let delay = number("send_delay_minutes", &mut errors);
    let reminder = number("reminder_days", &mut errors);
    let closes_at = format::parse_local_input(&text("closes_at"), zone);
    if closes_at.is_none() {
        errors.add("closes_at", "not_a_time", "is not a date and time in the event's time zone");
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(SurveyChanges {
        questions: super::questions::shown(form).then(|| super::questions::from_form(form)),
        anonymous: Some(form.get("anonymous").is_some()),
        audience: Some(if text("audience") == "confirmed" {
            Audience::Confirmed
        } else {
            Audience::CheckedIn
        }),
        send_delay_minutes: Some(delay.unwrap_or(survey::DEFAULT_SEND_DELAY_MINUTES)),
        reminder_days: Some(reminder),
        closes_at,
    })
}

/// `POST /admin/e/{id}/survey` with `action` = `create`, `save` (the settings) or `send`.
#[handler]
pub async fn survey_act(ManagedPost(admin, form, details): ManagedPost, state: Data<&AppState>) -> Response {
    let (db, actor, now) = (state.db.writer(), &admin.who.actor, state.now());
    let event_id = details.event.id;
    let done = match form.get("action").map(String::as_str) {
        Some("create") => survey::create(db, actor, event_id, now).await.map(|_| ()),
        Some("send") => {
            survey::send_now(db, actor, event_id, now).await.map(|_| state.mail_wake.notify_one())
        }
        Some("save") => match changes_of(&form, &details.event.time_zone) {
            Ok(changes) => survey::update(db, actor, event_id, changes, now).await.map(|_| ()),
            Err(errors) => Err(Error::Invalid(errors)),
        },
        _ => return not_found(&admin),
    };
    match done {
        Ok(()) => see_other(&format!("/admin/e/{}/survey", event_id.uuid())),
        Err(Error::Invalid(errors)) => {
            survey_page(&admin, &state, &details, Some((&form, errors)), StatusCode::UNPROCESSABLE_ENTITY)
                .await
        }
        Err(err) => admin.failed(&err, &format!("/admin/e/{}/survey", event_id.uuid())),
    }
}

/// `GET /admin/e/{id}/survey.csv`: every response, for Excel.
#[handler]
pub async fn survey_csv(admin: Admin, Path(id): Path<String>, state: Data<&AppState>) -> Response {
    let Ok(event_id) = id.parse::<Uuid>().map(EventId) else { return not_found(&admin) };
    match survey::results::csv(state.db.reader(), &admin.who.actor, event_id, Some(admin.page.language)).await
    {
        Ok((bytes, details)) => csv_file(bytes, &format!("survey-{}.csv", details.event.slug)),
        Err(Error::NotFound(_) | Error::Forbidden(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, "/admin"),
    }
}

/// `GET /admin/e/{id}/survey/report`: the results as a page to print.
#[handler]
pub async fn survey_print(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    let language = admin.page.language;
    let results = match survey::results::results(state.db.reader(), &admin.who.actor, details.event.id).await
    {
        Ok(results) => results,
        Err(Error::NotFound(_)) => return not_found(&admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    printable(&admin, crate::pages::survey_report(&details, &results, language))
}
