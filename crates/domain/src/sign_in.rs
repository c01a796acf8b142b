//! Signing in to the dashboard without a password: a person asks for a link by email, the link
//! works once for a few minutes, and using it opens a session in that browser. Sessions are
//! random cookies stored only as hashes; they end after a fortnight unused, on sign-out, or
//! everywhere at once.

use chrono::{DateTime, Duration, Utc};
use data_encoding::BASE64URL_NOPAD;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QuerySelect, Set, TransactionTrait, sea_query::Expr,
};

use crate::{
    access::Actor,
    entity::{person, session, sign_in_link},
    error::Result,
    ids::{MessageId, PersonId, SessionId, SignInLinkId},
    links::{LinkKind, Links},
    network::memberships_of,
    outbox::{self, MessageKind},
    token::sha256_hex,
    values::{Email, Language},
};

/// How long an emailed link works.
pub const LINK_LIFETIME: Duration = Duration::minutes(15);
/// Links a person may have outstanding at once; more requests send nothing (a full inbox
/// helps nobody, and it bounds what a stranger typing someone's address can cause).
const LINKS_OUTSTANDING: u64 = 3;
/// A session ends after this long unused.
pub const SESSION_IDLE: Duration = Duration::days(14);
/// `last_seen_at` moves at most this often, so reading a page is not a write.
const SEEN_PRECISION: Duration = Duration::minutes(1);
/// The longest dashboard path kept to return to after signing in.
const NEXT_MAX: usize = 300;

/// What became of a request for a link. The page says the same for all of them, so it does not
/// tell who is an organizer.
#[derive(Debug, PartialEq, Eq)]
pub enum Requested {
    Sent,
    /// No organizer, owner or door-staff member has this address.
    Unknown,
    /// Enough links are already on their way.
    Throttled,
}

/// Queues a sign-in link to `email`, in `language`, if it belongs to a member of some network,
/// to return to `next` (a dashboard path) once used. The link and its email are written in one
/// transaction, under a lock on the person (so racing requests cannot pass the limit).
pub async fn request(
    db: &DatabaseConnection,
    email: &Email,
    next: Option<&str>,
    language: Language,
    now: DateTime<Utc>,
) -> Result<Requested> {
    let txn = db.begin().await?;
    let Some(found) = person::Entity::find()
        .filter(person::Column::Email.eq(email.as_str()))
        .lock_exclusive()
        .one(&txn)
        .await?
    else {
        return Ok(Requested::Unknown);
    };
    if memberships_of(&txn, found.id, None).await?.is_empty() {
        return Ok(Requested::Unknown);
    }
    // Sign-in links only: a welcome's link, good for days, does not count.
    let outstanding = sign_in_link::Entity::find()
        .filter(sign_in_link::Column::PersonId.eq(found.id))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .filter(sign_in_link::Column::ExpiresAt.gt(now))
        .filter(sign_in_link::Column::ExpiresAt.lte(now + LINK_LIFETIME))
        .count(&txn)
        .await?;
    if outstanding >= LINKS_OUTSTANDING {
        return Ok(Requested::Throttled);
    }
    let link = NewLink {
        kind: MessageKind::SignIn,
        lifetime: LINK_LIFETIME,
        next_path: next.and_then(safe_next),
        details: serde_json::json!({ "language": language.code() }),
    };
    queue_link(&txn, found.id, link, now).await?;
    txn.commit().await?;
    Ok(Requested::Sent)
}

/// How long the link in a welcome works: people open it days later.
pub const WELCOME_LIFETIME: Duration = Duration::days(3);

/// Queues the email that welcomes `person_id` to `network_id` (their owners just added them),
/// with a link that signs in, inside the caller's transaction.
pub(crate) async fn queue_welcome(
    txn: &impl ConnectionTrait,
    person_id: PersonId,
    network_id: crate::ids::NetworkId,
    now: DateTime<Utc>,
) -> Result<()> {
    let link = NewLink {
        kind: MessageKind::Welcome,
        lifetime: WELCOME_LIFETIME,
        next_path: None,
        details: serde_json::json!({ "network": network_id }),
    };
    queue_link(txn, person_id, link, now).await
}

/// A link to queue, with the email that carries it.
struct NewLink<'a> {
    kind: MessageKind,
    lifetime: Duration,
    next_path: Option<&'a str>,
    /// What the email needs beyond the link (its language, the network joined).
    details: serde_json::Value,
}

/// Writes a sign-in link and the email that carries it (same id), inside the caller's
/// transaction.
async fn queue_link(
    txn: &impl ConnectionTrait,
    person_id: PersonId,
    link: NewLink<'_>,
    now: DateTime<Utc>,
) -> Result<()> {
    let id = SignInLinkId::new();
    sign_in_link::Entity::insert(sign_in_link::ActiveModel {
        id: Set(id),
        person_id: Set(person_id),
        next_path: Set(link.next_path.map(str::to_owned)),
        created_at: Set(now),
        expires_at: Set(now + link.lifetime),
        used_at: Set(None),
    })
    .exec_without_returning(txn)
    .await?;
    let mut message = outbox::personal_message(link.kind, now);
    message.id = Set(MessageId(id.uuid()));
    message.details = Set(Some(link.details));
    crate::entity::outbox::Entity::insert(message).exec_without_returning(txn).await?;
    Ok(())
}

/// `next` if it is a dashboard path (never another site, nor `//host`), else `None`.
pub fn safe_next(next: &str) -> Option<&str> {
    let dashboard = next == "/admin" || next.starts_with("/admin/") || next.starts_with("/admin?");
    (dashboard && next.len() <= NEXT_MAX && !next.contains('\\') && !next.chars().any(char::is_control))
        .then_some(next)
}

