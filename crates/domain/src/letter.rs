//! Everything one outbox message needs to become an email, gathered from the database when it
//! is sent (so links are made again, times are current, and erased people get nothing): the
//! words go to `email-templates/`, the QR image and the `.ics` are made here, since pages need
//! them too.

use std::collections::{HashMap, hash_map::Entry};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    calendar,
    entity::{
        announcement, event_organizer, invitation, invitation_list, outbox, person, rsvp, sign_in_link,
        survey, survey_invitation, unsubscribe,
    },
    error::Result,
    event::{EventStatus, public::PublicEvent},
    format,
    ids::{AnnouncementId, EventId, InvitationId, MessageId, NetworkId, SignInLinkId},
    links::{LinkKind, Links},
    outbox::MessageKind,
    qr,
    rsvp::{RsvpStatus, waitlist_position},
    values::Language,
};

/// What every message says of its event, in the event's time zone and the reader's language.
#[derive(Clone, Debug, Default)]
pub struct EventFacts {
    pub title: String,
    pub when: String,
    pub place: Option<String>,
    pub access_notes: Option<String>,
    pub page_url: String,
}

/// The ticket as an email shows it.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub url: String,
    pub short_code: String,
    pub qr_png: Vec<u8>,
}

/// One message, ready for a template.
#[derive(Clone, Debug)]
pub struct Letter {
    pub id: MessageId,
    pub kind: MessageKind,
    pub to_email: String,
    pub to_name: String,
    /// The organizers' contact, for replies.
    pub reply_to: Option<(String, String)>,
    pub language: Language,
    pub guests: i32,
    pub waitlist_position: Option<u64>,
    pub event: EventFacts,
    pub manage_url: String,
    pub hold_until: Option<String>,
    pub offer_until: Option<String>,
    /// What a confirm-your-email message confirms: a held seat, or a place on the waitlist, a
    /// lottery entry or a request for approval, none of which holds a seat.
    pub confirms: RsvpStatus,
    pub ticket: Option<Ticket>,
    pub ics: Option<String>,
    /// What changed, in the reader's language (event changed).
    pub changes: Vec<String>,
    /// The organizers cancelled the RSVP, not the attendee.
    pub by_organizers: bool,
    /// What the organizers wrote: why a request was declined, a word with an invitation, an
    /// announcement's body.
    pub note: Option<String>,
    /// The attendee's slot, when the event has more than one.
    pub slot: Option<String>,
    /// When the lottery is drawn (an entry's message).
    pub draw_at: Option<String>,
    /// An announcement's subject (its body is the `note`).
    pub headline: Option<String>,
    /// An invitation's links: the RSVP form filled in, and the page to say "can't go".
    pub going_url: Option<String>,
    pub decline_url: Option<String>,
    /// Invitations and announcements: the page (and one-click `List-Unsubscribe` target) that
    /// stops them for this network.
    pub unsubscribe_url: Option<String>,
    pub survey: Option<SurveyLinks>,
    /// A dashboard sign-in link, and until when it works.
    pub sign_in: Option<(String, String)>,
    /// A welcome's network and the role there, in the reader's language.
    pub joined: Option<(String, String)>,
}

/// A survey as its email offers it: the link, each satisfaction answer as a link that opens
/// the survey with it chosen, and the closing date.
#[derive(Clone, Debug)]
pub struct SurveyLinks {
    pub url: String,
    /// The satisfaction question, and (label, link) for each of its answers, best first.
    pub question: Option<String>,
    pub answers: Vec<(String, String)>,
    pub closes: String,
}

/// The minimum QR size in emails, in pixels: sharp on a phone held up at the door.
const QR_PIXELS: u32 = 240;

/// Events of one batch of messages, loaded once each.
#[derive(Default)]
pub struct EventCache(HashMap<EventId, (PublicEvent, Option<(String, String)>)>);

