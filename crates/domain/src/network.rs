//! Networks (one company's alumni, usually) and their members with roles.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

use crate::{
    access::{Actor, Permission, Role},
    audit::{self, Author, Change},
    entity::{membership, network, person},
    error::{Conflict, Error, Resource, Result, ValidationErrors},
    ids::{NetworkId, PersonId},
    person::{find_or_create, name_from_email},
    values::{self, Email, Language, Slug, TimeZone},
};

pub const NAME_MAX: usize = 200;

pub struct NewNetwork<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub default_language: Option<&'a str>,
    pub time_zone: Option<&'a str>,
}

/// Creates a network (the operator's command line does this; there is no API for it).
pub async fn create(
    db: &DatabaseConnection,
    input: NewNetwork<'_>,
    now: DateTime<Utc>,
) -> Result<network::Model> {
    let mut errors = ValidationErrors::new();
    let slug = errors.check("slug", Slug::parse(input.slug));
    let name = errors.check("name", values::text(input.name, NAME_MAX));
    let language = match input.default_language {
        Some(raw) => errors.check("default_language", Language::parse(raw)),
        None => Some(Language::Ja),
    };
    let time_zone = match input.time_zone {
        Some(raw) => errors.check("time_zone", TimeZone::parse(raw)),
        None => Some(TimeZone::DEFAULT),
    };
    let (Some(slug), Some(name), Some(language), Some(time_zone)) = (slug, name, language, time_zone) else {
        return Err(errors.into());
    };
    let txn = db.begin().await?;
    if find_by_slug(&txn, &slug).await?.is_some() {
        return Err(Conflict::SlugTaken(slug.to_string()).into());
    }
    let model = network::Entity::insert(network::ActiveModel {
        id: Set(NetworkId::new()),
        slug: Set(slug.to_string()),
        name: Set(name),
        default_language: Set(language),
        time_zone: Set(time_zone.name().to_owned()),
        created_at: Set(now),
    })
    .exec_with_returning(&txn)
    .await?;
    audit::record(
        &txn,
        Change {
            network_id: model.id,
            author: Author::Operator,
            action: "network.create",
            subject_id: model.id.uuid(),
            summary: json!({"slug": model.slug, "name": model.name}),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

pub async fn find_by_slug(db: &impl ConnectionTrait, slug: &Slug) -> Result<Option<network::Model>> {
    Ok(network::Entity::find().filter(network::Column::Slug.eq(slug.as_str())).one(db).await?)
}

/// The network with this slug, if the actor may see it.
pub async fn visible_by_slug(db: &impl ConnectionTrait, actor: &Actor, slug: &str) -> Result<network::Model> {
    let slug = Slug::parse(slug).map_err(|_| Error::NotFound(Resource::Network))?;
    let network = find_by_slug(db, &slug).await?.ok_or(Error::NotFound(Resource::Network))?;
    actor.require(network.id, Permission::ViewNetwork, Resource::Network)?;
    Ok(network)
}

/// The networks the actor belongs to, with its role in each, by name.
pub async fn list_for(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<(network::Model, Role)>> {
    let networks = network::Entity::find()
        .filter(network::Column::Id.is_in(actor.network_ids()))
        .order_by_asc(network::Column::Name)
        .all(db)
        .await?;
    Ok(networks.into_iter().filter_map(|n| actor.role_in(n.id).map(|role| (n, role))).collect())
}

/// Loads memberships for a person, optionally narrowed to one network (a restricted token).
pub async fn memberships_of(
    db: &impl ConnectionTrait,
    person_id: PersonId,
    only: Option<NetworkId>,
) -> Result<Vec<(NetworkId, Role)>> {
    let mut query = membership::Entity::find().filter(membership::Column::PersonId.eq(person_id));
    if let Some(network_id) = only {
        query = query.filter(membership::Column::NetworkId.eq(network_id));
    }
    Ok(query.all(db).await?.into_iter().map(|m| (m.network_id, m.role)).collect())
}

pub struct Member {
    pub person: person::Model,
    pub role: Role,
    pub since: DateTime<Utc>,
}

/// Members with their emails: for organizers and owners (who put people in charge), not for
/// door staff.
pub async fn members(db: &impl ConnectionTrait, actor: &Actor, network_id: NetworkId) -> Result<Vec<Member>> {
    actor.require(network_id, Permission::ManageEvents, Resource::Network)?;
    let rows = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(network_id))
        .find_also_related(person::Entity)
        .order_by_asc(membership::Column::CreatedAt)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, p)| p.map(|person| Member { person, role: m.role, since: m.created_at }))
        .collect())
}

