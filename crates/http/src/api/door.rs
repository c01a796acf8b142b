//! Check-in at the door: organizers make door passes (`/door/{pass}` links for staff), and
//! scanners (the door page, or any other app) redeem tickets with a pass in `X-Door-Pass`.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use tsudoi_domain::{
    checkin::{
        self, AtDoor, Attendance, DoorStatus, FeeDue, NewPass, OfflineScan, Outcome, Scan, ScanResult, WalkIn,
    },
    entity::door_pass,
    ids::{CheckInId, DoorPassId, EventId, RsvpId, SlotId},
    qr,
    values::Language,
};
use uuid::Uuid;

use super::{
    ApiTags,
    rsvps::RsvpStatusApi,
    types::{Created, LanguageApi},
};
use crate::{
    auth::{DoorPassAuth, TokenAuth},
    body::{FrameBody, JsonBody},
    problem::{ApiResult, Problem, problem_of_error},
    state::AppState,
};

pub struct DoorApi {
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum ScanResultApi {
    /// Green: welcome in.
    Ok,
    /// Amber: the whole party is already in (`first` says when and where).
    Already,
    /// Red: not a ticket.
    Unknown,
    /// Red: a ticket of another event.
    WrongEvent,
    /// Red: cancelled, expired, declined or not selected.
    Cancelled,
    /// Red: on the waitlist, or a lottery entry or request not decided yet.
    Waitlisted,
    /// Red: a seat held or offered, not confirmed.
    NotConfirmed,
    /// Red: an older ticket of this RSVP.
    Revoked,
    /// Red: the pass is not open now.
    DoorClosed,
}

impl From<ScanResult> for ScanResultApi {
    fn from(r: ScanResult) -> Self {
        match r {
            ScanResult::Ok => ScanResultApi::Ok,
            ScanResult::Already => ScanResultApi::Already,
            ScanResult::Unknown => ScanResultApi::Unknown,
            ScanResult::WrongEvent => ScanResultApi::WrongEvent,
            ScanResult::Cancelled => ScanResultApi::Cancelled,
            ScanResult::Waitlisted => ScanResultApi::Waitlisted,
            ScanResult::NotConfirmed => ScanResultApi::NotConfirmed,
            ScanResult::Revoked => ScanResultApi::Revoked,
            ScanResult::DoorClosed => ScanResultApi::DoorClosed,
        }
    }
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct ScanInput {
    /// What was scanned or typed: the ticket URL or its code (full-width characters are fine).
    #[oai(validator(max_length = 500))]
    pub code: String,
    /// The scanner's id for this scan: sending it again returns the first answer.
    #[oai(validator(max_length = 64))]
    pub nonce: Option<String>,
    /// When the code was scanned, for scans that waited offline; default now.
    pub scanned_at: Option<DateTime<Utc>>,
    /// How many of the party come in now; default all who are not in yet.
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub people: Option<i32>,
}

#[derive(Debug, Object)]
pub struct Attendee {
    pub rsvp_id: Uuid,
    pub name: String,
    #[oai(skip_serializing_if_is_none)]
    pub name_reading: Option<String>,
    pub door_code: String,
    /// The person and their guests.
    pub party: i32,
    /// How many of them are in.
    pub checked_in: i32,
    #[oai(skip_serializing_if_is_none)]
    pub slot: Option<String>,
}

impl From<AtDoor> for Attendee {
    fn from(a: AtDoor) -> Self {
        Attendee {
            rsvp_id: a.rsvp_id.uuid(),
            name: a.name,
            name_reading: a.name_reading,
            door_code: a.short_code,
            party: a.party,
            checked_in: a.checked_in,
            slot: a.slot,
        }
    }
}

#[derive(Debug, Object)]
pub struct FirstCheckIn {
    pub at: DateTime<Utc>,
    pub gate: String,
}

/// The door fee (会費) the people let in owe.
#[derive(Debug, Object)]
pub struct DoorFee {
    /// In the currency's smallest unit (yen; cents for euros).
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// Marked paid at the door (`POST /v1/door/check-ins/{id}/fee`).
    pub paid: bool,
}

impl From<FeeDue> for DoorFee {
    fn from(f: FeeDue) -> Self {
        DoorFee { amount: f.amount, currency: f.currency, paid: f.paid }
    }
}

#[derive(Debug, Object)]
pub struct ScanAnswer {
    pub result: ScanResultApi,
    #[oai(skip_serializing_if_is_none)]
    pub attendee: Option<Attendee>,
    /// The check-in this scan made, to undo it.
    #[oai(skip_serializing_if_is_none)]
    pub check_in_id: Option<Uuid>,
    /// For `already`: the party's first check-in.
    #[oai(skip_serializing_if_is_none)]
    pub first: Option<FirstCheckIn>,
    /// For `ok`, when the event or the slot has a door fee: what the people let in owe.
    #[oai(skip_serializing_if_is_none)]
    pub fee: Option<DoorFee>,
}

impl From<Outcome> for ScanAnswer {
    fn from(o: Outcome) -> Self {
        ScanAnswer {
            result: o.result.into(),
            attendee: o.attendee.map(Attendee::from),
            check_in_id: o.check_in.map(CheckInId::uuid),
            first: o.first.map(|f| FirstCheckIn { at: f.at, gate: f.gate }),
            fee: o.fee.map(DoorFee::from),
        }
    }
}

#[derive(Debug, Object)]
pub struct SlotCount {
    pub slot_id: Uuid,
    pub name: String,
    pub checked_in: i64,
    pub expected: i64,
}

#[derive(Debug, Object)]
pub struct GateCount {
    pub gate: String,
    pub checked_in: i64,
}

/// People in and expected (confirmed parties), overall, per slot and per gate.
#[derive(Debug, Object)]
pub struct DoorCounts {
    pub checked_in: i64,
    pub expected: i64,
    pub slots: Vec<SlotCount>,
    pub gates: Vec<GateCount>,
    /// Door fees taken, in the currency's smallest unit.
    pub fees_collected: i64,
    /// ISO 4217 code of the event's door fee.
    pub fee_currency: String,
}

impl From<DoorStatus> for DoorCounts {
    fn from(s: DoorStatus) -> Self {
        DoorCounts {
            checked_in: s.checked_in,
            expected: s.expected,
            slots: s
                .slots
                .into_iter()
                .map(|(id, name, checked_in, expected)| SlotCount {
                    slot_id: id.uuid(),
                    name,
                    checked_in,
                    expected,
                })
                .collect(),
            gates: s.gates.into_iter().map(|(gate, checked_in)| GateCount { gate, checked_in }).collect(),
            fees_collected: s.fees_collected,
            fee_currency: s.fee_currency,
        }
    }
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct CheckInInput {
    /// The scanner's id for this check-in: sending it again returns the first answer.
    #[oai(validator(max_length = 64))]
    pub nonce: Option<String>,
    /// How many of the party come in now; default all who are not in yet.
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub people: Option<i32>,
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct WalkInInput {
    #[oai(validator(max_length = 100))]
    pub name: String,
    #[oai(validator(max_length = 100))]
    pub name_reading: Option<String>,
    /// For the ticket by email (and later the survey); optional.
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    pub guests: Option<i64>,
    /// Needed when the event has more than one slot.
    pub slot_id: Option<Uuid>,
    /// For emails; default Japanese.
    pub language: Option<LanguageApi>,
}

/// What a camera frame showed.
#[derive(Debug, Object)]
pub struct FrameReading {
    /// The text of the QR code in the frame (a ticket URL, say): scan it with
    /// `POST /v1/door/scans`.
    #[oai(skip_serializing_if_is_none)]
    pub code: Option<String>,
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

/// A scan made offline: a ticket's `code`, or the `rsvp_id` of someone found by search in the
/// roster.
#[derive(Debug, Object, serde::Deserialize)]
pub struct OfflineScanInput {
    /// What was scanned or typed (leave it out with `rsvp_id`).
    #[oai(default)]
    #[serde(default)]
    #[oai(validator(max_length = 500))]
    pub code: String,
    /// Someone found by search in the roster and checked in (not for scan-only passes).
    pub rsvp_id: Option<Uuid>,
    /// The scanner's id for this scan: an upload sent again is answered, not counted, again.
    #[oai(validator(max_length = 64))]
    pub nonce: Option<String>,
    /// When the scan was made.
    pub scanned_at: Option<DateTime<Utc>>,
    /// How many of the party came in; default all who were not in yet.
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    pub people: Option<i32>,
}

/// Scans made offline, uploaded when the network returns.
#[derive(Debug, Object, serde::Deserialize)]
pub struct ScanBatch {
    #[oai(validator(max_items = 500))]
    pub scans: Vec<OfflineScanInput>,
}

/// The answer to one uploaded scan: `answer`, or `problem` when the scan itself was malformed.
#[derive(Debug, Object)]
pub struct BatchAnswer {
    #[oai(skip_serializing_if_is_none)]
    pub answer: Option<ScanAnswer>,
    /// Later check-ins of the same people at other gates, undone because this scan, made
    /// offline, came first (the earliest scan wins).
    pub duplicates: Vec<FirstCheckIn>,
    #[oai(skip_serializing_if_is_none)]
    pub problem: Option<Problem>,
}

/// One attendee in the door roster.
#[derive(Debug, Object)]
pub struct RosterEntryApi {
    pub attendee: Attendee,
    pub status: RsvpStatusApi,
    /// SHA-256 (lowercase hex) of the current ticket's code, the part of the ticket URL after
    /// `/t/`: hash what a scan reads to find the attendee without the network.
    pub ticket_hash: String,
    /// The door fee per person, when the event or the slot has one.
    #[oai(skip_serializing_if_is_none)]
    pub fee: Option<i64>,
}

/// What a scanner keeps for going on offline.
#[derive(Debug, Object)]
pub struct DoorRoster {
    /// Send it back as `since` to fetch only what changed after it.
    pub version: DateTime<Utc>,
    /// The whole roster (no `since`), or only changed entries (which replace earlier copies).
    pub complete: bool,
    /// ISO 4217 code of the door fees.
    pub fee_currency: String,
    pub entries: Vec<RosterEntryApi>,
}

/// An attendee found by search, and where their RSVP stands.
#[derive(Debug, Object)]
pub struct FoundAttendee {
    pub attendee: Attendee,
    pub status: RsvpStatusApi,
}

/// A new pass with its link and the link's QR code.
fn issued_pass(state: &AppState, issued: checkin::IssuedPass) -> tsudoi_domain::Result<IssuedDoorPass> {
    let url = format!("{}/door/{}", state.base_url, issued.token);
    let qr_svg = qr::svg(&url).map_err(tsudoi_domain::Error::Unexpected)?;
    Ok(IssuedDoorPass { pass: issued.pass.into(), token: issued.token, url, qr_svg })
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Door")]
impl DoorApi {
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
        Ok(Json(pass.into()))
    }

    /// Scan a ticket
    ///
    /// Checks in the party behind a ticket code (or as many of it as `people` says). Two gates
    /// scanning one ticket at once: exactly one gets `ok`, the other `already`. Every case a
    /// door meets is a `result`, never an error.
    #[oai(path = "/door/scans", method = "post", operation_id = "scan_ticket")]
    async fn scan(&self, pass: DoorPassAuth, body: JsonBody<ScanInput>) -> ApiResult<Json<ScanAnswer>> {
        let state = &self.state;
        let b = body.0;
        let scan = Scan { code: b.code, nonce: b.nonce, scanned_at: b.scanned_at, people: b.people };
        let outcome = match checkin::scan_request(&state.links.keyring, &pass.0, scan, state.now())? {
            Ok(request) => state.door_queue.write(request).await?,
            Err(answer) => answer,
        };
        Ok(Json(outcome.into()))
    }

    /// Read a QR code from a camera frame
    ///
    /// For cameras in browsers that do not read QR codes themselves: the frame as 8-bit
    /// grayscale pixels, row by row (`width` × `height` bytes, at most 1280 a side and 1 MiB).
    /// Answers the code's text, if one could be read; checks nobody in.
    #[oai(path = "/door/frames", method = "post", operation_id = "read_frame")]
    async fn frame(
        &self,
        _pass: DoorPassAuth,
        width: Query<u32>,
        height: Query<u32>,
        body: FrameBody,
    ) -> ApiResult<Json<FrameReading>> {
        // Decoding takes milliseconds of CPU: off the request threads.
        let code = tokio::task::spawn_blocking(move || qr::read(width.0, height.0, &body.0))
            .await
            .map_err(|err| tsudoi_domain::Error::Unexpected(err.into()))??;
        Ok(Json(FrameReading { code }))
    }

    /// Upload scans made offline
    ///
    /// Each scan is answered as it would have been online, in the order the scans were made
    /// (`scanned_at`); at most 500 per upload. When two gates let one ticket in while offline,
    /// the earliest scan wins: the later check-in is undone and listed as its `duplicates`.
    #[oai(path = "/door/scans/batch", method = "post", operation_id = "upload_offline_scans")]
    async fn batch(
        &self,
        pass: DoorPassAuth,
        body: JsonBody<ScanBatch>,
    ) -> ApiResult<Json<Vec<BatchAnswer>>> {
        let state = &self.state;
        let scans = body
            .0
            .scans
            .into_iter()
            .map(|b| OfflineScan {
                scan: Scan { code: b.code, nonce: b.nonce, scanned_at: b.scanned_at, people: b.people },
                rsvp: b.rsvp_id.map(RsvpId),
            })
            .collect();
        let synced =
            checkin::sync(state.db.writer(), &state.links.keyring, &pass.0, scans, state.now()).await?;
        Ok(Json(
            synced
                .into_iter()
                .map(|s| match s {
                    Ok(s) => BatchAnswer {
                        answer: Some(s.outcome.into()),
                        duplicates: s
                            .duplicates
                            .into_iter()
                            .map(|f| FirstCheckIn { at: f.at, gate: f.gate })
                            .collect(),
                        problem: None,
                    },
                    Err(err) => BatchAnswer {
                        answer: None,
                        duplicates: Vec::new(),
                        problem: Some(problem_of_error(err)),
                    },
                })
                .collect(),
        ))
    }

    /// The door roster
    ///
    /// Everyone registered for the event, for a scanner to go on when the network drops: names,
    /// readings and door codes for search, and each ticket only as a hash. With `since` (the
    /// `version` of the copy held), only what changed. Not for scan-only passes (403).
    #[oai(path = "/door/roster", method = "get", operation_id = "door_roster")]
    async fn roster(
        &self,
        pass: DoorPassAuth,
        since: Query<Option<DateTime<Utc>>>,
    ) -> ApiResult<Json<DoorRoster>> {
        let state = &self.state;
        let roster = checkin::roster(state.db.reader(), &state.links, &pass.0, since.0, state.now()).await?;
        Ok(Json(DoorRoster {
            version: roster.version,
            complete: roster.complete,
            fee_currency: roster.fee_currency,
            entries: roster
                .entries
                .into_iter()
                .map(|e| RosterEntryApi {
                    attendee: e.attendee.into(),
                    status: e.status.into(),
                    ticket_hash: e.ticket_hash,
                    fee: e.fee,
                })
                .collect(),
        }))
    }

    /// Search attendees
    ///
    /// By name, name reading (furigana), email or door code, as people type them: full-width
    /// and half-width alike, hiragana and katakana alike, spaces ignored. Those with a seat come
    /// first; at most 20. Not for scan-only passes (403).
    #[oai(path = "/door/search", method = "get", operation_id = "door_search")]
    async fn search(
        &self,
        pass: DoorPassAuth,
        #[oai(validator(max_length = 100))] q: Query<String>,
    ) -> ApiResult<Json<Vec<FoundAttendee>>> {
        let found = checkin::search(self.state.db.reader(), &pass.0, &q.0).await?;
        Ok(Json(
            found
                .into_iter()
                .map(|f| FoundAttendee { attendee: f.attendee.into(), status: f.status.into() })
                .collect(),
        ))
    }

    /// Check in an attendee found by search
    ///
    /// As a scan of their ticket would; not for scan-only passes (403).
    #[oai(path = "/door/rsvps/:id/check-in", method = "post", operation_id = "door_check_in")]
    async fn check_in(
        &self,
        pass: DoorPassAuth,
        id: Path<Uuid>,
        body: JsonBody<CheckInInput>,
    ) -> ApiResult<Json<ScanAnswer>> {
        let state = &self.state;
        let b = body.0;
        let request =
            checkin::search_request(&pass.0, RsvpId(id.0), b.people, b.nonce.as_deref(), state.now())?;
        Ok(Json(state.door_queue.write(request).await?.into()))
    }

    /// Register a walk-in
    ///
    /// Someone without an RSVP, if a seat is free (409 `not_enough_seats` otherwise): they are
    /// registered as confirmed and checked in at once (the answer is that of a scan, with the
    /// door fee they owe); with an email address, their ticket is emailed too. Not for
    /// scan-only passes (403).
    #[oai(path = "/door/walk-ins", method = "post", operation_id = "door_walk_in")]
    async fn walk_in(
        &self,
        pass: DoorPassAuth,
        body: JsonBody<WalkInInput>,
    ) -> ApiResult<Created<ScanAnswer>> {
        let state = &self.state;
        let b = body.0;
        let form = WalkIn {
            name: b.name,
            name_reading: b.name_reading.unwrap_or_default(),
            email: b.email.unwrap_or_default(),
            guests: b.guests.unwrap_or(0),
            slot: b.slot_id.map(SlotId),
            language: b.language.map_or(Language::Ja, Into::into),
        };
        let outcome = checkin::walk_in(state.db.writer(), &pass.0, form, state.now()).await?;
        state.mail_wake.notify_one();
        Ok(Created::Created(Json(outcome.into())))
    }

    /// Mark a door fee paid
    ///
    /// The people of a check-in paid their door fee (cash, at the door). Marking it twice is the
    /// same as once. 409 `no_door_fee` when the event and slot have none, `check_in_undone` for
    /// an undone check-in; not for scan-only passes (403).
    #[oai(path = "/door/check-ins/:id/fee", method = "post", operation_id = "mark_door_fee_paid")]
    async fn fee_paid(&self, pass: DoorPassAuth, id: Path<Uuid>) -> ApiResult<Json<DoorFee>> {
        let state = &self.state;
        let fee = checkin::mark_paid(state.db.writer(), &pass.0, CheckInId(id.0), state.now()).await?;
        Ok(Json(fee.into()))
    }

    /// Undo a check-in
    ///
    /// Recorded, not deleted: its people count as outside again. Undoing twice is the same as
    /// once.
    #[oai(path = "/door/check-ins/:id/undo", method = "post", operation_id = "undo_check_in")]
    async fn undo(&self, pass: DoorPassAuth, id: Path<Uuid>) -> ApiResult<Json<Attendee>> {
        let state = &self.state;
        let attendee = checkin::undo(state.db.writer(), &pass.0, CheckInId(id.0), state.now()).await?;
        Ok(Json(attendee.into()))
    }

    /// Counts at the door
    ///
    /// People in and expected, per slot and per gate, from the database (so every instance
    /// agrees).
    #[oai(path = "/door/status", method = "get", operation_id = "door_status")]
    async fn status(&self, pass: DoorPassAuth) -> ApiResult<Json<DoorCounts>> {
        Ok(Json(checkin::status(self.state.db.reader(), &pass.0).await?.into()))
    }
}
