use sea_orm::entity::prelude::*;

use crate::ids::{PersonId, SignInLinkId};

/// A one-time link to sign in to the dashboard. The link itself is a MAC over the id (see
/// `links`), so nothing secret is stored; it works once, until `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sign_in_links")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SignInLinkId,
    pub person_id: PersonId,
    /// The dashboard page the person was on when asked to sign in.
    pub next_path: Option<String>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
