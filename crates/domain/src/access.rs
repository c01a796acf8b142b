//! Who may do what. Access follows the person's membership of a network and the role it gives;
//! a token may be narrowed to one network. Another network's data is invisible (404), while a
//! visible thing the role may not change is forbidden (403).

use sea_orm::{DeriveActiveEnum, EnumIter};
use serde::{Deserialize, Serialize};

use crate::{
    error::{Error, Resource},
    ids::{NetworkId, PersonId, TokenId},
};

#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    EnumIter,
    DeriveActiveEnum,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum Role {
    /// Door staff: check-in only.
    #[sea_orm(string_value = "door_staff")]
    DoorStaff,
    /// Organizers: venues, series, events, RSVPs, surveys, door passes.
    #[sea_orm(string_value = "organizer")]
    Organizer,
    /// Owners: everything, including members.
    #[sea_orm(string_value = "owner")]
    Owner,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Owner, Role::Organizer, Role::DoorStaff];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Organizer => "organizer",
            Role::DoorStaff => "door_staff",
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        let column = match self {
            Role::Owner => 0,
            Role::Organizer => 1,
            Role::DoorStaff => 2,
        };
        MATRIX.iter().any(|(p, allowed)| *p == permission && allowed[column])
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// See the network, its venues, series and events (read-only).
    ViewNetwork,
    /// Add and remove members and change their roles.
    ManageMembers,
    /// Create, change and archive venues and series.
    ManageVenuesAndSeries,
    /// Create, change, publish, cancel and archive events.
    ManageEvents,
    /// Check attendees in at the door.
    CheckIn,
    /// Read the audit log.
    ViewAuditLog,
}

/// The role matrix, enforced by [`Role::allows`]. Columns: owner, organizer, door staff.
#[rustfmt::skip]
pub const MATRIX: [(Permission, [bool; 3]); 6] = [
    //                                    owner  organizer door staff
    (Permission::ViewNetwork,           [true,  true,     true ]),
    (Permission::ManageMembers,         [true,  false,    false]),
    (Permission::ManageVenuesAndSeries, [true,  true,     false]),
    (Permission::ManageEvents,          [true,  true,     false]),
    (Permission::CheckIn,               [true,  true,     true ]),
    (Permission::ViewAuditLog,          [true,  false,    false]),
];

/// The person behind a request, with the networks it may act in.
#[derive(Clone, Debug)]
pub struct Actor {
    pub person_id: PersonId,
    pub token_id: Option<TokenId>,
    /// Set when the credential is narrowed to one network.
    pub restricted_to: Option<NetworkId>,
    /// Memberships visible through this credential (already narrowed by a token's network).
    pub memberships: Vec<(NetworkId, Role)>,
}

impl Actor {
    pub fn role_in(&self, network: NetworkId) -> Option<Role> {
        self.memberships.iter().find(|(n, _)| *n == network).map(|(_, role)| *role)
    }

    /// The strongest role among several networks (an event's host and co-hosts).
    pub fn best_role_in(&self, networks: impl IntoIterator<Item = NetworkId>) -> Option<Role> {
        networks.into_iter().filter_map(|n| self.role_in(n)).max()
    }

    pub fn network_ids(&self) -> impl Iterator<Item = NetworkId> + '_ {
        self.memberships.iter().map(|(n, _)| *n)
    }

    /// Checks `permission` in `network`: not a member is `NotFound(resource)`, a member whose
    /// role does not allow it is `Forbidden`.
    pub fn require(
        &self,
        network: NetworkId,
        permission: Permission,
        resource: Resource,
    ) -> Result<Role, Error> {
        require_role(self.role_in(network), permission, resource)
    }
}

/// Turns "which role, if any" into the answer for `permission`.
pub fn require_role(role: Option<Role>, permission: Permission, resource: Resource) -> Result<Role, Error> {
    match role {
        None => Err(Error::NotFound(resource)),
        Some(role) if role.allows(permission) => Ok(role),
        Some(_) => Err(Error::Forbidden(permission_name(permission))),
    }
}

fn permission_name(permission: Permission) -> &'static str {
    match permission {
        Permission::ViewNetwork => "viewing this network",
        Permission::ManageMembers => "managing members (owners only)",
        Permission::ManageVenuesAndSeries => "managing venues and series (organizers and owners)",
        Permission::ManageEvents => "managing events (organizers and owners)",
        Permission::CheckIn => "checking attendees in",
        Permission::ViewAuditLog => "reading the audit log (owners only)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_names_every_permission_once() {
        let all = [
            Permission::ViewNetwork,
            Permission::ManageMembers,
            Permission::ManageVenuesAndSeries,
            Permission::ManageEvents,
            Permission::CheckIn,
            Permission::ViewAuditLog,
        ];
        for p in all {
            assert_eq!(MATRIX.iter().filter(|(q, _)| *q == p).count(), 1, "{p:?}");
        }
    }

    #[test]
    fn roles_get_what_the_matrix_says() {
        use Permission::*;
        assert!(Role::Owner.allows(ManageMembers));
        assert!(!Role::Organizer.allows(ManageMembers));
        assert!(Role::Organizer.allows(ManageEvents));
        assert!(!Role::DoorStaff.allows(ManageEvents));
        assert!(Role::DoorStaff.allows(CheckIn));
        assert!(Role::DoorStaff.allows(ViewNetwork));
        assert!(!Role::DoorStaff.allows(ManageVenuesAndSeries));
    }

    #[test]
    fn outsiders_see_nothing_and_members_are_told_what_their_role_lacks() {
        let network = NetworkId::new();
        let actor = Actor {
            person_id: PersonId::new(),
            token_id: None,
            restricted_to: None,
            memberships: vec![(network, Role::DoorStaff)],
        };
        assert!(matches!(
            actor.require(NetworkId::new(), Permission::ViewNetwork, Resource::Network),
            Err(Error::NotFound(Resource::Network))
        ));
        assert!(matches!(
            actor.require(network, Permission::ManageEvents, Resource::Event),
            Err(Error::Forbidden(_))
        ));
        assert_eq!(actor.require(network, Permission::CheckIn, Resource::Event).unwrap(), Role::DoorStaff);
        assert_eq!(actor.best_role_in([NetworkId::new(), network]), Some(Role::DoorStaff));
    }
}
