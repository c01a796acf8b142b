//! A network's venues and series: made, changed, archived (kept for the events that use them,
//! gone from the pickers) and restored.

use std::collections::{BTreeMap, HashMap};

use minijinja::{Value, context};
use poem::{
    Response, handler,
    http::StatusCode,
    web::{Data, Path},
};
use tsudoi_domain::{
    Error,
    error::ValidationErrors,
    ids::{SeriesId, VenueId},
    series::{self, SeriesInput, SeriesPatch},
    venue::{self, VenueInput, VenuePatch},
};
use uuid::Uuid;

use super::{Admin, Posting, not_found, see_other};
use crate::{pages::rsvp::Posted, state::AppState};

/// What a refused form shows again: which form, what was typed, and the errors by field.
struct Refused {
    form: &'static str,
    values: BTreeMap<String, String>,
    errors: HashMap<String, String>,
}

async fn places_page(
    admin: &Admin,
    state: &AppState,
    slug: &str,
    refused: Option<Refused>,
    status: StatusCode,
) -> Response {
    let Some((network, role)) = admin.network(slug).cloned() else { return not_found(admin) };
    if role == tsudoi_domain::access::Role::DoorStaff {
        return not_found(admin);
    }
    let db = state.db.reader();
    let (venues, all_series) = match tokio::join!(
        venue::list(db, &admin.who.actor, network.id, true),
        series::list(db, &admin.who.actor, network.id, true),
    ) {
        (Ok(venues), Ok(all)) => (venues, all),
        (Err(err), _) | (_, Err(err)) => return admin.failed(&err, "/admin"),
    };
    let (form, values, errors) =
        refused.map_or((None, BTreeMap::new(), HashMap::new()), |r| (Some(r.form), r.values, r.errors));
    admin.render(
        status,
        "admin/places.html",
        Some(&network),
        "places",
        context! {
            venues => venues.into_iter().map(|v| context! {
                id => v.id.uuid().to_string(),
                name => v.name,
                address => v.address,
                map_url => v.map_url,
                access_notes => v.access_notes,
                room_capacity => v.room_capacity,
                archived => v.archived_at.is_some(),
            }).collect::<Vec<Value>>(),
            series => all_series.into_iter().map(|s| context! {
                id => s.id.uuid().to_string(),
                slug => s.slug,
                name => s.name,
                description => s.description,
                archived => s.archived_at.is_some(),
            }).collect::<Vec<Value>>(),
            refused => form,
            f => values,
            errors => errors,
        },
    )
}

/// `GET /admin/n/{slug}/places`.
#[handler]
pub async fn places_page_of(admin: Admin, Path(slug): Path<String>, state: Data<&AppState>) -> Response {
    places_page(&admin, &state, &slug, None, StatusCode::OK).await
}

/// What an archive or restore button asks for; `None` for the edit form.
fn archiving(form: &Posted) -> Option<bool> {
    if form.get("archive").is_some() {
        Some(true)
    } else if form.get("restore").is_some() {
        Some(false)
    } else {
        None
    }
}

