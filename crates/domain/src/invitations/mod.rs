//! Invitations and announcements: organizers upload a list of people (CSV), preview who will be
//! invited (duplicates, people already registered or invited by a list sent before, and people
//! who unsubscribed are marked), then
//! send; each person gets an email whose "going" link opens the event's RSVP form filled in and
//! whose "can't go" link opens a page with a button. Announcements go to an event's attendees.
//! Both carry an unsubscribe link (and one-click `List-Unsubscribe`, RFC 8058); whoever
//! unsubscribes gets no more of either from that network. Long sends report their progress.

mod announcements;
mod file;
mod unsubscribe;

pub use announcements::{AnnouncementView, announce, announcement};
pub use file::{Parsed, Problem, ROWS_MAX, Reason, Row, parse};
pub use unsubscribe::{Unsubscription, unsubscribe, unsubscription};

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DeriveActiveEnum, EntityTrait, EnumIter, QueryFilter,
    QueryOrder, QuerySelect, Set, TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    access::Actor,
    entity::{
        event, invitation, invitation_list, outbox as outbox_row, rsvp, unsubscribe as unsubscribe_row,
    },
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    event::{EventStatus, public::PublicEvent},
    ids::{EventId, InvitationId, InvitationListId, MessageId, NetworkId},
    links::{Keyring, LinkKind},
    outbox::{self, MessageKind, MessageStatus},
    rsvp::RsvpStatus,
    values,
};

/// What the preview says of a person on the list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Mark {
    /// Will be invited.
    #[sea_orm(string_value = "new")]
    New,
    /// The same address is higher up the list.
    #[sea_orm(string_value = "duplicate")]
    Duplicate,
    /// Already has an RSVP for the event.
    #[sea_orm(string_value = "registered")]
    Registered,
    /// Invited to the event by a list sent before (a list uploaded again, or twice).
    #[sea_orm(string_value = "invited")]
    Invited,
    /// Asked for no more invitations from this network.
    #[sea_orm(string_value = "unsubscribed")]
    Unsubscribed,
}

/// Who an announcement goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, EnumIter, DeriveActiveEnum)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Audience {
    /// Those with a seat (confirmed, or offered one).
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "waitlisted")]
    Waitlisted,
    /// Everyone still in: seats, the waitlist, lottery entries and requests.
    #[sea_orm(string_value = "everyone")]
    Everyone,
}

impl Audience {
    fn statuses(self) -> Vec<RsvpStatus> {
        match self {
            Audience::Confirmed => vec![RsvpStatus::Confirmed, RsvpStatus::Offered],
            Audience::Waitlisted => vec![RsvpStatus::Waitlisted],
            Audience::Everyone => vec![
                RsvpStatus::Confirmed,
                RsvpStatus::Offered,
                RsvpStatus::Holding,
                RsvpStatus::Waitlisted,
                RsvpStatus::Entered,
                RsvpStatus::Pending,
            ],
        }
    }
}

/// How far a send has got: its emails by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub total: u64,
    /// Waiting for the worker (or for a retry).
    pub queued: u64,
    pub sent: u64,
    /// Given up on after many attempts; visible and retryable in the outbox.
    pub failed: u64,
    /// No longer owed (the person unsubscribed or registered meanwhile).
    pub dropped: u64,
}

/// The emails of one batch, by state.
pub(crate) async fn progress(db: &impl ConnectionTrait, batch: Uuid) -> Result<Progress> {
    Ok(progress_of(db, vec![batch]).await?.remove(&batch).unwrap_or_default())
}

