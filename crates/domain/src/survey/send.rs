//! Sending a survey: once by the scheduler when it falls due (or earlier, by the organizers'
//! "send now"), then one reminder to those who have not answered. Each invitation is a row
//! written with its email in one transaction; a conditional update claims the work, so several
//! instances never send twice.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, QuerySelect, Set, TransactionTrait,
    sea_query::{Expr, ExprTrait, Query},
};

use super::{Audience, of_event, send_at};
use crate::{
    access::Actor,
    entity::{event, rsvp, survey, survey_invitation},
    error::{Conflict, Result},
    event::EventStatus,
    ids::{RsvpId, SurveyInvitationId},
    outbox::{self, MessageKind},
    rsvp::RsvpStatus,
};

/// Invites everyone the survey asks who has no invitation yet; returns how many.
async fn invite(
    txn: &DatabaseTransaction,
    survey: &survey::Model,
    event: &event::Model,
    now: DateTime<Utc>,
) -> Result<u64> {
    let asked = match survey.audience {
        Audience::CheckedIn => Condition::all().add(rsvp::Column::CheckedIn.gt(0)),
        Audience::Confirmed => Condition::any()
            .add(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
            .add(rsvp::Column::CheckedIn.gt(0)),
    };
    let already = Query::select()
        .column(survey_invitation::Column::RsvpId)
        .from(survey_invitation::Entity)
        .and_where(survey_invitation::Column::SurveyId.eq(survey.id))
        .to_owned();
    let rsvps: Vec<RsvpId> = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::Id)
        .filter(rsvp::Column::EventId.eq(event.id))
        .filter(rsvp::Column::Email.is_not_null())
        .filter(asked)
        .filter(rsvp::Column::Id.not_in_subquery(already))
        .into_tuple()
        .all(txn)
        .await?;
    for chunk in rsvps.chunks(500) {
        let rows = chunk.iter().map(|&rsvp_id| survey_invitation::ActiveModel {
            id: Set(SurveyInvitationId::new()),
            survey_id: Set(survey.id),
            rsvp_id: Set(rsvp_id),
            link_version: Set(0),
            sent_at: Set(now),
            reminded_at: Set(None),
            responded_at: Set(None),
        });
        survey_invitation::Entity::insert_many(rows).exec_without_returning(txn).await?;
        for &rsvp_id in chunk {
            outbox::enqueue(txn, MessageKind::SurveyInvitation, event.id, Some(rsvp_id), None, now).await?;
        }
    }
    let invited = rsvps.len() as u64;
    if invited > 0 {
        survey::Entity::update_many()
            .col_expr(
                survey::Column::Invited,
                Expr::col(survey::Column::Invited).add(i64::try_from(invited).unwrap_or(i64::MAX)),
            )
            .filter(survey::Column::Id.eq(survey.id))
            .exec(txn)
            .await?;
    }
    Ok(invited)
}

/// Whether the survey may go out at `now`: its event happened and ended, and it is still open.
fn sendable(survey: &survey::Model, event: &event::Model, now: DateTime<Utc>) -> Result<()> {
    if event.status == EventStatus::Cancelled {
        return Err(Conflict::EventCancelled.into());
    }
    if event.status != EventStatus::Published {
        return Err(Conflict::NotPublished.into());
    }
    if now < event.ends_at {
        return Err(Conflict::EventNotOver.into());
    }
    if now >= survey.closes_at {
        return Err(Conflict::SurveyClosed.into());
    }
    Ok(())
}