/// Adds the person with this email (created if new) with a role. Owners only, except for the
/// operator's command line (`actor` = `None`); an owner's addition is welcomed by email.
pub async fn add_member(
    db: &DatabaseConnection,
    actor: Option<&Actor>,
    network_id: NetworkId,
    email: &str,
    display_name: Option<&str>,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Member> {
    if let Some(actor) = actor {
        actor.require(network_id, Permission::ManageMembers, Resource::Network)?;
    }
    let mut errors = ValidationErrors::new();
    let email = errors.check("email", Email::parse(email));
    let name = match display_name {
        Some(raw) => errors.check("display_name", values::optional_text(raw, NAME_MAX)).flatten(),
        None => None,
    };
    let Some(email) = email else { return Err(errors.into()) };
    errors.into_result()?;
    let name = name.unwrap_or_else(|| name_from_email(&email));

    let txn = db.begin().await?;
    let person = find_or_create(&txn, &email, &name, now).await?;
    let existing = membership::Entity::find_by_id((network_id, person.id)).one(&txn).await?;
    if existing.is_some() {
        return Err(Conflict::AlreadyMember(email.to_string()).into());
    }
    membership::Entity::insert(membership::ActiveModel {
        network_id: Set(network_id),
        person_id: Set(person.id),
        role: Set(role),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::record(
        &txn,
        Change {
            network_id,
            author: actor.map_or(Author::Operator, Author::from),
            action: "member.add",
            subject_id: person.id.uuid(),
            summary: json!({"role": role.as_str()}),
        },
        now,
    )
    .await?;
    // Added by an owner (not the operator's command line): tell them, with a way in.
    if actor.is_some() {
        crate::sign_in::queue_welcome(&txn, person.id, network_id, now).await?;
    }
    txn.commit().await?;
    Ok(Member { person, role, since: now })
}

/// Changes a member's role. A network always keeps at least one owner.
pub async fn change_role(
    db: &DatabaseConnection,
    actor: &Actor,
    network_id: NetworkId,
    person_id: PersonId,
    role: Role,
    now: DateTime<Utc>,
) -> Result<Member> {
    actor.require(network_id, Permission::ManageMembers, Resource::Network)?;
    let txn = db.begin().await?;
    let (membership, person) = membership::Entity::find_by_id((network_id, person_id))
        .find_also_related(person::Entity)
        .one(&txn)
        .await?
        .and_then(|(m, p)| p.map(|p| (m, p)))
        .ok_or(Error::NotFound(Resource::Member))?;
    if membership.role == role {
        return Ok(Member { person, role, since: membership.created_at });
    }
    if membership.role == Role::Owner {
        ensure_another_owner(&txn, network_id).await?;
    }
    let before = membership.role;
    let mut active: membership::ActiveModel = membership.into();
    active.role = Set(role);
    let updated = membership::Entity::update(active).exec(&txn).await?;
    audit::record(
        &txn,
        Change {
            network_id,
            author: actor.into(),
            action: "member.change_role",
            subject_id: person_id.uuid(),
            summary: json!({"role": [before.as_str(), role.as_str()]}),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(Member { person, role: updated.role, since: updated.created_at })
}

pub async fn remove_member(
    db: &DatabaseConnection,
    actor: &Actor,
    network_id: NetworkId,
    person_id: PersonId,
    now: DateTime<Utc>,
) -> Result<()> {
    actor.require(network_id, Permission::ManageMembers, Resource::Network)?;
    let txn = db.begin().await?;
    let membership = membership::Entity::find_by_id((network_id, person_id))
        .one(&txn)
        .await?
        .ok_or(Error::NotFound(Resource::Member))?;
    if membership.role == Role::Owner {
        ensure_another_owner(&txn, network_id).await?;
    }
    membership::Entity::delete_by_id((network_id, person_id)).exec(&txn).await?;
    audit::record(
        &txn,
        Change {
            network_id,
            author: actor.into(),
            action: "member.remove",
            subject_id: person_id.uuid(),
            summary: json!({"role": membership.role.as_str()}),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Refuses to lose the last owner. The network row is locked first, so two owners stepping
/// down at the same moment cannot both pass (PostgreSQL; SQLite has one writer).
async fn ensure_another_owner(db: &impl ConnectionTrait, network_id: NetworkId) -> Result<()> {
    network::Entity::find_by_id(network_id).lock_exclusive().one(db).await?;
    let owners = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(network_id))
        .filter(membership::Column::Role.eq(Role::Owner))
        .count(db)
        .await?;
    if owners <= 1 {
        return Err(Conflict::LastOwner.into());
    }
    Ok(())
}
