//! What a network's organizers look back on: emails that could not be delivered (with a retry
//! button) and, for owners, the audit log of who changed what, when.

use std::collections::HashMap;

use minijinja::{Value, context};
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error, audit, format,
    ids::{MessageId, PersonId},
    outbox,
};
use uuid::Uuid;

use super::{Admin, Posting, not_found, see_other};
use crate::state::AppState;

/// Rows shown at most.
const SHOWN: u64 = 200;

/// `GET /admin/n/{slug}/emails`: undelivered emails of the network's events.
#[handler]
pub async fn failed_emails(admin: Admin, Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let rows = match outbox::troubled(state.db.reader(), &admin.who.actor, network.id, SHOWN, 0).await {
        Ok(rows) => rows,
        Err(Error::Forbidden(_) | Error::NotFound(_)) => return not_found(&admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let language = admin.page.language;
    let messages: Vec<Value> = rows
        .into_iter()
        .map(|(m, e)| {
            context! {
                id => m.id.uuid().to_string(),
                kind => m.kind.template(),
                event => e.title,
                event_href => format!("/admin/e/{}", e.id.uuid()),
                failed => m.status == outbox::MessageStatus::Failed,
                attempts => m.attempts,
                error => m.last_error,
                next => format::moment(m.next_attempt_at, &e.time_zone, language),
            }
        })
        .collect();
    admin.render(
        StatusCode::OK,
        "admin/emails.html",
        Some(&network),
        "emails",
        context! { messages => messages },
    )
}

/// `POST /admin/n/{slug}/emails/{id}/retry`: sends it again now.
#[handler]
pub async fn retry_email(
    Posting(admin, _): Posting,
    Path((slug, id)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    if admin.network(&slug).is_none() {
        return not_found(&admin);
    }
    let Ok(id) = id.parse::<Uuid>().map(MessageId) else { return not_found(&admin) };
    match outbox::retry(state.db.writer(), &admin.who.actor, id, state.now()).await {
        Ok(_) => {
            state.mail_wake.notify_one();
            see_other(&format!("/admin/n/{slug}/emails"))
        }
        Err(Error::Forbidden(_) | Error::NotFound(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, &format!("/admin/n/{slug}/emails")),
    }
}

/// `GET /admin/n/{slug}/audit`: the newest entries of the network's log (owners).
#[handler]
pub async fn audit_log(admin: Admin, Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let db = state.db.reader();
    let entries = match audit::list(db, &admin.who.actor, network.id, SHOWN).await {
        Ok(entries) => entries,
        Err(Error::Forbidden(_) | Error::NotFound(_)) => return not_found(&admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let authors: Vec<PersonId> = entries.iter().filter_map(|e| e.person_id).collect();
    let names: HashMap<PersonId, String> = match tsudoi_domain::person::names(db, authors).await {
        Ok(names) => names,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let language = admin.page.language;
    let operator = crate::pages::texts::texts(language)["admin_operator"];
    let rows: Vec<Value> = entries
        .into_iter()
        .map(|e| {
            context! {
                at => format::moment(e.at, &network.time_zone, language),
                who => e.person_id.and_then(|p| names.get(&p).cloned()).unwrap_or_else(|| operator.to_owned()),
                action => e.action,
                summary => summary_text(&e.summary),
            }
        })
        .collect();
    admin.render(StatusCode::OK, "admin/audit.html", Some(&network), "audit", context! { entries => rows })
}

/// A change's summary as one readable line: `title: Crossing #7 → Crossing #8; seats: 40`.
fn summary_text(summary: &serde_json::Value) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "—".to_owned(),
        other => other.to_string(),
    };
    match summary.as_object() {
        Some(fields) => fields
            .iter()
            .map(|(k, v)| match v.as_array().map(Vec::as_slice) {
                Some([before, after]) => format!("{k}: {} → {}", show(before), show(after)),
                _ => format!("{k}: {}", show(v)),
            })
            .collect::<Vec<_>>()
            .join("; "),
        None => show(summary),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::summary_text;

    #[test]
    fn a_summary_reads_as_one_line() {
        assert_eq!(
            summary_text(
                &json!({"title": ["Crossing #7", "Crossing #8"], "theme": [null, "AI"], "seats": 40})
            ),
            "seats: 40; theme: — → AI; title: Crossing #7 → Crossing #8"
        );
    }
}
