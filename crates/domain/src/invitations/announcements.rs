//! Announcements: the organizers' words to an event's attendees (the confirmed, the waitlisted,
//! or everyone still in), one email each, minus those who unsubscribed from the network.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set,
    TransactionTrait,
};

use super::{Audience, CHUNK, Progress, progress, unsubscribed};
use crate::{
    access::Actor,
    entity::{announcement, outbox as outbox_row, rsvp},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::EventStatus,
    ids::{AnnouncementId, EventId, RsvpId},
    outbox::{self, MessageKind},
    values,
};

pub const SUBJECT_MAX: usize = 150;
pub const BODY_MAX: usize = 5000;

#[derive(Clone, Debug)]
pub struct AnnouncementView {
    pub announcement: announcement::Model,
    pub progress: Progress,
}

/// Queues an announcement to the event's `audience`.
pub async fn announce(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    audience: Audience,
    subject: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<AnnouncementView> {
    let mut errors = ValidationErrors::new();
    let subject = errors.check("subject", values::text(subject, SUBJECT_MAX));
    let body = errors.check("body", values::text(body, BODY_MAX));
    errors.into_result()?;
    let (Some(subject), Some(body)) = (subject, body) else {
        return Err(Error::Unexpected(anyhow::anyhow!("a checked field has no value")));
    };
    let txn = db.begin().await?;
    let details = crate::event::managed(&txn, actor, event_id).await?;
    let e = crate::event::lock(&txn, event_id).await?;
    match e.status {
        EventStatus::Cancelled => return Err(Conflict::EventCancelled.into()),
        EventStatus::Draft => return Err(Conflict::NotPublished.into()),
        EventStatus::Published => {}
    }
    let unsubscribed = unsubscribed(&txn, details.event.network_id).await?;
    let recipients: Vec<(RsvpId, Option<String>)> = rsvp::Entity::find()
        .select_only()
        .columns([rsvp::Column::Id, rsvp::Column::Email])
        .filter(rsvp::Column::EventId.eq(event_id))
        .filter(rsvp::Column::Status.is_in(audience.statuses()))
        .filter(rsvp::Column::Verified.eq(true))
        .into_tuple()
        .all(&txn)
        .await?;
    let recipients: Vec<RsvpId> = recipients
        .into_iter()
        .filter(|(_, email)| email.as_ref().is_some_and(|e| !unsubscribed.contains(e)))
        .map(|(id, _)| id)
        .collect();
    let model = announcement::Model {
        id: AnnouncementId::new(),
        event_id,
        created_by: actor.person_id,
        audience,
        subject,
        body,
        recipients: i32::try_from(recipients.len()).unwrap_or(i32::MAX),
        created_at: now,
    };
    announcement::Entity::insert(announcement::ActiveModel::from(model.clone())).exec(&txn).await?;
    let messages: Vec<_> = recipients
        .iter()
        .map(|id| outbox_row::ActiveModel {
            batch_id: Set(Some(model.id.uuid())),
            ..outbox::message(MessageKind::Announcement, event_id, Some(*id), None, now)
        })
        .collect();
    for chunk in messages.chunks(CHUNK) {
        outbox_row::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let summary =
        serde_json::json!({ "announcement": model.id, "audience": audience, "recipients": recipients.len() });
    crate::event::edit::record(&txn, actor, &e, "announcement.send", summary, now).await?;
    txn.commit().await?;
    let progress = progress(db, model.id.uuid()).await?;
    Ok(AnnouncementView { announcement: model, progress })
}

/// An announcement and how far its sending has got.
pub async fn announcement(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: AnnouncementId,
) -> Result<AnnouncementView> {
    let found =
        announcement::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(Resource::Announcement))?;
    crate::event::managed(db, actor, found.event_id)
        .await
        .map_err(|_| Error::NotFound(Resource::Announcement))?;
    let progress = progress(db, id.uuid()).await?;
    Ok(AnnouncementView { announcement: found, progress })
}
