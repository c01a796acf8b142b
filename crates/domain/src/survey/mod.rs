//! Satisfaction surveys after events. Each event may have one; a new one starts from a default
//! template (satisfaction on five points, 0-10 recommendation, what was most valuable, would you
//! come again, comments) that organizers edit. The scheduler sends it a while after the event
//! ends to those who checked in (or everyone confirmed), reminds once, and it closes on its date.
//! Attendees answer at `/s/{token}`, once each, editable until it closes.

mod respond;
pub mod results;
mod send;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DeriveActiveEnum, EntityTrait,
    EnumIter, PaginatorTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub(crate) use respond::forget;
pub use respond::{Respondent, SurveyPage, invitation_for, open, submit};
pub use send::{invite_due, remind_due, send_now};

use crate::{
    access::Actor,
    entity::{event, survey, survey_invitation, survey_tally},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::{EventDetails, edit::record},
    ids::{EventId, SurveyId},
    questions::{self, ChoiceDraft, Label, QuestionDraft, QuestionKind, Questions},
};

/// Who is asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Audience {
    /// Those who came: at least one of the party checked in.
    #[sea_orm(string_value = "checked_in")]
    CheckedIn,
    /// Everyone with a confirmed seat, whether they came or not.
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
}

pub const DEFAULT_SEND_DELAY_MINUTES: i32 = 120;
pub const DEFAULT_REMINDER_DAYS: i32 = 3;
/// A new survey closes this long after its first send time (organizers may move it).
pub const DEFAULT_OPEN_DAYS: i64 = 14;
/// At most a week after the event.
pub const SEND_DELAY_MAX_MINUTES: i32 = 7 * 24 * 60;
pub const REMINDER_DAYS_MAX: i32 = 30;

/// When a survey goes out: a while after its event ends, or after the survey was made when
/// that was later (so a survey made after the event still leaves its organizers time to edit
/// it before it goes).
pub fn send_at(survey: &survey::Model, event: &event::Model) -> DateTime<Utc> {
    event.ends_at.max(survey.created_at) + Duration::minutes(survey.send_delay_minutes.into())
}

/// The survey every event starts from, in Japanese and English.
pub fn default_questions() -> Vec<QuestionDraft> {
    let label = |ja: &str, en: &str| Label { ja: ja.to_owned(), en: en.to_owned() };
    let choices = |list: &[(&str, &str, &str)]| -> Vec<ChoiceDraft> {
        list.iter()
            .map(|(id, ja, en)| ChoiceDraft { id: Some((*id).to_owned()), label: label(ja, en) })
            .collect()
    };
    vec![
        QuestionDraft {
            id: Some("satisfaction".into()),
            kind: Some(QuestionKind::Rating),
            required: true,
            label: label("今回のイベントの満足度を教えてください", "How satisfied were you with this event?"),
            choices: Vec::new(),
        },
        QuestionDraft {
            id: Some("recommend".into()),
            kind: Some(QuestionKind::ZeroToTen),
            required: false,
            label: label(
                "このイベントを知人に勧める可能性はどのくらいありますか（0〜10）",
                "How likely are you to recommend this event to a friend (0-10)?",
            ),
            choices: Vec::new(),
        },
        QuestionDraft {
            id: Some("valuable".into()),
            kind: Some(QuestionKind::MultipleChoice),
            required: false,
            label: label("特に良かった点を選んでください（複数可）", "What was most valuable? (choose any)"),
            choices: choices(&[
                ("talks", "講演・トーク", "The talks"),
                ("networking", "参加者との交流", "Meeting people"),
                ("reunion", "元同僚との再会", "Seeing former colleagues"),
                ("careers", "キャリアの情報", "Career information"),
                ("venue", "会場・飲食", "The venue, food and drinks"),
            ]),
        },
        QuestionDraft {
            id: Some("again".into()),
            kind: Some(QuestionKind::SingleChoice),
            required: false,
            label: label("次回も参加したいですか", "Would you come again?"),
            choices: choices(&[
                ("yes", "ぜひ参加したい", "Yes, definitely"),
                ("maybe", "内容による", "Depends on the topic"),
                ("no", "参加しないと思う", "Probably not"),
            ]),
        },
        QuestionDraft {
            id: Some("comments".into()),
            kind: Some(QuestionKind::LongText),
            required: false,
            label: label("ご意見・ご感想をご自由にお書きください", "Any comments for the organizers?"),
            choices: Vec::new(),
        },
    ]
}

/// The question a survey's satisfaction is read from (series and supporter reports): its first
/// rating.
pub fn satisfaction_question(questions: &Questions) -> Option<&questions::Question> {
    questions.0.iter().find(|q| q.kind == QuestionKind::Rating)
}

/// The question a survey's NPS is read from: its first 0-10 question.
pub fn recommend_question(questions: &Questions) -> Option<&questions::Question> {
    questions.0.iter().find(|q| q.kind == QuestionKind::ZeroToTen)
}

