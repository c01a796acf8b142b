//! Server-rendered pages: a network's events (`/n/{slug}`), one event with its RSVP form
//! (`/e/{slug}`), an attendee's own page (`/r/{token}`), a ticket (`/t/{code}`) and a survey
//! (`/s/{token}`), and the organizers' dashboard (`/admin`), in Japanese or English, working
//! without JavaScript.

pub mod admin;
mod attendee;
mod door;
mod i18n;
mod invitation;
mod rsvp;
mod survey;

pub use attendee::{rsvp_act, rsvp_page, rsvp_step, ticket_page};
pub use door::{door_live, door_page, door_roster, door_script, door_worker, live_script};
pub use invitation::{decline, invitation_page, unsubscribe, unsubscribe_page};
pub use rsvp::submit as rsvp_submit;
pub use survey::{series_report, survey_page, survey_report, survey_submit};

pub use i18n::language_of;
mod markdown;
mod texts;
mod texts_dashboard;

use std::sync::LazyLock;

use minijinja::{Environment, Value, context, value::Serde};
use poem::{
    IntoResponse, Request, Response, handler,
    http::{HeaderValue, StatusCode, header},
    web::{Data, Path},
};
use serde::Serialize;
use tsudoi_domain::{
    Error,
    event::{
        EventStatus, When,
        public::{self, PublicEvent, PublicEventSummary},
    },
    format, money,
    values::Language,
};

use crate::state::AppState;

static TEMPLATES: LazyLock<Environment<'static>> = LazyLock::new(|| {
    let mut env = Environment::new();
    for (name, source) in [
        ("layout.html", include_str!("../../templates/layout.html")),
        ("event.html", include_str!("../../templates/event.html")),
        ("network.html", include_str!("../../templates/network.html")),
        ("not_found.html", include_str!("../../templates/not_found.html")),
        ("home.html", include_str!("../../templates/home.html")),
        ("message.html", include_str!("../../templates/message.html")),
        ("attendee.html", include_str!("../../templates/attendee.html")),
        ("survey.html", include_str!("../../templates/survey.html")),
        ("survey_report.html", include_str!("../../templates/survey_report.html")),
        ("series_report.html", include_str!("../../templates/series_report.html")),
        ("questions.html", include_str!("../../templates/questions.html")),
        ("door.html", include_str!("../../templates/door.html")),
        ("door_roster.html", include_str!("../../templates/door_roster.html")),
        ("confirm_action.html", include_str!("../../templates/confirm_action.html")),
        ("ticket.html", include_str!("../../templates/ticket.html")),
        ("admin/layout.html", include_str!("../../templates/admin/layout.html")),
        ("admin/sign_in.html", include_str!("../../templates/admin/sign_in.html")),
        ("admin/sign_in_link.html", include_str!("../../templates/admin/sign_in_link.html")),
        ("admin/empty.html", include_str!("../../templates/admin/empty.html")),
        ("admin/events.html", include_str!("../../templates/admin/events.html")),
        ("admin/event_head.html", include_str!("../../templates/admin/event_head.html")),
        ("admin/event.html", include_str!("../../templates/admin/event.html")),
        ("admin/event_form.html", include_str!("../../templates/admin/event_form.html")),
        ("admin/cancel.html", include_str!("../../templates/admin/cancel.html")),
        ("admin/rsvps.html", include_str!("../../templates/admin/rsvps.html")),
        ("admin/door.html", include_str!("../../templates/admin/door.html")),
        ("admin/survey.html", include_str!("../../templates/admin/survey.html")),
        ("admin/members.html", include_str!("../../templates/admin/members.html")),
        ("admin/account.html", include_str!("../../templates/admin/account.html")),
        ("admin/emails.html", include_str!("../../templates/admin/emails.html")),
        ("admin/audit.html", include_str!("../../templates/admin/audit.html")),
        ("admin/board.html", include_str!("../../templates/admin/board.html")),
        ("admin/reports.html", include_str!("../../templates/admin/reports.html")),
        ("admin/questions.html", include_str!("../../templates/admin/questions.html")),
        ("admin/places.html", include_str!("../../templates/admin/places.html")),
        ("admin/announce.html", include_str!("../../templates/admin/announce.html")),
        ("admin/invitations.html", include_str!("../../templates/admin/invitations.html")),
        ("admin/invitation_list.html", include_str!("../../templates/admin/invitation_list.html")),
    ] {
        // The templates are part of the binary; a broken one fails the page tests.
        if let Err(err) = env.add_template(name, source) {
            tracing::error!(template = name, error = %err, "template does not parse");
        }
    }
    env
});

