//! An RSVP's history, for its organizers: when it was made, every email it was owed (each one
//! marks a change of state, since every change that owes an email writes it in the same
//! transaction) with how its delivery went, and every organizer's decision about it, by whom.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    access::Actor,
    entity::{audit_entry, lottery_draw, outbox, person, rsvp},
    error::{Error, Resource, Result},
    ids::{PersonId, RsvpId},
    outbox::{MessageKind, MessageStatus},
};

/// One line of an RSVP's history.
#[derive(Clone, Debug, PartialEq)]
pub enum Happening {
    /// The form was sent (again, after a cancellation or an expiry: `queued_at` moves).
    Registered,
    /// An email was owed: what it said, and how its delivery went.
    Email { kind: MessageKind, status: MessageStatus, sent_at: Option<DateTime<Utc>> },
    /// An organizer's decision (`rsvp.approve`, `rsvp.cancel`, ...), with its audit summary.
    Decision { action: String, by: Option<(PersonId, String)>, summary: serde_json::Value },
    /// The attendee erased their data.
    Erased,
}

#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub happening: Happening,
    /// The row it comes from: ids are time-ordered (UUID v7), so they order what happened in
    /// the same instant of the (injectable) clock.
    order: Uuid,
}

/// The history of the RSVP `id`, oldest first; what happened at the same moment in the order it
/// was written (a decision's email, written in the decision's transaction, just before it).
pub async fn history(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: RsvpId,
) -> Result<(rsvp::Model, Vec<HistoryEntry>)> {
    let r = rsvp::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(Resource::Rsvp))?;
    crate::event::managed(db, actor, r.event_id).await.map_err(|_| Error::NotFound(Resource::Rsvp))?;
    let mut entries =
        vec![HistoryEntry { at: r.created_at, happening: Happening::Registered, order: Uuid::nil() }];
    // Starting over (after a cancellation or an expiry) moves `queued_at`; so does a lottery
    // draw that puts an entry on the waitlist, which is no new registration.
    let drawn =
        lottery_draw::Entity::find().filter(lottery_draw::Column::RsvpId.eq(id)).one(db).await?.is_some();
    if r.queued_at != r.created_at && !drawn {
        entries.push(HistoryEntry { at: r.queued_at, happening: Happening::Registered, order: Uuid::nil() });
    }
    let emails = outbox::Entity::find().filter(outbox::Column::RsvpId.eq(id)).all(db).await?;
    entries.extend(emails.into_iter().map(|m| HistoryEntry {
        at: m.created_at,
        happening: Happening::Email { kind: m.kind, status: m.status, sent_at: m.sent_at },
        order: m.id.uuid(),
    }));
    let decisions = audit_entry::Entity::find()
        .filter(audit_entry::Column::SubjectId.eq(id.uuid()))
        .order_by_asc(audit_entry::Column::At)
        .all(db)
        .await?;
    // A decision on a co-hosted event is in every host's log: one line is enough.
    let mut seen = std::collections::HashSet::new();
    for d in decisions {
        if !seen.insert((d.action.clone(), d.at)) {
            continue;
        }
        let by = match d.person_id {
            Some(person) => person::Entity::find_by_id(person).one(db).await?.map(|p| (p.id, p.display_name)),
            None => None,
        };
        let happening = Happening::Decision { action: d.action, by, summary: d.summary };
        entries.push(HistoryEntry { at: d.at, happening, order: d.id.0 });
    }
    if let Some(at) = r.erased_at {
        entries.push(HistoryEntry { at, happening: Happening::Erased, order: Uuid::max() });
    }
    entries.sort_by_key(|e| (e.at, e.order));
    Ok((r, entries))
}