/// A survey with when it goes out.
#[derive(Clone, Debug)]
pub struct SurveyOverview {
    pub survey: survey::Model,
    pub send_at: DateTime<Utc>,
}

/// What organizers change; `None` leaves a setting as it is.
#[derive(Clone, Debug, Default)]
pub struct SurveyChanges {
    pub questions: Option<Vec<QuestionDraft>>,
    pub anonymous: Option<bool>,
    pub audience: Option<Audience>,
    pub send_delay_minutes: Option<i32>,
    /// `Some(None)`: no reminder.
    pub reminder_days: Option<Option<i32>>,
    pub closes_at: Option<DateTime<Utc>>,
}

async fn find(db: &impl ConnectionTrait, event_id: EventId) -> Result<Option<survey::Model>> {
    Ok(survey::Entity::find().filter(survey::Column::EventId.eq(event_id)).one(db).await?)
}

fn overview(survey: survey::Model, event: &event::Model) -> SurveyOverview {
    SurveyOverview { send_at: send_at(&survey, event), survey }
}

/// The event's survey and the event, if `actor` manages the event and it has one.
pub async fn of_event(
    db: &impl ConnectionTrait,
    actor: &Actor,
    event_id: EventId,
) -> Result<(survey::Model, EventDetails)> {
    let details = crate::event::managed(db, actor, event_id).await?;
    let survey = find(db, event_id).await?.ok_or(Error::NotFound(Resource::Survey))?;
    Ok((survey, details))
}

