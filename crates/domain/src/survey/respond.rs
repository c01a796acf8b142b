//! An attendee's survey behind their link: the questions with what they answered so far, and
//! their answers coming in. One response per invitation, edited in place until the survey
//! closes; the answer counts and free-text index change with it in the same transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, Set, TransactionTrait,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use serde_json::Value;

use crate::{
    entity::{rsvp, survey, survey_invitation, survey_response, survey_tally, survey_text},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::public::PublicEvent,
    ids::{RsvpId, SurveyId, SurveyInvitationId, SurveyResponseId},
    links::{Keyring, LinkKind},
    questions::{self, Answers, QuestionKind, Questions},
    values::Language,
};

/// Who the link belongs to, as their survey greets them.
#[derive(Clone, Debug)]
pub struct Respondent {
    pub name: String,
    pub language: Language,
}

#[derive(Clone, Debug)]
pub struct SurveyPage {
    pub survey: survey::Model,
    pub event: PublicEvent,
    pub invitation: survey_invitation::Model,
    pub respondent: Respondent,
    /// What they answered, if they did.
    pub answers: Option<Answers>,
}

impl SurveyPage {
    pub fn closed(&self, now: DateTime<Utc>) -> bool {
        now >= self.survey.closes_at
    }
}

fn opened(keyring: &Keyring, token: &str) -> Option<(SurveyInvitationId, i32)> {
    let opened = keyring.open(LinkKind::Survey, token)?;
    Some((SurveyInvitationId(opened.id), i32::try_from(opened.version).ok()?))
}

async fn invitation_of(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    token: &str,
    lock: bool,
) -> Result<survey_invitation::Model> {
    let (id, version) = opened(keyring, token).ok_or(Error::NotFound(Resource::Survey))?;
    let mut find = survey_invitation::Entity::find_by_id(id);
    if lock {
        // One response per invitation: a double-clicked submit waits for the first.
        find = find.lock_exclusive();
    }
    find.one(db).await?.filter(|i| i.link_version == version).ok_or(Error::NotFound(Resource::Survey))
}

async fn page_of(db: &impl ConnectionTrait, invitation: survey_invitation::Model) -> Result<SurveyPage> {
    let missing = || Error::NotFound(Resource::Survey);
    let survey = survey::Entity::find_by_id(invitation.survey_id).one(db).await?.ok_or_else(missing)?;
    let (name, language) = rsvp::Entity::find_by_id(invitation.rsvp_id)
        .select_only()
        .columns([rsvp::Column::Name, rsvp::Column::Language])
        .into_tuple::<(String, Language)>()
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let event = crate::event::public::event_by_id(db, survey.event_id).await?;
    let answers = survey_response::Entity::find()
        .filter(survey_response::Column::InvitationId.eq(invitation.id))
        .one(db)
        .await?
        .map(|r| r.answers);
    Ok(SurveyPage { survey, event, invitation, respondent: Respondent { name, language }, answers })
}

/// The survey behind a link. Opening it records nothing (mail scanners open links).
pub async fn open(db: &impl ConnectionTrait, keyring: &Keyring, token: &str) -> Result<SurveyPage> {
    let invitation = invitation_of(db, keyring, token, false).await?;
    page_of(db, invitation).await
}

/// The survey invitation of an RSVP, with when its survey closes.
pub async fn invitation_for(
    db: &impl ConnectionTrait,
    rsvp: RsvpId,
) -> Result<Option<(survey_invitation::Model, DateTime<Utc>)>> {
    let found = survey_invitation::Entity::find()
        .filter(survey_invitation::Column::RsvpId.eq(rsvp))
        .find_also_related(survey::Entity)
        .one(db)
        .await?;
    Ok(found.and_then(|(invitation, survey)| Some((invitation, survey?.closes_at))))
}

