//! The organizers' dashboard, `/admin`: everything a supporter does through the API, as pages
//! that work without JavaScript. People sign in with a link sent by email; the session is an
//! HttpOnly cookie, and every form carries a guard made for its session (and is refused from
//! another site's page). Each page acts through the same use cases, with the same roles, as
//! the API.
//!
//! Handlers name what they need as extractors, which answer for them when it is missing:
//! `Admin` (signed in, else to the sign-in page and back), `Posting` (and a guarded form from
//! our own pages, else 403), `Managed` and `ManagedPost` (and the event in the path, which the
//! person manages, else 404).

mod door;
mod event_form;
mod events;
mod fields;
mod invitations;
mod people;
mod places;
mod questions;
mod records;
mod reports;
mod rsvps;
mod sign_in;
mod survey;

pub use door::{create_pass, door_board, door_passes, open_scanner, revoke_pass};
pub use event_form::{create_event, edit_event, new_event, update_event};
pub use events::{
    cancel_event, cancel_preview, draw_lottery, duplicate_event, event_overview, event_preview, events_page,
    home, publish_event,
};
pub use invitations::{invitation_list, invitations_page, send_invitations, upload_list};
pub use people::{account, change_member, create_token, invite_member, members_page_of, revoke_token};
pub use places::{change_series, change_venue, create_series, create_venue, places_page_of};
pub use records::{audit_log, failed_emails, retry_email};
pub use reports::{reports_page, series_print, supporters_csv};
pub use rsvps::{announce, announce_form, decide_rsvp, rsvps_csv, rsvps_page};
pub use sign_in::{
    sign_in_form, sign_in_link, sign_in_redeem, sign_in_request, sign_out, sign_out_everywhere,
};
pub use survey::{survey_act, survey_csv, survey_overview, survey_print};

use minijinja::{Value, context};
use poem::{
    Body, FromRequest, Request, RequestBody, Response,
    http::{HeaderValue, StatusCode, header},
};
use tsudoi_domain::{
    Error,
    access::Role,
    entity::network,
    network as networks,
    sign_in::{self as session, SignedIn},
};

use super::{Page, rsvp::Posted, texts};
use crate::state::AppState;

/// The session cookie; it is sent to `/admin` only.
const SESSION_COOKIE: &str = "tsudoi_session";

/// A signed-in request: its page, the person and what they may do.
struct Admin {
    page: Page,
    who: SignedIn,
    /// The networks the person belongs to, with their role in each, by name.
    networks: Vec<(network::Model, Role)>,
    /// What this session's forms carry (see `sign_in::form_guard`).
    guard: String,
}

impl Admin {
    /// The signed-in person behind `req`; else the answer to give: back to signing in, and
    /// from there to this very page.
    async fn of(req: &Request, state: &AppState) -> Result<Admin, Response> {
        let page = Page::of(req);
        let found = match cookie(req, SESSION_COOKIE) {
            Some(value) => {
                session::authenticate(state.db.reader(), state.db.writer(), value, state.now()).await
            }
            None => Ok(None),
        };
        let who = match found {
            Ok(Some(who)) => who,
            Ok(None) => return Err(to_sign_in(req)),
            Err(err) => return Err(page.failed(&err)),
        };
        let networks = match networks::list_for(state.db.reader(), &who.actor).await {
            Ok(networks) => networks,
            Err(err) => return Err(page.failed(&err)),
        };
        let guard = session::form_guard(&state.links, who.session_id);
        Ok(Admin { page, who, networks, guard })
    }

    /// A signed-in person's posted form, refused unless it carries this session's guard and
    /// comes from one of our own pages.
    async fn posting(req: &Request, state: &AppState, body: Body) -> Result<(Admin, Posted), Response> {
        let admin = Admin::of(req, state).await?;
        let Some(form) = super::rsvp::read_form(body).await else { return Err(admin.page.form_too_large()) };
        let guarded = form
            .get("guard")
            .is_some_and(|g| session::form_guard_holds(&state.links, admin.who.session_id, g));
        if !guarded || !same_origin(req, &state.base_url) {
            return Err(admin.stale_form());
        }
        Ok((admin, form))
    }

