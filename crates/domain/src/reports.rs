//! Reports across events, for organizers: a series edition by edition (RSVPs, attendance,
//! satisfaction, who came back), and a network's supporters over a year (for the yearly
//! awards: the newcomer, the most active). Each reads a few grouped queries (one row per
//! event) and adds up in memory, so 50 editions with 20,000 RSVPs stay well under 100 ms.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, Func},
};

use crate::{
    access::{Actor, Permission},
    entity::{event, event_organizer, network, person, rsvp, series, survey, survey_tally},
    error::{Error, Resource, Result},
    event::EventStatus,
    ids::{EventId, NetworkId, PersonId, SeriesId, SurveyId},
    rsvp::RsvpStatus,
    survey::{recommend_question, results::percent, satisfaction_question},
};

/// One edition of a series.
#[derive(Clone, Debug, PartialEq)]
pub struct Edition {
    pub event_id: EventId,
    pub edition: Option<i32>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub time_zone: String,
    /// Confirmed RSVPs (parties).
    pub rsvps: i64,
    /// Confirmed parties of whom someone came.
    pub attended: i64,
    /// People through the door.
    pub people_in: i64,
    /// Of confirmed parties, in percent; none before the event ends.
    pub attendance_rate: Option<f64>,
    pub no_show_rate: Option<f64>,
    /// Attendees who came to an earlier edition, and those who came for the first time.
    pub repeaters: i64,
    pub first_timers: i64,
    pub responses: i64,
    /// Satisfaction: "very satisfied" of those who answered, in percent; its mean (1-5); NPS.
    pub top_box: Option<f64>,
    pub satisfaction_mean: Option<f64>,
    pub nps: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SeriesReport {
    pub series_id: SeriesId,
    pub name: String,
    /// The network's language, for charts and exports.
    pub language: crate::values::Language,
    pub editions: Vec<Edition>,
}

/// The satisfaction figures of a survey, from its answer counts.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Satisfaction {
    responses: i64,
    /// Of the satisfaction question: answers, very satisfied, and the sum of points.
    rated: i64,
    very: i64,
    points: i64,
    /// Of the 0-10 question: answers, promoters, detractors.
    recommended: i64,
    promoters: i64,
    detractors: i64,
}

impl Satisfaction {
    fn top_box(&self) -> Option<f64> {
        (self.rated > 0).then(|| percent(self.very, self.rated))
    }

    fn mean(&self) -> Option<f64> {
        (self.rated > 0).then(|| (self.points as f64 * 100.0 / self.rated as f64).round() / 100.0)
    }

    fn nps(&self) -> Option<i64> {
        (self.recommended > 0).then(|| {
            ((self.promoters - self.detractors) as f64 * 100.0 / self.recommended as f64).round() as i64
        })
    }
}

/// The satisfaction of each event's survey, by event.
async fn satisfaction(
    db: &impl ConnectionTrait,
    events: &[EventId],
) -> Result<HashMap<EventId, Satisfaction>> {
    let surveys =
        survey::Entity::find().filter(survey::Column::EventId.is_in(events.to_vec())).all(db).await?;
    let mut asked: HashMap<SurveyId, (EventId, Option<String>, Option<String>)> = HashMap::new();
    for s in &surveys {
        let rating = satisfaction_question(&s.questions).map(|q| q.id.clone());
        let recommend = recommend_question(&s.questions).map(|q| q.id.clone());
        asked.insert(s.id, (s.event_id, rating, recommend));
    }
    let tallies = survey_tally::Entity::find()
        .filter(survey_tally::Column::SurveyId.is_in(asked.keys().copied().collect::<Vec<_>>()))
        .all(db)
        .await?;
    let mut by_event: HashMap<EventId, Satisfaction> = HashMap::new();
    for s in &surveys {
        by_event.entry(s.event_id).or_default().responses = s.responses;
    }
    for t in tallies {
        let Some((event_id, rating, recommend)) = asked.get(&t.survey_id) else { continue };
        let s = by_event.entry(*event_id).or_default();
        let point: Option<i64> = t.value.parse().ok();
        if rating.as_deref() == Some(t.question_id.as_str()) {
            match point {
                None => s.rated += t.count,
                Some(p) => {
                    s.points += p * t.count;
                    if p == 5 {
                        s.very += t.count;
                    }
                }
            }
        } else if recommend.as_deref() == Some(t.question_id.as_str()) {
            match point {
                None => s.recommended += t.count,
                Some(p) if p >= 9 => s.promoters += t.count,
                Some(p) if p <= 6 => s.detractors += t.count,
                Some(_) => {}
            }
        }
    }
    Ok(by_event)
}