/// Why a sign-in link does not sign in.
#[derive(Debug, PartialEq, Eq)]
pub enum LinkRefused {
    /// Not a link we made (or its row is gone).
    Unknown,
    Used,
    Expired,
}

/// The link a token opens, if it is still good to use (for the page with the button).
pub async fn check(
    db: &impl ConnectionTrait,
    links: &Links,
    token: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<sign_in_link::Model, LinkRefused>> {
    let Some(opened) = links.keyring.open(LinkKind::SignIn, token) else {
        return Ok(Err(LinkRefused::Unknown));
    };
    let Some(link) = sign_in_link::Entity::find_by_id(SignInLinkId(opened.id)).one(db).await? else {
        return Ok(Err(LinkRefused::Unknown));
    };
    Ok(if link.used_at.is_some() {
        Err(LinkRefused::Used)
    } else if link.expires_at <= now {
        Err(LinkRefused::Expired)
    } else {
        Ok(link)
    })
}

/// A session just opened: the cookie's value, shown this once.
pub struct Opened {
    pub session: session::Model,
    pub cookie: String,
    /// Where to go now.
    pub next_path: Option<String>,
}

/// Uses a sign-in link (once: two clicks race for it and one wins) and opens a session.
pub async fn redeem(
    db: &impl ConnectionTrait,
    links: &Links,
    token: &str,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Opened, LinkRefused>> {
    let link = match check(db, links, token, now).await? {
        Ok(link) => link,
        Err(refused) => return Ok(Err(refused)),
    };
    let claimed = sign_in_link::Entity::update_many()
        .col_expr(sign_in_link::Column::UsedAt, Expr::value(now))
        .filter(sign_in_link::Column::Id.eq(link.id))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if claimed.rows_affected != 1 {
        return Ok(Err(LinkRefused::Used));
    }
    let (session, cookie) = open_session(db, link.person_id, now).await?;
    Ok(Ok(Opened { session, cookie, next_path: link.next_path }))
}

/// Opens a session for `person_id` (after a sign-in link; tests open one directly).
pub async fn open_session(
    db: &impl ConnectionTrait,
    person_id: PersonId,
    now: DateTime<Utc>,
) -> Result<(session::Model, String)> {
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let cookie = BASE64URL_NOPAD.encode(&secret);
    let session = session::ActiveModel {
        id: Set(SessionId::new()),
        person_id: Set(person_id),
        token_hash: Set(sha256_hex(&cookie)),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + SESSION_IDLE),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok((session, cookie))
}

/// A signed-in browser: who, and what they may do.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub session_id: SessionId,
    pub person: person::Model,
    pub actor: Actor,
}

/// The person behind a session cookie, or `None` for an unknown, ended or expired session.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    writer: &impl ConnectionTrait,
    cookie: &str,
    now: DateTime<Utc>,
) -> Result<Option<SignedIn>> {
    if cookie.is_empty() || cookie.len() > 64 {
        return Ok(None);
    }
    let Some((found, Some(person))) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(sha256_hex(cookie)))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .find_also_related(person::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if now - found.last_seen_at >= SEEN_PRECISION {
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .col_expr(session::Column::ExpiresAt, Expr::value(now + SESSION_IDLE))
            .filter(session::Column::Id.eq(found.id))
            .exec(writer)
            .await?;
    }
    let memberships = memberships_of(db, person.id, None).await?;
    let actor = Actor { person_id: person.id, token_id: None, restricted_to: None, memberships };
    Ok(Some(SignedIn { session_id: found.id, person, actor }))
}

/// Ends one session (signing out in this browser).
pub async fn sign_out(db: &impl ConnectionTrait, session_id: SessionId, now: DateTime<Utc>) -> Result<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::Id.eq(session_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Ends every session of a person, and the sign-in links still on their way.
pub async fn sign_out_everywhere(
    db: &impl ConnectionTrait,
    person_id: PersonId,
    now: DateTime<Utc>,
) -> Result<u64> {
    let ended = session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .filter(session::Column::PersonId.eq(person_id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    sign_in_link::Entity::update_many()
        .col_expr(sign_in_link::Column::ExpiresAt, Expr::value(now))
        .filter(sign_in_link::Column::PersonId.eq(person_id))
        .filter(sign_in_link::Column::UsedAt.is_null())
        .filter(sign_in_link::Column::ExpiresAt.gt(now))
        .exec(db)
        .await?;
    Ok(ended.rows_affected)
}

/// The token a dashboard form carries for its session: a MAC over the session's id, so it
/// needs no storage and a page of one session is refused in another.
pub fn form_guard(links: &Links, session_id: SessionId) -> String {
    links.keyring.make(LinkKind::FormGuard, session_id.uuid(), 0)
}

/// Whether a posted form's guard belongs to this session.
pub fn form_guard_holds(links: &Links, session_id: SessionId, posted: &str) -> bool {
    links
        .keyring
        .open(LinkKind::FormGuard, posted)
        .is_some_and(|o| o.id == session_id.uuid() && o.version == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_dashboard_paths_are_returned_to() {
        assert_eq!(safe_next("/admin"), Some("/admin"));
        assert_eq!(safe_next("/admin/n/obog/events?q=x"), Some("/admin/n/obog/events?q=x"));
        for bad in [
            "https://evil.example/admin",
            "//evil.example",
            "/administrator",
            "/e/x",
            "/admin/\\x",
            "/admin/\n",
        ] {
            assert_eq!(safe_next(bad), None, "{bad}");
        }
    }
}