    /// The answer to a form without this session's guard, or from another site's page.
    fn stale_form(&self) -> Response {
        let t = texts::texts(self.page.language);
        self.page.message(
            StatusCode::FORBIDDEN,
            t["admin_stale_form_title"],
            &[t["admin_stale_form"]],
            Some(("/admin".to_owned(), t["admin_home"])),
        )
    }

    /// The network `slug` if the person belongs to it (else the page answers 404).
    fn network(&self, slug: &str) -> Option<&(network::Model, Role)> {
        self.networks.iter().find(|(n, _)| n.slug == slug)
    }

    /// Renders a dashboard page: the template gets the person, their networks (for the
    /// switcher), the one in view, the section of the bar to mark, and the form guard.
    fn render(
        &self,
        status: StatusCode,
        template: &str,
        current: Option<&network::Model>,
        section: &str,
        page: Value,
    ) -> Response {
        let networks: Vec<Value> = self
            .networks
            .iter()
            .map(|(n, role)| context! { slug => n.slug.clone(), name => n.name.clone(), role => role.as_str() })
            .collect();
        let current = current.map(|n| {
            let role = self.networks.iter().find(|(m, _)| m.id == n.id).map(|(_, r)| *r);
            context! {
                slug => n.slug.clone(),
                name => n.name.clone(),
                role => role.map(Role::as_str),
                owner => role == Some(Role::Owner),
            }
        });
        self.page.render(
            status,
            template,
            context! {
                who => context! { name => self.who.person.display_name.clone(), email => self.who.person.email.clone() },
                networks => networks,
                current => current,
                section => section,
                guard => self.guard.clone(),
                ..page
            },
        )
    }

    /// The answer to a domain error on a dashboard page: a 404 for what is not the person's,
    /// else a page that says what went wrong, with a way `back`.
    fn failed(&self, err: &Error, back: &str) -> Response {
        let t = texts::texts(self.page.language);
        match err {
            Error::Conflict(conflict) => {
                let text = super::rsvp::conflict_text(conflict, None, self.page.language);
                self.page.message(
                    StatusCode::CONFLICT,
                    t["admin_not_done"],
                    &[&text],
                    Some((back.to_owned(), t["admin_back"])),
                )
            }
            Error::Invalid(errors) => {
                let lines: Vec<String> = super::rsvp::field_texts(errors, self.page.language)
                    .into_iter()
                    .map(|(field, text)| format!("{field}: {text}"))
                    .collect();
                let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
                self.page.message(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    t["admin_not_done"],
                    &lines,
                    Some((back.to_owned(), t["admin_back"])),
                )
            }
            other => self.page.failed(other),
        }
    }
}

/// A handler's signed-in person: a request without a live session goes back to signing in.
impl<'a> FromRequest<'a> for Admin {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        let state = app_state(req)?;
        Admin::of(req, state).await.map_err(poem::Error::from_response)
    }
}

/// A handler's posted form with its signed-in person (see `Admin::posting`).
struct Posting(Admin, Posted);

impl<'a> FromRequest<'a> for Posting {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let state = app_state(req)?;
        let (admin, form) =
            Admin::posting(req, state, body.take()?).await.map_err(poem::Error::from_response)?;
        Ok(Posting(admin, form))
    }
}

/// An event page's person and event: the event in the path (`:id`), which they must manage
/// (else the page answers 404).
struct Managed(Admin, tsudoi_domain::event::EventDetails);

impl<'a> FromRequest<'a> for Managed {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let admin = Admin::from_request(req, body).await?;
        let details = managed_in_path(req, &admin).await?;
        Ok(Managed(admin, details))
    }
}

/// A posted form about the event in the path, which the person must manage.
struct ManagedPost(Admin, Posted, tsudoi_domain::event::EventDetails);

