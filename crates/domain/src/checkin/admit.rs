//! Letting people in. A scan (`scan_request`) or a check-in from search (`search_request`)
//! becomes a request; a door storm's requests are answered in batches (see the HTTP layer's
//! group commit). A batch reads what its requests need (`Snapshot`, read by `store` in the
//! batch's transaction, where nobody else can change it), `decide`s here what each request comes
//! to, in order and each exactly as if it had been alone, and `store` writes the decision: one
//! conditional update of the parties let in, one insert of their check-ins, one commit.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::FromQueryResult;

use super::{Fees, FirstCheckIn, Outcome, Scan, ScanResult, at_door_with, code_of};
use crate::{
    db::direct::from_row,
    entity::{check_in, door_pass, event_slot, rsvp},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    ids::{CheckInId, EventId, RsvpId, SlotId},
    links::{Keyring, LinkKind},
    rsvp::RsvpStatus,
};

const NONCE_MAX: usize = 64;
/// Longer than any ticket URL a scanner reads.
const SCANNED_MAX: usize = 500;
/// More than any party (the event's guest limit is far lower).
const PARTY_MAX: i32 = 100;
/// How long after a pass's hours its offline scans are still taken.
pub const OFFLINE_GRACE: chrono::Duration = chrono::Duration::hours(12);

