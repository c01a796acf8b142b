//! Calendar files: `/e/{slug}/calendar.ics` for one published event.

use poem::{
    IntoResponse, Response, handler,
    http::{StatusCode, header},
    web::{Data, Path},
};
use tsudoi_domain::{Error, calendar, event::public};

use crate::state::AppState;

#[handler]
pub async fn event_ics(Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    match public::event(state.db.reader(), &slug).await {
        Ok(event) => Response::builder()
            .content_type("text/calendar; charset=utf-8")
            .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.ics\"", event.event.slug))
            .header(header::CACHE_CONTROL, "no-cache")
            .body(calendar::event_ics(&event, &state.base_url, state.now())),
        Err(Error::NotFound(_)) => {
            (StatusCode::NOT_FOUND, "No such event, or it is not published. / このイベントは見つかりません。")
                .into_response()
        }
        Err(err) => {
            tracing::error!(error = ?err, "rendering a calendar file");
            (StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong on our side. / エラーが発生しました。")
                .into_response()
        }
    }
}