/// The form again, refused with `err`, or the page that says why.
async fn refused(
    admin: &Admin,
    state: &AppState,
    slug: &str,
    which: &'static str,
    form: &Posted,
    err: Error,
) -> Response {
    let errors = match err {
        Error::Invalid(errors) => errors,
        Error::Conflict(conflict) if conflict.field().is_some() => {
            let text = crate::pages::rsvp::conflict_text(&conflict, None, admin.page.language);
            ValidationErrors::single(conflict.field().unwrap_or("name"), "conflict", text)
        }
        Error::NotFound(_) | Error::Forbidden(_) => return not_found(admin),
        other => return admin.failed(&other, &format!("/admin/n/{slug}/places")),
    };
    let mut texts = super::fields::error_texts(&errors, admin.page.language);
    // A conflict's words are already the page's.
    for e in errors.fields().iter().filter(|e| e.code == "conflict") {
        texts.insert(e.field.clone(), e.message.clone());
    }
    let values = form.pairs().iter().filter(|(k, _)| k != "guard").cloned().collect();
    let shown = Refused { form: which, values, errors: texts };
    places_page(admin, state, slug, Some(shown), StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST /admin/n/{slug}/venues`: a new venue.
#[handler]
pub async fn create_venue(
    Posting(admin, form): Posting,
    Path(slug): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let mut errors = ValidationErrors::new();
    let capacity = super::fields::whole_number(&form, "room_capacity", &mut errors).unwrap_or(0);
    if !errors.is_empty() {
        return refused(&admin, &state, &slug, "new_venue", &form, Error::Invalid(errors)).await;
    }
    let input = VenueInput {
        name: form.trimmed("name"),
        address: form.trimmed("address"),
        map_url: form.optional("map_url"),
        access_notes: form.optional("access_notes"),
        room_capacity: capacity,
    };
    match venue::create(state.db.writer(), &admin.who.actor, network.id, input, state.now()).await {
        Ok(_) => see_other(&format!("/admin/n/{slug}/places")),
        Err(err) => refused(&admin, &state, &slug, "new_venue", &form, err).await,
    }
}

/// `POST /admin/n/{slug}/venues/{id}`: changes a venue (`archive`/`restore` alone archive or
/// restore it).
#[handler]
pub async fn change_venue(
    Posting(admin, form): Posting,
    Path((slug, id)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>().map(VenueId) else { return not_found(&admin) };
    if admin.network(&slug).is_none() {
        return not_found(&admin);
    }
    let (db, actor, now) = (state.db.writer(), &admin.who.actor, state.now());
    let done = match archiving(&form) {
        Some(archived) => venue::set_archived(db, actor, id, archived, now).await,
        None => {
            let mut errors = ValidationErrors::new();
            let capacity = super::fields::whole_number(&form, "room_capacity", &mut errors);
            if !errors.is_empty() {
                return refused(&admin, &state, &slug, "venue", &form, Error::Invalid(errors)).await;
            }
            let patch = VenuePatch {
                name: Some(form.trimmed("name")),
                address: Some(form.trimmed("address")),
                map_url: Some(form.optional("map_url")),
                access_notes: Some(form.optional("access_notes")),
                room_capacity: capacity,
            };
            venue::update(db, actor, id, patch, now).await
        }
    };
    match done {
        Ok(_) => see_other(&format!("/admin/n/{slug}/places")),
        Err(err) => refused(&admin, &state, &slug, "venue", &form, err).await,
    }
}

/// `POST /admin/n/{slug}/series`: a new series.
#[handler]
pub async fn create_series(
    Posting(admin, form): Posting,
    Path(slug): Path<String>,
    state: Data<&AppState>,
) -> Response {
    let Some((network, _)) = admin.network(&slug).cloned() else { return not_found(&admin) };
    let input = SeriesInput {
        slug: form.trimmed("slug"),
        name: form.trimmed("name"),
        description: form.optional("description"),
    };
    match series::create(state.db.writer(), &admin.who.actor, network.id, input, state.now()).await {
        Ok(_) => see_other(&format!("/admin/n/{slug}/places")),
        Err(err) => refused(&admin, &state, &slug, "new_series", &form, err).await,
    }
}

/// `POST /admin/n/{slug}/series/{id}`: changes a series (`archive`/`restore` alone archive or
/// restore it).
#[handler]
pub async fn change_series(
    Posting(admin, form): Posting,
    Path((slug, id)): Path<(String, String)>,
    state: Data<&AppState>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>().map(SeriesId) else { return not_found(&admin) };
    if admin.network(&slug).is_none() {
        return not_found(&admin);
    }
    let (db, actor, now) = (state.db.writer(), &admin.who.actor, state.now());
    let done = match archiving(&form) {
        Some(archived) => series::set_archived(db, actor, id, archived, now).await,
        None => {
            let patch = SeriesPatch {
                slug: Some(form.trimmed("slug")),
                name: Some(form.trimmed("name")),
                description: Some(form.optional("description")),
            };
            series::update(db, actor, id, patch, now).await
        }
    };
    match done {
        Ok(_) => see_other(&format!("/admin/n/{slug}/places")),
        Err(err) => refused(&admin, &state, &slug, "series", &form, err).await,
    }
}
