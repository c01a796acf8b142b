//! An event's satisfaction survey, for its organizers: make it from the template, edit it, send
//! it, and read the results (JSON, CSV for Excel, SVG charts and a printable page).

use chrono::{DateTime, Utc};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
    types::MaybeUndefined,
};
use serde::Deserialize;
use tsudoi_domain::{
    ids::EventId,
    survey::{
        self, Audience, SurveyChanges, SurveyOverview,
        results::{self, SurveyResults},
    },
};
use uuid::Uuid;

use super::{
    ApiTags,
    rsvps::CsvFile,
    types::{
        Created, LabelApi, LanguageApi, NoContent, QuestionApi, QuestionInput, question_drafts, question_of,
        questions_of,
    },
    venues::patch_of,
};
use crate::{auth::TokenAuth, body::JsonBody, charts, problem::ApiResult, state::AppState};

pub struct SurveysApi {
    pub state: AppState,
}

/// Who is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum SurveyAudienceApi {
    /// Those of whom at least one of the party checked in.
    CheckedIn,
    /// Everyone with a confirmed seat, whether they came or not.
    Confirmed,
}

impl From<Audience> for SurveyAudienceApi {
    fn from(a: Audience) -> Self {
        match a {
            Audience::CheckedIn => SurveyAudienceApi::CheckedIn,
            Audience::Confirmed => SurveyAudienceApi::Confirmed,
        }
    }
}

impl From<SurveyAudienceApi> for Audience {
    fn from(a: SurveyAudienceApi) -> Self {
        match a {
            SurveyAudienceApi::CheckedIn => Audience::CheckedIn,
            SurveyAudienceApi::Confirmed => Audience::Confirmed,
        }
    }
}

#[derive(Debug, Object)]
pub struct Survey {
    pub id: Uuid,
    pub event_id: Uuid,
    /// Organizers never see who answered what.
    pub anonymous: bool,
    pub audience: SurveyAudienceApi,
    /// Sent this long after the event ends.
    pub send_delay_minutes: i32,
    /// When it goes out (or went out, by schedule).
    pub send_at: DateTime<Utc>,
    /// One reminder this many days after the invitation, to those who have not answered.
    #[oai(skip_serializing_if_is_none)]
    pub reminder_days: Option<i32>,
    pub closes_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub invited_at: Option<DateTime<Utc>>,
    /// Invitations sent.
    pub invited: i64,
    pub responses: i64,
    pub questions: Vec<QuestionApi>,
}

impl From<SurveyOverview> for Survey {
    fn from(o: SurveyOverview) -> Self {
        let s = o.survey;
        Survey {
            id: s.id.uuid(),
            event_id: s.event_id.uuid(),
            anonymous: s.anonymous,
            audience: s.audience.into(),
            send_delay_minutes: s.send_delay_minutes,
            send_at: o.send_at,
            reminder_days: s.reminder_days,
            closes_at: s.closes_at,
            invited_at: s.invited_at,
            invited: s.invited,
            responses: s.responses,
            questions: questions_of(Some(s.questions)),
        }
    }
}