/// The emails of each of `batches`, by state, with one query.
async fn progress_of(db: &impl ConnectionTrait, batches: Vec<Uuid>) -> Result<HashMap<Uuid, Progress>> {
    if batches.is_empty() {
        return Ok(HashMap::new());
    }
    let counts: Vec<(Option<Uuid>, MessageStatus, i64)> = outbox_row::Entity::find()
        .select_only()
        .columns([outbox_row::Column::BatchId, outbox_row::Column::Status])
        .column_as(outbox_row::Column::Id.count(), "n")
        .filter(outbox_row::Column::BatchId.is_in(batches))
        .group_by(outbox_row::Column::BatchId)
        .group_by(outbox_row::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut all: HashMap<Uuid, Progress> = HashMap::new();
    for (batch, status, n) in counts {
        let Some(batch) = batch else { continue };
        let p = all.entry(batch).or_default();
        let n = u64::try_from(n).unwrap_or(0);
        p.total += n;
        match status {
            MessageStatus::Pending => p.queued += n,
            MessageStatus::Sent => p.sent += n,
            MessageStatus::Failed => p.failed += n,
            MessageStatus::Dropped => p.dropped += n,
        }
    }
    Ok(all)
}

/// Addresses of `network` that unsubscribed, among `emails` (all of them when `None`).
async fn unsubscribed(db: &impl ConnectionTrait, network: NetworkId) -> Result<HashSet<String>> {
    let emails: Vec<String> = unsubscribe_row::Entity::find()
        .select_only()
        .column(unsubscribe_row::Column::Email)
        .filter(unsubscribe_row::Column::NetworkId.eq(network))
        .into_tuple()
        .all(db)
        .await?;
    Ok(emails.into_iter().collect())
}

/// Addresses that already have an active RSVP for `event`.
async fn registered(db: &impl ConnectionTrait, event: EventId) -> Result<HashSet<String>> {
    let rows: Vec<(Option<String>, RsvpStatus)> = rsvp::Entity::find()
        .select_only()
        .columns([rsvp::Column::Email, rsvp::Column::Status])
        .filter(rsvp::Column::EventId.eq(event))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().filter(|(_, s)| s.is_active()).filter_map(|(e, _)| e).collect())
}

/// Addresses already invited to `event` by a list sent before.
async fn invited(db: &impl ConnectionTrait, event: EventId) -> Result<HashSet<String>> {
    let sent = sea_orm::sea_query::Query::select()
        .column(invitation_list::Column::Id)
        .from(invitation_list::Entity)
        .and_where(invitation_list::Column::EventId.eq(event))
        .and_where(invitation_list::Column::SentAt.is_not_null())
        .to_owned();
    let emails: Vec<String> = invitation::Entity::find()
        .select_only()
        .column(invitation::Column::Email)
        .filter(invitation::Column::EventId.eq(event))
        .filter(invitation::Column::Mark.eq(Mark::New))
        .filter(invitation::Column::ListId.in_subquery(sent))
        .into_tuple()
        .all(db)
        .await?;
    Ok(emails.into_iter().collect())
}

/// An invitation list: the file's problems, the people marked, and (once sent) the progress.
#[derive(Clone, Debug)]
pub struct ListView {
    pub list: invitation_list::Model,
    pub counts: HashMap<Mark, u64>,
    pub problems: Vec<Problem>,
    /// The people, in the file's order (one page of them).
    pub people: Vec<invitation::Model>,
    /// How many of the people invited said they can't go.
    pub declined: u64,
    pub progress: Option<Progress>,
}

/// Rows per insert: well inside SQLite's limit on bound values.
const CHUNK: usize = 500;