impl EventCache {
    async fn get(
        &mut self,
        db: &impl ConnectionTrait,
        id: EventId,
    ) -> Result<&(PublicEvent, Option<(String, String)>)> {
        match self.0.entry(id) {
            Entry::Occupied(known) => Ok(known.into_mut()),
            Entry::Vacant(slot) => {
                let event = crate::event::public::event_by_id(db, id).await?;
                let contact = person::Entity::find()
                    .filter(
                        person::Column::Id.in_subquery(
                            sea_orm::sea_query::Query::select()
                                .column(event_organizer::Column::PersonId)
                                .from(event_organizer::Entity)
                                .and_where(event_organizer::Column::EventId.eq(id))
                                .to_owned(),
                        ),
                    )
                    .order_by_asc(person::Column::CreatedAt)
                    .one(db)
                    .await?
                    .map(|p| (p.display_name, p.email));
                Ok(slot.insert((event, contact)))
            }
        }
    }
}

/// The letter for `message`, or `None` when it is no longer owed: its attendee erased their
/// data, or the state it announces has passed (a confirm-your-RSVP for a hold that expired),
/// or its reader unsubscribed (invitations and announcements).
pub async fn prepare(
    db: &impl ConnectionTrait,
    links: &Links,
    events: &mut EventCache,
    message: &outbox::Model,
    now: DateTime<Utc>,
) -> Result<Option<Letter>> {
    match message.kind {
        MessageKind::Invitation => return prepare_invitation(db, links, events, message).await,
        MessageKind::SignIn | MessageKind::Welcome => return prepare_sign_in(db, links, message, now).await,
        _ => {}
    }
    let Some(event_id) = message.event_id else { return Ok(None) };
    let Some(rsvp_id) = message.rsvp_id else { return Ok(None) };
    let Some(rsvp) = rsvp::Entity::find_by_id(rsvp_id).one(db).await? else { return Ok(None) };
    let Some(to_email) = rsvp.email.clone() else { return Ok(None) };
    if !still_owed(message.kind, &rsvp) {
        return Ok(None);
    }
    let (event, reply_to) = events.get(db, event_id).await?;
    let e = &event.event;
    if e.status == EventStatus::Cancelled
        && !matches!(message.kind, MessageKind::EventCancelled | MessageKind::Cancelled)
    {
        return Ok(None);
    }
    let survey = match message.kind {
        MessageKind::SurveyInvitation | MessageKind::SurveyReminder => {
            match survey_links(db, links, message, &rsvp, &e.time_zone, now).await? {
                Some(survey) => Some(survey),
                None => return Ok(None),
            }
        }
        _ => None,
    };
    let (mut headline, mut note, mut unsubscribe_url) = (None, None, None);
    if message.kind == MessageKind::Announcement {
        let found = match message.batch_id {
            Some(batch) => announcement::Entity::find_by_id(AnnouncementId(batch)).one(db).await?,
            None => None,
        };
        let Some(found) = found else { return Ok(None) };
        if unsubscribed(db, e.network_id, &to_email).await? {
            return Ok(None);
        }
        headline = Some(found.subject);
        note = Some(found.body);
        unsubscribe_url = Some(links.unsubscribe_url(message.id));
    }
    let language = rsvp.language;
    let moment = |at: Option<DateTime<Utc>>| at.map(|at| format::moment(at, &e.time_zone, language));
    let ticket = if message.kind.carries_ticket() {
        let url = links.ticket_url(&rsvp);
        let qr_png = qr::png(&url, QR_PIXELS)?;
        Some(Ticket { url, short_code: rsvp.short_code.clone(), qr_png })
    } else {
        None
    };
    let ics = (message.kind.carries_ticket()
        || matches!(message.kind, MessageKind::EventChanged | MessageKind::EventCancelled))
    .then(|| calendar::event_ics(event, links.base_url(), now));
    let waitlist_position = match rsvp.status {
        RsvpStatus::Waitlisted => Some(waitlist_position(db, &rsvp).await?),
        _ => None,
    };
    let detail = |key: &str| message.details.as_ref().and_then(|d| d.get(key));
    let changes = detail("changes")
        .and_then(|c| c.as_array())
        .map(|c| c.iter().filter_map(|v| v.as_str()).map(|field| change_label(field, language)).collect())
        .unwrap_or_default();
    Ok(Some(Letter {
        id: message.id,
        kind: message.kind,
        to_email,
        to_name: rsvp.name.clone(),
        reply_to: reply_to.clone(),
        language,
        guests: rsvp.guests,
        waitlist_position,
        event: facts(event, language, links),
        manage_url: links.manage_url(&rsvp),
        hold_until: moment(rsvp.hold_expires_at),
        offer_until: moment(rsvp.offer_expires_at),
        confirms: rsvp.status,
        ticket,
        ics,
        changes,
        by_organizers: detail("by").is_some_and(|by| by == "organizers"),
        note: note.or_else(|| detail("note").and_then(|note| note.as_str()).map(str::to_owned)),
        slot: match event.slots.as_slice() {
            [_, _, ..] => event.slots.iter().find(|s| s.id == rsvp.slot_id).map(|s| s.name.clone()),
            _ => None,
        },
        draw_at: moment(e.lottery_draw_at),
        headline,
        going_url: None,
        decline_url: None,
        unsubscribe_url,
        survey,
        sign_in: None,
        joined: None,
    }))
}