const STYLESHEET: &str = include_str!("../../static/tsudoi.css");

/// A short hash of the stylesheet: its address changes with it, so browsers may keep it.
fn css_version() -> &'static str {
    static VERSION: LazyLock<String> =
        LazyLock::new(|| tsudoi_domain::token::sha256_hex(STYLESHEET)[..12].to_owned());
    &VERSION
}

/// The stylesheet, kept by browsers for a year (its address carries its hash).
#[handler]
pub async fn stylesheet() -> Response {
    Response::builder()
        .content_type("text/css; charset=utf-8")
        .header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
        .body(STYLESHEET)
}

/// Only our own styles; no scripts at all.
const CSP: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/// The door page runs our own script (and only it), which talks to our API.
const CSP_SCRIPTED: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; media-src 'self' blob:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

struct Page {
    language: Language,
    remember: bool,
    path: String,
    /// Pages behind a secret link: kept out of every cache.
    private: bool,
    /// The visitor picked the language (switch or cookie), rather than the browser.
    chosen: bool,
}

impl Page {
    fn of(req: &Request) -> Page {
        let chosen = i18n::chosen_language(req).is_some();
        let (language, remember) = i18n::language_of(req);
        let mut path = req.uri().path().to_owned();
        if req.method() != poem::http::Method::GET {
            // The answer to a form: switching language shows the page the form was on.
            if let Some(i) = path.rfind('/').filter(|&i| i > 0) {
                path.truncate(i);
            }
        }
        // An invitation's "going" link fills the form with the person's name and address.
        let private =
            ["/r/", "/t/", "/i/", "/u/", "/s/", "/door/", "/admin"].iter().any(|p| path.starts_with(p))
                || req.uri().query().is_some_and(|q| q.contains("invite="));
        Page { language, remember, path, private, chosen }
    }

    /// Speaks `language` unless the visitor chose one: an attendee's own pages follow the
    /// language they registered in, whatever the browser they open the email's link in.
    fn prefer(&mut self, language: Language) {
        if !self.chosen {
            self.language = language;
        }
    }

    /// A page of a heading and a few lines, with an optional link back.
    fn message(
        &self,
        status: StatusCode,
        heading: &str,
        lines: &[&str],
        back: Option<(String, &str)>,
    ) -> Response {
        let (back_href, back_label) = back.unzip();
        self.render(
            status,
            "message.html",
            context! { heading => heading, lines => lines.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>(), back_href => back_href, back_label => back_label },
        )
    }