/// The tally keys of a set of answers: (question, value) for each value given and (question, "")
/// for each question answered. Text answers count as answered; their words go to the text index.
fn tally_keys(questions: &Questions, answers: &Answers) -> Vec<(String, String)> {
    let mut keys = Vec::new();
    for q in &questions.0 {
        let Some(answer) = answers.0.get(&q.id) else { continue };
        let values: Vec<String> = match answer {
            Value::Array(chosen) => chosen.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            Value::String(_) if q.kind.is_text() => Vec::new(),
            Value::String(choice) => vec![choice.clone()],
            Value::Number(n) => vec![n.to_string()],
            Value::Bool(yes) => vec![if *yes { "yes" } else { "no" }.to_owned()],
            _ => continue,
        };
        if values.is_empty() && !q.kind.is_text() {
            continue;
        }
        keys.push((q.id.clone(), String::new()));
        keys.extend(values.into_iter().map(|v| (q.id.clone(), v)));
    }
    keys
}

/// Each key's change in count from `before` to `after`, in key order (so concurrent responses
/// take the tally rows' locks in one order).
fn tally_changes(before: &[(String, String)], after: &[(String, String)]) -> BTreeMap<(String, String), i64> {
    let mut changes = BTreeMap::new();
    for key in before {
        *changes.entry(key.clone()).or_insert(0) -= 1;
    }
    for key in after {
        *changes.entry(key.clone()).or_insert(0) += 1;
    }
    changes.retain(|_, change| *change != 0);
    changes
}