/// An invitation from a list, in the host network's language.
async fn prepare_invitation(
    db: &impl ConnectionTrait,
    links: &Links,
    events: &mut EventCache,
    message: &outbox::Model,
) -> Result<Option<Letter>> {
    let Some(found) = invitation::Entity::find_by_id(InvitationId(message.id.uuid())).one(db).await? else {
        return Ok(None);
    };
    let Some(event_id) = message.event_id else { return Ok(None) };
    let (event, reply_to) = events.get(db, event_id).await?;
    if !crate::invitations::invitation_owed(db, &found, &event.event).await? {
        return Ok(None);
    }
    let list = invitation_list::Entity::find_by_id(found.list_id).one(db).await?;
    let language = event.host.default_language;
    let token = links.keyring.make(LinkKind::Invitation, found.id.uuid(), 0);
    let e = &event.event;
    Ok(Some(Letter {
        id: message.id,
        kind: message.kind,
        to_email: found.email.clone(),
        to_name: found.name.clone(),
        reply_to: reply_to.clone(),
        language,
        guests: 0,
        waitlist_position: None,
        event: facts(event, language, links),
        manage_url: String::new(),
        hold_until: None,
        offer_until: None,
        confirms: RsvpStatus::Holding,
        ticket: None,
        ics: None,
        changes: Vec::new(),
        by_organizers: false,
        note: list.and_then(|l| l.message),
        slot: None,
        draw_at: e.lottery_draw_at.map(|at| format::moment(at, &e.time_zone, language)),
        headline: None,
        going_url: Some(format!("{}/e/{}?invite={token}#rsvp", links.base_url(), e.slug)),
        decline_url: Some(format!("{}/i/{token}", links.base_url())),
        unsubscribe_url: Some(links.unsubscribe_url(message.id)),
        survey: None,
        sign_in: None,
        joined: None,
    }))
}

/// A message about `event` as an attendee called `name` would get it, for organizers to read
/// before they act (the dashboard's preview of a cancellation). Links point nowhere real.
pub fn preview(
    event: &PublicEvent,
    kind: MessageKind,
    language: Language,
    links: &Links,
    name: &str,
) -> Letter {
    Letter {
        id: MessageId::new(),
        kind,
        to_email: "attendee@example.invalid".to_owned(),
        to_name: name.to_owned(),
        reply_to: None,
        language,
        guests: 0,
        waitlist_position: None,
        event: facts(event, language, links),
        manage_url: format!("{}/r/…", links.base_url()),
        hold_until: None,
        offer_until: None,
        confirms: RsvpStatus::Confirmed,
        ticket: None,
        ics: None,
        changes: Vec::new(),
        by_organizers: true,
        note: None,
        slot: None,
        draw_at: None,
        headline: None,
        going_url: None,
        decline_url: None,
        unsubscribe_url: None,
        survey: None,
        sign_in: None,
        joined: None,
    }
}