/// Reads an uploaded list and keeps it for preview; nothing is sent yet.
pub async fn upload(
    db: &DatabaseConnection,
    actor: &Actor,
    event_id: EventId,
    file_name: Option<String>,
    bytes: &[u8],
    now: DateTime<Utc>,
) -> Result<ListView> {
    let details = crate::event::managed(db, actor, event_id).await?;
    if details.event.status == EventStatus::Cancelled {
        return Err(Conflict::EventCancelled.into());
    }
    let parsed = parse(bytes, &details.slots)?;
    let file_name = file_name
        .map(|f| values::optional_text(&f, 200))
        .transpose()
        .map_err(|e| ValidationErrors::single("file_name", e.code, e.message))?
        .flatten();
    let txn = db.begin().await?;
    let (taken, invited, unsubscribed) = (
        registered(&txn, event_id).await?,
        invited(&txn, event_id).await?,
        unsubscribed(&txn, details.event.network_id).await?,
    );
    let list = invitation_list::Model {
        id: InvitationListId::new(),
        event_id,
        created_by: actor.person_id,
        file_name,
        problems: Some(serde_json::to_value(&parsed.problems).map_err(|e| Error::Unexpected(e.into()))?),
        message: None,
        sent_at: None,
        created_at: now,
    };
    invitation_list::Entity::insert(invitation_list::ActiveModel::from(list.clone())).exec(&txn).await?;
    let mut seen = HashSet::new();
    let people: Vec<invitation::Model> = parsed
        .rows
        .into_iter()
        .map(|row| {
            let email = row.email.as_str().to_owned();
            let mark = if !seen.insert(email.clone()) {
                Mark::Duplicate
            } else if taken.contains(&email) {
                Mark::Registered
            } else if unsubscribed.contains(&email) {
                Mark::Unsubscribed
            } else if invited.contains(&email) {
                Mark::Invited
            } else {
                Mark::New
            };
            invitation::Model {
                id: InvitationId::new(),
                list_id: list.id,
                event_id,
                line: i32::try_from(row.line).unwrap_or(i32::MAX),
                email,
                name: row.name,
                name_reading: row.name_reading,
                slot_id: row.slot,
                mark,
                declined_at: None,
            }
        })
        .collect();
    for chunk in people.chunks(CHUNK) {
        let rows = chunk.iter().cloned().map(invitation::ActiveModel::from);
        invitation::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    let mut counts = HashMap::new();
    for p in &people {
        *counts.entry(p.mark).or_insert(0) += 1;
    }
    let people = people.into_iter().take(PREVIEW_PAGE).collect();
    Ok(ListView { list, counts, problems: parsed.problems, people, declined: 0, progress: None })
}

/// How many people an upload's answer shows; the rest are a `list` away.
pub const PREVIEW_PAGE: usize = 200;

async fn managed_list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: InvitationListId,
) -> Result<(invitation_list::Model, crate::event::EventDetails)> {
    let list = invitation_list::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound(Resource::InvitationList))?;
    let details = crate::event::managed(db, actor, list.event_id)
        .await
        .map_err(|_| Error::NotFound(Resource::InvitationList))?;
    Ok((list, details))
}

/// A list as it is now, with `limit` people from `offset`.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: InvitationListId,
    limit: u64,
    offset: u64,
) -> Result<ListView> {
    let (list, _) = managed_list(db, actor, id).await?;
    let counts: Vec<(Mark, i64, i64)> = invitation::Entity::find()
        .select_only()
        .column(invitation::Column::Mark)
        .column_as(invitation::Column::Id.count(), "n")
        .column_as(invitation::Column::DeclinedAt.count(), "declined")
        .filter(invitation::Column::ListId.eq(id))
        .group_by(invitation::Column::Mark)
        .into_tuple()
        .all(db)
        .await?;
    let people = invitation::Entity::find()
        .filter(invitation::Column::ListId.eq(id))
        .order_by_asc(invitation::Column::Line)
        .limit(limit)
        .offset(offset)
        .all(db)
        .await?;
    let problems = list.problems.clone().and_then(|p| serde_json::from_value(p).ok()).unwrap_or_default();
    let progress = match list.sent_at {
        Some(_) => Some(progress(db, id.uuid()).await?),
        None => None,
    };
    Ok(ListView {
        counts: counts.iter().map(|(m, n, _)| (*m, u64::try_from(*n).unwrap_or(0))).collect(),
        declined: counts.iter().map(|(_, _, d)| u64::try_from(*d).unwrap_or(0)).sum(),
        list,
        problems,
        people,
        progress,
    })
}

