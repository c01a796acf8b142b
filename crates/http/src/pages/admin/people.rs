//! People: a network's members (owners invite organizers and door staff by email, change roles,
//! remove), and one's own account (API tokens, signing out everywhere).

use minijinja::{Value, context};
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    access::Role,
    error::Resource,
    format,
    ids::{NetworkId, PersonId, TokenId},
    network::{self as networks},
    token,
};
use uuid::Uuid;

use super::{Admin, Posting, not_found, see_other};
use crate::{pages::texts, state::AppState};

fn role_of(key: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| r.as_str() == key)
}

/// The members page, with the invite form as posted (`typed`) and its error, if any.
async fn render_members(
    admin: &Admin,
    state: &AppState,
    slug: &str,
    typed: Option<(&str, &str, String)>,
    status: StatusCode,
) -> Response {
    let Some((network, role)) = admin.network(slug).cloned() else { return not_found(admin) };
    let members = match networks::members(state.db.reader(), &admin.who.actor, network.id).await {
        Ok(members) => members,
        Err(Error::Forbidden(_) | Error::NotFound(_)) => return not_found(admin),
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let language = admin.page.language;
    let rows: Vec<Value> = members
        .into_iter()
        .map(|m| {
            context! {
                id => m.person.id.uuid().to_string(),
                name => m.person.display_name,
                email => m.person.email,
                role => m.role.as_str(),
                since => format::short_date(m.since, &network.time_zone, language),
                me => m.person.id == admin.who.person.id,
            }
        })
        .collect();
    let (email, invite_role, error) = typed.map_or(("", "organizer", None), |(e, r, err)| (e, r, Some(err)));
    admin.render(
        status,
        "admin/members.html",
        Some(&network),
        "members",
        context! {
            members => rows,
            owner => role == Role::Owner,
            roles => Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            email => email,
            invite_role => invite_role,
            error => error,
        },
    )
}

/// `GET /admin/n/{slug}/members`.
#[handler]
pub async fn members_page_of(admin: Admin, Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    render_members(&admin, &state, &slug, None, StatusCode::OK).await
}

/// `POST /admin/n/{slug}/members`: an owner invites someone (`email`, `role`); they get a
/// welcome with a link that signs in.
#[handler]
pub async fn invite_member(
    Posting(admin, form): Posting,
    Path(slug): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let email = form.get("email").cloned().unwrap_or_default();
    let role_key = form.get("role").cloned().unwrap_or_default();
    let Some(role) = role_of(&role_key) else { return not_found(&admin) };
    let added = networks::add_member(
        state.db.writer(),
        Some(&admin.who.actor),
        network.id,
        &email,
        None,
        role,
        state.now(),
    )
    .await;
    let language = admin.page.language;
    match added {
        Ok(_) => {
            state.mail_wake.notify_one();
            see_other(&format!("/admin/n/{slug}/members"))
        }
        Err(Error::Invalid(errors)) => {
            let text = crate::pages::rsvp::field_texts(&errors, language)
                .remove("email")
                .unwrap_or_else(|| texts::texts(language)["err_invalid"].to_owned());
            render_members(
                &admin,
                &state,
                &slug,
                Some((&email, &role_key, text)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(Error::Conflict(conflict)) => {
            let text = crate::pages::rsvp::conflict_text(&conflict, None, language);
            render_members(&admin, &state, &slug, Some((&email, &role_key, text)), StatusCode::CONFLICT).await
        }
        Err(Error::Forbidden(_) | Error::NotFound(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, &format!("/admin/n/{slug}/members")),
    }
}

/// `POST /admin/n/{slug}/members/{person}` with `role` (a change) or `remove`.
#[handler]
pub async fn change_member(
    Posting(admin, form): Posting,
    Path((slug, person)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let Ok(person) = person.parse::<Uuid>().map(PersonId) else { return not_found(&admin) };
    let (db, actor, now) = (state.db.writer(), &admin.who.actor, state.now());
    let done = if form.get("remove").is_some() {
        networks::remove_member(db, actor, network.id, person, now).await
    } else {
        match form.get("role").and_then(|r| role_of(r)) {
            Some(role) => networks::change_role(db, actor, network.id, person, role, now).await.map(|_| ()),
            None => return not_found(&admin),
        }
    };
    let back = format!("/admin/n/{slug}/members");
    match done {
        Ok(()) if person == admin.who.person.id && form.get("remove").is_some() => see_other("/admin"),
        Ok(()) => see_other(&back),
        Err(Error::Forbidden(_) | Error::NotFound(_)) => not_found(&admin),
        Err(err) => admin.failed(&err, &back),
    }
}

/// The account page, with a token just made (its secret shown once) or the form's error.
async fn account_page(
    admin: &Admin,
    state: &AppState,
    made: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let tokens = match token::list(state.db.reader(), &admin.who.actor).await {
        Ok(tokens) => tokens,
        Err(err) => return admin.failed(&err, "/admin"),
    };
    let language = admin.page.language;
    let zone = admin.networks.first().map_or("Asia/Tokyo", |(n, _)| n.time_zone.as_str());
    let network_name = |id: Option<NetworkId>| {
        id.and_then(|id| admin.networks.iter().find(|(n, _)| n.id == id)).map(|(n, _)| n.name.clone())
    };
    let rows: Vec<Value> = tokens
        .into_iter()
        .map(|t| {
            context! {
                id => t.id.uuid().to_string(),
                name => t.name,
                network => network_name(t.network_id),
                created => format::moment(t.created_at, zone, language),
                last_used => t.last_used_at.map(|at| format::moment(at, zone, language)),
                revoked => t.revoked_at.is_some(),
            }
        })
        .collect();
    let current = admin.networks.first().map(|(n, _)| n.clone());
    admin.render(
        status,
        "admin/account.html",
        current.as_ref(),
        "account",
        context! { tokens => rows, made => made, error => error },
    )
}

/// `GET /admin/account`.
#[handler]
pub async fn account(admin: Admin, state: Data<&AppState>) -> Response {
    account_page(&admin, &state, None, None, StatusCode::OK).await
}

/// `POST /admin/account/tokens`: a new API token (`name`, optionally limited to one `network`),
/// its secret shown this once.
#[handler]
pub async fn create_token(Posting(admin, form): Posting, state: Data<&AppState>) -> Response {
    let name = form.get("name").cloned().unwrap_or_default();
    let network = match form.get("network").filter(|n| !n.is_empty()) {
        Some(slug) => match admin.network(slug) {
            Some((n, _)) => Some(n.id),
            None => return not_found(&admin),
        },
        None => None,
    };
    match token::issue_for_actor(state.db.writer(), &admin.who.actor, network, &name, state.now()).await {
        Ok(issued) => account_page(&admin, &state, Some(issued.plaintext), None, StatusCode::CREATED).await,
        Err(Error::Invalid(errors)) => {
            let language = admin.page.language;
            let text = crate::pages::rsvp::field_texts(&errors, language)
                .remove("name")
                .unwrap_or_else(|| texts::texts(language)["err_invalid"].to_owned());
            account_page(&admin, &state, None, Some(text), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(err) => admin.failed(&err, "/admin/account"),
    }
}

/// `POST /admin/account/tokens/{id}/revoke`.
#[handler]
pub async fn revoke_token(
    Posting(admin, _): Posting,
    Path(id): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>().map(TokenId) else { return not_found(&admin) };
    match token::revoke(state.db.writer(), &admin.who.actor, id, state.now()).await {
        Ok(_) => see_other("/admin/account"),
        Err(Error::NotFound(Resource::Token)) => not_found(&admin),
        Err(err) => admin.failed(&err, "/admin/account"),
    }
}
