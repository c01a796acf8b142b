//! What an event draft points at: its venue, series and edition, co-hosting networks,
//! organizers and slug, each checked against the database (every problem collected at once),
//! and a readable slug made when none is given.

use std::collections::HashSet;

use data_encoding::BASE32_NOPAD;
use rand::RngCore;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QuerySelect};

use super::{EventDetails, draft::ValidDraft};
use crate::{
    access::{Actor, Permission, Role},
    entity::{event, membership, network, series, venue},
    error::{Conflict, Error, Result, ValidationErrors},
    ids::{EventId, NetworkId, PersonId},
    values::Slug,
};

/// What the draft's references resolved to.
pub(super) struct References {
    pub slug: Slug,
    pub cohosts: Vec<NetworkId>,
}

/// Checks everything a draft points at, collecting every problem: the venue (the host's or a
/// co-host's, big enough), the series (the host's) and its edition number, the slug, the
/// co-hosting networks and the organizers (members who may manage events). Fills in the
/// edition number when the draft has a series but no number.
pub(super) async fn check_references(
    txn: &DatabaseTransaction,
    actor: &Actor,
    host: &network::Model,
    valid: &mut ValidDraft,
    current: Option<&EventDetails>,
) -> Result<References> {
    let mut errors = ValidationErrors::new();
    let current_event = current.map(|c| &c.event);

    let mut cohosts = Vec::new();
    for (i, slug) in valid.cohosts.iter().enumerate() {
        match network::Entity::find().filter(network::Column::Slug.eq(slug.as_str())).one(txn).await? {
            Some(n) if n.id == host.id => {
                errors.add(format!("cohosts[{i}]"), "is_host", "the host cannot also co-host")
            }
            Some(n) if cohosts.contains(&n.id) => {
                errors.add(format!("cohosts[{i}]"), "duplicate", "listed twice")
            }
            Some(n) => {
                // Co-hosting shares the event's management and its public page with that
                // network, so only someone who organizes there may add it. Unknown and not
                // yours look the same (invariant 6).
                let already = current.is_some_and(|c| c.cohosts.iter().any(|h| h.id == n.id));
                if already || actor.role_in(n.id).is_some_and(|r| r.allows(Permission::ManageEvents)) {
                    cohosts.push(n.id);
                } else {
                    errors.add(
                        format!("cohosts[{i}]"),
                        "unknown_network",
                        format!("no network `{slug}` you organize in"),
                    );
                }
            }
            None => errors.add(
                format!("cohosts[{i}]"),
                "unknown_network",
                format!("no network `{slug}` you organize in"),
            ),
        }
    }
    let managing: Vec<NetworkId> = std::iter::once(host.id).chain(cohosts.iter().copied()).collect();

    if let Some(venue_id) = valid.venue_id {
        match venue::Entity::find_by_id(venue_id).one(txn).await? {
            Some(v) if managing.contains(&v.network_id) => {
                let unchanged = current_event.is_some_and(|e| e.venue_id == Some(venue_id));
                if v.archived_at.is_some() && !unchanged {
                    errors.add("venue_id", "archived", "this venue is archived");
                }
                if valid.seats > v.room_capacity {
                    errors.add(
                        "seats",
                        "above_room_capacity",
                        format!("the venue holds {} people; seats cannot be more", v.room_capacity),
                    );
                }
            }
            _ => errors.add("venue_id", "unknown_venue", "no such venue in the hosting networks"),
        }
    }

    if let Some(series_id) = valid.series_id {
        // Locked, so that editions numbered at the same moment get one number each.
        match series::Entity::find_by_id(series_id).lock_exclusive().one(txn).await? {
            Some(s) if s.network_id == host.id => {
                let unchanged = current_event.is_some_and(|e| e.series_id == Some(series_id));
                if s.archived_at.is_some() && !unchanged {
                    errors.add("series_id", "archived", "this series is archived");
                }
                let edition = match valid.edition {
                    Some(n) => n,
                    None => super::super::series::next_edition(txn, series_id).await?,
                };
                let mut taken = event::Entity::find()
                    .filter(event::Column::SeriesId.eq(series_id))
                    .filter(event::Column::Edition.eq(edition));
                if let Some(e) = current_event {
                    taken = taken.filter(event::Column::Id.ne(e.id));
                }
                if taken.one(txn).await?.is_some() {
                    return Err(Conflict::EditionTaken(edition).into());
                }
                valid.edition = Some(edition);
            }
            _ => errors.add("series_id", "unknown_series", "no such series in the hosting network"),
        }
    }

    let managers: HashSet<_> = membership::Entity::find()
        .filter(membership::Column::NetworkId.is_in(managing.clone()))
        .filter(membership::Column::Role.is_in([Role::Owner, Role::Organizer]))
        .all(txn)
        .await?
        .into_iter()
        .map(|m| m.person_id)
        .collect();
    // People already in charge stay valid even if their role has changed since.
    let already_in_charge =
        |person: &PersonId| current.is_some_and(|c| c.organizers.iter().any(|p| p.id == *person));
    for (i, person) in valid.organizers.iter().enumerate() {
        if !managers.contains(person) && !already_in_charge(person) {
            errors.add(
                format!("organizers[{i}]"),
                "not_an_organizer",
                "must be an organizer or owner of the hosting or a co-hosting network",
            );
        }
    }

    let mut slot_errors = ValidationErrors::new();
    for (i, slot) in valid.slots.iter().enumerate() {
        if let Some(id) = slot.id
            && !current.is_some_and(|c| c.slots.iter().any(|s| s.id == id))
        {
            slot_errors.add(format!("slots[{i}].id"), "unknown_slot", "not a slot of this event");
        }
    }
    for e in slot_errors.fields() {
        errors.add(e.field.clone(), e.code, e.message.clone());
    }
    errors.into_result()?;

    let slug = match &valid.slug {
        Some(slug) => {
            ensure_slug_free(txn, slug, current_event.map(|e| e.id)).await?;
            slug.clone()
        }
        None => match current_event {
            Some(e) => Slug::parse(&e.slug).map_err(|e| anyhow::anyhow!("stored slug is invalid: {e}"))?,
            None => generate_slug(txn, host, valid).await?,
        },
    };
    Ok(References { slug, cohosts })
}