/// A check-in asked for at a pass: a scanned ticket, or an RSVP found by search.
#[derive(Clone, Debug)]
pub struct Request {
    pub(super) pass: door_pass::Model,
    pub(super) target: Target,
    pub(super) people: Option<i32>,
    pub(super) nonce: Option<String>,
    pub(super) scanned_at: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Target {
    Ticket { id: RsvpId, version: u32 },
    Found(RsvpId),
}

impl Target {
    pub(super) fn id(self) -> RsvpId {
        match self {
            Target::Ticket { id, .. } | Target::Found(id) => id,
        }
    }
}

/// A scan as a request, or its answer when it is no ticket at all (no database needed).
pub fn scan_request(
    keyring: &Keyring,
    pass: &door_pass::Model,
    scan: Scan,
    now: DateTime<Utc>,
) -> Result<Result<Request, Outcome>> {
    let nonce = checked(scan.nonce.as_deref(), &scan.code, scan.people)?;
    let Some(opened) = code_of(&scan.code).and_then(|code| keyring.open(LinkKind::Ticket, &code)) else {
        return Ok(Err(Outcome::red(ScanResult::Unknown)));
    };
    Ok(Ok(Request {
        pass: pass.clone(),
        target: Target::Ticket { id: RsvpId(opened.id), version: opened.version },
        people: scan.people,
        nonce,
        // A scan that waited offline counts when it was made (never later than now).
        scanned_at: scan.scanned_at.map_or(now, |at| std::cmp::min(at, now)),
    }))
}

/// A check-in of an RSVP found by search, as a request.
pub fn search_request(
    pass: &door_pass::Model,
    id: RsvpId,
    people: Option<i32>,
    nonce: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Request> {
    if pass.scan_only {
        return Err(Error::Forbidden("a scan-only pass cannot check in from search"));
    }
    let nonce = checked(nonce, "", people)?;
    Ok(Request { pass: pass.clone(), target: Target::Found(id), people, nonce, scanned_at: now })
}

/// The trimmed nonce, once the fields are within bounds.
fn checked(nonce: Option<&str>, code: &str, people: Option<i32>) -> Result<Option<String>> {
    let nonce = nonce.map(str::trim).filter(|n| !n.is_empty());
    let mut errors = ValidationErrors::new();
    if nonce.is_some_and(|n| n.len() > NONCE_MAX) {
        errors.add("nonce", "too_long", format!("at most {NONCE_MAX} characters"));
    }
    if code.chars().count() > SCANNED_MAX {
        errors.add("code", "too_long", format!("at most {SCANNED_MAX} characters"));
    }
    match people {
        Some(n) if n < 1 => errors.add("people", "too_small", "at least 1"),
        Some(n) if n > PARTY_MAX => errors.add("people", "too_large", format!("at most {PARTY_MAX}")),
        _ => {}
    }
    errors.into_result()?;
    Ok(nonce.map(str::to_owned))
}

/// An RSVP as the door needs it.
#[derive(Clone, Debug, FromQueryResult)]
pub(crate) struct Party {
    pub id: RsvpId,
    pub event_id: EventId,
    pub slot_id: SlotId,
    pub name: String,
    pub name_reading: Option<String>,
    pub short_code: String,
    pub guests: i32,
    pub status: RsvpStatus,
    pub ticket_version: i32,
    /// People of the party through the door.
    pub checked_in: i32,
}

from_row!(Party {
    id,
    event_id,
    slot_id,
    name,
    name_reading,
    short_code,
    guests,
    status,
    ticket_version,
    checked_in
});

impl Party {
    pub(crate) const COLUMNS: [rsvp::Column; 10] = [
        rsvp::Column::Id,
        rsvp::Column::EventId,
        rsvp::Column::SlotId,
        rsvp::Column::Name,
        rsvp::Column::NameReading,
        rsvp::Column::ShortCode,
        rsvp::Column::Guests,
        rsvp::Column::Status,
        rsvp::Column::TicketVersion,
        rsvp::Column::CheckedIn,
    ];

    /// The person and their guests.
    pub(crate) fn size(&self) -> i32 {
        1 + self.guests
    }
}

impl From<&rsvp::Model> for Party {
    fn from(r: &rsvp::Model) -> Self {
        Party {
            id: r.id,
            event_id: r.event_id,
            slot_id: r.slot_id,
            name: r.name.clone(),
            name_reading: r.name_reading.clone(),
            short_code: r.short_code.clone(),
            guests: r.guests,
            status: r.status,
            ticket_version: r.ticket_version,
            checked_in: r.checked_in,
        }
    }
}

/// A check-in recorded earlier with the nonce of a request retried since.
#[derive(Clone, Debug, FromQueryResult)]
pub(crate) struct Retried {
    pub id: CheckInId,
    pub event_id: EventId,
    pub rsvp_id: RsvpId,
    pub nonce: String,
    pub people: i32,
    pub fee_paid: Option<i32>,
}

from_row!(Retried { id, event_id, rsvp_id, nonce, people, fee_paid });

/// A check-in that stands (not undone), of a party of the batch.
#[derive(Clone, Debug, FromQueryResult)]
pub(crate) struct Standing {
    pub id: CheckInId,
    pub rsvp_id: RsvpId,
    pub scanned_at: DateTime<Utc>,
    pub gate: String,
}

from_row!(Standing { id, rsvp_id, scanned_at, gate });

/// What a batch's requests are about: the store reads the `Snapshot` from them.
pub(crate) struct Keys {
    pub events: Vec<EventId>,
    /// The RSVPs asked for.
    pub targets: Vec<RsvpId>,
    /// The requests' nonces, each with its pass's event (check-ins keep nonces per event).
    pub nonces: Vec<(EventId, String)>,
}

impl Keys {
    pub(crate) fn of(requests: &[Request]) -> Keys {
        let mut events: Vec<EventId> = requests.iter().map(|r| r.pass.event_id).collect();
        let mut targets: Vec<RsvpId> = requests.iter().map(|r| r.target.id()).collect();
        let mut nonces: Vec<(EventId, String)> =
            requests.iter().filter_map(|r| Some((r.pass.event_id, r.nonce.clone()?))).collect();
        events.sort_unstable();
        events.dedup();
        targets.sort_unstable();
        targets.dedup();
        nonces.sort_unstable();
        nonces.dedup();
        Keys { events, targets, nonces }
    }
}

/// What a batch reads before it decides, in its transaction.
pub(crate) struct Snapshot {
    /// The parties asked for, and those of retried requests' first check-ins.
    pub parties: HashMap<RsvpId, Party>,
    pub retried: Vec<Retried>,
    /// The check-ins that stand of the parties asked for.
    pub standing: Vec<Standing>,
    pub slots: Vec<event_slot::Model>,
    pub fees: Fees,
}

/// What a batch comes to: the answers, and what to write for them.
pub(crate) struct Decision {
    pub answers: Vec<Result<Outcome>>,
    /// The parties let in, each with how many of its people (all of this batch's check-ins).
    pub admitted: Vec<(RsvpId, i32)>,
    pub check_ins: Vec<check_in::Model>,
}

/// Each request in order, as if it had been alone: a party let in by one request is in for the
/// next, and a retried request gets its first answer again.
pub(crate) fn decide(requests: &[Request], snapshot: Snapshot, now: DateTime<Utc>) -> Decision {
    let Snapshot { mut parties, retried, standing, slots, fees } = snapshot;
    let door = |p: &Party| {
        let own: Vec<event_slot::Model> =
            slots.iter().filter(|s| s.event_id == p.event_id).cloned().collect();
        at_door_with(&own, p)
    };
    let mut firsts = Firsts::default();
    for s in &standing {
        firsts.keep(s.rsvp_id, s.scanned_at, s.id, &s.gate);
    }

    let mut decision =
        Decision { answers: Vec::with_capacity(requests.len()), admitted: Vec::new(), check_ins: Vec::new() };
    let mut nonces: HashMap<(EventId, &str), usize> = HashMap::new();
    for (i, request) in requests.iter().enumerate() {
        let event_id = request.pass.event_id;
        let nonce = request.nonce.as_deref();
        if let Some(&first) = nonce.and_then(|n| nonces.get(&(event_id, n))) {
            // The same scan twice in one batch: its answer again.
            let again = match &decision.answers[first] {
                Ok(outcome) => Ok(outcome.clone()),
                Err(_) => Err(Error::Conflict(Conflict::Concurrent)),
            };
            decision.answers.push(again);
            continue;
        }
        if let Some(n) = nonce {
            nonces.insert((event_id, n), i);
        }
        if let Some(c) = nonce.and_then(|n| retried.iter().find(|c| c.event_id == event_id && c.nonce == n)) {
            let party = parties.get(&c.rsvp_id);
            decision.answers.push(Ok(Outcome {
                result: ScanResult::Ok,
                attendee: party.map(&door),
                check_in: Some(c.id),
                first: None,
                fee: party.and_then(|p| fees.due(p.slot_id, c.people, c.fee_paid.is_some())),
            }));
            continue;
        }
        let answer = match plan(request, parties.get_mut(&request.target.id()), now) {
            Plan::NotFound => Err(Error::NotFound(Resource::Rsvp)),
            Plan::Red(result, party) => {
                Ok(Outcome { result, attendee: party.map(&door), check_in: None, first: None, fee: None })
            }
            Plan::AllIn(party) => Ok(Outcome {
                result: ScanResult::Already,
                attendee: Some(door(party)),
                check_in: None,
                first: firsts.of(party.id),
                fee: None,
            }),
            Plan::Admit(party, people) => {
                party.checked_in += people;
                let check_in = check_in::Model {
                    id: CheckInId::new(),
                    event_id: party.event_id,
                    rsvp_id: party.id,
                    pass_id: Some(request.pass.id),
                    gate: request.pass.label.clone(),
                    people,
                    nonce: request.nonce.clone(),
                    scanned_at: request.scanned_at,
                    recorded_at: now,
                    undone_at: None,
                    fee_paid: None,
                    fee_paid_at: None,
                    duplicate_of: None,
                };
                firsts.keep(party.id, check_in.scanned_at, check_in.id, &check_in.gate);
                match decision.admitted.iter_mut().find(|(id, _)| *id == party.id) {
                    Some((_, total)) => *total += people,
                    None => decision.admitted.push((party.id, people)),
                }
                let outcome = Outcome {
                    result: ScanResult::Ok,
                    attendee: Some(door(party)),
                    check_in: Some(check_in.id),
                    first: None,
                    fee: fees.due(party.slot_id, people, false),
                };
                decision.check_ins.push(check_in);
                Ok(outcome)
            }
        };
        decision.answers.push(answer);
    }
    decision
}

/// Each party's first check-in that stands: the earliest, the first recorded of a tie.
#[derive(Default)]
struct Firsts(HashMap<RsvpId, (DateTime<Utc>, CheckInId, String)>);

impl Firsts {
    fn keep(&mut self, party: RsvpId, at: DateTime<Utc>, id: CheckInId, gate: &str) {
        let first = self.0.entry(party).or_insert_with(|| (at, id, gate.to_owned()));
        if (at, id) < (first.0, first.1) {
            *first = (at, id, gate.to_owned());
        }
    }

    fn of(&self, party: RsvpId) -> Option<FirstCheckIn> {
        self.0.get(&party).map(|(at, _, gate)| FirstCheckIn { at: *at, gate: gate.clone() })
    }
}

/// What a request that is no retry comes to.
enum Plan<'a> {
    /// A party found by search that is not of this event.
    NotFound,
    /// May not come in (with the party, when there is one to show).
    Red(ScanResult, Option<&'a Party>),
    /// The party is all in already.
    AllIn(&'a Party),
    /// Some of the party come in: so many.
    Admit(&'a mut Party, i32),
}

/// What a request comes to, given its party as it is now.
fn plan<'a>(request: &Request, found: Option<&'a mut Party>, now: DateTime<Utc>) -> Plan<'a> {
    let pass = &request.pass;
    // A scan counts at the time it was made, within the pass's hours; one made offline may
    // arrive a while after they end, but not later than that.
    let late = now > pass.valid_until + OFFLINE_GRACE;
    if late || request.scanned_at < pass.valid_from || request.scanned_at > pass.valid_until {
        return Plan::Red(ScanResult::DoorClosed, None);
    }
    let (party, version) = match (request.target, found) {
        (Target::Ticket { .. }, None) => return Plan::Red(ScanResult::Unknown, None),
        (Target::Ticket { .. }, Some(p)) if p.event_id != pass.event_id => {
            return Plan::Red(ScanResult::WrongEvent, None);
        }
        (Target::Ticket { version, .. }, Some(p)) => (p, Some(version)),
        (Target::Found(_), Some(p)) if p.event_id == pass.event_id => (p, None),
        (Target::Found(_), _) => return Plan::NotFound,
    };
    if let Some(red) = red_for(party, version) {
        return Plan::Red(red, Some(party));
    }
    let remaining = party.size() - party.checked_in;
    match request.people.map_or(remaining, |n| std::cmp::min(n, remaining)) {
        people if people > 0 => Plan::Admit(party, people),
        _ => Plan::AllIn(party),
    }
}

/// Why a party may not come in, if it may not (`version`: the scanned ticket's).
fn red_for(party: &Party, version: Option<u32>) -> Option<ScanResult> {
    match party.status {
        RsvpStatus::Confirmed if version.is_some_and(|v| i64::from(party.ticket_version) != i64::from(v)) => {
            Some(ScanResult::Revoked)
        }
        RsvpStatus::Confirmed => None,
        RsvpStatus::Cancelled | RsvpStatus::Expired | RsvpStatus::Rejected | RsvpStatus::NotSelected => {
            Some(ScanResult::Cancelled)
        }
        RsvpStatus::Waitlisted | RsvpStatus::Entered | RsvpStatus::Pending => Some(ScanResult::Waitlisted),
        RsvpStatus::Holding | RsvpStatus::Offered => Some(ScanResult::NotConfirmed),
    }
}
