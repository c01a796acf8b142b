//! A survey's results: the response rate and, per question, the distribution of answers, the
//! top-box and top-two shares, the mean, NPS and the latest free-text answers. The statistics are
//! plain functions of the answer counts, which are kept with every response, so a survey with
//! 100,000 responses reads a few dozen rows. An anonymous survey never says who answered what.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::of_event;
use crate::{
    access::Actor,
    entity::{rsvp, survey, survey_invitation, survey_response, survey_tally, survey_text},
    error::Result,
    event::EventDetails,
    format,
    ids::{EventId, SurveyInvitationId, SurveyResponseId},
    questions::{Label, Question, QuestionKind, RATING_LABELS},
    values::Language,
};

/// How many free-text answers results show per question (the CSV has them all).
pub const TEXTS_SHOWN: u64 = 100;

/// A count and its share of those who answered the question, in percent to one decimal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Share {
    pub count: i64,
    pub percent: f64,
}

impl Share {
    pub fn of(count: i64, total: i64) -> Share {
        Share { count, percent: percent(count, total) }
    }
}

/// `part` of `total` in percent, to one decimal (0 when nobody answered).
pub fn percent(part: i64, total: i64) -> f64 {
    if total == 0 { 0.0 } else { (part as f64 * 1000.0 / total as f64).round() / 10.0 }
}

