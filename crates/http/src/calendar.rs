//! Calendar files: `/e/{slug}/calendar.ics` for one published event, and subscription feeds
//! `/n/{network}/calendar.ics` and `/n/{network}/series/{series}/calendar.ics`.

use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Data, Path},
};
use tsudoi_domain::{Error, calendar, event::public};

use crate::state::AppState;

fn ics(filename: &str, body: String) -> Response {
    Response::builder()
        .content_type("text/calendar; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}.ics\""))
        .header(header::CACHE_CONTROL, "no-cache")
        .body(body)
}

fn failed(err: Error) -> Response {
    match err {
        Error::NotFound(_) => (
            StatusCode::NOT_FOUND,
            "No such calendar, or it is not published. / このカレンダーは見つかりません。",
        )
            .into_response(),
        err => {
            tracing::error!(error = ?err, "rendering a calendar file");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. / エラーが発生しました。")
                .into_response()
        }
    }
}

#[handler]
pub async fn network_feed(Path(network): Path<String>, state: Data<&AppState>) -> Response {
    feed_of(&network, None, &state).await
}

#[handler]
pub async fn series_feed(
    Path((network, series)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    feed_of(&network, Some(&series), &state).await
}

async fn feed_of(network: &str, series: Option<&str>, state: &AppState) -> Response {
    let db = state.db.reader();
    let network = match public::network_by_slug(db, network).await {
        Ok(network) => network,
        Err(err) => return failed(err),
    };
    match public::feed(db, network.id, series, state.now()).await {
        Ok(events) => {
            let name = match series {
                Some(series) => format!("{} · {series}", network.name),
                None => network.name.clone(),
            };
            let filename = series.map_or_else(|| network.slug.clone(), |s| format!("{}-{s}", network.slug));
            ics(&filename, calendar::feed_ics(&name, &events, &state.base_url, state.now()))
        }
        Err(err) => failed(err),
    }
}

#[handler]
pub async fn event_ics(Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    match public::event(state.db.reader(), &slug).await {
        Ok(event) => ics(&event.event.slug, calendar::event_ics(&event, &state.base_url, state.now())),
        Err(err) => failed(err),
    }
}