    fn render(&self, status: StatusCode, template: &str, page: Value) -> Response {
        let other = match self.language {
            Language::Ja => Language::En,
            Language::En => Language::Ja,
        };
        let ctx = context! {
            lang => self.language.code(),
            t => texts::template_texts(self.language),
            css_version => css_version(),
            home => "/",
            switch_lang => other.code(),
            switch_label => match other { Language::Ja => "日本語", Language::En => "English" },
            switch_href => format!("{}?lang={}", self.path, other.code()),
            ..page
        };
        let html = TEMPLATES.get_template(template).and_then(|t| t.render(ctx));
        let mut resp = match html {
            Ok(html) => {
                Response::builder().status(status).content_type("text/html; charset=utf-8").body(html)
            }
            Err(err) => {
                tracing::error!(error = %err, template, "rendering a page");
                let t = texts::texts(self.language);
                (StatusCode::INTERNAL_SERVER_ERROR, format!("{}\n{}", t["error_title"], t["error_body"]))
                    .into_response()
            }
        };
        let headers = resp.headers_mut();
        let scripted = matches!(
            template,
            "door.html" | "admin/board.html" | "admin/announce.html" | "admin/invitation_list.html"
        );
        let csp = if scripted { CSP_SCRIPTED } else { CSP };
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp));
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
        // Attendee pages carry their secret in the address: never pass it on to another site.
        // Dashboard pages tell only our own site where a form came from, so the browser sends
        // the `Origin` their forms are checked against (under `no-referrer` it would be `null`).
        let policy = if self.path.starts_with("/admin") { "same-origin" } else { "no-referrer" };
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(policy));
        if self.private {
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        }
        if self.remember {
            let cookie =
                format!("{}={}; Path=/; Max-Age=31536000; SameSite=Lax", i18n::COOKIE, self.language.code());
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.insert(header::SET_COOKIE, value);
            }
        }
        resp
    }

    /// A posted form over the size limit; never read as an empty one, which would erase what
    /// it stands for.
    fn form_too_large(&self) -> Response {
        let t = texts::texts(self.language);
        self.message(StatusCode::PAYLOAD_TOO_LARGE, t["error_title"], &[t["form_too_large"]], None)
    }

    fn not_found(&self) -> Response {
        self.render(StatusCode::NOT_FOUND, "not_found.html", context! {})
    }

    fn failed(&self, err: &Error) -> Response {
        match err {
            // A page never tells what exists but is not the caller's.
            Error::NotFound(_) | Error::Forbidden(_) => self.not_found(),
            other => {
                tracing::error!(error = ?other, "loading a page");
                let t = texts::texts(self.language);
                (StatusCode::INTERNAL_SERVER_ERROR, format!("{}\n{}", t["error_title"], t["error_body"]))
                    .into_response()
            }
        }
    }
}

#[derive(Serialize)]
struct ListItem {
    title: String,
    href: String,
    date: String,
    place: Option<String>,
    cancelled: bool,
}

fn list_item(e: PublicEventSummary, language: Language) -> ListItem {
    let online = texts::texts(language)["online_short"];
    ListItem {
        date: format::short_date(e.starts_at, &e.time_zone, language),
        href: format!("/e/{}", e.slug),
        place: e.venue_name.or_else(|| e.online.then(|| online.to_owned())),
        cancelled: e.status == EventStatus::Cancelled,
        title: e.title,
    }
}

/// The front page: what Tsudoi is, and the networks that have published events.
#[handler]
pub async fn home(req: &Request, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    match public::networks_with_events(state.db.reader()).await {
        Ok(networks) => {
            let networks: Vec<Value> = networks
                .into_iter()
                .map(|n| context! { name => n.name, href => format!("/n/{}", n.slug) })
                .collect();
            page.render(StatusCode::OK, "home.html", context! { networks => networks })
        }
        Err(err) => page.failed(&err),
    }
}

#[handler]
pub async fn network(req: &Request, Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let db = state.db.reader();
    let network = match public::network_by_slug(db, &slug).await {
        Ok(network) => network,
        Err(err) => return page.failed(&err),
    };
    let now = state.now();
    let (upcoming, past) = match tokio::join!(
        public::list(db, network.id, When::Upcoming, 100, 0, now),
        public::list(db, network.id, When::Past, 50, 0, now),
    ) {
        (Ok(upcoming), Ok(past)) => (upcoming, past),
        (Err(err), _) | (_, Err(err)) => return page.failed(&err),
    };
    let items = |events: Vec<PublicEventSummary>| {
        events.into_iter().map(|e| list_item(e, page.language)).collect::<Vec<_>>()
    };
    page.render(
        StatusCode::OK,
        "network.html",
        context! {
            network => context! { name => network.name, slug => network.slug },
            upcoming => Value::from(Serde(items(upcoming))),
            past => Value::from(Serde(items(past))),
        },
    )
}