/// Gives the event a survey from the default template.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    now: DateTime<Utc>,
) -> Result<SurveyOverview> {
    let txn = db.begin().await?;
    let details = crate::event::managed(&txn, actor, event_id).await?;
    if find(&txn, event_id).await?.is_some() {
        return Err(Conflict::SurveyExists.into());
    }
    let mut errors = ValidationErrors::new();
    let questions = questions::validate(&default_questions(), &mut errors);
    errors.into_result()?;
    let e = &details.event;
    let first_send = e.ends_at.max(now) + Duration::minutes(DEFAULT_SEND_DELAY_MINUTES.into());
    let model = survey::Entity::insert(survey::ActiveModel {
        id: Set(SurveyId::new()),
        event_id: Set(event_id),
        questions: Set(questions),
        anonymous: Set(false),
        audience: Set(Audience::CheckedIn),
        send_delay_minutes: Set(DEFAULT_SEND_DELAY_MINUTES),
        reminder_days: Set(Some(DEFAULT_REMINDER_DAYS)),
        closes_at: Set(first_send + Duration::days(DEFAULT_OPEN_DAYS)),
        invited_at: Set(None),
        invited: Set(0),
        responses: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    record(&txn, actor, e, "survey.create", json!({ "survey": model.id }), now).await?;
    txn.commit().await?;
    Ok(overview(model, e))
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, event_id: EventId) -> Result<SurveyOverview> {
    let (survey, details) = of_event(db, actor, event_id).await?;
    Ok(overview(survey, &details.event))
}

/// Question ids with at least one answer, and the values they were answered with.
async fn answered(txn: &impl ConnectionTrait, survey: SurveyId) -> Result<Vec<(String, String)>> {
    Ok(survey_tally::Entity::find()
        .filter(survey_tally::Column::SurveyId.eq(survey))
        .filter(survey_tally::Column::Count.gt(0))
        .all(txn)
        .await?
        .into_iter()
        .map(|t| (t.question_id, t.value))
        .collect())
}

/// Answers already given must keep their meaning: a question with answers keeps its kind and
/// the choices that were chosen; it may be reworded, reordered or made optional.
fn check_answered(before: &Questions, after: &Questions, answered: &[(String, String)]) -> Result<()> {
    for (question, value) in answered {
        let Some(old) = before.0.iter().find(|q| &q.id == question) else { continue };
        let kept = after.0.iter().find(|q| &q.id == question);
        let intact = kept.is_some_and(|new| {
            new.kind == old.kind
                && (value.is_empty() || !old.kind.has_choices() || new.choices.iter().any(|c| &c.id == value))
        });
        if !intact {
            return Err(Conflict::QuestionAnswered(question.clone()).into());
        }
    }
    Ok(())
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    changes: SurveyChanges,
    now: DateTime<Utc>,
) -> Result<SurveyOverview> {
    let txn = db.begin().await?;
    let (found, details) = of_event(&txn, actor, event_id).await?;
    // Responses wait while the survey changes (PostgreSQL; SQLite has one writer), so none
    // comes in between the checks below and the change.
    let before = survey::Entity::find_by_id(found.id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound(Resource::Survey))?;
    let mut errors = ValidationErrors::new();
    let questions = changes.questions.as_deref().map(|drafts| questions::validate(drafts, &mut errors));
    if let Some(delay) = changes.send_delay_minutes
        && !(0..=SEND_DELAY_MAX_MINUTES).contains(&delay)
    {
        errors.add("send_delay_minutes", "out_of_range", format!("must be 0 to {SEND_DELAY_MAX_MINUTES}"));
    }
    if let Some(Some(days)) = changes.reminder_days
        && !(1..=REMINDER_DAYS_MAX).contains(&days)
    {
        errors.add("reminder_days", "out_of_range", format!("must be 1 to {REMINDER_DAYS_MAX}"));
    }
    if let Some(closes) = changes.closes_at
        && closes <= details.event.ends_at
    {
        errors.add("closes_at", "before_end", "must be after the event ends");
    }
    if questions.as_ref().is_some_and(|q| q.0.is_empty()) {
        errors.add("questions", "required", "a survey asks at least one question");
    }
    errors.into_result()?;
    let answered = answered(&txn, before.id).await?;
    if let Some(after) = &questions {
        check_answered(&before.questions, after, &answered)?;
    }
    if changes.anonymous == Some(false) && before.anonymous && before.responses > 0 {
        // Those who answered were promised that organizers would not see who they are.
        return Err(Conflict::AnonymityPromised.into());
    }
    let delay = changes.send_delay_minutes.unwrap_or(before.send_delay_minutes);
    let closes_at = changes.closes_at.unwrap_or(before.closes_at);
    let sends_at = send_at(&survey::Model { send_delay_minutes: delay, ..before.clone() }, &details.event);
    if before.invited_at.is_none() && closes_at <= sends_at {
        let field = if changes.closes_at.is_some() { "closes_at" } else { "send_delay_minutes" };
        return Err(ValidationErrors::single(
            field,
            "closes_before_send",
            "the survey would close before it is sent",
        )
        .into());
    }
    let mut model: survey::ActiveModel = before.clone().into();
    if let Some(questions) = questions {
        model.questions = Set(questions);
    }
    if let Some(anonymous) = changes.anonymous {
        model.anonymous = Set(anonymous);
    }
    if let Some(audience) = changes.audience {
        model.audience = Set(audience);
    }
    if let Some(delay) = changes.send_delay_minutes {
        model.send_delay_minutes = Set(delay);
    }
    if let Some(days) = changes.reminder_days {
        model.reminder_days = Set(days);
    }
    if let Some(closes) = changes.closes_at {
        model.closes_at = Set(closes);
    }
    model.updated_at = Set(now);
    let after = model.update(&txn).await?;
    let summary = json!({
        "survey": after.id,
        "questions": after.questions.0.len(),
        "anonymous": after.anonymous,
        "closes_at": after.closes_at,
    });
    record(&txn, actor, &details.event, "survey.update", summary, now).await?;
    txn.commit().await?;
    Ok(overview(after, &details.event))
}

/// Removes a survey that was never sent.
pub async fn delete(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let (survey, details) = of_event(&txn, actor, event_id).await?;
    let sent = survey_invitation::Entity::find()
        .filter(survey_invitation::Column::SurveyId.eq(survey.id))
        .count(&txn)
        .await?;
    if sent > 0 || survey.invited_at.is_some() {
        return Err(Conflict::SurveySent.into());
    }
    survey::Entity::delete_by_id(survey.id).exec(&txn).await?;
    record(&txn, actor, &details.event, "survey.delete", json!({ "survey": survey.id }), now).await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_survey_is_valid_and_bilingual() {
        let mut errors = ValidationErrors::new();
        let questions = questions::validate(&default_questions(), &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(questions.0.len(), 5);
        assert!(questions.0.iter().all(|q| !q.label.ja.is_empty() && !q.label.en.is_empty()));
        assert_eq!(satisfaction_question(&questions).map(|q| q.id.as_str()), Some("satisfaction"));
        assert_eq!(recommend_question(&questions).map(|q| q.id.as_str()), Some("recommend"));
    }

    #[test]
    fn answered_questions_keep_their_meaning() {
        let mut errors = ValidationErrors::new();
        let before = questions::validate(&default_questions(), &mut errors);
        let answered = vec![("valuable".to_owned(), "talks".to_owned()), ("again".to_owned(), String::new())];

        let mut reworded = default_questions();
        reworded[2].label.en = "Best part?".into();
        reworded.swap(0, 4);
        reworded[0].required = false;
        let after = questions::validate(&reworded, &mut errors);
        assert!(check_answered(&before, &after, &answered).is_ok());

        let mut dropped_choice = default_questions();
        dropped_choice[2].choices.retain(|c| c.id.as_deref() != Some("talks"));
        let after = questions::validate(&dropped_choice, &mut errors);
        assert!(matches!(
            check_answered(&before, &after, &answered),
            Err(Error::Conflict(Conflict::QuestionAnswered(q))) if q == "valuable"
        ));

        let mut removed = default_questions();
        removed.remove(3);
        let after = questions::validate(&removed, &mut errors);
        assert!(check_answered(&before, &after, &answered).is_err(), "an answered question cannot go");
        assert!(errors.is_empty(), "{errors:?}");
    }
}