async fn ensure_slug_free(db: &impl ConnectionTrait, slug: &Slug, except: Option<EventId>) -> Result<()> {
    let mut query = event::Entity::find().filter(event::Column::Slug.eq(slug.as_str()));
    if let Some(id) = except {
        query = query.filter(event::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(Conflict::SlugTaken(slug.to_string()).into());
    }
    Ok(())
}

/// A readable slug when the organizer gave none: `crossing-8`, then `tokyo-crossing-8`, and
/// a random one when those are taken or there is no series.
async fn generate_slug(txn: &DatabaseTransaction, host: &network::Model, valid: &ValidDraft) -> Result<Slug> {
    let mut candidates = Vec::new();
    if let (Some(series_id), Some(edition)) = (valid.series_id, valid.edition)
        && let Some(series) = series::Entity::find_by_id(series_id).one(txn).await?
    {
        candidates.push(format!("{}-{edition}", series.slug));
        candidates.push(format!("{}-{}-{edition}", host.slug, series.slug));
    }
    for candidate in candidates {
        if let Ok(slug) = Slug::parse(&candidate)
            && ensure_slug_free(txn, &slug, None).await.is_ok()
        {
            return Ok(slug);
        }
    }
    // The network's slug, shortened so the whole stays within the limit, plus 8 random
    // characters (40 bits): a clash is unlikely, and checked.
    let prefix = host.slug.get(..40).unwrap_or(&host.slug).trim_end_matches('-');
    for _ in 0..8 {
        let mut bytes = [0u8; 5];
        rand::rng().fill_bytes(&mut bytes);
        let random = format!("{prefix}-{}", BASE32_NOPAD.encode(&bytes).to_lowercase());
        let slug = Slug::parse(&random)
            .map_err(|e| Error::Unexpected(anyhow::anyhow!("generated slug {random}: {e}")))?;
        if ensure_slug_free(txn, &slug, None).await.is_ok() {
            return Ok(slug);
        }
    }
    Err(Error::Unexpected(anyhow::anyhow!("no free random slug after 8 tries")))
}
