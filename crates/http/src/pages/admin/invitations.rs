//! Invitations from the dashboard: an organizer uploads a list (a CSV file, as Excel saves it),
//! sees who would be invited (and who not, and why), adds a word of their own and sends; the
//! list's page then shows the emails going out.

use std::collections::HashMap;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use minijinja::{Value, context};
use poem::{
    Body, Request, Response, handler,
    http::{StatusCode, header},
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    event::{EventDetails, EventStatus},
    format,
    ids::InvitationListId,
    invitations::{self, ListView, Mark, Problem},
    sign_in as session,
    values::Language,
};
use uuid::Uuid;

use super::{
    Admin, Managed, ManagedPost,
    events::{event_head, home_network, managed},
    fields::{error_texts, said},
    not_found, query_param, same_origin, see_other,
};
use crate::{body::MAX_CSV, pages::texts, state::AppState};

/// People shown on a list's page at once.
const PAGE: u64 = invitations::PREVIEW_PAGE as u64;

/// How often a page reads the progress of a send (invitations, an announcement) again (`static/live.js`).
pub(super) const PROGRESS_REFRESH_SECONDS: u32 = 3;

/// The marks in the order the page counts them.
const MARKS: [Mark; 5] = [Mark::New, Mark::Duplicate, Mark::Registered, Mark::Invited, Mark::Unsubscribed];

fn mark_key(mark: Mark) -> &'static str {
    match mark {
        Mark::New => "new",
        Mark::Duplicate => "duplicate",
        Mark::Registered => "registered",
        Mark::Invited => "invited",
        Mark::Unsubscribed => "unsubscribed",
    }
}

fn progress_view(p: &invitations::Progress) -> Value {
    context! {
        total => p.total, sent => p.sent, queued => p.queued, failed => p.failed, dropped => p.dropped,
        done => p.queued == 0,
    }
}

/// The upload page: the form (with the file's error) and the event's earlier lists.
async fn upload_page(
    admin: &Admin,
    state: &AppState,
    details: &EventDetails,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let language = admin.page.language;
    let e = &details.event;
    let lists = match invitations::lists(state.db.reader(), &admin.who.actor, e.id).await {
        Ok(lists) => lists,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let lists: Vec<Value> = lists
        .iter()
        .map(|l| {
            let count = |mark| l.counts.get(&mark).copied().unwrap_or(0);
            context! {
                id => l.list.id.uuid().to_string(),
                name => l.list.file_name.clone(),
                uploaded => format::moment(l.list.created_at, &e.time_zone, language),
                people => MARKS.iter().map(|m| count(*m)).sum::<u64>(),
                new => count(Mark::New),
                sent_at => l.list.sent_at.map(|at| format::moment(at, &e.time_zone, language)),
                declined => l.declined,
                progress => l.progress.as_ref().map(progress_view),
            }
        })
        .collect();
    admin.render(
        status,
        "admin/invitations.html",
        home_network(admin, details),
        "events",
        context! {
            event => event_head(details, language, &state.base_url),
            tab => "invite",
            lists => lists,
            error => error,
            max_rows => invitations::ROWS_MAX,
        },
    )
}

/// `GET /admin/e/{id}/invite`.
#[handler]
pub async fn invitations_page(Managed(admin, details): Managed, state: Data<&AppState>) -> Response {
    upload_page(&admin, &state, &details, None, StatusCode::OK).await
}

/// What reading an upload form came to.
enum Upload {
    /// Not from one of this session's pages: no guard, or not this session's, before the file.
    Stale,
    /// Past the largest list we take.
    TooLarge,
    /// The file chosen: its name, if any, and its bytes (both empty when none was chosen).
    File { name: Option<String>, bytes: Vec<u8> },
}

/// Room for the form's other fields and the parts' headers beside the file.
const FORM_OVERHEAD: u64 = 64 * 1024;

/// Reads an upload form (`multipart/form-data`: `guard`, then `file`), never holding more than
/// the largest list we take, and nothing of the file before the guard `holds`.
async fn read_upload(req: &Request, body: Body, holds: impl Fn(&str) -> bool) -> Upload {
    let boundary = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| multer::parse_boundary(c).ok());
    // Our form is multipart; anything else cannot carry its guard.
    let Some(boundary) = boundary else { return Upload::Stale };
    let limits = multer::Constraints::new().allowed_fields(vec!["guard", "file"]).size_limit(
        multer::SizeLimit::new()
            .whole_stream(MAX_CSV as u64 + FORM_OVERHEAD)
            .for_field("guard", 1024)
            .for_field("file", MAX_CSV as u64),
    );
    let too_large = |err: &multer::Error| {
        matches!(err, multer::Error::StreamSizeExceeded { .. } | multer::Error::FieldSizeExceeded { .. })
    };
    let stream = body.into_bytes_stream().map_ok(Bytes::from);
    let mut form = multer::Multipart::with_constraints(stream, boundary, limits);
    let guarded = match form.next_field().await {
        Ok(Some(field)) if field.name() == Some("guard") => field.text().await.is_ok_and(|g| holds(&g)),
        _ => false,
    };
    if !guarded {
        return Upload::Stale;
    }
    let mut file = Upload::File { name: None, bytes: Vec::new() };
    loop {
        let field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return file,
            Err(err) if too_large(&err) => return Upload::TooLarge,
            // A broken form: whatever it held, no file came through.
            Err(_) => return Upload::File { name: None, bytes: Vec::new() },
        };
        if field.name() != Some("file") {
            continue;
        }
        // A name to recognise the list by: no control characters, not too long.
        let name: Option<String> = field
            .file_name()
            .map(|n| n.chars().filter(|c| !c.is_control()).take(200).collect())
            .filter(|n: &String| !n.trim().is_empty());
        let mut bytes = Vec::new();
        let mut chunks = field.into_stream();
        while let Some(chunk) = chunks.next().await {
            match chunk {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(err) if too_large(&err) => return Upload::TooLarge,
                Err(_) => return Upload::File { name: None, bytes: Vec::new() },
            }
        }
        file = Upload::File { name, bytes };
    }
}

