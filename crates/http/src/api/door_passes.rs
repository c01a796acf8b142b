//! The organizers' side of the door: door passes (`/door/{pass}` links for staff), the
//! scanner door staff open for themselves, and attendance. The scanners' side is in `door`.

use chrono::{DateTime, Utc};
use poem_openapi::{Object, OpenApi, param::Path, payload::Json};
use tsudoi_domain::{
    checkin::{self, Attendance, NewPass},
    entity::door_pass,
    ids::{DoorPassId, EventId},
    qr,
};
use uuid::Uuid;

use super::{
    ApiTags,
    door::{GateCount, SlotCount},
    types::Created,
};
use crate::{auth::TokenAuth, body::JsonBody, problem::ApiResult, state::AppState};

pub struct DoorPassesApi {
    pub state: AppState,
}

#[derive(Debug, Object)]
pub struct DoorPass {
    pub id: Uuid,
    pub event_id: Uuid,
    /// Check-ins made with the pass are recorded at this gate.
    pub label: String,
    /// Scanning only: no search and no roster.
    pub scan_only: bool,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<door_pass::Model> for DoorPass {
    fn from(p: door_pass::Model) -> Self {
        DoorPass {
            id: p.id.uuid(),
            event_id: p.event_id.uuid(),
            label: p.label,
            scan_only: p.scan_only,
            valid_from: p.valid_from,
            valid_until: p.valid_until,
            revoked_at: p.revoked_at,
            created_at: p.created_at,
        }
    }
}

/// A new pass: its link and token are shown this once.
#[derive(Debug, Object)]
pub struct IssuedDoorPass {
    pub pass: DoorPass,
    /// For the check-in API's `X-Door-Pass` header.
    pub token: String,
    /// The scanner page to hand to staff.
    pub url: String,
    /// The same link as a QR code (SVG), to scan onto a phone.
    pub qr_svg: String,
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct NewDoorPass {
    /// "Gate A", "受付1": where check-ins made with the pass are recorded (up to 50 characters).
    #[oai(validator(max_length = 50))]
    pub label: String,
    /// Scanning only (no search or roster), for volunteers. Default false.
    #[oai(default)]
    #[serde(default)]
    pub scan_only: bool,
    /// Default: 3 hours before the start.
    pub valid_from: Option<DateTime<Utc>>,
    /// Default: 3 hours after the end.
    pub valid_until: Option<DateTime<Utc>>,
}

/// People who arrived in one quarter hour.
#[derive(Debug, Object)]
pub struct Arrivals {
    /// The start of the quarter hour (UTC).
    pub at: DateTime<Utc>,
    pub people: i64,
}

/// A confirmed party of whom nobody came.
#[derive(Debug, Object)]
pub struct NoShowApi {
    pub rsvp_id: Uuid,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub email: Option<String>,
    pub party: i32,
}

/// Who came, for the organizers.
#[derive(Debug, Object)]
pub struct AttendanceReport {
    /// People with a confirmed seat (each party with its guests).
    pub expected: i64,
    pub checked_in: i64,
    /// Checked in / expected, 0 to 1 (0 when nobody is expected).
    pub attendance_rate: f64,
    /// Expected people who did not come.
    pub no_show_people: i64,
    /// Confirmed parties, and those of whom at least one came.
    pub parties: i64,
    pub parties_in: i64,
    pub slots: Vec<SlotCount>,
    pub gates: Vec<GateCount>,
    /// People in per quarter hour, by when they were scanned.
    pub arrivals: Vec<Arrivals>,
    pub no_shows: Vec<NoShowApi>,
    /// ISO 4217 code of the door fees.
    pub fee_currency: String,
    /// The door fees of the people in, in the currency's smallest unit.
    pub fees_due: i64,
    /// What door staff marked taken.
    pub fees_collected: i64,
}

impl From<Attendance> for AttendanceReport {
    fn from(a: Attendance) -> Self {
        #[allow(clippy::cast_precision_loss)] // counts of people, far below 2^52
        let attendance_rate = if a.expected > 0 { a.checked_in as f64 / a.expected as f64 } else { 0.0 };
        AttendanceReport {
            expected: a.expected,
            checked_in: a.checked_in,
            attendance_rate,
            no_show_people: (a.expected - a.checked_in).max(0),
            parties: a.parties,
            parties_in: a.parties_in,
            slots: a
                .slots
                .into_iter()
                .map(|s| SlotCount {
                    slot_id: s.slot_id.uuid(),
                    name: s.name,
                    checked_in: s.checked_in,
                    expected: s.expected,
                })
                .collect(),
            gates: a.gates.into_iter().map(|(gate, checked_in)| GateCount { gate, checked_in }).collect(),
            arrivals: a.arrivals.into_iter().map(|(at, people)| Arrivals { at, people }).collect(),
            no_shows: a
                .no_shows
                .into_iter()
                .map(|n| NoShowApi {
                    rsvp_id: n.rsvp_id.uuid(),
                    name: n.name,
                    email: n.email,
                    party: n.party,
                })
                .collect(),
            fee_currency: a.fee_currency,
            fees_due: a.fees_due,
            fees_collected: a.fees_collected,
        }
    }
}

/// A new pass with its link and the link's QR code.
fn issued_pass(state: &AppState, issued: checkin::IssuedPass) -> tsudoi_domain::Result<IssuedDoorPass> {
    let url = format!("{}/door/{}", state.base_url, issued.token);
    let qr_svg = qr::svg(&url).map_err(tsudoi_domain::Error::Unexpected)?;
    Ok(IssuedDoorPass { pass: issued.pass.into(), token: issued.token, url, qr_svg })
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Door")]
impl DoorPassesApi {
    /// Make a door pass
    ///
    /// A link for door staff (`/door/{token}`) that checks in the event's attendees within its
    /// hours, until revoked. The token is shown once.
    #[oai(path = "/events/:id/door-passes", method = "post", operation_id = "create_door_pass")]
    async fn create_pass(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        body: JsonBody<NewDoorPass>,
    ) -> ApiResult<Created<IssuedDoorPass>> {
        let state = &self.state;
        let b = body.0;
        let new = NewPass {
            label: b.label,
            scan_only: b.scan_only,
            valid_from: b.valid_from,
            valid_until: b.valid_until,
        };
        let issued = checkin::create(state.db.writer(), &auth.0, EventId(id.0), new, state.now()).await?;
        Ok(Created::Created(Json(issued_pass(state, issued)?)))
    }

    /// Open the scanner
    ///
    /// For the network's door staff (and organizers): a pass of their own for any event of the
    /// network or a co-host, labelled with their name and open for the event's door hours, so
    /// that they need not be handed a link. The token is shown once.
    #[oai(path = "/events/:id/scanner", method = "post", operation_id = "open_scanner")]
    async fn open_scanner(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Created<IssuedDoorPass>> {
        let state = &self.state;
        let issued = checkin::open_scanner(state.db.writer(), &auth.0, EventId(id.0), state.now()).await?;
        Ok(Created::Created(Json(issued_pass(state, issued)?)))
    }

    /// An event's door passes
    #[oai(path = "/events/:id/door-passes", method = "get", operation_id = "list_door_passes")]
    async fn list_passes(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<Vec<DoorPass>>> {
        let passes = checkin::list(self.state.db.reader(), &auth.0, EventId(id.0)).await?;
        Ok(Json(passes.into_iter().map(DoorPass::from).collect()))
    }

    /// Attendance
    ///
    /// Who came of those expected, per slot and gate, arrivals per quarter hour, the confirmed
    /// parties of whom nobody came, and the door fees due and taken. Live during the event,
    /// final after it.
    #[oai(path = "/events/:id/attendance", method = "get", operation_id = "event_attendance")]
    async fn attendance(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<AttendanceReport>> {
        Ok(Json(checkin::attendance(self.state.db.reader(), &auth.0, EventId(id.0)).await?.into()))
    }

    /// Revoke a door pass
    ///
    /// Its link stops working at once. Revoking twice is the same as once.
    #[oai(path = "/door-passes/:id/revoke", method = "post", operation_id = "revoke_door_pass")]
    async fn revoke_pass(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<DoorPass>> {
        let state = &self.state;
        let pass = checkin::revoke(state.db.writer(), &auth.0, DoorPassId(id.0), state.now()).await?;
        state.door_passes.forget(pass.id);
        Ok(Json(pass.into()))
    }
}