/// Changes to a survey; fields left out (or `null`) stay as they are, except `reminder_days`,
/// where `null` means no reminder. A question that has answers keeps its kind and the choices
/// that were chosen (409 `question_answered`).
#[derive(Debug, Object, Deserialize)]
pub struct SurveyChangesApi {
    #[oai(nullable, validator(max_items = 20))]
    pub questions: Option<Vec<QuestionInput>>,
    /// Once people answered an anonymous survey, it stays anonymous (409 `anonymity_promised`).
    #[oai(nullable)]
    pub anonymous: Option<bool>,
    #[oai(nullable)]
    pub audience: Option<SurveyAudienceApi>,
    /// 0 to 10,080 (a week).
    #[oai(nullable)]
    pub send_delay_minutes: Option<i32>,
    /// 1 to 30; `null`: no reminder.
    #[serde(default)]
    pub reminder_days: MaybeUndefined<i32>,
    /// After the event ends.
    #[oai(nullable)]
    pub closes_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct SurveySent {
    /// Invitations queued by this request (those invited before are not invited again).
    pub invited: u64,
}

/// A count and its share of the answers to the question, in percent (one decimal).
#[derive(Debug, Object)]
pub struct ShareApi {
    pub count: i64,
    pub percent: f64,
}

impl From<results::Share> for ShareApi {
    fn from(s: results::Share) -> Self {
        ShareApi { count: s.count, percent: s.percent }
    }
}

#[derive(Debug, Object)]
pub struct AnswerCount {
    /// The scale point or choice id.
    pub value: String,
    pub label: LabelApi,
    pub count: i64,
    pub percent: f64,
}

#[derive(Debug, Object)]
pub struct TextAnswerApi {
    pub text: String,
    /// Who wrote it; never in an anonymous survey.
    #[oai(skip_serializing_if_is_none)]
    pub author: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct QuestionResultApi {
    pub question: QuestionApi,
    /// Responses that answered this question.
    pub answered: i64,
    /// How many gave each answer: ratings best first, 0-10 from 0, choices as asked.
    pub answers: Vec<AnswerCount>,
    #[oai(skip_serializing_if_is_none)]
    pub mean: Option<f64>,
    /// Rating: "very satisfied"; 0-10: 9 and 10.
    #[oai(skip_serializing_if_is_none)]
    pub top_box: Option<ShareApi>,
    /// Rating: "very satisfied" and "satisfied"; 0-10: 8 to 10.
    #[oai(skip_serializing_if_is_none)]
    pub top_two: Option<ShareApi>,
    /// % of 9-10 minus % of 0-6, a whole number from -100 to 100.
    #[oai(skip_serializing_if_is_none)]
    pub nps: Option<i64>,
    /// The latest free-text answers (the CSV has them all).
    pub texts: Vec<TextAnswerApi>,
}

#[derive(Debug, Object)]
pub struct SurveyResultsApi {
    pub invited: i64,
    pub responses: i64,
    /// Responses of invitations sent, in percent.
    pub response_rate: f64,
    pub anonymous: bool,
    pub closes_at: DateTime<Utc>,
    pub questions: Vec<QuestionResultApi>,
}

impl From<SurveyResults> for SurveyResultsApi {
    fn from(r: SurveyResults) -> Self {
        let questions = r
            .questions
            .into_iter()
            .map(|q| QuestionResultApi {
                answered: q.answered,
                answers: q
                    .bars
                    .into_iter()
                    .map(|b| AnswerCount {
                        value: b.value,
                        label: LabelApi { ja: b.label.ja, en: b.label.en },
                        count: b.share.count,
                        percent: b.share.percent,
                    })
                    .collect(),
                mean: q.mean,
                top_box: q.top_box.map(Into::into),
                top_two: q.top_two.map(Into::into),
                nps: q.nps,
                texts: q
                    .texts
                    .into_iter()
                    .map(|t| TextAnswerApi { text: t.text, author: t.author, at: t.at })
                    .collect(),
                question: question_of(q.question),
            })
            .collect();
        SurveyResultsApi {
            invited: r.invited,
            responses: r.responses,
            response_rate: r.response_rate,
            anonymous: r.anonymous,
            closes_at: r.closes_at,
            questions,
        }
    }
}

#[derive(ApiResponse)]
pub enum SvgFile {
    /// An SVG document.
    #[oai(status = 200, content_type = "image/svg+xml")]
    Ok(Binary<Vec<u8>>),
}

#[derive(ApiResponse)]
pub enum HtmlPage {
    /// A page to open and print.
    #[oai(status = 200, content_type = "text/html; charset=utf-8")]
    Ok(Binary<Vec<u8>>),
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Surveys")]
impl SurveysApi {
    /// Give the event a survey
    ///
    /// From the default template: satisfaction on five points, 0-10 recommendation, what was
    /// most valuable, would you come again, comments. Sent 2 hours after the event ends (or after
    /// the survey is made, if later) to those who checked in, one reminder after 3 days, closing
    /// 14 days after that first send time.
    #[oai(path = "/events/:id/survey", method = "post", operation_id = "create_survey")]
    async fn create_survey(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Created<Survey>> {
        let state = &self.state;
        let created = survey::create(state.db.writer(), &auth.0, EventId(id.0), state.now()).await?;
        Ok(Created::Created(Json(created.into())))
    }

    /// Get the event's survey
    #[oai(path = "/events/:id/survey", method = "get", operation_id = "get_survey")]
    async fn get_survey(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Survey>> {
        Ok(Json(survey::get(self.state.db.reader(), &auth.0, EventId(id.0)).await?.into()))
    }

    /// Change the event's survey
    #[oai(path = "/events/:id/survey", method = "patch", operation_id = "update_survey")]
    async fn update_survey(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: JsonBody<SurveyChangesApi>,
    ) -> ApiResult<Json<Survey>> {
        let b = body.0;
        let changes = SurveyChanges {
            questions: b.questions.map(question_drafts),
            anonymous: b.anonymous,
            audience: b.audience.map(Into::into),
            send_delay_minutes: b.send_delay_minutes,
            reminder_days: patch_of(b.reminder_days),
            closes_at: b.closes_at,
        };
        let state = &self.state;
        let updated = survey::update(state.db.writer(), &auth.0, EventId(id.0), changes, state.now()).await?;
        Ok(Json(updated.into()))
    }

    /// Remove the event's survey (only before it is sent)
    #[oai(path = "/events/:id/survey", method = "delete", operation_id = "delete_survey")]
    async fn delete_survey(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        survey::delete(self.state.db.writer(), &auth.0, EventId(id.0), self.state.now()).await?;
        Ok(NoContent::NoContent)
    }

    /// Send the survey now
    ///
    /// To everyone it asks who has not been invited yet (after the event ended, while it is
    /// open). Sending again reaches only those checked in since.
    #[oai(path = "/events/:id/survey/send", method = "post", operation_id = "send_survey")]
    async fn send_survey(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<SurveySent>> {
        let state = &self.state;
        let invited = survey::send_now(state.db.writer(), &auth.0, EventId(id.0), state.now()).await?;
        state.mail_wake.notify_one();
        Ok(Json(SurveySent { invited }))
    }

    /// The survey's results
    #[oai(path = "/events/:id/survey/results", method = "get", operation_id = "survey_results")]
    async fn survey_results(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<SurveyResultsApi>> {
        let found = results::results(self.state.db.reader(), &auth.0, EventId(id.0)).await?;
        Ok(Json(found.into()))
    }

    /// Every response as CSV
    ///
    /// UTF-8 with a byte-order mark for Excel. Anonymous surveys have no names, addresses or
    /// times, and their rows (like their free-text answers in the results) are in no telling
    /// order.
    #[oai(path = "/events/:id/survey/results.csv", method = "get", operation_id = "export_survey_csv")]
    async fn export_survey(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        /// The headers' language (default: the host network's).
        lang: Query<Option<LanguageApi>>,
    ) -> ApiResult<CsvFile> {
        let (file, details) =
            results::csv(self.state.db.reader(), &auth.0, EventId(id.0), lang.0.map(Into::into)).await?;
        let disposition = format!("attachment; filename=\"survey-{}.csv\"", details.event.slug);
        Ok(CsvFile::Ok(Binary(file), disposition))
    }

    /// The results as SVG charts
    #[oai(path = "/events/:id/survey/results.svg", method = "get", operation_id = "survey_results_svg")]
    async fn survey_svg(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        lang: Query<Option<LanguageApi>>,
    ) -> ApiResult<SvgFile> {
        let db = self.state.db.reader();
        let (found, details) = survey::of_event(db, &auth.0, EventId(id.0)).await?;
        let found = results::of_survey(db, &found).await?;
        let language = lang.0.map_or(details.host.default_language, Into::into);
        Ok(SvgFile::Ok(Binary(charts::survey(&found, language).into_bytes())))
    }

    /// The results as a printable page
    #[oai(path = "/events/:id/survey/report.html", method = "get", operation_id = "survey_report_html")]
    async fn survey_report(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        lang: Query<Option<LanguageApi>>,
    ) -> ApiResult<HtmlPage> {
        let db = self.state.db.reader();
        let (found, details) = survey::of_event(db, &auth.0, EventId(id.0)).await?;
        let found = results::of_survey(db, &found).await?;
        let language = lang.0.map_or(details.host.default_language, Into::into);
        let html = crate::pages::survey_report(&details, &found, language).map_err(|err| {
            tsudoi_domain::Error::Unexpected(anyhow::anyhow!("rendering a survey report: {err}"))
        })?;
        Ok(HtmlPage::Ok(Binary(html.into_bytes())))
    }
}