/// Per edition, the attendees (confirmed parties of whom someone came) who had come to an
/// earlier edition of `events` (in date order), by email address (kept lowercase). The
/// addresses come as one row per edition, joined by newlines (which no address holds), so
/// 20,000 RSVPs cost 50 rows rather than 20,000.
async fn repeaters(db: &impl ConnectionTrait, events: &[EventId]) -> Result<HashMap<EventId, i64>> {
    let aggregate = match db.get_database_backend() {
        DbBackend::Postgres => "STRING_AGG",
        _ => "GROUP_CONCAT",
    };
    let joined = Func::cust(Alias::new(aggregate)).arg(Expr::col(rsvp::Column::Email)).arg(Expr::val("\n"));
    let rows: Vec<(EventId, Option<String>)> = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::EventId)
        .column_as(Expr::from(joined), "emails")
        .filter(rsvp::Column::EventId.is_in(events.to_vec()))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
        .filter(rsvp::Column::CheckedIn.gt(0))
        .filter(rsvp::Column::Email.is_not_null())
        .group_by(rsvp::Column::EventId)
        .into_tuple()
        .all(db)
        .await?;
    let by_event: HashMap<EventId, String> =
        rows.into_iter().map(|(id, emails)| (id, emails.unwrap_or_default())).collect();
    let mut seen: HashSet<&str> = HashSet::new();
    let mut counts = HashMap::new();
    for id in events {
        let Some(emails) = by_event.get(id) else { continue };
        let came: Vec<&str> = emails.split('\n').filter(|e| !e.is_empty()).collect();
        counts.insert(*id, came.iter().filter(|e| seen.contains(*e)).count() as i64);
        seen.extend(came);
    }
    Ok(counts)
}

/// A series edition by edition (published and held or upcoming; cancelled ones left out).
pub async fn series_report(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: SeriesId,
    now: DateTime<Utc>,
) -> Result<SeriesReport> {
    let found = series::Entity::find_by_id(id).one(db).await?.ok_or(Error::NotFound(Resource::Series))?;
    // What attendees did is for organizers; door staff and strangers get 404.
    actor.require(found.network_id, Permission::ManageEvents, Resource::Series).map_err(|err| match err {
        Error::Forbidden(_) => Error::NotFound(Resource::Series),
        other => other,
    })?;
    let events = event::Entity::find()
        .filter(event::Column::SeriesId.eq(id))
        .filter(event::Column::Status.eq(EventStatus::Published))
        .order_by_asc(event::Column::StartsAt)
        .all(db)
        .await?;
    let ids: Vec<EventId> = events.iter().map(|e| e.id).collect();
    let confirmed = || {
        rsvp::Entity::find()
            .select_only()
            .column(rsvp::Column::EventId)
            .column_as(rsvp::Column::Id.count(), "parties")
            .filter(rsvp::Column::EventId.is_in(ids.clone()))
            .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
            .group_by(rsvp::Column::EventId)
    };
    let parties: HashMap<EventId, i64> =
        confirmed().into_tuple::<(EventId, i64)>().all(db).await?.into_iter().collect();
    let came: HashMap<EventId, (i64, i64)> = confirmed()
        .column_as(rsvp::Column::CheckedIn.sum(), "people")
        .filter(rsvp::Column::CheckedIn.gt(0))
        .into_tuple::<(EventId, i64, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(id, parties, people)| (id, (parties, people.unwrap_or(0))))
        .collect();
    let repeaters = repeaters(db, &ids).await?;
    let satisfaction = satisfaction(db, &ids).await?;
    let editions = events
        .into_iter()
        .map(|e| {
            let rsvps = parties.get(&e.id).copied().unwrap_or(0);
            let (attended, people_in) = came.get(&e.id).copied().unwrap_or((0, 0));
            let repeaters = repeaters.get(&e.id).copied().unwrap_or(0);
            let over = e.ends_at <= now && rsvps > 0;
            let s = satisfaction.get(&e.id).copied().unwrap_or_default();
            Edition {
                event_id: e.id,
                edition: e.edition,
                title: e.title,
                starts_at: e.starts_at,
                time_zone: e.time_zone,
                rsvps,
                attended,
                people_in,
                attendance_rate: over.then(|| percent(attended, rsvps)),
                no_show_rate: over.then(|| percent(rsvps - attended, rsvps)),
                repeaters,
                first_timers: attended - repeaters,
                responses: s.responses,
                top_box: s.top_box(),
                satisfaction_mean: s.mean(),
                nps: s.nps(),
            }
        })
        .collect();
    let language = network::Entity::find_by_id(found.network_id)
        .one(db)
        .await?
        .map_or(crate::values::Language::Ja, |n| n.default_language);
    Ok(SeriesReport { series_id: found.id, name: found.name, language, editions })
}