/// An event's invitation list as its list of lists shows it.
#[derive(Clone, Debug)]
pub struct ListSummary {
    pub list: invitation_list::Model,
    pub counts: HashMap<Mark, u64>,
    /// How many of the people invited said they can't go.
    pub declined: u64,
    pub progress: Option<Progress>,
}

/// The invitation lists of an event, newest first.
pub async fn lists(db: &impl ConnectionTrait, actor: &Actor, event_id: EventId) -> Result<Vec<ListSummary>> {
    crate::event::managed(db, actor, event_id).await?;
    let lists = invitation_list::Entity::find()
        .filter(invitation_list::Column::EventId.eq(event_id))
        .order_by_desc(invitation_list::Column::CreatedAt)
        .all(db)
        .await?;
    let counts: Vec<(InvitationListId, Mark, i64, i64)> = invitation::Entity::find()
        .select_only()
        .columns([invitation::Column::ListId, invitation::Column::Mark])
        .column_as(invitation::Column::Id.count(), "n")
        .column_as(invitation::Column::DeclinedAt.count(), "declined")
        .filter(invitation::Column::EventId.eq(event_id))
        .group_by(invitation::Column::ListId)
        .group_by(invitation::Column::Mark)
        .into_tuple()
        .all(db)
        .await?;
    let sent = lists.iter().filter(|l| l.sent_at.is_some()).map(|l| l.id.uuid()).collect();
    let mut progress = progress_of(db, sent).await?;
    let mut summaries = Vec::with_capacity(lists.len());
    for list in lists {
        let progress = list.sent_at.map(|_| progress.remove(&list.id.uuid()).unwrap_or_default());
        let mut summary = ListSummary { counts: HashMap::new(), declined: 0, progress, list };
        for (_, mark, n, declined) in counts.iter().filter(|(id, ..)| *id == summary.list.id) {
            summary.counts.insert(*mark, u64::try_from(*n).unwrap_or(0));
            summary.declined += u64::try_from(*declined).unwrap_or(0);
        }
        summaries.push(summary);
    }
    Ok(summaries)
}

