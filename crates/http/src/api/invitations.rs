//! Invitation lists (upload a CSV, preview, send, follow the progress) and announcements to an
//! event's attendees. Co-hosting networks' organizers may do the same; door staff and everyone
//! else get 404.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use tsudoi_domain::{
    entity::invitation,
    ids::{AnnouncementId, EventId, InvitationListId},
    invitations::{self, AnnouncementView, Audience, ListView, Mark},
};
use uuid::Uuid;

use super::{ApiTags, types::Created};
use crate::{
    auth::TokenAuth,
    body::{CsvBody, JsonBody},
    problem::ApiResult,
    state::AppState,
};

pub struct InvitationsApi {
    pub state: AppState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum MarkApi {
    /// Will be invited.
    New,
    /// The same address is higher up the list.
    Duplicate,
    /// Already has an RSVP for the event.
    Registered,
    /// Invited to the event by a list sent before.
    Invited,
    /// Asked for no more invitations from this network.
    Unsubscribed,
}

impl From<Mark> for MarkApi {
    fn from(mark: Mark) -> Self {
        match mark {
            Mark::New => MarkApi::New,
            Mark::Duplicate => MarkApi::Duplicate,
            Mark::Registered => MarkApi::Registered,
            Mark::Invited => MarkApi::Invited,
            Mark::Unsubscribed => MarkApi::Unsubscribed,
        }
    }
}

#[derive(Debug, Object)]
pub struct Invitee {
    pub id: Uuid,
    /// The line in the uploaded file.
    pub line: i32,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub name_reading: Option<String>,
    pub email: String,
    #[oai(skip_serializing_if_is_none)]
    pub slot_id: Option<Uuid>,
    pub mark: MarkApi,
    /// They answered "can't go".
    #[oai(skip_serializing_if_is_none)]
    pub declined_at: Option<DateTime<Utc>>,
}

impl From<invitation::Model> for Invitee {
    fn from(i: invitation::Model) -> Self {
        Invitee {
            id: i.id.uuid(),
            line: i.line,
            name: i.name,
            name_reading: i.name_reading,
            email: i.email,
            slot_id: i.slot_id.map(|s| s.uuid()),
            mark: i.mark.into(),
            declined_at: i.declined_at,
        }
    }
}

/// A line of the file that could not be read; the other lines were kept.
#[derive(Debug, Object)]
pub struct RowProblem {
    pub line: u64,
    pub message: String,
}

/// How far a send has got.
#[derive(Debug, Object)]
pub struct Progress {
    pub total: u64,
    /// Waiting for the outbox worker (or a retry).
    pub queued: u64,
    pub sent: u64,
    /// Given up on after many attempts; see `GET /v1/networks/{network}/outbox`.
    pub failed: u64,
    /// No longer owed: the person registered or unsubscribed meanwhile.
    pub dropped: u64,
}

impl From<invitations::Progress> for Progress {
    fn from(p: invitations::Progress) -> Self {
        Progress { total: p.total, queued: p.queued, sent: p.sent, failed: p.failed, dropped: p.dropped }
    }
}

#[derive(Debug, Object)]
pub struct MarkCounts {
    pub new: u64,
    pub duplicate: u64,
    pub registered: u64,
    pub invited: u64,
    pub unsubscribed: u64,
}

#[derive(Debug, Object)]
pub struct InvitationList {
    pub id: Uuid,
    pub event_id: Uuid,
    #[oai(skip_serializing_if_is_none)]
    pub file_name: Option<String>,
    /// People on the list by what the preview says of them; only `new` ones are invited.
    pub counts: MarkCounts,
    pub problems: Vec<RowProblem>,
    /// The people in the file's order (one page: see `limit` and `offset`).
    pub people: Vec<Invitee>,
    #[oai(skip_serializing_if_is_none)]
    pub message: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_at: Option<DateTime<Utc>>,
    /// Once sent.
    #[oai(skip_serializing_if_is_none)]
    pub progress: Option<Progress>,
    pub created_at: DateTime<Utc>,
}

impl From<ListView> for InvitationList {
    fn from(v: ListView) -> Self {
        let count = |mark: Mark| v.counts.get(&mark).copied().unwrap_or(0);
        InvitationList {
            id: v.list.id.uuid(),
            event_id: v.list.event_id.uuid(),
            counts: MarkCounts {
                new: count(Mark::New),
                duplicate: count(Mark::Duplicate),
                registered: count(Mark::Registered),
                invited: count(Mark::Invited),
                unsubscribed: count(Mark::Unsubscribed),
            },
            file_name: v.list.file_name,
            problems: v
                .problems
                .into_iter()
                .map(|p| RowProblem { line: p.line, message: p.message })
                .collect(),
            people: v.people.into_iter().map(Invitee::from).collect(),
            message: v.list.message,
            sent_at: v.list.sent_at,
            progress: v.progress.map(Progress::from),
            created_at: v.list.created_at,
        }
    }
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct SendInvitations {
    /// A word from the organizers, added to every invitation (up to 1000 characters).
    #[oai(validator(max_length = 1000))]
    pub message: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum, serde::Deserialize)]
#[oai(rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum AudienceApi {
    /// Those with a seat (confirmed, or offered one).
    Confirmed,
    Waitlisted,
    /// Everyone still in: seats, the waitlist, lottery entries and requests for approval.
    Everyone,
}

