//! Check-in at the door, for scanners (the door page, or any other app) with a pass in
//! `X-Door-Pass`: scans, search, walk-ins, fees, undo, counts, the offline roster and uploads,
//! camera frames. The organizers' side (passes, attendance) is in `door_passes`.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Enum, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use tsudoi_domain::{
    checkin::{self, AtDoor, DoorStatus, FeeDue, OfflineScan, Outcome, Scan, ScanResult, WalkIn},
    ids::{CheckInId, RsvpId, SlotId},
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
    auth::DoorPassAuth,
    body::{FrameBody, JsonBody},
    problem::{ApiResult, Problem, problem_of_error},
    state::AppState,
};

pub struct DoorApi {
    pub state: AppState,
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
    #[oai(nullable)]
    pub nonce: Option<String>,
    /// When the code was scanned, for scans that waited offline; default now.
    #[oai(nullable)]
    pub scanned_at: Option<DateTime<Utc>>,
    /// How many of the party come in now; default all who are not in yet.
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    #[oai(nullable)]
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
    #[oai(nullable)]
    pub nonce: Option<String>,
    /// How many of the party come in now; default all who are not in yet.
    #[oai(validator(minimum(value = "1"), maximum(value = "100")))]
    #[oai(nullable)]
    pub people: Option<i32>,
}

#[derive(Debug, Object, serde::Deserialize)]
pub struct WalkInInput {
    #[oai(validator(max_length = 100))]
    pub name: String,
    #[oai(validator(max_length = 100))]
    #[oai(nullable)]
    pub name_reading: Option<String>,
    /// For the ticket by email (and later the survey); optional.
    #[oai(validator(max_length = 254))]
    #[oai(nullable)]
    pub email: Option<String>,
    #[oai(validator(minimum(value = "0"), maximum(value = "10")))]
    #[oai(nullable)]
    pub guests: Option<i64>,
    /// Needed when the event has more than one slot.
    #[oai(nullable)]
    pub slot_id: Option<Uuid>,
    /// For emails; default Japanese.
    #[oai(nullable)]
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

/// A scan made offline: a ticket's `code`, or the `rsvp_id` of someone found by search in the
/// roster. The limits below are checked scan by scan: a scan beyond them is answered with its
/// own `problem`, and the rest of the upload goes through (one bad scan queued on a phone must
/// not hold back the others).
#[derive(Debug, Object, serde::Deserialize)]
pub struct OfflineScanInput {
    /// What was scanned or typed, at most 500 characters (leave it out with `rsvp_id`).
    #[oai(default)]
    #[serde(default)]
    pub code: String,
    /// Someone found by search in the roster and checked in (not for scan-only passes).
    #[oai(nullable)]
    pub rsvp_id: Option<Uuid>,
    /// The scanner's id for this scan, at most 64 characters: an upload sent again is
    /// answered, not counted, again.
    #[oai(nullable)]
    pub nonce: Option<String>,
    /// When the scan was made.
    #[oai(nullable)]
    pub scanned_at: Option<DateTime<Utc>>,
    /// How many of the party came in, 1 to 100; default all who were not in yet.
    #[oai(nullable)]
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

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Door")]
impl DoorApi {
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