/// Sends the survey now, to everyone it asks who was not invited yet (those checked in late,
/// after an earlier send, too). Returns how many were invited.
pub async fn send_now(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: crate::ids::EventId,
    now: DateTime<Utc>,
) -> Result<u64> {
    let txn = db.begin().await?;
    let (survey, details) = of_event(&txn, actor, event_id).await?;
    // One send at a time (PostgreSQL; SQLite has one writer): a second waits, then finds the
    // first one's invitations and invites nobody twice.
    survey::Entity::find_by_id(survey.id).lock_exclusive().one(&txn).await?;
    sendable(&survey, &details.event, now)?;
    survey::Entity::update_many()
        .col_expr(survey::Column::InvitedAt, Expr::value(now))
        .filter(survey::Column::Id.eq(survey.id))
        .filter(survey::Column::InvitedAt.is_null())
        .exec(&txn)
        .await?;
    let invited = invite(&txn, &survey, &details.event, now).await?;
    crate::event::edit::record(
        &txn,
        actor,
        &details.event,
        "survey.send",
        serde_json::json!({ "survey": survey.id, "invited": invited }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(invited)
}

/// Sends every survey that fell due by `now`, each once. Returns how many were invited.
pub async fn invite_due(
    db: &DatabaseConnection,
    reader: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64> {
    let candidates: Vec<(survey::Model, Option<event::Model>)> = survey::Entity::find()
        .find_also_related(event::Entity)
        .filter(survey::Column::InvitedAt.is_null())
        .filter(survey::Column::ClosesAt.gt(now))
        .filter(event::Column::Status.eq(EventStatus::Published))
        .filter(event::Column::EndsAt.lte(now))
        .all(reader)
        .await?;
    let mut invited = 0;
    for (survey, event) in candidates {
        let Some(event) = event else { continue };
        if send_at(&survey, &event) > now {
            continue;
        }
        // One survey that fails (and is tried again on the next pass) holds up no other.
        match invite_once(db, &survey, &event, now).await {
            Ok(n) => invited += n,
            Err(err) => tracing::error!(survey = %survey.id, error = %err, "sending a survey"),
        }
    }
    Ok(invited)
}

/// Claims the survey's scheduled send (so another instance does not send it too) and sends it.
async fn invite_once(
    db: &DatabaseConnection,
    survey: &survey::Model,
    event: &event::Model,
    now: DateTime<Utc>,
) -> Result<u64> {
    let txn = db.begin().await?;
    let claimed = survey::Entity::update_many()
        .col_expr(survey::Column::InvitedAt, Expr::value(now))
        .filter(survey::Column::Id.eq(survey.id))
        .filter(survey::Column::InvitedAt.is_null())
        .exec(&txn)
        .await?;
    let invited = if claimed.rows_affected == 1 { invite(&txn, survey, event, now).await? } else { 0 };
    txn.commit().await?;
    Ok(invited)
}

/// Queues the one reminder of each invitation unanswered for its survey's reminder days, while
/// the survey is open. Returns how many were queued.
pub async fn remind_due(
    db: &DatabaseConnection,
    reader: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<u64> {
    let open: Vec<survey::Model> = survey::Entity::find()
        .filter(survey::Column::InvitedAt.is_not_null())
        .filter(survey::Column::ReminderDays.is_not_null())
        .filter(survey::Column::ClosesAt.gt(now))
        .all(reader)
        .await?;
    let mut queued = 0;
    for survey in open {
        match remind_once(db, &survey, now).await {
            Ok(n) => queued += n,
            Err(err) => tracing::error!(survey = %survey.id, error = %err, "reminding of a survey"),
        }
    }
    Ok(queued)
}

/// Claims the survey's due reminders (each once) and queues them.
async fn remind_once(db: &DatabaseConnection, survey: &survey::Model, now: DateTime<Utc>) -> Result<u64> {
    let Some(days) = survey.reminder_days else { return Ok(0) };
    let txn = db.begin().await?;
    let claimed = survey_invitation::Entity::update_many()
        .col_expr(survey_invitation::Column::RemindedAt, Expr::value(now))
        .filter(survey_invitation::Column::SurveyId.eq(survey.id))
        .filter(survey_invitation::Column::RemindedAt.is_null())
        .filter(survey_invitation::Column::RespondedAt.is_null())
        .filter(survey_invitation::Column::SentAt.lte(now - Duration::days(days.into())))
        .exec_with_returning(&txn)
        .await?;
    for invitation in &claimed {
        let rsvp = Some(invitation.rsvp_id);
        outbox::enqueue(&txn, MessageKind::SurveyReminder, survey.event_id, rsvp, None, now).await?;
    }
    txn.commit().await?;
    Ok(claimed.len() as u64)
}