impl From<AudienceApi> for Audience {
    fn from(a: AudienceApi) -> Self {
        match a {
            AudienceApi::Confirmed => Audience::Confirmed,
            AudienceApi::Waitlisted => Audience::Waitlisted,
            AudienceApi::Everyone => Audience::Everyone,
        }
    }
}

impl From<Audience> for AudienceApi {
    fn from(a: Audience) -> Self {
        match a {
            Audience::Confirmed => AudienceApi::Confirmed,
            Audience::Waitlisted => AudienceApi::Waitlisted,
            Audience::Everyone => AudienceApi::Everyone,
        }
    }
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct NewAnnouncement {
    pub audience: AudienceApi,
    /// Up to 150 characters; the email's subject follows the event's title.
    #[oai(validator(max_length = 150))]
    pub subject: String,
    /// Plain text, up to 5000 characters.
    #[oai(validator(max_length = 5000))]
    pub body: String,
}

#[derive(Debug, Object)]
pub struct Announcement {
    pub id: Uuid,
    pub event_id: Uuid,
    pub audience: AudienceApi,
    pub subject: String,
    pub body: String,
    /// Emails queued (attendees who unsubscribed are left out).
    pub recipients: i32,
    pub progress: Progress,
    pub created_at: DateTime<Utc>,
}

impl From<AnnouncementView> for Announcement {
    fn from(v: AnnouncementView) -> Self {
        let a = v.announcement;
        Announcement {
            id: a.id.uuid(),
            event_id: a.event_id.uuid(),
            audience: a.audience.into(),
            subject: a.subject,
            body: a.body,
            recipients: a.recipients,
            progress: v.progress.into(),
            created_at: a.created_at,
        }
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Invitations")]
impl InvitationsApi {
    /// Upload an invitation list
    ///
    /// A CSV file (UTF-8 with or without a byte-order mark, or CP932 as Excel in Japan writes
    /// it) whose first line names the columns: `name` and `email` (or 氏名, メールアドレス),
    /// optionally `name_reading` (ふりがな) and `slot` (参加枠, a slot's name or id). Nothing is
    /// sent: the answer previews who would be invited, marks duplicates, people already
    /// registered and people who unsubscribed, and lists the lines that could not be read.
    #[oai(path = "/events/:id/invitations", method = "post", operation_id = "upload_invitations")]
    async fn upload(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        /// The file's name, to recognise the list later.
        #[oai(validator(max_length = 200))]
        file_name: Query<Option<String>>,
        body: CsvBody,
    ) -> ApiResult<Created<InvitationList>> {
        let state = &self.state;
        let view =
            invitations::upload(state.db.writer(), &auth.0, EventId(id.0), file_name.0, &body.0, state.now())
                .await?;
        Ok(Created::Created(Json(view.into())))
    }

    /// An invitation list
    ///
    /// The preview, the people (a page of them, in the file's order) and, once sent, the
    /// progress of the emails.
    #[oai(path = "/invitation-lists/:id", method = "get", operation_id = "get_invitation_list")]
    async fn get(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))] offset: Query<Option<u64>>,
    ) -> ApiResult<Json<InvitationList>> {
        let view = invitations::list(
            self.state.db.reader(),
            &auth.0,
            InvitationListId(id.0),
            limit.0.unwrap_or(invitations::PREVIEW_PAGE as u64),
            offset.0.unwrap_or(0),
        )
        .await?;
        Ok(Json(view.into()))
    }

    /// Send an invitation list
    ///
    /// Invites everyone marked `new`, checked again against who registered or unsubscribed
    /// since the upload. Each invitation's "going" link opens the RSVP form filled in; "can't
    /// go" opens a page with a button. Sending a sent list again changes nothing.
    #[oai(path = "/invitation-lists/:id/send", method = "post", operation_id = "send_invitations")]
    async fn send(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: JsonBody<SendInvitations>,
    ) -> ApiResult<Json<InvitationList>> {
        let state = &self.state;
        let view = invitations::send(
            state.db.writer(),
            &auth.0,
            InvitationListId(id.0),
            body.0.message,
            state.now(),
        )
        .await?;
        state.mail_wake.notify_one();
        Ok(Json(view.into()))
    }

    /// Send an announcement
    ///
    /// One email to each attendee in the audience whose address is confirmed, except those who
    /// unsubscribed from the network's announcements.
    #[oai(path = "/events/:id/announcements", method = "post", operation_id = "send_announcement")]
    async fn announce(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: JsonBody<NewAnnouncement>,
    ) -> ApiResult<Created<Announcement>> {
        let state = &self.state;
        let b = body.0;
        let view = invitations::announce(
            state.db.writer(),
            &auth.0,
            EventId(id.0),
            b.audience.into(),
            &b.subject,
            &b.body,
            state.now(),
        )
        .await?;
        state.mail_wake.notify_one();
        Ok(Created::Created(Json(view.into())))
    }

    /// An announcement and its progress
    #[oai(path = "/announcements/:id", method = "get", operation_id = "get_announcement")]
    async fn announcement(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Announcement>> {
        let view = invitations::announcement(self.state.db.reader(), &auth.0, AnnouncementId(id.0)).await?;
        Ok(Json(view.into()))
    }
}
