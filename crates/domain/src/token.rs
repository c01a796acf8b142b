//! API tokens: random, shown once, stored only as a SHA-256 hash. A token acts as its person,
//! narrowed to one network when it was made so.

use chrono::{DateTime, Duration, Utc};
use data_encoding::{BASE64URL_NOPAD, HEXLOWER};
use rand::RngCore;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use sha2::{Digest, Sha256};

use crate::{
    access::{Actor, Permission},
    entity::api_token,
    error::{Error, Resource, Result, ValidationErrors},
    ids::{NetworkId, PersonId, TokenId},
    network::memberships_of,
    values,
};

const PREFIX: &str = "tsudoi_";
pub const NAME_MAX: usize = 100;
/// `last_used_at` is refreshed at most this often, so reads do not turn into writes.
const LAST_USE_PRECISION: Duration = Duration::minutes(1);

/// The plaintext of a new token; shown once, then only its hash remains.
pub struct IssuedToken {
    pub token: api_token::Model,
    pub plaintext: String,
}

/// SHA-256 of a text, as lowercase hex: how secrets are stored (API tokens, door passes) and
/// how public proofs are made (a lottery seed's hash, a ticket in a door roster).
pub fn sha256_hex(text: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(text.as_bytes()))
}

fn hash(plaintext: &str) -> String {
    sha256_hex(plaintext)
}

/// Makes a token for `person_id`. With `network_id`, the token acts only in that network (the
/// person must be a member of it).
pub async fn issue(
    db: &impl ConnectionTrait,
    person_id: PersonId,
    network_id: Option<NetworkId>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<IssuedToken> {
    let name = values::text(name, NAME_MAX)
        .map_err(|e| Error::Invalid(ValidationErrors::single("name", e.code, e.message)))?;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let plaintext = format!("{PREFIX}{}", BASE64URL_NOPAD.encode(&secret));
    let token = api_token::Entity::insert(api_token::ActiveModel {
        id: Set(TokenId::new()),
        person_id: Set(person_id),
        network_id: Set(network_id),
        name: Set(name),
        token_hash: Set(hash(&plaintext)),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
    })
    .exec_with_returning(db)
    .await?;
    Ok(IssuedToken { token, plaintext })
}

/// Issues a token for the actor itself (through the API). A token may only narrow, never widen:
/// a restricted token can only make tokens for its own network.
pub async fn issue_for_actor(
    db: &impl ConnectionTrait,
    actor: &Actor,
    network_id: Option<NetworkId>,
    name: &str,
    now: DateTime<Utc>,
) -> Result<IssuedToken> {
    if let Some(network_id) = network_id {
        actor.require(network_id, Permission::ViewNetwork, Resource::Network)?;
    }
    let network_id = network_id.or(actor.restricted_to);
    issue(db, actor.person_id, network_id, name, now).await
}

/// The actor behind a bearer token, or `None` for an unknown or revoked one. The lookup is by
/// hash, so nothing about the token leaks through timing.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    writer: &impl ConnectionTrait,
    plaintext: &str,
    now: DateTime<Utc>,
) -> Result<Option<Actor>> {
    if !plaintext.starts_with(PREFIX) || plaintext.len() > 100 {
        return Ok(None);
    }
    let Some(token) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(plaintext)))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if token.last_used_at.is_none_or(|at| now - at >= LAST_USE_PRECISION) {
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(writer)
            .await?;
    }
    let memberships = memberships_of(db, token.person_id, token.network_id).await?;
    Ok(Some(Actor {
        person_id: token.person_id,
        token_id: Some(token.id),
        restricted_to: token.network_id,
        memberships,
    }))
}

/// The tokens this credential may see: all of its person's, or, for a token limited to one
/// network, only those limited to the same network (a token never reaches beyond its own).
fn visible_to(actor: &Actor) -> sea_orm::Select<api_token::Entity> {
    let query = api_token::Entity::find().filter(api_token::Column::PersonId.eq(actor.person_id));
    match actor.restricted_to {
        Some(network_id) => query.filter(api_token::Column::NetworkId.eq(network_id)),
        None => query,
    }
}

pub async fn list(db: &impl ConnectionTrait, actor: &Actor) -> Result<Vec<api_token::Model>> {
    Ok(visible_to(actor).order_by_desc(api_token::Column::CreatedAt).all(db).await?)
}

/// Revokes one of the actor's own tokens (revoking twice is fine).
pub async fn revoke(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: TokenId,
    now: DateTime<Utc>,
) -> Result<api_token::Model> {
    let token = visible_to(actor)
        .filter(api_token::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(Error::NotFound(Resource::Token))?;
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    let mut active: api_token::ActiveModel = token.into();
    active.revoked_at = Set(Some(now));
    Ok(api_token::Entity::update(active).exec(db).await?)
}