/// The year a supporter report covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    /// January to December.
    Calendar(i32),
    /// The Japanese fiscal year: April of the year to March of the next (令和/年度).
    Fiscal(i32),
}

impl Period {
    /// Its first and first-after moments, in `time_zone`.
    pub fn bounds(self, time_zone: &str) -> (DateTime<Utc>, DateTime<Utc>) {
        let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
        let (from, to) = match self {
            Period::Calendar(y) => ((y, 1), (y + 1, 1)),
            Period::Fiscal(y) => ((y, 4), (y + 1, 4)),
        };
        let at = |(year, month): (i32, u32)| {
            NaiveDate::from_ymd_opt(year, month, 1)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| {
                    // A midnight skipped by a clock change: the same wall time read as UTC.
                    tz.from_local_datetime(&d)
                        .earliest()
                        .map_or_else(|| d.and_utc(), |d| d.with_timezone(&Utc))
                })
                .unwrap_or(DateTime::<Utc>::MIN_UTC)
        };
        (at(from), at(to))
    }
}

/// One supporter's year.
#[derive(Clone, Debug, PartialEq)]
pub struct Supporter {
    pub person_id: PersonId,
    pub name: String,
    /// Events they organized in the period (published; cancelled ones left out).
    pub events: i64,
    /// People through the door at those events.
    pub attendees: i64,
    /// The mean satisfaction (1-5) of every answer to those events' surveys.
    pub satisfaction_mean: Option<f64>,
    /// Their first event in this network ever, and whether it falls in the period.
    pub first_event_at: DateTime<Utc>,
    pub newcomer: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SupporterReport {
    pub network_id: NetworkId,
    pub period: Period,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Most events first, then most attendees.
    pub supporters: Vec<Supporter>,
}

pub async fn supporters(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: NetworkId,
    period: Period,
) -> Result<SupporterReport> {
    actor.require(network_id, Permission::ManageEvents, Resource::Network).map_err(|err| match err {
        Error::Forbidden(_) => Error::NotFound(Resource::Network),
        other => other,
    })?;
    let network =
        network::Entity::find_by_id(network_id).one(db).await?.ok_or(Error::NotFound(Resource::Network))?;
    let (from, until) = period.bounds(&network.time_zone);
    let events: Vec<(EventId, DateTime<Utc>, PersonId)> = event_organizer::Entity::find()
        .select_only()
        .column(event_organizer::Column::EventId)
        .column(event::Column::StartsAt)
        .column(event_organizer::Column::PersonId)
        .join(
            sea_orm::JoinType::InnerJoin,
            event_organizer::Entity::belongs_to(event::Entity)
                .from(event_organizer::Column::EventId)
                .to(event::Column::Id)
                .into(),
        )
        .filter(crate::event::of_network(network_id))
        .filter(event::Column::Status.eq(EventStatus::Published))
        .filter(event::Column::StartsAt.lt(until))
        .into_tuple()
        .all(db)
        .await?;
    let in_period: Vec<EventId> =
        events.iter().filter(|(_, at, _)| *at >= from).map(|(id, ..)| *id).collect();
    let people_in: Vec<(EventId, Option<i64>)> = rsvp::Entity::find()
        .select_only()
        .column(rsvp::Column::EventId)
        .column_as(rsvp::Column::CheckedIn.sum(), "people")
        .filter(rsvp::Column::EventId.is_in(in_period.clone()))
        .filter(rsvp::Column::Status.eq(RsvpStatus::Confirmed))
        .group_by(rsvp::Column::EventId)
        .into_tuple()
        .all(db)
        .await?;
    let people_in: HashMap<EventId, i64> =
        people_in.into_iter().map(|(id, n)| (id, n.unwrap_or(0))).collect();
    let satisfaction = satisfaction(db, &in_period).await?;
    let mut by_person: HashMap<PersonId, (Satisfaction, Supporter)> = HashMap::new();
    for (event_id, starts_at, person_id) in events {
        let (s, supporter) = by_person.entry(person_id).or_insert_with(|| {
            let blank = Supporter {
                person_id,
                name: String::new(),
                events: 0,
                attendees: 0,
                satisfaction_mean: None,
                first_event_at: starts_at,
                newcomer: false,
            };
            (Satisfaction::default(), blank)
        });
        supporter.first_event_at = std::cmp::min(supporter.first_event_at, starts_at);
        if starts_at >= from {
            supporter.events += 1;
            supporter.attendees += people_in.get(&event_id).copied().unwrap_or(0);
            if let Some(e) = satisfaction.get(&event_id) {
                s.rated += e.rated;
                s.points += e.points;
            }
        }
    }
    let names: HashMap<PersonId, String> = person::Entity::find()
        .filter(person::Column::Id.is_in(by_person.keys().copied().collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.display_name))
        .collect();
    let mut supporters: Vec<Supporter> = by_person
        .into_values()
        .filter(|(_, s)| s.events > 0)
        .map(|(satisfaction, mut s)| {
            s.name = names.get(&s.person_id).cloned().unwrap_or_default();
            s.satisfaction_mean = satisfaction.mean();
            s.newcomer = s.first_event_at >= from;
            s
        })
        .collect();
    supporters.sort_by(|a, b| {
        b.events.cmp(&a.events).then(b.attendees.cmp(&a.attendees)).then_with(|| a.name.cmp(&b.name))
    });
    Ok(SupporterReport { network_id, period, from, until, supporters })
}

/// The supporter report as CSV for Excel (UTF-8 with a byte-order mark).
pub fn supporters_csv(
    report: &SupporterReport,
    language: crate::values::Language,
    time_zone: &str,
) -> Result<Vec<u8>> {
    use crate::{format, values::Language};
    let header: [&str; 6] = match language {
        Language::Ja => ["氏名", "主催イベント数", "参加者数", "平均満足度 (1-5)", "初主催日", "新人"],
        Language::En => {
            ["Name", "Events organized", "Attendees", "Mean satisfaction (1-5)", "First event", "Newcomer"]
        }
    };
    let records = report.supporters.iter().map(|s| {
        vec![
            format::spreadsheet_cell(&s.name),
            s.events.to_string(),
            s.attendees.to_string(),
            s.satisfaction_mean.map(|m| format!("{m:.2}")).unwrap_or_default(),
            format::short_date(s.first_event_at, time_zone, language),
            if s.newcomer { "✓" } else { "" }.to_owned(),
        ]
    });
    format::excel_csv(header.map(str::to_owned).to_vec(), records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fiscal_year_runs_from_april_in_tokyo() {
        let (from, until) = Period::Fiscal(2026).bounds("Asia/Tokyo");
        assert_eq!(from.to_rfc3339(), "2026-03-31T15:00:00+00:00");
        assert_eq!(until.to_rfc3339(), "2027-03-31T15:00:00+00:00");
        let (from, _) = Period::Calendar(2026).bounds("Asia/Tokyo");
        assert_eq!(from.to_rfc3339(), "2025-12-31T15:00:00+00:00");
    }

    #[test]
    fn satisfaction_figures_by_hand() {
        let s = Satisfaction {
            responses: 10,
            rated: 10,
            very: 9,
            points: 49,
            recommended: 4,
            promoters: 2,
            detractors: 1,
        };
        assert_eq!(s.top_box(), Some(90.0));
        assert_eq!(s.mean(), Some(4.9));
        assert_eq!(s.nps(), Some(25));
        assert_eq!(Satisfaction::default().nps(), None);
    }
}