/// Sends a previewed list: an invitation to everyone marked new, checked again against who has
/// registered or unsubscribed since the preview. Sending a sent list again changes nothing.
pub async fn send(
    db: &DatabaseConnection,
    actor: &Actor,
    id: InvitationListId,
    message: Option<String>,
    now: DateTime<Utc>,
) -> Result<ListView> {
    let message = message
        .map(|m| values::optional_text(&m, crate::rsvp::NOTE_MAX))
        .transpose()
        .map_err(|e| ValidationErrors::single("message", e.code, e.message))?
        .flatten();
    let txn = db.begin().await?;
    let (_, details) = managed_list(&txn, actor, id).await?;
    let e = crate::event::lock(&txn, details.event.id).await?;
    // Read again under the lock: a second send at the same moment waits here, then finds the
    // list sent and changes nothing.
    let list = invitation_list::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(Error::NotFound(Resource::InvitationList))?;
    if list.sent_at.is_none() {
        match e.status {
            EventStatus::Cancelled => return Err(Conflict::EventCancelled.into()),
            EventStatus::Draft => return Err(Conflict::NotPublished.into()),
            EventStatus::Published if now >= crate::rsvp::closes_at(&e) => {
                return Err(Conflict::RsvpClosed.into());
            }
            EventStatus::Published => {}
        }
        let people = invitation::Entity::find()
            .filter(invitation::Column::ListId.eq(id))
            .filter(invitation::Column::Mark.eq(Mark::New))
            .all(&txn)
            .await?;
        let (taken, invited, unsubscribed) = (
            registered(&txn, e.id).await?,
            invited(&txn, e.id).await?,
            unsubscribed(&txn, e.network_id).await?,
        );
        let mut changed: Vec<(InvitationId, Mark)> = Vec::new();
        let mut messages = Vec::new();
        for p in &people {
            if taken.contains(&p.email) {
                changed.push((p.id, Mark::Registered));
            } else if unsubscribed.contains(&p.email) {
                changed.push((p.id, Mark::Unsubscribed));
            } else if invited.contains(&p.email) {
                changed.push((p.id, Mark::Invited));
            } else {
                messages.push(outbox_row::ActiveModel {
                    id: Set(MessageId(p.id.uuid())),
                    batch_id: Set(Some(id.uuid())),
                    ..outbox::message(MessageKind::Invitation, e.id, None, None, now)
                });
            }
        }
        for mark in [Mark::Registered, Mark::Invited, Mark::Unsubscribed] {
            let ids: Vec<InvitationId> =
                changed.iter().filter(|(_, m)| *m == mark).map(|(id, _)| *id).collect();
            for chunk in ids.chunks(CHUNK) {
                invitation::Entity::update_many()
                    .col_expr(invitation::Column::Mark, Expr::value(mark))
                    .filter(invitation::Column::Id.is_in(chunk.iter().copied()))
                    .exec(&txn)
                    .await?;
            }
        }
        let queued = messages.len();
        for chunk in messages.chunks(CHUNK) {
            outbox_row::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
        }
        invitation_list::Entity::update(invitation_list::ActiveModel {
            id: Set(id),
            sent_at: Set(Some(now)),
            message: Set(message),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        let summary = serde_json::json!({ "list": id, "invitations": queued });
        crate::event::edit::record(&txn, actor, &e, "invitations.send", summary, now).await?;
    }
    txn.commit().await?;
    list_page(db, actor, id).await
}

async fn list_page(db: &DatabaseConnection, actor: &Actor, id: InvitationListId) -> Result<ListView> {
    list(db, actor, id, PREVIEW_PAGE as u64, 0).await
}

/// The invitation behind a link, with its event (for the RSVP form filled in).
pub async fn invitation_by_token(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    token: &str,
) -> Result<(invitation::Model, PublicEvent)> {
    let opened = keyring.open(LinkKind::Invitation, token).ok_or(Error::NotFound(Resource::Invitation))?;
    let found = invitation::Entity::find_by_id(InvitationId(opened.id))
        .one(db)
        .await?
        .ok_or(Error::NotFound(Resource::Invitation))?;
    let e = crate::event::public::event_by_id(db, found.event_id).await?;
    Ok((found, e))
}

/// "Can't go": noted once; the organizers see it on the list.
pub async fn decline(
    db: &DatabaseConnection,
    keyring: &Keyring,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(invitation::Model, PublicEvent)> {
    let (found, e) = invitation_by_token(db, keyring, token).await?;
    if found.declined_at.is_some() {
        return Ok((found, e));
    }
    let changed = invitation::Entity::update(invitation::ActiveModel {
        id: Set(found.id),
        declined_at: Set(Some(now)),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok((changed, e))
}

/// Whether an invitation email is still owed when it is sent: not if its person registered or
/// unsubscribed meanwhile, or the event stopped taking RSVPs.
pub(crate) async fn invitation_owed(
    db: &impl ConnectionTrait,
    found: &invitation::Model,
    e: &event::Model,
) -> Result<bool> {
    if e.status != EventStatus::Published {
        return Ok(false);
    }
    let unsubscribed =
        unsubscribe_row::Entity::find_by_id((e.network_id, found.email.clone())).one(db).await?;
    let registered = rsvp::Entity::find()
        .filter(rsvp::Column::EventId.eq(e.id))
        .filter(rsvp::Column::Email.eq(found.email.as_str()))
        .one(db)
        .await?
        .is_some_and(|r| r.status.is_active());
    Ok(unsubscribed.is_none() && !registered)
}