/// One answer and how many gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The scale point or choice id.
    pub value: String,
    pub label: Label,
    pub share: Share,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TextAnswer {
    pub text: String,
    /// Who wrote it and when; never for an anonymous survey.
    pub author: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct QuestionResult {
    pub question: Question,
    /// Responses that answered this question.
    pub answered: i64,
    pub bars: Vec<Bar>,
    /// Scales: the mean point, to two decimals.
    pub mean: Option<f64>,
    /// Rating: "very satisfied"; 0-10: 9 and 10.
    pub top_box: Option<Share>,
    /// Rating: "very satisfied" and "satisfied"; 0-10: 8 to 10.
    pub top_two: Option<Share>,
    /// 0-10: % of 9-10 minus % of 0-6, as a whole number.
    pub nps: Option<i64>,
    pub texts: Vec<TextAnswer>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SurveyResults {
    pub invited: i64,
    pub responses: i64,
    /// Responses of invitations sent, in percent.
    pub response_rate: f64,
    pub anonymous: bool,
    pub closes_at: DateTime<Utc>,
    pub questions: Vec<QuestionResult>,
}

fn numbers(label: &str) -> Label {
    Label { ja: label.to_owned(), en: label.to_owned() }
}

/// The answers a question can get, in the order results show them: ratings best first, 0-10
/// from 0, choices as asked.
pub fn answer_values(q: &Question) -> Vec<(String, Label)> {
    match q.kind {
        QuestionKind::Rating => RATING_LABELS
            .iter()
            .map(|(point, ja, en)| (point.to_string(), Label { ja: (*ja).into(), en: (*en).into() }))
            .collect(),
        QuestionKind::ZeroToTen => (0..=10).map(|p| (p.to_string(), numbers(&p.to_string()))).collect(),
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            q.choices.iter().map(|c| (c.id.clone(), c.label.clone())).collect()
        }
        QuestionKind::YesNo => vec![
            ("yes".into(), Label { ja: "はい".into(), en: "Yes".into() }),
            ("no".into(), Label { ja: "いいえ".into(), en: "No".into() }),
        ],
        QuestionKind::ShortText | QuestionKind::LongText => Vec::new(),
    }
}

/// A question's statistics from its answer counts (`counts`: value to count, "" for answered).
pub fn question_result(q: &Question, counts: &HashMap<&str, i64>, texts: Vec<TextAnswer>) -> QuestionResult {
    let answered = counts.get("").copied().unwrap_or(0);
    let count = |value: &str| counts.get(value).copied().unwrap_or(0);
    let bars: Vec<Bar> = answer_values(q)
        .into_iter()
        .map(|(value, label)| {
            let share = Share::of(count(&value), answered);
            Bar { value, label, share }
        })
        .collect();
    let sum_of = |points: std::ops::RangeInclusive<i64>| points.map(|p| count(&p.to_string())).sum::<i64>();
    let (mut mean, mut top_box, mut top_two, mut nps) = (None, None, None, None);
    if let Some(scale) = q.kind.scale() {
        let weighted: i64 = scale.clone().map(|p| p * count(&p.to_string())).sum();
        let given = sum_of(scale);
        mean = (given > 0).then(|| (weighted as f64 * 100.0 / given as f64).round() / 100.0);
        match q.kind {
            QuestionKind::Rating => {
                top_box = Some(Share::of(sum_of(5..=5), answered));
                top_two = Some(Share::of(sum_of(4..=5), answered));
            }
            _ => {
                top_box = Some(Share::of(sum_of(9..=10), answered));
                top_two = Some(Share::of(sum_of(8..=10), answered));
                nps = (answered > 0).then(|| {
                    ((sum_of(9..=10) - sum_of(0..=6)) as f64 * 100.0 / answered as f64).round() as i64
                });
            }
        }
    }
    QuestionResult { question: q.clone(), answered, bars, mean, top_box, top_two, nps, texts }
}

/// The latest free-text answers to each text question: newest first with their authors, or,
/// in an anonymous survey, without authors or times and in no telling order.
async fn texts(
    db: &impl ConnectionTrait,
    survey: &survey::Model,
) -> Result<HashMap<String, Vec<TextAnswer>>> {
    let mut by_question = HashMap::new();
    for q in survey.questions.0.iter().filter(|q| q.kind.is_text()) {
        let rows = survey_text::Entity::find()
            .filter(survey_text::Column::SurveyId.eq(survey.id))
            .filter(survey_text::Column::QuestionId.eq(q.id.as_str()))
            .order_by_desc(survey_text::Column::UpdatedAt)
            .limit(TEXTS_SHOWN)
            .all(db)
            .await?;
        let authors = if survey.anonymous {
            HashMap::new()
        } else {
            authors(db, rows.iter().map(|t| t.response_id).collect()).await?
        };
        let mut rows = rows;
        if survey.anonymous {
            // In no telling order: arrival could tell who wrote what.
            rows.sort_by_cached_key(|t| crate::token::sha256_hex(&t.response_id.to_string()));
        }
        let answers = rows
            .into_iter()
            .map(|t| TextAnswer {
                author: authors.get(&t.response_id).cloned(),
                at: (!survey.anonymous).then_some(t.updated_at),
                text: t.text,
            })
            .collect();
        by_question.insert(q.id.clone(), answers);
    }
    Ok(by_question)
}

/// From an invitation to its RSVP, for a join.
fn invitation_rsvp() -> sea_orm::RelationDef {
    survey_invitation::Entity::belongs_to(rsvp::Entity)
        .from(survey_invitation::Column::RsvpId)
        .to(rsvp::Column::Id)
        .into()
}

/// The names of the attendees behind responses (never called for anonymous surveys).
async fn authors(
    db: &impl ConnectionTrait,
    responses: Vec<SurveyResponseId>,
) -> Result<HashMap<SurveyResponseId, String>> {
    let rows: Vec<(SurveyResponseId, String)> = survey_response::Entity::find()
        .select_only()
        .column(survey_response::Column::Id)
        .column_as(rsvp::Column::Name, "name")
        .join(
            sea_orm::JoinType::InnerJoin,
            survey_response::Entity::belongs_to(survey_invitation::Entity)
                .from(survey_response::Column::InvitationId)
                .to(survey_invitation::Column::Id)
                .into(),
        )
        .join(sea_orm::JoinType::InnerJoin, invitation_rsvp())
        .filter(survey_response::Column::Id.is_in(responses))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The results of the event's survey, for its organizers.
pub async fn results(db: &impl ConnectionTrait, actor: &Actor, event_id: EventId) -> Result<SurveyResults> {
    let (survey, _) = of_event(db, actor, event_id).await?;
    of_survey(db, &survey).await
}

pub async fn of_survey(db: &impl ConnectionTrait, survey: &survey::Model) -> Result<SurveyResults> {
    let tallies =
        survey_tally::Entity::find().filter(survey_tally::Column::SurveyId.eq(survey.id)).all(db).await?;
    let mut counts: HashMap<&str, HashMap<&str, i64>> = HashMap::new();
    for t in &tallies {
        counts.entry(t.question_id.as_str()).or_default().insert(t.value.as_str(), t.count);
    }
    let mut texts = texts(db, survey).await?;
    let none = HashMap::new();
    let questions = survey
        .questions
        .0
        .iter()
        .map(|q| {
            let texts = texts.remove(&q.id).unwrap_or_default();
            question_result(q, counts.get(q.id.as_str()).unwrap_or(&none), texts)
        })
        .collect();
    let (invited, responses) = (survey.invited, survey.responses);
    Ok(SurveyResults {
        invited,
        responses,
        response_rate: percent(responses, invited),
        anonymous: survey.anonymous,
        closes_at: survey.closes_at,
        questions,
    })
}

/// Every response as CSV for Excel (UTF-8 with a byte-order mark, headers in `language`, times
/// in the event's time zone). Anonymous surveys have no names, addresses or times, and their
/// rows are not in the order they came in.
pub async fn csv(
    db: &impl ConnectionTrait,
    actor: &Actor,
    event_id: EventId,
    language: Option<Language>,
) -> Result<(Vec<u8>, EventDetails)> {
    let (survey, details) = of_event(db, actor, event_id).await?;
    let language = language.unwrap_or(details.host.default_language);
    let mut rows: Vec<(SurveyResponseId, SurveyInvitationId, crate::questions::Answers, DateTime<Utc>)> =
        survey_response::Entity::find()
            .select_only()
            .columns([
                survey_response::Column::Id,
                survey_response::Column::InvitationId,
                survey_response::Column::Answers,
                survey_response::Column::SubmittedAt,
            ])
            .filter(survey_response::Column::SurveyId.eq(survey.id))
            .order_by_asc(survey_response::Column::SubmittedAt)
            .into_tuple()
            .all(db)
            .await?;
    let people: HashMap<SurveyInvitationId, (String, Option<String>)> = if survey.anonymous {
        // Ordered by a hash of the id: neither arrival nor anything else about the person.
        rows.sort_by_cached_key(|r| crate::token::sha256_hex(&r.0.to_string()));
        HashMap::new()
    } else {
        survey_invitation::Entity::find()
            .select_only()
            .column(survey_invitation::Column::Id)
            .columns([rsvp::Column::Name, rsvp::Column::Email])
            .join(
                sea_orm::JoinType::InnerJoin,
                survey_invitation::Entity::belongs_to(rsvp::Entity)
                    .from(survey_invitation::Column::RsvpId)
                    .to(rsvp::Column::Id)
                    .into(),
            )
            .filter(survey_invitation::Column::SurveyId.eq(survey.id))
            .into_tuple::<(SurveyInvitationId, String, Option<String>)>()
            .all(db)
            .await?
            .into_iter()
            .map(|(id, name, email)| (id, (name, email)))
            .collect()
    };
    let tz = details.event.time_zone.as_str();
    let mut header: Vec<String> = Vec::new();
    if !survey.anonymous {
        let names: [&str; 3] = match language {
            Language::Ja => ["氏名", "メールアドレス", "回答日時"],
            Language::En => ["Name", "Email", "Answered"],
        };
        header.extend(names.map(str::to_owned));
    }
    header.extend(survey.questions.0.iter().map(|q| format::spreadsheet_cell(q.label.in_language(language))));
    let records = rows.iter().map(|(_, invitation, answers, submitted_at)| {
        let mut record: Vec<String> = Vec::new();
        if !survey.anonymous {
            let (name, email) = people.get(invitation).cloned().unwrap_or_default();
            record.push(format::spreadsheet_cell(&name));
            record.push(format::spreadsheet_cell(email.as_deref().unwrap_or_default()));
            record.push(format::moment(*submitted_at, tz, language));
        }
        record.extend(survey.questions.0.iter().map(|q| {
            answers
                .0
                .get(&q.id)
                .map(|a| format::spreadsheet_cell(&q.display(a, language)))
                .unwrap_or_default()
        }));
        record
    });
    Ok((format::excel_csv(header, records)?, details))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{error::ValidationErrors, questions, survey::default_questions};

    fn question(id: &str) -> Question {
        let mut errors = ValidationErrors::new();
        let all = questions::validate(&default_questions(), &mut errors);
        all.0.into_iter().find(|q| q.id == id).expect("a default question")
    }

    #[test]
    fn a_rating_by_hand() {
        // 10 answers: 9 very satisfied, 1 satisfied.
        let counts = HashMap::from([("", 10), ("5", 9), ("4", 1)]);
        let r = question_result(&question("satisfaction"), &counts, Vec::new());
        assert_eq!(r.answered, 10);
        assert_eq!(r.top_box, Some(Share { count: 9, percent: 90.0 }));
        assert_eq!(r.top_two, Some(Share { count: 10, percent: 100.0 }));
        assert_eq!(r.mean, Some(4.9));
        assert_eq!(r.bars.iter().map(|b| b.value.as_str()).collect::<Vec<_>>(), ["5", "4", "3", "2", "1"]);
        assert_eq!(r.bars[0].label.ja, "とても満足");
        assert_eq!(r.nps, None);
    }

    #[test]
    fn nps_by_hand() {
        // 7 answers: promoters 10, 9, 9; passives 8, 7; detractors 6, 0.
        let counts = HashMap::from([("", 7), ("10", 1), ("9", 2), ("8", 1), ("7", 1), ("6", 1), ("0", 1)]);
        let r = question_result(&question("recommend"), &counts, Vec::new());
        // (3 - 2) / 7 = 14.28...% -> 14.
        assert_eq!(r.nps, Some(14));
        assert_eq!(r.top_box, Some(Share { count: 3, percent: 42.9 }));
        assert_eq!(r.mean, Some(7.0));
        let detractors_only = HashMap::from([("", 3), ("0", 2), ("5", 1)]);
        assert_eq!(question_result(&question("recommend"), &detractors_only, Vec::new()).nps, Some(-100));
    }

    #[test]
    fn choices_share_those_who_answered_and_nobody_divides_by_zero() {
        let counts = HashMap::from([("", 4), ("talks", 3), ("networking", 4)]);
        let r = question_result(&question("valuable"), &counts, Vec::new());
        assert_eq!(r.bars[0].share, Share { count: 3, percent: 75.0 });
        assert_eq!(r.bars[1].share, Share { count: 4, percent: 100.0 });
        assert_eq!(r.mean, None);
        let empty = question_result(&question("satisfaction"), &HashMap::new(), Vec::new());
        assert_eq!(empty.top_box, Some(Share { count: 0, percent: 0.0 }));
        assert_eq!(empty.mean, None);
    }
}
