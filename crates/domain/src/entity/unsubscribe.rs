use sea_orm::entity::prelude::*;

use crate::ids::NetworkId;

/// An address that wants no more invitations or announcements from a network (emails about its
/// own RSVPs still go out).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unsubscribes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub network_id: NetworkId,
    /// Lowercase.
    #[sea_orm(primary_key, auto_increment = false)]
    pub email: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
