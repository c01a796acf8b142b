//! An attendee's survey, `/s/{token}`: mobile first, without JavaScript. Opening it (from the
//! email's one-tap links too, `?satisfaction=5`) only shows the form with that answer chosen;
//! the send button records it. Sending again edits the answers until the survey closes.

use std::collections::HashMap;

use minijinja::{Value, context};
use poem::{
    Body, IntoResponse, Request, Response, handler,
    http::StatusCode,
    web::{Data, Path, Redirect},
};
use tsudoi_domain::{
    Error,
    error::Conflict,
    event::EventDetails,
    format,
    reports::SeriesReport,
    survey::{
        self, SurveyPage,
        results::{self, SurveyResults},
    },
    values::Language,
};

use super::{
    Page, event_view,
    rsvp::{answer_pairs, field_texts, fill, question_views, read_form},
    texts,
};
use crate::{charts, state::AppState};

/// What the page says besides the survey: a notice after sending, or why it was refused with
/// the answers as posted and their errors.
#[derive(Default)]
struct Outcome {
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    posted: Option<Posted>,
}

/// Answers as posted (question id and value), and the errors by field.
type Posted = (Vec<(String, String)>, HashMap<String, String>);

/// Answers picked in the address (the email's one-tap links): `?{question id}={value}`.
fn picked(req: &Request, page: &SurveyPage) -> Vec<(String, String)> {
    let Some(query) = req.uri().query() else { return Vec::new() };
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(key, _)| page.survey.questions.0.iter().any(|q| &q.id == key))
        .collect()
}

fn render(
    page: &Page,
    state: &AppState,
    token: &str,
    s: &SurveyPage,
    picked: Vec<(String, String)>,
    outcome: Outcome,
) -> Response {
    let t = texts::texts(page.language);
    let e = &s.event.event;
    let now = state.now();
    let closes = format::moment(s.survey.closes_at, &e.time_zone, page.language);
    let mut view = event_view(&s.event, &state.base_url, page.language);
    view = context! { href => format!("/e/{}", e.slug), ..view };
    let privacy = if s.survey.anonymous { t["survey_anonymous"] } else { t["survey_named"] };
    let status = if outcome.posted.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    if s.closed(now) {
        let shown: Vec<Value> = s
            .survey
            .questions
            .0
            .iter()
            .filter_map(|q| {
                let answer = s.answers.as_ref()?.0.get(&q.id)?;
                Some(context! { label => q.label.in_language(page.language), shown => q.display(answer, page.language) })
            })
            .collect();
        let body = if s.answers.is_some() { t["survey_closed_answered"] } else { t["survey_closed_body"] };
        return page.render(
            if outcome.problem.is_some() { StatusCode::CONFLICT } else { StatusCode::OK },
            "survey.html",
            context! {
                event => view, closed => true, closed_body => fill(body, &[("at", &closes)]),
                shown => shown, privacy => privacy, problem => outcome.problem,
            },
        );
    }
    let (given, errors) = outcome.posted.unwrap_or_else(|| {
        let mut given = answer_pairs(s.answers.as_ref());
        // A one-tap link replaces the stored answer to its question.
        given.retain(|(id, _)| !picked.iter().any(|(p, _)| p == id));
        given.extend(picked);
        (given, HashMap::new())
    });
    let problem = outcome.problem.or_else(|| (!errors.is_empty()).then_some(t["form_has_errors"]));
    page.render(
        status,
        "survey.html",
        context! {
            event => view,
            closed => false,
            notice => outcome.notice,
            problem => problem,
            greeting => fill(t["survey_greeting"], &[("name", &s.respondent.name), ("title", &e.title)]),
            until => fill(t["survey_until"], &[("at", &closes)]),
            questions => question_views(Some(&s.survey.questions), &given, &errors, page.language),
            answered => s.answers.is_some(),
            action => format!("/s/{token}/answers"),
            privacy => privacy,
        },
    )
}

#[handler]
pub async fn survey_page(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let mut page = Page::of(req);
    match survey::open(state.db.reader(), &state.links.keyring, &token).await {
        Ok(s) => {
            page.prefer(s.respondent.language);
            let t = texts::texts(page.language);
            let done = req.uri().query().is_some_and(|q| q.split('&').any(|p| p == "done=1"));
            let notice = done.then_some(t["survey_thanks"]);
            let picked = picked(req, &s);
            render(&page, &state, &token, &s, picked, Outcome { notice, ..Outcome::default() })
        }
        Err(err) => page.failed(&err),
    }
}

