//! A network's reports: each series edition by edition (a page to print), and the supporters'
//! year (calendar or Japanese fiscal, from April) with its CSV.

use chrono::Datelike;
use minijinja::{Value, context};
use poem::{
    Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    ids::SeriesId,
    reports::{self, Period},
    series,
};
use uuid::Uuid;

use super::{Admin, csv_file, not_found, printable, query_param};
use crate::state::AppState;

/// The period asked for (`?year=2026&fiscal=1`); by default the year now in the network's zone.
fn period_of(req: &Request, state: &AppState, time_zone: &str) -> Period {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::Asia::Tokyo);
    let this_year = state.now().with_timezone(&tz).year();
    let year =
        query_param(req, "year").and_then(|y| y.parse::<i32>().ok()).filter(|y| (2000..=2100).contains(y));
    let year = year.unwrap_or(this_year);
    if query_param(req, "fiscal").is_some_and(|f| f == "1") {
        Period::Fiscal(year)
    } else {
        Period::Calendar(year)
    }
}

/// `GET /admin/n/{slug}/reports`: the series, and the supporters' year.
#[handler]
pub async fn reports_page(
    admin: Admin,
    req: &Request,
    Path(slug): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let db = state.db.reader();
    let period = period_of(req, &state, &network.time_zone);
    let (all_series, supporters) = match tokio::join!(
        series::list(db, &admin.who.actor, network.id, false),
        reports::supporters(db, &admin.who.actor, network.id, period),
    ) {
        (Ok(all), Ok(report)) => (all, report),
        (Err(Error::Forbidden(_) | Error::NotFound(_)), _)
        | (_, Err(Error::Forbidden(_) | Error::NotFound(_))) => {
            return not_found(&admin);
        }
        (Err(err), _) | (_, Err(err)) => return admin.failed(&err, "/admin"),
    };
    let language = admin.page.language;
    let (year, fiscal) = match period {
        Period::Calendar(y) => (y, false),
        Period::Fiscal(y) => (y, true),
    };
    let rows: Vec<Value> = supporters
        .supporters
        .iter()
        .map(|s| {
            context! {
                name => s.name.clone(),
                events => s.events,
                attendees => s.attendees,
                satisfaction => s.satisfaction_mean.map(|m| format!("{m:.2}")),
                first => tsudoi_domain::format::short_date(s.first_event_at, &network.time_zone, language),
                newcomer => s.newcomer,
            }
        })
        .collect();
    let query = if fiscal { format!("year={year}&fiscal=1") } else { format!("year={year}") };
    admin.render(
        StatusCode::OK,
        "admin/reports.html",
        Some(&network),
        "reports",
        context! {
            series => all_series.into_iter().map(|s| context! { id => s.id.uuid().to_string(), name => s.name }).collect::<Vec<_>>(),
            supporters => rows,
            year => year,
            fiscal => fiscal,
            years => (year - 3..=year + 1).rev().collect::<Vec<_>>(),
            csv_href => format!("/admin/n/{slug}/supporters.csv?{query}"),
        },
    )
}

/// `GET /admin/n/{slug}/supporters.csv?year=&fiscal=`.
#[handler]
pub async fn supporters_csv(
    admin: Admin,
    req: &Request,
    Path(slug): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let period = period_of(req, &state, &network.time_zone);
    let report = match reports::supporters(state.db.reader(), &admin.who.actor, network.id, period).await {
        Ok(report) => report,
        Err(Error::Forbidden(_) | Error::NotFound(_)) => return not_found(&admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let year = match period {
        Period::Calendar(y) | Period::Fiscal(y) => y,
    };
    match reports::supporters_csv(&report, admin.page.language, &network.time_zone) {
        Ok(bytes) => csv_file(bytes, &format!("supporters-{slug}-{year}.csv")),
        Err(err) => admin.failed(&err, "/admin"),
    }
}

/// `GET /admin/series/{id}/report`: a series edition by edition, as a page to print.
#[handler]
pub async fn series_print(admin: Admin, Path(id): Path<String>, state: Data<&AppState>) -> Response {
    let Ok(id) = id.parse::<Uuid>().map(SeriesId) else { return not_found(&admin) };
    let report = match reports::series_report(state.db.reader(), &admin.who.actor, id, state.now()).await {
        Ok(report) => report,
        Err(Error::Forbidden(_) | Error::NotFound(_)) => return not_found(&admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    printable(&admin, crate::pages::series_report(&report, admin.page.language))
}
