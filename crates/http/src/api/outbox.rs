//! The outbox as organizers see it: messages that failed to send, with their last error, and
//! a retry. Delivered messages are not listed: they hold attendees' addresses and nobody needs
//! them here.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use tsudoi_domain::{
    entity::{event as event_entity, outbox as outbox_entity},
    ids::MessageId,
    network,
    outbox::{self, MessageKind, MessageStatus},
};
use uuid::Uuid;

use super::{ApiTags, types::DEFAULT_LIMIT};
use crate::{auth::TokenAuth, problem::ApiResult, state::AppState};

pub struct OutboxApi {
    pub state: AppState,
}

/// Which email a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum MessageKindApi {
    ConfirmRsvp,
    Confirmed,
    Waitlisted,
    Offered,
    Promoted,
    Cancelled,
    EventChanged,
    EventCancelled,
    Reminder,
    LotteryEntered,
    LotteryWon,
    LotteryNotWon,
    ApprovalRequested,
    Approved,
    Rejected,
    SlotChanged,
    Invitation,
    Announcement,
    SurveyInvitation,
    SurveyReminder,
    SignIn,
    Welcome,
}

impl From<MessageKind> for MessageKindApi {
    fn from(kind: MessageKind) -> Self {
        match kind {
            MessageKind::ConfirmRsvp => MessageKindApi::ConfirmRsvp,
            MessageKind::Confirmed => MessageKindApi::Confirmed,
            MessageKind::Waitlisted => MessageKindApi::Waitlisted,
            MessageKind::Offered => MessageKindApi::Offered,
            MessageKind::Promoted => MessageKindApi::Promoted,
            MessageKind::Cancelled => MessageKindApi::Cancelled,
            MessageKind::EventChanged => MessageKindApi::EventChanged,
            MessageKind::EventCancelled => MessageKindApi::EventCancelled,
            MessageKind::Reminder => MessageKindApi::Reminder,
            MessageKind::LotteryEntered => MessageKindApi::LotteryEntered,
            MessageKind::LotteryWon => MessageKindApi::LotteryWon,
            MessageKind::LotteryNotWon => MessageKindApi::LotteryNotWon,
            MessageKind::ApprovalRequested => MessageKindApi::ApprovalRequested,
            MessageKind::Approved => MessageKindApi::Approved,
            MessageKind::Rejected => MessageKindApi::Rejected,
            MessageKind::SlotChanged => MessageKindApi::SlotChanged,
            MessageKind::Invitation => MessageKindApi::Invitation,
            MessageKind::Announcement => MessageKindApi::Announcement,
            MessageKind::SurveyInvitation => MessageKindApi::SurveyInvitation,
            MessageKind::SurveyReminder => MessageKindApi::SurveyReminder,
            MessageKind::SignIn => MessageKindApi::SignIn,
            MessageKind::Welcome => MessageKindApi::Welcome,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum MessageStatusApi {
    /// Waiting for its next attempt.
    Pending,
    Sent,
    /// Given up on after many attempts; retry it once the cause is fixed.
    Failed,
    /// No longer owed (the attendee erased their data, or what it announced has passed).
    Dropped,
}

impl From<MessageStatus> for MessageStatusApi {
    fn from(status: MessageStatus) -> Self {
        match status {
            MessageStatus::Pending => MessageStatusApi::Pending,
            MessageStatus::Sent => MessageStatusApi::Sent,
            MessageStatus::Failed => MessageStatusApi::Failed,
            MessageStatus::Dropped => MessageStatusApi::Dropped,
        }
    }
}

#[derive(Debug, Object)]
pub struct Message {
    pub id: Uuid,
    pub kind: MessageKindApi,
    pub status: MessageStatusApi,
    /// Empty for an email of no event (a sign-in link).
    #[oai(skip_serializing_if_is_none)]
    pub event_id: Option<Uuid>,
    #[oai(skip_serializing_if_is_none)]
    pub event_slug: Option<String>,
    pub attempts: i32,
    #[oai(skip_serializing_if_is_none)]
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

fn message(m: outbox_entity::Model, event: Option<&event_entity::Model>) -> Message {
    Message {
        id: m.id.uuid(),
        kind: m.kind.into(),
        status: m.status.into(),
        event_id: m.event_id.map(|e| e.uuid()),
        event_slug: event.map(|e| e.slug.clone()),
        attempts: m.attempts,
        last_error: m.last_error,
        next_attempt_at: m.next_attempt_at,
        created_at: m.created_at,
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Outbox")]
impl OutboxApi {
    /// List emails that failed to send
    ///
    /// Messages of the network's events (hosted or co-hosted) that failed at least once and are
    /// not delivered: still retrying with backoff (`pending`), or given up on (`failed`).
    #[oai(path = "/networks/:network/outbox/failed", method = "get", operation_id = "list_failed_messages")]
    async fn list_failed(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "100000")))] offset: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<Message>>> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let rows = outbox::troubled(
            db,
            &auth.0,
            network.id,
            limit.0.unwrap_or(DEFAULT_LIMIT),
            offset.0.unwrap_or(0),
        )
        .await?;
        Ok(Json(rows.into_iter().map(|(m, e)| message(m, Some(&e))).collect()))
    }

    /// Retry an email
    ///
    /// Sends a failed or backing-off message again now, with a fresh count of attempts.
    /// Retrying a message already sent changes nothing.
    #[oai(path = "/outbox/:id/retry", method = "post", operation_id = "retry_message")]
    async fn retry(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Message>> {
        let retried =
            outbox::retry(self.state.db.writer(), &auth.0, MessageId(id.0), self.state.now()).await?;
        self.state.mail_wake.notify_one();
        Ok(Json(message(retried, None)))
    }
}
