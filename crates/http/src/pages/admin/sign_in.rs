//! Signing in and out: the form that asks for a link, the link's page with its button (a mail
//! scanner opening the link signs nobody in), and signing out here or everywhere.

use minijinja::context;
use poem::{
    Body, Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    sign_in::{self as session, LinkRefused},
    values::Email,
};

use super::{Posting, SESSION_COOKIE, cookie, query_param, same_origin, see_other, with_session_cookie};
use crate::{
    limits::client_ip,
    pages::{Page, rsvp::read_form, texts},
    state::AppState,
};

/// Where to go after signing in: the `next` of the query, if it is a dashboard page.
fn next_of(req: &Request) -> Option<String> {
    query_param(req, "next").and_then(|next| session::safe_next(&next).map(str::to_owned))
}

/// The sign-in form, with what was typed and what is wrong with it (`error`), or a `notice`.
struct SignInForm<'a> {
    next: Option<&'a str>,
    email: &'a str,
    error: Option<&'a str>,
    notice: Option<&'a str>,
}

fn form_page(page: &Page, status: StatusCode, form: SignInForm<'_>) -> Response {
    let SignInForm { next, email, error, notice } = form;
    page.render(
        status,
        "admin/sign_in.html",
        context! { next => next, email => email, error => error, notice => notice },
    )
}

/// `GET /admin/sign-in`: the address to send a link to. Someone signed in goes on at once.
#[handler]
pub async fn sign_in_form(req: &Request, state: Data<&AppState>) -> Response {
    let next = next_of(req);
    if let Some(value) = cookie(req, SESSION_COOKIE)
        && let Ok(Some(_)) =
            session::authenticate(state.db.reader(), state.db.writer(), value, state.now()).await
    {
        return see_other(next.as_deref().unwrap_or("/admin"));
    }
    let page = Page::of(req);
    let signed_out = req.uri().query().is_some_and(|q| q.split('&').any(|p| p == "signed_out=1"));
    let notice = signed_out.then(|| texts::texts(page.language)["admin_signed_out"]);
    form_page(&page, StatusCode::OK, SignInForm { next: next.as_deref(), email: "", error: None, notice })
}

/// `POST /admin/sign-in`: queues a link when the address is a member's. The answer is the same
/// either way, so the page does not tell who organizes what.
#[handler]
pub async fn sign_in_request(req: &Request, body: Body, state: Data<&AppState>) -> Response {
    let mut page = Page::of(req);
    page.path = "/admin/sign-in".to_owned();
    let t = texts::texts(page.language);
    let Some(form) = read_form(body).await else { return page.form_too_large() };
    let next = form.get("next").and_then(|n| session::safe_next(n)).map(str::to_owned);
    let typed = form.get("email").cloned().unwrap_or_default();
    if !same_origin(req, &state.base_url) {
        return form_page(
            &page,
            StatusCode::FORBIDDEN,
            SignInForm {
                next: next.as_deref(),
                email: &typed,
                error: Some(t["admin_stale_form"]),
                notice: None,
            },
        );
    }
    let Ok(email) = Email::parse(&typed) else {
        return form_page(
            &page,
            StatusCode::UNPROCESSABLE_ENTITY,
            SignInForm { next: next.as_deref(), email: &typed, error: Some(t["err_email"]), notice: None },
        );
    };
    let ip_allowed = client_ip(req, state.trust_proxy).is_none_or(|ip| state.limits.allow_ip(ip));
    if !ip_allowed || !state.limits.allow_email(email.as_str()) {
        return form_page(
            &page,
            StatusCode::TOO_MANY_REQUESTS,
            SignInForm { next: next.as_deref(), email: &typed, error: Some(t["err_too_many"]), notice: None },
        );
    }
    match session::request(state.db.writer(), &email, next.as_deref(), page.language, state.now()).await {
        Ok(requested) => {
            if requested == session::Requested::Sent {
                state.mail_wake.notify_one();
            }
            let sent = super::super::rsvp::fill(t["admin_link_sent"], &[("email", email.as_str())]);
            page.message(StatusCode::OK, t["admin_check_inbox"], &[&sent, t["admin_link_sent_more"]], None)
        }
        Err(err) => page.failed(&err),
    }
}

/// Why a link does not sign in, as a page with the way to ask for a new one.
fn refused(page: &Page, why: LinkRefused) -> Response {
    let t = texts::texts(page.language);
    let line = match why {
        LinkRefused::Used => t["admin_link_used"],
        LinkRefused::Expired => t["admin_link_expired"],
        LinkRefused::Unknown => t["admin_link_unknown"],
    };
    page.message(
        StatusCode::GONE,
        t["admin_sign_in_title"],
        &[line],
        Some(("/admin/sign-in".to_owned(), t["admin_new_link"])),
    )
}

/// `GET /admin/sign-in/{token}`: the emailed link's page, with the button that signs in.
#[handler]
pub async fn sign_in_link(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    match session::check(state.db.reader(), &state.links, &token, state.now()).await {
        Ok(Ok(_)) => page.render(
            StatusCode::OK,
            "admin/sign_in_link.html",
            context! { action => format!("/admin/sign-in/{token}") },
        ),
        Ok(Err(why)) => refused(&page, why),
        Err(err) => page.failed(&err),
    }
}

/// `POST /admin/sign-in/{token}`: uses the link, opens the session and goes where the person
/// was going.
#[handler]
pub async fn sign_in_redeem(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let mut page = Page::of(req);
    page.path = "/admin/sign-in".to_owned();
    if !same_origin(req, &state.base_url) {
        return refused(&page, LinkRefused::Unknown);
    }
    match session::redeem(state.db.writer(), &state.links, &token, state.now()).await {
        Ok(Ok(opened)) => {
            let to = opened.next_path.as_deref().unwrap_or("/admin");
            with_session_cookie(see_other(to), &state, Some(&opened.cookie))
        }
        Ok(Err(why)) => refused(&page, why),
        Err(err) => page.failed(&err),
    }
}

/// `POST /admin/sign-out`: ends this browser's session.
#[handler]
pub async fn sign_out(Posting(admin, _): Posting, state: Data<&AppState>) -> Response {
    if let Err(err) = session::sign_out(state.db.writer(), admin.who.session_id, state.now()).await {
        return admin.page.failed(&err);
    }
    with_session_cookie(see_other("/admin/sign-in?signed_out=1"), &state, None)
}

/// `POST /admin/sign-out/everywhere`: ends every session of the person (a lost phone), and the
/// sign-in links still on their way.
#[handler]
pub async fn sign_out_everywhere(Posting(admin, _): Posting, state: Data<&AppState>) -> Response {
    if let Err(err) = session::sign_out_everywhere(state.db.writer(), admin.who.person.id, state.now()).await
    {
        return admin.page.failed(&err);
    }
    with_session_cookie(see_other("/admin/sign-in?signed_out=1"), &state, None)
}
