//! The organizers' view of an event's RSVPs: a filtered list and the CSV export. Co-hosting
//! networks' organizers see the same; door staff and everyone else get 404.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use tsudoi_domain::{
    entity::rsvp as rsvp_entity,
    error::ValidationErrors,
    ids::{EventId, RsvpId, SlotId},
    rsvp::{self, Decision, RsvpFilter, RsvpStatus, lottery},
};
use uuid::Uuid;

use super::{
    ApiTags,
    outbox::{MessageKindApi, MessageStatusApi},
    types::MAX_LIMIT,
};
use crate::{auth::TokenAuth, problem::ApiResult, state::AppState};

pub struct RsvpsApi {
    pub state: AppState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum RsvpStatusApi {
    /// A seat held while the attendee confirms by email.
    Holding,
    Confirmed,
    Waitlisted,
    /// A freed seat offered to this attendee, to accept before `offer_expires_at`.
    Offered,
    Cancelled,
    /// A hold, an offer, an unconfirmed waitlist place or lottery entry that ran out.
    Expired,
    /// A lottery entry waiting for the draw.
    Entered,
    /// A request waiting for the organizers' approval.
    Pending,
    /// A request the organizers declined.
    Rejected,
    /// Not drawn in a lottery without a waitlist.
    NotSelected,
}

impl From<RsvpStatus> for RsvpStatusApi {
    fn from(status: RsvpStatus) -> Self {
        match status {
            RsvpStatus::Holding => RsvpStatusApi::Holding,
            RsvpStatus::Confirmed => RsvpStatusApi::Confirmed,
            RsvpStatus::Waitlisted => RsvpStatusApi::Waitlisted,
            RsvpStatus::Offered => RsvpStatusApi::Offered,
            RsvpStatus::Cancelled => RsvpStatusApi::Cancelled,
            RsvpStatus::Expired => RsvpStatusApi::Expired,
            RsvpStatus::Entered => RsvpStatusApi::Entered,
            RsvpStatus::Pending => RsvpStatusApi::Pending,
            RsvpStatus::Rejected => RsvpStatusApi::Rejected,
            RsvpStatus::NotSelected => RsvpStatusApi::NotSelected,
        }
    }
}

impl From<RsvpStatusApi> for RsvpStatus {
    fn from(status: RsvpStatusApi) -> Self {
        match status {
            RsvpStatusApi::Holding => RsvpStatus::Holding,
            RsvpStatusApi::Confirmed => RsvpStatus::Confirmed,
            RsvpStatusApi::Waitlisted => RsvpStatus::Waitlisted,
            RsvpStatusApi::Offered => RsvpStatus::Offered,
            RsvpStatusApi::Cancelled => RsvpStatus::Cancelled,
            RsvpStatusApi::Expired => RsvpStatus::Expired,
            RsvpStatusApi::Entered => RsvpStatus::Entered,
            RsvpStatusApi::Pending => RsvpStatus::Pending,
            RsvpStatusApi::Rejected => RsvpStatus::Rejected,
            RsvpStatusApi::NotSelected => RsvpStatus::NotSelected,
        }
    }
}

/// One attendee's registration. Name and email are empty once the attendee erased their data.
#[derive(Debug, Object)]
pub struct Rsvp {
    pub id: Uuid,
    pub status: RsvpStatusApi,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub name_reading: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub email: Option<String>,
    pub slot_id: Uuid,
    pub guests: i32,
    /// The attendee confirmed their email address (or the event does not ask).
    pub email_confirmed: bool,
    /// Appears in the event's "who's going" list.
    pub listed: bool,
    /// People of the party through the door.
    pub checked_in: i32,
    /// Read out at the door.
    pub door_code: String,
    pub registered_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub confirmed_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub hold_expires_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub offer_expires_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub cancelled_at: Option<DateTime<Utc>>,
    pub erased: bool,
    /// Answers to the event's questions by question id: text, a choice id, a list of choice
    /// ids, or true/false for yes/no.
    pub answers: BTreeMap<String, serde_json::Value>,
}

impl From<rsvp_entity::Model> for Rsvp {
    fn from(r: rsvp_entity::Model) -> Self {
        Rsvp {
            id: r.id.uuid(),
            status: r.status.into(),
            name: r.name,
            name_reading: r.name_reading,
            email: r.email,
            slot_id: r.slot_id.uuid(),
            guests: r.guests,
            email_confirmed: r.verified,
            listed: r.show_in_list,
            checked_in: r.checked_in,
            door_code: r.short_code,
            registered_at: r.queued_at,
            confirmed_at: r.confirmed_at,
            hold_expires_at: r.hold_expires_at,
            offer_expires_at: r.offer_expires_at,
            cancelled_at: r.cancelled_at,
            erased: r.erased_at.is_some(),
            answers: r.answers.map(|a| a.0).unwrap_or_default(),
        }
    }
}

#[derive(ApiResponse)]
pub enum CsvFile {
    /// UTF-8 with a byte-order mark, so Excel reads Japanese correctly; cells that would run as
    /// formulas are prefixed with an apostrophe.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(Binary<Vec<u8>>, #[oai(header = "content-disposition")] String),
}

impl RsvpsApi {
    async fn decide(&self, auth: &TokenAuth, id: Uuid, decision: Decision) -> ApiResult<Json<Rsvp>> {
        let state = &self.state;
        let changed =
            rsvp::decide(state.db.writer(), &auth.0, RsvpId(id), decision, &state.policy, state.now())
                .await?;
        state.mail_wake.notify_one();
        Ok(Json(changed.into()))
    }
}

#[derive(Debug, Object)]
pub struct Rejection {
    /// Shown to the attendee in the email; up to 1000 characters.
    #[oai(validator(max_length = 1000))]
    pub note: Option<String>,
}

#[derive(Debug, Object)]
pub struct SlotMove {
    pub slot_id: Uuid,
}

/// A lottery, as anyone may check it.
#[derive(Debug, Object)]
pub struct Lottery {
    #[oai(skip_serializing_if_is_none)]
    pub draw_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub drawn_at: Option<DateTime<Utc>>,
    /// SHA-256 of the seed's hex text, published before the draw.
    pub seed_hash: String,
    /// The seed (64 hex digits), once drawn.
    #[oai(skip_serializing_if_is_none)]
    pub seed: Option<String>,
    /// Entries with a confirmed email waiting for the draw.
    pub entries: u64,
    /// After the draw: every entry in drawn order. An entry's key is SHA-256 of
    /// `"{seed}:{rsvp_id}"`; in ascending key order, each party that still fits its slot won.
    pub drawn: Vec<DrawnEntry>,
}

#[derive(Debug, Object)]
pub struct DrawnEntry {
    pub rsvp_id: Uuid,
    pub rank: i32,
    /// The person and their guests, at the draw.
    pub party: i32,
    pub slot_id: Uuid,
    /// Got a seat in the draw.
    pub won: bool,
}

impl From<lottery::LotteryState> for Lottery {
    fn from(l: lottery::LotteryState) -> Self {
        Lottery {
            draw_at: l.draw_at,
            drawn_at: l.drawn_at,
            seed_hash: l.seed_hash,
            seed: l.seed,
            entries: l.entries,
            drawn: l
                .drawn
                .into_iter()
                .map(|d| DrawnEntry {
                    rsvp_id: d.rsvp_id.uuid(),
                    rank: d.rank,
                    party: d.party,
                    slot_id: d.slot_id.uuid(),
                    won: d.won,
                })
                .collect(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum HappeningApi {
    /// The RSVP form was sent (again, after a cancellation or an expiry).
    Registered,
    /// An email was owed: each marks a change of state.
    Email,
    /// An organizer decided something about the RSVP.
    Decision,
    /// The attendee erased their data.
    Erased,
}

/// One line of an RSVP's history.
#[derive(Debug, Object)]
pub struct HistoryItem {
    pub at: DateTime<Utc>,
    pub what: HappeningApi,
    /// For an email: which one, and how its delivery went.
    #[oai(skip_serializing_if_is_none)]
    pub email: Option<MessageKindApi>,
    #[oai(skip_serializing_if_is_none)]
    pub email_status: Option<MessageStatusApi>,
    #[oai(skip_serializing_if_is_none)]
    pub sent_at: Option<DateTime<Utc>>,
    /// For a decision: the action (`rsvp.approve`, `rsvp.cancel`, ...), who, and what changed.
    #[oai(skip_serializing_if_is_none)]
    pub action: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub by: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub changes: Option<serde_json::Value>,
}

impl From<rsvp::HistoryEntry> for HistoryItem {
    fn from(e: rsvp::HistoryEntry) -> Self {
        let mut item = HistoryItem {
            at: e.at,
            what: HappeningApi::Registered,
            email: None,
            email_status: None,
            sent_at: None,
            action: None,
            by: None,
            changes: None,
        };
        match e.happening {
            rsvp::Happening::Registered => {}
            rsvp::Happening::Erased => item.what = HappeningApi::Erased,
            rsvp::Happening::Email { kind, status, sent_at } => {
                item.what = HappeningApi::Email;
                item.email = Some(kind.into());
                item.email_status = Some(status.into());
                item.sent_at = sent_at;
            }
            rsvp::Happening::Decision { action, by, summary } => {
                item.what = HappeningApi::Decision;
                item.action = Some(action);
                item.by = by.map(|(_, name)| name);
                item.changes = Some(summary);
            }
        }
        item
    }
}

#[derive(Debug, Object)]
pub struct RsvpHistory {
    pub rsvp: Rsvp,
    /// Oldest first.
    pub history: Vec<HistoryItem>,
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Rsvps")]
impl RsvpsApi {
    /// An RSVP and its history
    ///
    /// When it was made, every email it was owed (each marks a change of state) and how its
    /// delivery went, and the organizers' decisions about it, by whom.
    #[oai(path = "/rsvps/:id/history", method = "get", operation_id = "rsvp_history")]
    async fn rsvp_history(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<RsvpHistory>> {
        let (r, entries) = rsvp::history(self.state.db.reader(), &auth.0, RsvpId(id.0)).await?;
        Ok(Json(RsvpHistory {
            rsvp: r.into(),
            history: entries.into_iter().map(HistoryItem::from).collect(),
        }))
    }

    /// List an event's RSVPs
    ///
    /// In order of arrival (the waitlist's order among the waitlisted).
    #[oai(path = "/events/:id/rsvps", method = "get", operation_id = "list_rsvps")]
    #[allow(clippy::too_many_arguments)] // one per query parameter
    async fn list_rsvps(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        status: Query<Option<RsvpStatusApi>>,
        slot_id: Query<Option<Uuid>>,
        /// Some of the party came in at the door (`true`), or none did (`false`).
        checked_in: Query<Option<bool>>,
        /// `{question id}:{answer}`: RSVPs that chose that choice id, answered `yes` or `no`, or
        /// whose text answer contains it.
        #[oai(validator(max_length = 300))]
        answer: Query<Option<String>>,
        /// Text in the name, its reading or the email (any case), or the door code.
        #[oai(validator(max_length = 100))]
        q: Query<Option<String>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))] offset: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<Rsvp>>> {
        let filter = RsvpFilter {
            search: q.0,
            status: status.0.map(Into::into),
            slot: slot_id.0.map(SlotId),
            checked_in: checked_in.0,
            answer: match answer.0 {
                None => None,
                Some(raw) => match raw.split_once(':') {
                    Some((question, wanted)) => Some((question.to_owned(), wanted.to_owned())),
                    None => {
                        let invalid = ValidationErrors::single(
                            "answer",
                            "invalid",
                            "write it as {question id}:{answer}",
                        );
                        return Err(tsudoi_domain::Error::from(invalid).into());
                    }
                },
            },
            limit: limit.0.unwrap_or(MAX_LIMIT),
            offset: offset.0.unwrap_or(0),
        };
        let (_, rows) = rsvp::list(self.state.db.reader(), &auth.0, EventId(id.0), &filter).await?;
        Ok(Json(rows.into_iter().map(Rsvp::from).collect()))
    }

    /// Approve a request
    ///
    /// For events that take RSVPs by approval: the request gets its seat and the attendee their
    /// ticket by email. Refused (409 `not_enough_seats`, nothing changed) when the seat is not
    /// free; approving an approved RSVP again changes nothing.
    #[oai(path = "/rsvps/:id/approve", method = "post", operation_id = "approve_rsvp")]
    async fn approve_rsvp(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Rsvp>> {
        self.decide(&auth, id.0, Decision::Approve).await
    }

    /// Decline a request
    ///
    /// The attendee is told by email, with the note if one is given. Declining a declined
    /// request again changes nothing.
    #[oai(path = "/rsvps/:id/reject", method = "post", operation_id = "reject_rsvp")]
    async fn reject_rsvp(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: Json<Rejection>,
    ) -> ApiResult<Json<Rsvp>> {
        self.decide(&auth, id.0, Decision::Reject { note: body.0.note.unwrap_or_default() }).await
    }

    /// Offer a seat to a place on the waitlist
    ///
    /// For events whose organizers promote by hand (`auto_promote` false), or to pick someone
    /// out of turn: the seat is held for the attendee, who accepts it from the email within
    /// the offer window.
    #[oai(path = "/rsvps/:id/offer", method = "post", operation_id = "offer_seat")]
    async fn offer_seat(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Rsvp>> {
        self.decide(&auth, id.0, Decision::Offer).await
    }

    /// Move an RSVP to another slot
    ///
    /// A seat moves only if the other slot has room (409 `not_enough_seats` otherwise); the
    /// seats left behind go to that slot's waitlist, and a confirmed attendee gets a new ticket.
    #[oai(path = "/rsvps/:id/move", method = "post", operation_id = "move_rsvp")]
    async fn move_rsvp(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: Json<SlotMove>,
    ) -> ApiResult<Json<Rsvp>> {
        self.decide(&auth, id.0, Decision::Move { slot: SlotId(body.0.slot_id) }).await
    }

    /// Cancel an RSVP on the attendee's behalf
    ///
    /// As if the attendee had cancelled: the ticket stops working, the seat goes to the
    /// waitlist, and the attendee is told by email that the organizers cancelled it. Cancelling
    /// a cancelled RSVP changes nothing.
    #[oai(path = "/rsvps/:id/cancel", method = "post", operation_id = "cancel_rsvp")]
    async fn cancel_rsvp(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Rsvp>> {
        self.decide(&auth, id.0, Decision::Cancel).await
    }

    /// An event's lottery
    ///
    /// Before the draw, the SHA-256 of its seed; after it, the seed and every entry in drawn
    /// order, to re-run the draw.
    #[oai(path = "/events/:id/lottery", method = "get", operation_id = "get_lottery")]
    async fn get_lottery(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Lottery>> {
        let db = self.state.db.reader();
        let (details, _) = rsvp::list(db, &auth.0, EventId(id.0), &RsvpFilter::default()).await?;
        Ok(Json(lottery::state(db, &details.event).await?.into()))
    }

    /// Draw the lottery now
    ///
    /// Closes entries early and draws at once, instead of at `lottery_draw_at`. Refused when
    /// there is no entry with a confirmed email (409 `no_entries`) or the draw already ran.
    #[oai(path = "/events/:id/lottery/draw", method = "post", operation_id = "draw_lottery")]
    async fn draw_lottery(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Lottery>> {
        let state = &self.state;
        lottery::draw_now(state.db.writer(), &auth.0, EventId(id.0), state.now()).await?;
        state.mail_wake.notify_one();
        self.get_lottery(auth, id).await
    }

    /// Export an event's RSVPs as CSV
    ///
    /// Every RSVP, for Excel: headers in the hosting network's language, times in the event's
    /// time zone.
    #[oai(path = "/events/:id/rsvps.csv", method = "get", operation_id = "export_rsvps_csv")]
    async fn export_rsvps(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<CsvFile> {
        let filter = RsvpFilter { limit: u64::from(u32::MAX), ..RsvpFilter::default() };
        let (details, rows) = rsvp::list(self.state.db.reader(), &auth.0, EventId(id.0), &filter).await?;
        let file = rsvp::csv(&details, &rows, details.host.default_language)?;
        let disposition = format!("attachment; filename=\"rsvps-{}.csv\"", details.event.slug);
        Ok(CsvFile::Ok(Binary(file), disposition))
    }
}