/// A sign-in link, in the language of the page it was asked for on; `None` once it is used,
/// expired or ended by signing out everywhere (nobody needs a dead link).
async fn prepare_sign_in(
    db: &impl ConnectionTrait,
    links: &Links,
    message: &outbox::Model,
    now: DateTime<Utc>,
) -> Result<Option<Letter>> {
    let id = SignInLinkId(message.id.uuid());
    let Some(link) = sign_in_link::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    if link.used_at.is_some() || link.expires_at <= now {
        return Ok(None);
    }
    let Some(who) = person::Entity::find_by_id(link.person_id).one(db).await? else { return Ok(None) };
    let detail = |key: &str| message.details.as_ref().and_then(|d| d.get(key)).and_then(|v| v.as_str());
    // A welcome speaks the network's language and names it; a sign-in link speaks the language
    // of the page it was asked for on.
    let joined = match detail("network").and_then(|n| n.parse::<uuid::Uuid>().ok()) {
        Some(network_id) => {
            let network = crate::entity::network::Entity::find_by_id(NetworkId(network_id)).one(db).await?;
            let role = crate::entity::membership::Entity::find_by_id((NetworkId(network_id), who.id))
                .one(db)
                .await?;
            match (network, role) {
                (Some(network), Some(membership)) => Some((network, membership.role)),
                // Removed meanwhile: the welcome is no longer true.
                _ => return Ok(None),
            }
        }
        None => None,
    };
    let language = match &joined {
        Some((network, _)) => network.default_language,
        None => detail("language").and_then(|l| Language::parse(l).ok()).unwrap_or(Language::Ja),
    };
    // The time zone of the network joined, or of the person's first; Tokyo for most.
    let zone = match &joined {
        Some((network, _)) => network.time_zone.clone(),
        None => first_network_zone(db, who.id).await?.unwrap_or_else(|| "Asia/Tokyo".to_owned()),
    };
    Ok(Some(Letter {
        id: message.id,
        kind: message.kind,
        to_email: who.email,
        to_name: who.display_name,
        reply_to: None,
        language,
        guests: 0,
        waitlist_position: None,
        event: EventFacts::default(),
        manage_url: String::new(),
        hold_until: None,
        offer_until: None,
        confirms: RsvpStatus::Holding,
        ticket: None,
        ics: None,
        changes: Vec::new(),
        by_organizers: false,
        note: None,
        slot: None,
        draw_at: None,
        headline: None,
        going_url: None,
        decline_url: None,
        unsubscribe_url: None,
        survey: None,
        sign_in: Some((links.sign_in_url(id), format::moment(link.expires_at, &zone, language))),
        joined: joined.map(|(network, role)| (network.name, role_label(role, language).to_owned())),
    }))
}

/// The time zone of the first network `person` joined.
async fn first_network_zone(
    db: &impl ConnectionTrait,
    person: crate::ids::PersonId,
) -> Result<Option<String>> {
    use crate::entity::{membership, network};
    let first = network::Entity::find()
        .filter(
            network::Column::Id.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(membership::Column::NetworkId)
                    .from(membership::Entity)
                    .and_where(membership::Column::PersonId.eq(person))
                    .to_owned(),
            ),
        )
        .order_by_asc(network::Column::CreatedAt)
        .one(db)
        .await?;
    Ok(first.map(|n| n.time_zone))
}

/// A role as an email names it.
fn role_label(role: crate::access::Role, language: Language) -> &'static str {
    use crate::access::Role;
    match (role, language) {
        (Role::Owner, Language::Ja) => "オーナー",
        (Role::Organizer, Language::Ja) => "主催者",
        (Role::DoorStaff, Language::Ja) => "受付スタッフ",
        (Role::Owner, Language::En) => "owner",
        (Role::Organizer, Language::En) => "organizer",
        (Role::DoorStaff, Language::En) => "door staff",
    }
}

