//! The pages behind an invitation's links and the unsubscribe link. Opening one changes nothing
//! (mail scanners open links before people do); each has a button that does.

use minijinja::context;
use poem::{
    Body, Request, Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::invitations;

use super::{Page, rsvp::fill, texts};
use crate::state::AppState;

/// "Can't go": the page with the button, and a way back to the form for those who can.
#[handler]
pub async fn invitation_page(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let t = texts::texts(page.language);
    match invitations::invitation_by_token(state.db.reader(), &state.links.keyring, &token).await {
        Ok((found, event)) if found.declined_at.is_some() => page.message(
            StatusCode::OK,
            t["declined_title"],
            &[t["declined_body"]],
            Some((format!("/e/{}?invite={token}#rsvp", event.event.slug), t["invite_can_go"])),
        ),
        Ok((found, event)) => page.render(
            StatusCode::OK,
            "confirm_action.html",
            context! {
                heading => t["decline_heading"],
                body => fill(t["decline_body"], &[("name", &found.name), ("title", &event.event.title)]),
                button => t["decline_button"],
                action => format!("/i/{token}"),
                back_href => format!("/e/{}?invite={token}#rsvp", event.event.slug),
                event_title => event.event.title,
            },
        ),
        Err(err) => page.failed(&err),
    }
}

#[handler]
pub async fn decline(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let t = texts::texts(page.language);
    match invitations::decline(state.db.writer(), &state.links.keyring, &token, state.now()).await {
        Ok((_, event)) => page.message(
            StatusCode::OK,
            t["declined_title"],
            &[t["declined_body"]],
            Some((format!("/e/{}", event.event.slug), t["back_to_event"])),
        ),
        Err(err) => page.failed(&err),
    }
}

#[handler]
pub async fn unsubscribe_page(req: &Request, Path(token): Path<String>, state: Data<&AppState>) -> Response {
    let page = Page::of(req);
    let t = texts::texts(page.language);
    match invitations::unsubscription(state.db.reader(), &state.links.keyring, &token).await {
        Ok(found) => page.render(
            StatusCode::OK,
            "confirm_action.html",
            context! {
                heading => t["unsubscribe_heading"],
                body => fill(t["unsubscribe_body"], &[("network", &found.network.name), ("email", &found.email)]),
                button => t["unsubscribe_button"],
                action => format!("/u/{token}"),
                back_href => "/",
                event_title => found.network.name,
            },
        ),
        Err(err) => page.failed(&err),
    }
}

/// The button on the page, and the one-click POST mail clients send (RFC 8058: a form body of
/// `List-Unsubscribe=One-Click`, no cookies, no confirmation).
#[handler]
pub async fn unsubscribe(
    req: &Request,
    Path(token): Path<String>,
    body: Body,
    state: Data<&AppState>,
) -> Response {
    // The body says nothing the link does not; it is read only so the connection stays clean.
    let _ = body.into_bytes_limit(4096).await;
    let page = Page::of(req);
    let t = texts::texts(page.language);
    match invitations::unsubscribe(state.db.writer(), &state.links.keyring, &token, state.now()).await {
        Ok(found) => {
            let line =
                fill(t["unsubscribed_body"], &[("network", &found.network.name), ("email", &found.email)]);
            page.message(StatusCode::OK, t["unsubscribed_title"], &[&line], None)
        }
        Err(err) => page.failed(&err),
    }
}
