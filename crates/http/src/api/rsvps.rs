//! The organizers' view of an event's RSVPs: a filtered list and the CSV export. Co-hosting
//! networks' organizers see the same; door staff and everyone else get 404.

use chrono::{DateTime, Utc};
use poem_openapi::{
    ApiResponse, Enum, Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use tsudoi_domain::{
    entity::rsvp as rsvp_entity,
    ids::{EventId, RsvpId, SlotId},
    rsvp::{self, RsvpFilter, RsvpStatus},
};
use uuid::Uuid;

use super::{ApiTags, types::MAX_LIMIT};
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
    /// A hold, an offer or an unconfirmed waitlist place that ran out.
    Expired,
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
            door_code: r.short_code,
            registered_at: r.queued_at,
            confirmed_at: r.confirmed_at,
            hold_expires_at: r.hold_expires_at,
            offer_expires_at: r.offer_expires_at,
            cancelled_at: r.cancelled_at,
            erased: r.erased_at.is_some(),
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

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Rsvps")]
impl RsvpsApi {
    /// List an event's RSVPs
    ///
    /// In order of arrival (the waitlist's order among the waitlisted).
    #[oai(path = "/events/:id/rsvps", method = "get", operation_id = "list_rsvps")]
    async fn list_rsvps(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        status: Query<Option<RsvpStatusApi>>,
        slot_id: Query<Option<Uuid>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "1000")))] limit: Query<Option<u64>>,
        #[oai(validator(minimum(value = "0"), maximum(value = "1000000")))] offset: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<Rsvp>>> {
        let filter = RsvpFilter {
            status: status.0.map(Into::into),
            slot: slot_id.0.map(SlotId),
            limit: limit.0.unwrap_or(MAX_LIMIT),
            offset: offset.0.unwrap_or(0),
        };
        let (_, rows) = rsvp::list(self.state.db.reader(), &auth.0, EventId(id.0), &filter).await?;
        Ok(Json(rows.into_iter().map(Rsvp::from).collect()))
    }

    /// Cancel an RSVP on the attendee's behalf
    ///
    /// As if the attendee had cancelled: the ticket stops working, the seat goes to the
    /// waitlist, and the attendee is told by email that the organizers cancelled it. Cancelling
    /// a cancelled RSVP changes nothing.
    #[oai(path = "/rsvps/:id/cancel", method = "post", operation_id = "cancel_rsvp")]
    async fn cancel_rsvp(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Rsvp>> {
        let state = &self.state;
        let cancelled =
            rsvp::cancel_for(state.db.writer(), &auth.0, RsvpId(id.0), &state.policy, state.now()).await?;
        state.mail_wake.notify_one();
        Ok(Json(cancelled.into()))
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