/// The links of a survey email, or `None` when it is no longer owed: the survey closed (or was
/// removed), or a reminder's reader has answered meanwhile.
async fn survey_links(
    db: &impl ConnectionTrait,
    links: &Links,
    message: &outbox::Model,
    rsvp: &rsvp::Model,
    time_zone: &str,
    now: DateTime<Utc>,
) -> Result<Option<SurveyLinks>> {
    let Some(event_id) = message.event_id else { return Ok(None) };
    let Some(found) = survey::Entity::find().filter(survey::Column::EventId.eq(event_id)).one(db).await?
    else {
        return Ok(None);
    };
    let invitation = survey_invitation::Entity::find()
        .filter(survey_invitation::Column::SurveyId.eq(found.id))
        .filter(survey_invitation::Column::RsvpId.eq(rsvp.id))
        .one(db)
        .await?;
    let Some(invitation) = invitation else { return Ok(None) };
    let answered = invitation.responded_at.is_some() && message.kind == MessageKind::SurveyReminder;
    if now >= found.closes_at || answered {
        return Ok(None);
    }
    let language = rsvp.language;
    let url = links.survey_url(&invitation);
    let satisfaction = crate::survey::satisfaction_question(&found.questions);
    let answers = satisfaction
        .map(|q| {
            crate::questions::RATING_LABELS
                .iter()
                .map(|(point, ja, en)| {
                    let label = if language == Language::Ja { ja } else { en };
                    ((*label).to_owned(), format!("{url}?{}={point}", q.id))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(SurveyLinks {
        question: satisfaction.map(|q| q.label.in_language(language).to_owned()),
        answers,
        closes: format::moment(found.closes_at, time_zone, language),
        url,
    }))
}

async fn unsubscribed(db: &impl ConnectionTrait, network: NetworkId, email: &str) -> Result<bool> {
    Ok(unsubscribe::Entity::find_by_id((network, email.to_owned())).one(db).await?.is_some())
}

/// What every message says of its event, in `language`.
fn facts(event: &PublicEvent, language: Language, links: &Links) -> EventFacts {
    let e = &event.event;
    EventFacts {
        title: e.title.clone(),
        when: format::when(e.starts_at, e.ends_at, &e.time_zone, language),
        place: event.venue.as_ref().map(|v| format!("{} ({})", v.name, v.address)).or_else(|| {
            e.online_url.as_ref().map(|_| {
                match language {
                    Language::Ja => "オンライン",
                    Language::En => "Online",
                }
                .to_owned()
            })
        }),
        access_notes: event.venue.as_ref().and_then(|v| v.access_notes.clone()),
        page_url: links.event_url(&e.slug),
    }
}

/// Whether the state a message announces still holds when it is sent.
fn still_owed(kind: MessageKind, rsvp: &rsvp::Model) -> bool {
    match kind {
        MessageKind::ConfirmRsvp => !rsvp.verified && rsvp.status.is_active(),
        MessageKind::Confirmed | MessageKind::Promoted | MessageKind::Reminder => {
            rsvp.status == RsvpStatus::Confirmed
        }
        MessageKind::Waitlisted => rsvp.status == RsvpStatus::Waitlisted,
        MessageKind::LotteryEntered => rsvp.status == RsvpStatus::Entered,
        MessageKind::ApprovalRequested => rsvp.status == RsvpStatus::Pending,
        MessageKind::LotteryWon | MessageKind::Approved | MessageKind::SlotChanged => {
            rsvp.status == RsvpStatus::Confirmed
        }
        MessageKind::LotteryNotWon => matches!(rsvp.status, RsvpStatus::Waitlisted | RsvpStatus::NotSelected),
        MessageKind::Rejected => rsvp.status == RsvpStatus::Rejected,
        MessageKind::Announcement => rsvp.status.is_active(),
        // Prepared from the invitation, not an RSVP.
        MessageKind::Invitation => false,
        // Checked against the survey itself.
        MessageKind::SurveyInvitation | MessageKind::SurveyReminder => true,
        MessageKind::Offered => rsvp.status == RsvpStatus::Offered,
        MessageKind::Cancelled => rsvp.status == RsvpStatus::Cancelled,
        MessageKind::EventChanged | MessageKind::EventCancelled => true,
        // Prepared from the sign-in link, not an RSVP.
        MessageKind::SignIn | MessageKind::Welcome => false,
    }
}

/// The name of a changed field, as attendees read it.
fn change_label(field: &str, language: Language) -> String {
    let (ja, en) = match field {
        "title" => ("イベント名", "Title"),
        "time" => ("日時", "Date and time"),
        "place" => ("会場", "Venue"),
        "description" => ("内容", "Description"),
        other => (other, other),
    };
    match language {
        Language::Ja => ja,
        Language::En => en,
    }
    .to_owned()
}
