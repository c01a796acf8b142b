//! Reports across events: a series edition by edition, and a network's supporters over a
//! calendar or fiscal year (for the yearly awards). For organizers; others get 404.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::{Binary, Json},
};
use tsudoi_domain::{
    ids::SeriesId,
    network,
    reports::{self, Edition, Period, Supporter, SupporterReport},
};
use uuid::Uuid;

use super::{
    ApiTags,
    rsvps::CsvFile,
    surveys::{HtmlPage, SvgFile},
    types::LanguageApi,
};
use crate::{auth::TokenAuth, charts, problem::ApiResult, state::AppState};

pub struct ReportsApi {
    pub state: AppState,
}

#[derive(Debug, Object)]
pub struct EditionReport {
    pub event_id: Uuid,
    #[oai(skip_serializing_if_is_none)]
    pub edition: Option<i32>,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    /// Confirmed RSVPs (parties).
    pub rsvps: i64,
    /// Confirmed parties of whom someone came.
    pub attended: i64,
    /// People through the door.
    pub people_in: i64,
    /// Of confirmed parties, in percent; absent before the event ends.
    #[oai(skip_serializing_if_is_none)]
    pub attendance_rate: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub no_show_rate: Option<f64>,
    /// Attendees who came to an earlier edition (by email address).
    pub repeaters: i64,
    pub first_timers: i64,
    pub survey_responses: i64,
    /// "Very satisfied" of those who rated, in percent.
    #[oai(skip_serializing_if_is_none)]
    pub top_box: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub satisfaction_mean: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub nps: Option<i64>,
}

impl From<Edition> for EditionReport {
    fn from(e: Edition) -> Self {
        EditionReport {
            event_id: e.event_id.uuid(),
            edition: e.edition,
            title: e.title,
            starts_at: e.starts_at,
            rsvps: e.rsvps,
            attended: e.attended,
            people_in: e.people_in,
            attendance_rate: e.attendance_rate,
            no_show_rate: e.no_show_rate,
            repeaters: e.repeaters,
            first_timers: e.first_timers,
            survey_responses: e.responses,
            top_box: e.top_box,
            satisfaction_mean: e.satisfaction_mean,
            nps: e.nps,
        }
    }
}

#[derive(Debug, Object)]
pub struct SeriesReportApi {
    pub series_id: Uuid,
    pub name: String,
    /// In order of date.
    pub editions: Vec<EditionReport>,
}

#[derive(Debug, Object)]
pub struct SupporterApi {
    pub person_id: Uuid,
    pub name: String,
    pub events: i64,
    /// People through the door at their events.
    pub attendees: i64,
    /// The mean satisfaction (1-5) of every answer to their events' surveys.
    #[oai(skip_serializing_if_is_none)]
    pub satisfaction_mean: Option<f64>,
    /// Their first event in the network, ever.
    pub first_event_at: DateTime<Utc>,
    /// Their first event falls in this period.
    pub newcomer: bool,
}

impl From<Supporter> for SupporterApi {
    fn from(s: Supporter) -> Self {
        SupporterApi {
            person_id: s.person_id.uuid(),
            name: s.name,
            events: s.events,
            attendees: s.attendees,
            satisfaction_mean: s.satisfaction_mean,
            first_event_at: s.first_event_at,
            newcomer: s.newcomer,
        }
    }
}

#[derive(Debug, Object)]
pub struct SupporterReportApi {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Most events first, then most attendees.
    pub supporters: Vec<SupporterApi>,
}

impl From<SupporterReport> for SupporterReportApi {
    fn from(r: SupporterReport) -> Self {
        SupporterReportApi {
            from: r.from,
            until: r.until,
            supporters: r.supporters.into_iter().map(Into::into).collect(),
        }
    }
}

fn period(year: i32, fiscal: bool) -> Period {
    if fiscal { Period::Fiscal(year) } else { Period::Calendar(year) }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Reports")]
impl ReportsApi {
    /// A series edition by edition
    ///
    /// RSVPs, attendance and no-show rates, repeat attendees and first-timers, and satisfaction
    /// (top box, mean, NPS) of each published edition, in order of date.
    #[oai(path = "/series/:id/report", method = "get", operation_id = "series_report")]
    async fn series_report(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<Json<SeriesReportApi>> {
        let state = &self.state;
        let r = reports::series_report(state.db.reader(), &auth.0, SeriesId(id.0), state.now()).await?;
        Ok(Json(SeriesReportApi {
            series_id: r.series_id.uuid(),
            name: r.name,
            editions: r.editions.into_iter().map(Into::into).collect(),
        }))
    }

    /// A series' trend as SVG charts
    #[oai(path = "/series/:id/report.svg", method = "get", operation_id = "series_report_svg")]
    async fn series_svg(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        lang: Query<Option<LanguageApi>>,
    ) -> ApiResult<SvgFile> {
        let state = &self.state;
        let r = reports::series_report(state.db.reader(), &auth.0, SeriesId(id.0), state.now()).await?;
        let language = lang.0.map_or(r.language, Into::into);
        Ok(SvgFile::Ok(Binary(charts::series(&r, language).into_bytes())))
    }

    /// A series edition by edition, as a printable page
    #[oai(path = "/series/:id/report.html", method = "get", operation_id = "series_report_html")]
    async fn series_html(
        &self,
        auth: TokenAuth,
        id: Path<Uuid>,
        lang: Query<Option<LanguageApi>>,
    ) -> ApiResult<HtmlPage> {
        let state = &self.state;
        let r = reports::series_report(state.db.reader(), &auth.0, SeriesId(id.0), state.now()).await?;
        let language = lang.0.map_or(r.language, Into::into);
        let html = crate::pages::series_report(&r, language).map_err(|err| {
            tsudoi_domain::Error::Unexpected(anyhow::anyhow!("rendering a series report: {err}"))
        })?;
        Ok(HtmlPage::Ok(Binary(html.into_bytes())))
    }

    /// Supporters' activity over a year
    ///
    /// Each organizer's events, attendees, mean satisfaction and first event, for the calendar
    /// year or (with `fiscal`) the Japanese fiscal year from April.
    #[oai(path = "/networks/:network/supporters", method = "get", operation_id = "supporter_report")]
    async fn supporters(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] year: Query<i32>,
        fiscal: Query<Option<bool>>,
    ) -> ApiResult<Json<SupporterReportApi>> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let r =
            reports::supporters(db, &auth.0, network.id, period(year.0, fiscal.0.unwrap_or(false))).await?;
        Ok(Json(r.into()))
    }

    /// Supporters' activity as CSV
    #[oai(path = "/networks/:network/supporters.csv", method = "get", operation_id = "supporter_report_csv")]
    async fn supporters_csv(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        #[oai(validator(minimum(value = "2000"), maximum(value = "2100")))] year: Query<i32>,
        fiscal: Query<Option<bool>>,
        lang: Query<Option<LanguageApi>>,
    ) -> ApiResult<CsvFile> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let r =
            reports::supporters(db, &auth.0, network.id, period(year.0, fiscal.0.unwrap_or(false))).await?;
        let language = lang.0.map_or(network.default_language, Into::into);
        let file = reports::supporters_csv(&r, language, &network.time_zone)?;
        let disposition = format!("attachment; filename=\"supporters-{}-{}.csv\"", network.slug, year.0);
        Ok(CsvFile::Ok(Binary(file), disposition))
    }
}