/// `POST /admin/e/{id}/invite`: reads the uploaded list and keeps it for preview (nothing is
/// sent yet), then shows it. The form's origin and guard are checked before its file is read.
#[handler]
pub async fn upload_list(
    admin: Admin,
    req: &Request,
    Path(id): Path<String>,
    body: Body,
    state: Data<&AppState>,
) -> Response {
    if !same_origin(req, &state.base_url) {
        return admin.stale_form();
    }
    let holds = |guard: &str| session::form_guard_holds(&state.links, admin.who.session_id, guard);
    let upload = read_upload(req, body, holds).await;
    let details = match managed(&admin, &state, &id).await {
        Ok(details) => details,
        Err(resp) => return resp,
    };
    let language = admin.page.language;
    let t = texts::texts(language);
    let (name, bytes) = match upload {
        Upload::Stale => return admin.stale_form(),
        Upload::TooLarge => {
            let error = t["admin_invite_too_large"].replace("{mb}", &(MAX_CSV / (1024 * 1024)).to_string());
            return upload_page(&admin, &state, &details, Some(error), StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Upload::File { name: None, bytes } if bytes.is_empty() => {
            let error = t["admin_invite_choose_file"].to_owned();
            return upload_page(&admin, &state, &details, Some(error), StatusCode::UNPROCESSABLE_ENTITY)
                .await;
        }
        Upload::File { name, bytes } => (name, bytes),
    };
    let e = &details.event;
    let uploaded =
        invitations::upload(state.db.writer(), &admin.who.actor, e.id, name, &bytes, state.now()).await;
    match uploaded {
        Ok(view) => see_other(&format!("/admin/e/{}/invite/{}", e.id.uuid(), view.list.id.uuid())),
        Err(Error::Invalid(errors)) => {
            let error = error_texts(&errors, language).remove("file");
            upload_page(&admin, &state, &details, error, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(err) => admin.failed(&err, &format!("/admin/e/{}/invite", e.id.uuid())),
    }
}

/// A row that could not be read, in the reader's language.
fn problem_text(problem: &Problem, language: Language) -> String {
    if language == Language::En || problem.reasons.is_empty() {
        return problem.message.clone();
    }
    let t = texts::texts(language);
    let reasons: Vec<String> = problem
        .reasons
        .iter()
        .map(|r| {
            let field = t.get(format!("admin_invite_col_{}", r.field).as_str()).copied().unwrap_or("");
            let why = t
                .get(format!("admin_invite_err_{}", r.code).as_str())
                .map_or_else(|| said(&r.code, &problem.message, language), |why| (*why).to_owned());
            if field.is_empty() { why } else { format!("{field}: {why}") }
        })
        .collect();
    reasons.join(" / ")
}

/// A list's page: before sending, who will be invited and the send form; after, the progress.
async fn list_page(
    admin: &Admin,
    state: &AppState,
    details: &EventDetails,
    view: ListView,
    page_no: u64,
    typed: Option<(String, Option<String>)>,
    status: StatusCode,
) -> Response {
    let language = admin.page.language;
    let t = texts::texts(language);
    let e = &details.event;
    let slots: HashMap<_, _> = details.slots.iter().map(|s| (s.id, s.name.clone())).collect();
    let count = |mark| view.counts.get(&mark).copied().unwrap_or(0);
    let total: u64 = MARKS.iter().map(|m| count(*m)).sum();
    let people: Vec<Value> = view
        .people
        .iter()
        .map(|p| {
            context! {
                line => p.line,
                name => p.name.clone(),
                reading => p.name_reading.clone(),
                email => p.email.clone(),
                slot => p.slot_id.and_then(|s| slots.get(&s).cloned()),
                mark => mark_key(p.mark),
                declined => p.declined_at.is_some(),
            }
        })
        .collect();
    let problems: Vec<Value> = view
        .problems
        .iter()
        .map(|p| context! { line => p.line, text => problem_text(p, language) })
        .collect();
    let here = format!("/admin/e/{}/invite/{}", e.id.uuid(), view.list.id.uuid());
    let shown_to = page_no * PAGE + view.people.len() as u64;
    let (message, message_error) = typed.unwrap_or_default();
    admin.render(
        status,
        "admin/invitation_list.html",
        home_network(admin, details),
        "events",
        context! {
            event => event_head(details, language, &state.base_url),
            tab => "invite",
            list => context! {
                id => view.list.id.uuid().to_string(),
                name => view.list.file_name.clone(),
                uploaded => format::moment(view.list.created_at, &e.time_zone, language),
                sent_at => view.list.sent_at.map(|at| format::moment(at, &e.time_zone, language)),
                message => view.list.message.clone(),
            },
            here => here.clone(),
            counts => MARKS.iter().map(|m| context! { key => mark_key(*m), n => count(*m) }).collect::<Vec<_>>(),
            new => count(Mark::New),
            total => total,
            declined => view.declined,
            problems => problems,
            people => people,
            from => page_no * PAGE + 1,
            to => shown_to,
            more_href => (shown_to < total).then(|| format!("{here}?page={}", page_no + 1)),
            back_href => (page_no > 0).then(|| format!("{here}?page={}", page_no - 1)),
            progress => view.progress.as_ref().map(progress_view),
            refresh => PROGRESS_REFRESH_SECONDS,
            sendable => e.status == EventStatus::Published,
            draft => e.status == EventStatus::Draft,
            message => message,
            message_error => message_error,
            form_has_errors => t["form_has_errors"],
        },
    )
}

/// The list `list` of the event `details`, or the answer when it is not there.
async fn list_of(
    admin: &Admin,
    state: &AppState,
    details: &EventDetails,
    list: &str,
    page_no: u64,
) -> Result<ListView, Response> {
    let Ok(list) = list.parse::<Uuid>().map(InvitationListId) else { return Err(not_found(admin)) };
    let view = invitations::list(state.db.reader(), &admin.who.actor, list, PAGE, page_no * PAGE).await;
    match view {
        Ok(view) if view.list.event_id == details.event.id => Ok(view),
        Ok(_) | Err(Error::NotFound(_) | Error::Forbidden(_)) => Err(not_found(admin)),
        Err(err) => Err(admin.failed(&err, &format!("/admin/e/{}/invite", details.event.id.uuid()))),
    }
}

/// `GET /admin/e/{id}/invite/{list}[?page=N]`.
#[handler]
pub async fn invitation_list(
    Managed(admin, details): Managed,
    req: &Request,
    Path((_id, list)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let page_no = query_param(req, "page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(0).min(1_000);
    match list_of(&admin, &state, &details, &list, page_no).await {
        Ok(view) => list_page(&admin, &state, &details, view, page_no, None, StatusCode::OK).await,
        Err(resp) => resp,
    }
}

/// `POST /admin/e/{id}/invite/{list}`: sends the list, with the organizers' `message`.
#[handler]
pub async fn send_invitations(
    ManagedPost(admin, form, details): ManagedPost,
    Path((_id, list)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let view = match list_of(&admin, &state, &details, &list, 0).await {
        Ok(view) => view,
        Err(resp) => return resp,
    };
    let message = form.get("message").cloned().unwrap_or_default();
    let here = format!("/admin/e/{}/invite/{}", details.event.id.uuid(), view.list.id.uuid());
    let sent = invitations::send(
        state.db.writer(),
        &admin.who.actor,
        view.list.id,
        Some(message.clone()),
        state.now(),
    )
    .await;
    match sent {
        Ok(_) => {
            state.mail_wake.notify_one();
            see_other(&here)
        }
        Err(Error::Invalid(errors)) => {
            let error = error_texts(&errors, admin.page.language).remove("message");
            let typed = Some((message, error));
            list_page(&admin, &state, &details, view, 0, typed, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(err) => admin.failed(&err, &here),
    }
}