impl<'a> FromRequest<'a> for ManagedPost {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let Posting(admin, form) = Posting::from_request(req, body).await?;
        let details = managed_in_path(req, &admin).await?;
        Ok(ManagedPost(admin, form, details))
    }
}

async fn managed_in_path(req: &Request, admin: &Admin) -> poem::Result<tsudoi_domain::event::EventDetails> {
    let id = req.raw_path_param("id").ok_or_else(|| {
        poem::Error::from_string("an event page's route has no :id", StatusCode::INTERNAL_SERVER_ERROR)
    })?;
    events::managed(admin, app_state(req)?, id).await.map_err(poem::Error::from_response)
}

fn app_state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>().ok_or_else(|| {
        poem::Error::from_string("the application state is not attached", StatusCode::INTERNAL_SERVER_ERROR)
    })
}

/// 303 to `location`: the answer to a form that did its work.
fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .header(header::CACHE_CONTROL, "no-store")
        .finish()
}

/// Back to signing in, and from there to where the person was (a page they asked for).
fn to_sign_in(req: &Request) -> Response {
    let here = req.uri().path_and_query().map_or("/admin", |p| p.as_str());
    let next = if req.method() == poem::http::Method::GET { here } else { "/admin" };
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("next", next);
    // A language picked in the address carries over (and is remembered there).
    if let Some((language, true)) = super::i18n::chosen_language(req) {
        query.append_pair("lang", language.code());
    }
    let query = query.finish();
    see_other(&format!("/admin/sign-in?{query}"))
}

/// A cookie's value.
fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Sets (or, with `None`, ends) the session cookie: HttpOnly, SameSite=Lax, for `/admin` only,
/// and Secure when the service is reached over HTTPS.
fn with_session_cookie(mut resp: Response, state: &AppState, value: Option<&str>) -> Response {
    let secure = if state.base_url.starts_with("https://") { "; Secure" } else { "" };
    let cookie = match value {
        Some(value) => format!("{SESSION_COOKIE}={value}; Path=/admin; HttpOnly; SameSite=Lax{secure}"),
        None => format!("{SESSION_COOKIE}=; Path=/admin; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    };
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, value);
    }
    resp
}

/// Whether a form comes from one of our own pages: its `Origin` (sent by browsers with every
/// POST) is the service's public address (`base_url`, which a reverse proxy in front serves) or
/// names the host the request was sent to. A request without one (an old browser, a script)
/// still needs the form guard.
fn same_origin(req: &Request, base_url: &str) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()) else { return true };
    let Ok(origin) = url::Url::parse(origin) else { return false };
    let public = url::Url::parse(base_url).is_ok_and(|base| base.origin() == origin.origin());
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let port = origin.port().map(|p| format!(":{p}")).unwrap_or_default();
    let same_host = origin.host_str().is_some_and(|h| format!("{h}{port}").eq_ignore_ascii_case(host));
    public || same_host
}

/// A query parameter's value.
fn query_param(req: &Request, key: &str) -> Option<String> {
    let query = req.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

/// A CSV file to download (kept out of every cache).
fn csv_file(bytes: Vec<u8>, name: &str) -> Response {
    Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))
        .header(header::CACHE_CONTROL, "no-store")
        .body(bytes)
}

/// A report rendered as a page of its own, to open and print (its styles inline, no scripts).
fn printable(admin: &Admin, rendered: Result<String, minijinja::Error>) -> Response {
    match rendered {
        Ok(html) => Response::builder()
            .content_type("text/html; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            )
            .body(html),
        Err(err) => {
            tracing::error!(error = %err, "rendering a report");
            let t = texts::texts(admin.page.language);
            admin.page.message(StatusCode::INTERNAL_SERVER_ERROR, t["error_title"], &[t["error_body"]], None)
        }
    }
}

/// The "not found" page, for what is not the person's.
fn not_found(admin: &Admin) -> Response {
    admin.page.not_found()
}