#[handler]
pub async fn event(req: &Request, Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    match public::event(state.db.reader(), &slug).await {
        Ok(event) => {
            let form = match invite_of(req) {
                Some(token) => rsvp::FormState::invited(&state, &event, &token).await,
                None => rsvp::FormState::default(),
            };
            rsvp::event_page(&page, &state, &event, form, StatusCode::OK).await
        }
        Err(err) => page.failed(&err),
    }
}

/// The invitation token of a "going" link (`?invite=`).
fn invite_of(req: &Request) -> Option<String> {
    let query = req.uri().query()?;
    url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "invite").map(|(_, v)| v.into_owned())
}

/// The door fee as the event page states it: one amount, or one per slot where they differ
/// ("OB/OG 3,000円 / 学生 1,000円"); `None` when nobody pays at the door.
fn door_fee_text(p: &PublicEvent, language: Language) -> Option<String> {
    let e = &p.event;
    let fees: Vec<(&str, Option<i32>)> =
        p.slots.iter().map(|s| (s.name.as_str(), s.door_fee.or(e.door_fee))).collect();
    let show = |fee: Option<i32>| {
        fee.filter(|f| *f > 0).map_or_else(
            || texts::texts(language)["door_fee_free"].to_owned(),
            |f| money::format(f.into(), &e.door_fee_currency, language),
        )
    };
    match fees.as_slice() {
        _ if fees.iter().all(|(_, fee)| fee.is_none_or(|f| f <= 0)) => None,
        [(_, first), ..] if fees.iter().all(|(_, fee)| fee == first) => Some(show(*first)),
        _ => Some(
            fees.iter().map(|(name, fee)| format!("{name} {}", show(*fee))).collect::<Vec<_>>().join(" / "),
        ),
    }
}

fn event_view(p: &PublicEvent, base_url: &str, language: Language) -> Value {
    let e = &p.event;
    let page_url = format!("{base_url}/e/{}", e.slug);
    let location = p.venue.as_ref().map(|v| format!("{} {}", v.name, v.address)).unwrap_or_default();
    let google = url::Url::parse_with_params(
        "https://calendar.google.com/calendar/render",
        [
            ("action", "TEMPLATE".to_owned()),
            ("text", e.title.clone()),
            (
                "dates",
                format!("{}/{}", e.starts_at.format("%Y%m%dT%H%M%SZ"), e.ends_at.format("%Y%m%dT%H%M%SZ")),
            ),
            ("details", page_url.clone()),
            ("location", location),
        ],
    )
    .map(String::from)
    .unwrap_or_default();
    context! {
        door_fee => door_fee_text(p, language),
        title => e.title.clone(),
        theme => e.theme.clone(),
        cancelled => e.status == EventStatus::Cancelled,
        starts_at => e.starts_at.to_rfc3339(),
        when => format::when(e.starts_at, e.ends_at, &e.time_zone, language),
        venue => p.venue.as_ref().map(|v| context! {
            name => v.name.clone(),
            address => v.address.clone(),
            map_url => v.map_url.clone(),
            access_notes => v.access_notes.clone(),
        }),
        online => e.online_url.is_some(),
        slots => p.slots.iter().map(|s| context! { name => s.name.clone(), seats => s.seats }).collect::<Vec<_>>(),
        host => p.host.name.clone(),
        host_href => format!("/n/{}", p.host.slug),
        cohosts => p.cohosts.iter().map(|c| context! { name => c.name.clone(), href => format!("/n/{}", c.slug) }).collect::<Vec<_>>(),
        series => p.series.as_ref().map(|s| s.name.clone()),
        edition => e.edition,
        ics_href => format!("/e/{}/calendar.ics", e.slug),
        google_href => google,
        description_html => Value::from_safe_string(markdown::to_html(&e.description_md)),
    }
}
