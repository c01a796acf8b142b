//! Unsubscribing from a network's invitations and announcements: the link in those emails (and
//! the one-click `List-Unsubscribe` POST, RFC 8058) names the email that carried it, which
//! names the address and the network. Emails about the person's own RSVPs still go out.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Set, sea_query::OnConflict};

use crate::{
    entity::{event, invitation, network, outbox as outbox_row, rsvp, unsubscribe as unsubscribe_row},
    error::{Error, Resource, Result},
    ids::{InvitationId, MessageId},
    links::{Keyring, LinkKind},
    outbox::MessageKind,
};

/// Who would be unsubscribed from what.
#[derive(Clone, Debug)]
pub struct Unsubscription {
    pub email: String,
    pub network: network::Model,
}

/// What an unsubscribe link names; changes nothing (the page with the button).
pub async fn unsubscription(
    db: &impl ConnectionTrait,
    keyring: &Keyring,
    token: &str,
) -> Result<Unsubscription> {
    let opened = keyring.open(LinkKind::Unsubscribe, token).ok_or(Error::NotFound(Resource::Message))?;
    let message = outbox_row::Entity::find_by_id(MessageId(opened.id))
        .one(db)
        .await?
        .ok_or(Error::NotFound(Resource::Message))?;
    let email = match (message.kind, message.rsvp_id) {
        (MessageKind::Invitation, _) => {
            invitation::Entity::find_by_id(InvitationId(message.id.uuid())).one(db).await?.map(|i| i.email)
        }
        (_, Some(rsvp_id)) => rsvp::Entity::find_by_id(rsvp_id).one(db).await?.and_then(|r| r.email),
        (_, None) => None,
    }
    .ok_or(Error::NotFound(Resource::Message))?;
    let e = match message.event_id {
        Some(id) => event::Entity::find_by_id(id).one(db).await?,
        None => None,
    }
    .ok_or(Error::NotFound(Resource::Event))?;
    let network =
        network::Entity::find_by_id(e.network_id).one(db).await?.ok_or(Error::NotFound(Resource::Network))?;
    Ok(Unsubscription { email, network })
}

/// Unsubscribes the address behind the link; doing it twice is the same as once.
pub async fn unsubscribe(
    db: &DatabaseConnection,
    keyring: &Keyring,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Unsubscription> {
    let found = unsubscription(db, keyring, token).await?;
    unsubscribe_row::Entity::insert(unsubscribe_row::ActiveModel {
        network_id: Set(found.network.id),
        email: Set(found.email.clone()),
        created_at: Set(now),
    })
    .on_conflict(
        OnConflict::columns([unsubscribe_row::Column::NetworkId, unsubscribe_row::Column::Email])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(found)
}