/// Moves the answer counts of `survey` by `changes`.
async fn apply(
    txn: &DatabaseTransaction,
    survey: SurveyId,
    changes: BTreeMap<(String, String), i64>,
) -> Result<()> {
    for ((question_id, value), change) in changes {
        let count = Expr::col((survey_tally::Entity, survey_tally::Column::Count)).add(change);
        survey_tally::Entity::insert(survey_tally::ActiveModel {
            survey_id: Set(survey),
            question_id: Set(question_id),
            value: Set(value),
            count: Set(change),
        })
        .on_conflict(
            OnConflict::columns([
                survey_tally::Column::SurveyId,
                survey_tally::Column::QuestionId,
                survey_tally::Column::Value,
            ])
            .value(survey_tally::Column::Count, count)
            .to_owned(),
        )
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// An attendee erased their data: their survey links stop working, and their answers go with
/// the counts they made (free text may name them). Called in the erasing transaction.
pub(crate) async fn forget(txn: &DatabaseTransaction, rsvp: RsvpId) -> Result<()> {
    let invitations =
        survey_invitation::Entity::find().filter(survey_invitation::Column::RsvpId.eq(rsvp)).all(txn).await?;
    for invitation in invitations {
        survey_invitation::Entity::update_many()
            .col_expr(
                survey_invitation::Column::LinkVersion,
                Expr::col(survey_invitation::Column::LinkVersion).add(1),
            )
            .filter(survey_invitation::Column::Id.eq(invitation.id))
            .exec(txn)
            .await?;
        let response = survey_response::Entity::find()
            .filter(survey_response::Column::InvitationId.eq(invitation.id))
            .one(txn)
            .await?;
        let Some(response) = response else { continue };
        let Some(survey) = survey::Entity::find_by_id(response.survey_id).lock_shared().one(txn).await?
        else {
            continue;
        };
        apply(txn, survey.id, tally_changes(&tally_keys(&survey.questions, &response.answers), &[])).await?;
        survey_text::Entity::delete_many()
            .filter(survey_text::Column::ResponseId.eq(response.id))
            .exec(txn)
            .await?;
        survey_response::Entity::delete_by_id(response.id).exec(txn).await?;
        survey::Entity::update_many()
            .col_expr(survey::Column::Responses, Expr::col(survey::Column::Responses).sub(1))
            .filter(survey::Column::Id.eq(survey.id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Stores the answers behind a link (a second submission edits the first). Returns whether
/// this edited an earlier response.
pub async fn submit(
    db: &DatabaseConnection,
    keyring: &Keyring,
    token: &str,
    raw: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<bool> {
    let txn = db.begin().await?;
    let invitation = invitation_of(&txn, keyring, token, true).await?;
    // Shared: responses come in side by side, while a change to the survey waits for them.
    let survey = survey::Entity::find_by_id(invitation.survey_id)
        .lock_shared()
        .one(&txn)
        .await?
        .ok_or(Error::NotFound(Resource::Survey))?;
    if now >= survey.closes_at {
        return Err(Conflict::SurveyClosed.into());
    }
    let mut errors = ValidationErrors::new();
    let answers = questions::check_answers(&survey.questions, raw, &mut errors);
    errors.into_result()?;
    let earlier = survey_response::Entity::find()
        .filter(survey_response::Column::InvitationId.eq(invitation.id))
        .one(&txn)
        .await?;
    let before = earlier.as_ref().map(|r| tally_keys(&survey.questions, &r.answers)).unwrap_or_default();
    let changes = tally_changes(&before, &tally_keys(&survey.questions, &answers));
    let edited = earlier.is_some();
    let response_id = match earlier {
        Some(earlier) => {
            let id = earlier.id;
            let mut model: survey_response::ActiveModel = earlier.into();
            model.answers = Set(answers.clone());
            model.updated_at = Set(now);
            model.update(&txn).await?;
            id
        }
        None => {
            let id = SurveyResponseId::new();
            survey_response::Entity::insert(survey_response::ActiveModel {
                id: Set(id),
                survey_id: Set(survey.id),
                invitation_id: Set(invitation.id),
                answers: Set(answers.clone()),
                submitted_at: Set(now),
                updated_at: Set(now),
            })
            .exec_without_returning(&txn)
            .await?;
            survey_invitation::Entity::update_many()
                .col_expr(survey_invitation::Column::RespondedAt, Expr::value(now))
                .filter(survey_invitation::Column::Id.eq(invitation.id))
                .exec(&txn)
                .await?;
            survey::Entity::update_many()
                .col_expr(survey::Column::Responses, Expr::col(survey::Column::Responses).add(1))
                .filter(survey::Column::Id.eq(survey.id))
                .exec(&txn)
                .await?;
            id
        }
    };
    apply(&txn, survey.id, changes).await?;
    survey_text::Entity::delete_many()
        .filter(survey_text::Column::ResponseId.eq(response_id))
        .exec(&txn)
        .await?;
    let texts: Vec<survey_text::ActiveModel> = survey
        .questions
        .0
        .iter()
        .filter(|q| matches!(q.kind, QuestionKind::ShortText | QuestionKind::LongText))
        .filter_map(|q| {
            let text = answers.0.get(&q.id)?.as_str()?;
            Some(survey_text::ActiveModel {
                response_id: Set(response_id),
                question_id: Set(q.id.clone()),
                survey_id: Set(survey.id),
                text: Set(text.to_owned()),
                updated_at: Set(now),
            })
        })
        .collect();
    if !texts.is_empty() {
        survey_text::Entity::insert_many(texts).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(edited)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{error::ValidationErrors, survey::default_questions};

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        let mut errors = ValidationErrors::new();
        let q = questions::validate(&default_questions(), &mut errors);
        let raw: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        let answers = questions::check_answers(&q, &raw, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        answers
    }

    #[test]
    fn an_edit_moves_counts_from_the_old_answers_to_the_new() {
        let mut errors = ValidationErrors::new();
        let q = questions::validate(&default_questions(), &mut errors);
        let first = answers(&[
            ("satisfaction", "4"),
            ("valuable", "talks"),
            ("valuable", "venue"),
            ("comments", "良かった"),
        ]);
        let second = answers(&[("satisfaction", "5"), ("valuable", "talks"), ("recommend", "10")]);
        let keys = tally_keys(&q, &first);
        assert!(keys.contains(&("comments".into(), String::new())), "a text counts as answered");
        let changes = tally_changes(&keys, &tally_keys(&q, &second));
        let expect = |q: &str, v: &str| changes.get(&(q.to_owned(), v.to_owned())).copied();
        assert_eq!(expect("satisfaction", "4"), Some(-1));
        assert_eq!(expect("satisfaction", "5"), Some(1));
        assert_eq!(expect("satisfaction", ""), None, "still answered");
        assert_eq!(expect("valuable", "talks"), None, "still chosen");
        assert_eq!(expect("valuable", "venue"), Some(-1));
        assert_eq!(expect("recommend", "10"), Some(1));
        assert_eq!(expect("recommend", ""), Some(1));
        assert_eq!(expect("comments", ""), Some(-1));
    }
}