#[handler]
pub async fn survey_submit(
    req: &Request,
    Path(token): Path<String>,
    body: Body,
    state: Data<&AppState>,
) -> Response {
    let mut page = Page::of(req);
    let Some(form) = read_form(body).await else { return page.form_too_large() };
    let posted = form.answers();
    let keyring = &state.links.keyring;
    match survey::submit(state.db.writer(), keyring, &token, &posted, state.now()).await {
        Ok(_) => Redirect::see_other(format!("/s/{token}?done=1")).into_response(),
        Err(refused @ (Error::Invalid(_) | Error::Conflict(_))) => {
            match survey::open(state.db.reader(), keyring, &token).await {
                Ok(s) => {
                    page.prefer(s.respondent.language);
                    let t = texts::texts(page.language);
                    let outcome = match refused {
                        Error::Invalid(errors) => Outcome {
                            posted: Some((posted, field_texts(&errors, page.language))),
                            ..Outcome::default()
                        },
                        Error::Conflict(Conflict::SurveyClosed) => {
                            Outcome { problem: Some(t["survey_closed_now"]), ..Outcome::default() }
                        }
                        // Anything else: the answers as posted, to send again.
                        _ => Outcome {
                            problem: Some(t["error_body"]),
                            posted: Some((posted, HashMap::new())),
                            ..Outcome::default()
                        },
                    };
                    render(&page, &state, &token, &s, Vec::new(), outcome)
                }
                Err(err) => page.failed(&err),
            }
        }
        Err(err) => page.failed(&err),
    }
}

/// A survey's results as a page to open and print: the charts, then the free-text answers.
pub fn survey_report(
    details: &EventDetails,
    results: &SurveyResults,
    language: Language,
) -> Result<String, minijinja::Error> {
    let e = &details.event;
    let ja = language == Language::Ja;
    let texts: Vec<Value> = results
        .questions
        .iter()
        .filter(|q| q.question.kind.is_text())
        .map(|q| {
            let count = if ja {
                format!("回答 {} 件（最新の {} 件まで表示）", q.answered, results::TEXTS_SHOWN)
            } else {
                format!("{} answers (the latest {} shown at most)", q.answered, results::TEXTS_SHOWN)
            };
            let answers: Vec<Value> = q
                .texts
                .iter()
                .map(|t| context! { text => t.text.as_str(), author => t.author.as_deref() })
                .collect();
            context! { label => q.question.label.in_language(language), count => count, answers => answers }
        })
        .collect();
    let summary = if ja {
        format!(
            "送信 {} 件、回答 {} 件（回答率 {}%）",
            results.invited, results.responses, results.response_rate
        )
    } else {
        format!(
            "{} sent, {} responses ({}% responded)",
            results.invited, results.responses, results.response_rate
        )
    };
    let ctx = context! {
        lang => language.code(),
        heading => if ja { "アンケート結果" } else { "Survey results" },
        title => e.title.as_str(),
        when => format::when(e.starts_at, e.ends_at, &e.time_zone, language),
        summary => summary,
        chart => Value::from_safe_string(charts::survey(results, language)),
        texts => texts,
        anonymous => results.anonymous.then_some(if ja {
            "匿名アンケートのため、回答者は表示されません。"
        } else {
            "An anonymous survey: who answered is not shown."
        }),
    };
    super::TEMPLATES.get_template("survey_report.html").and_then(|t| t.render(ctx))
}

/// A series edition by edition as a page to open and print: the table, then the charts.
pub fn series_report(report: &SeriesReport, language: Language) -> Result<String, minijinja::Error> {
    let ja = language == Language::Ja;
    let headers: [&str; 12] = if ja {
        [
            "回",
            "日付",
            "参加確定",
            "来場",
            "出席率",
            "欠席率",
            "リピーター",
            "初参加",
            "回答",
            "とても満足",
            "満足度平均",
            "NPS",
        ]
    } else {
        [
            "Edition",
            "Date",
            "Confirmed",
            "Came",
            "Attendance",
            "No-shows",
            "Returning",
            "First time",
            "Responses",
            "Very satisfied",
            "Mean",
            "NPS",
        ]
    };
    let percent = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format!("{v}%"));
    let rows: Vec<Vec<String>> = report
        .editions
        .iter()
        .map(|e| {
            vec![
                e.edition.map_or_else(|| e.title.clone(), |n| format!("#{n} {}", e.title)),
                format::short_date(e.starts_at, &e.time_zone, language),
                e.rsvps.to_string(),
                e.attended.to_string(),
                percent(e.attendance_rate),
                percent(e.no_show_rate),
                e.repeaters.to_string(),
                e.first_timers.to_string(),
                e.responses.to_string(),
                percent(e.top_box),
                e.satisfaction_mean.map_or_else(|| "—".to_owned(), |m| format!("{m:.2}")),
                e.nps.map_or_else(|| "—".to_owned(), |n| n.to_string()),
            ]
        })
        .collect();
    let ctx = context! {
        lang => language.code(),
        heading => if ja { "シリーズの推移" } else { "Series report" },
        name => report.name.as_str(),
        headers => headers,
        rows => rows,
        chart => Value::from_safe_string(charts::series(report, language)),
    };
    super::TEMPLATES.get_template("series_report.html").and_then(|t| t.render(ctx))
}
