//! The caller, its tokens, and the members and audit log of its networks.

use chrono::{DateTime, Utc};
use poem_openapi::{
    Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use serde::Deserialize;
use tsudoi_domain::{
    audit,
    entity::{api_token, audit_entry, person},
    ids::{PersonId, TokenId},
    network::{self, Member},
    token,
};
use uuid::Uuid;

use super::{
    ApiTags,
    types::{Created, LanguageApi, MAX_LIMIT, NoContent, RoleApi},
};
use crate::{auth::TokenAuth, body::JsonBody, problem::ApiResult, state::AppState};

pub struct AccountApi {
    pub state: AppState,
}

/// A network the caller belongs to, with the caller's role there.
#[derive(Debug, Object)]
pub struct MyNetwork {
    pub slug: String,
    pub name: String,
    pub default_language: LanguageApi,
    pub time_zone: String,
    pub role: RoleApi,
}

#[derive(Debug, Object)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    /// The networks this token can act in, with the role in each.
    pub networks: Vec<MyNetwork>,
    /// Set when this token acts only in one network.
    #[oai(skip_serializing_if_is_none)]
    pub token_network: Option<String>,
}

#[derive(Debug, Object)]
pub struct Token {
    pub id: Uuid,
    pub name: String,
    /// The network the token is limited to, if any.
    #[oai(skip_serializing_if_is_none)]
    pub network_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Updated at most once a minute.
    #[oai(skip_serializing_if_is_none)]
    pub last_used_at: Option<DateTime<Utc>>,
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for Token {
    fn from(t: api_token::Model) -> Self {
        Token {
            id: t.id.uuid(),
            name: t.name,
            network_id: t.network_id.map(|n| n.uuid()),
            created_at: t.created_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct NewToken {
    /// What the token is for ("CI export", "laptop").
    #[oai(validator(min_length = 1, max_length = 100))]
    pub name: String,
    /// Limit the token to this network (slug). A limited token can only make limited tokens.
    #[oai(nullable)]
    #[oai(validator(pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64))]
    pub network: Option<String>,
}

// No `Debug`: it holds the secret.
#[derive(Object)]
pub struct IssuedToken {
    pub token: Token,
    /// The token itself, shown this once: keep it safe.
    pub secret: String,
}

#[derive(Debug, Object)]
pub struct MemberOut {
    pub person_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: RoleApi,
    pub since: DateTime<Utc>,
}

impl From<Member> for MemberOut {
    fn from(m: Member) -> Self {
        MemberOut {
            person_id: m.person.id.uuid(),
            email: m.person.email,
            display_name: m.person.display_name,
            role: m.role.into(),
            since: m.since,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
pub struct NewMember {
    #[oai(validator(min_length = 1, max_length = 254))]
    pub email: String,
    /// Used when the person is new to Tsudoi; defaults to the part of the email before `@`.
    #[oai(nullable)]
    #[oai(validator(max_length = 200))]
    pub display_name: Option<String>,
    pub role: RoleApi,
}

#[derive(Debug, Object, Deserialize)]
pub struct RoleChange {
    pub role: RoleApi,
}

#[derive(Debug, Object)]
pub struct AuditEntry {
    pub id: Uuid,
    /// Who: `null` for the operator's command line.
    #[oai(skip_serializing_if_is_none)]
    pub person_id: Option<Uuid>,
    /// `event.update`, `venue.create`, `member.change_role`, ...
    pub action: String,
    pub subject_id: Uuid,
    /// For changes, `{"field": [before, after]}`.
    pub summary: serde_json::Value,
    pub at: DateTime<Utc>,
}

impl From<audit_entry::Model> for AuditEntry {
    fn from(e: audit_entry::Model) -> Self {
        AuditEntry {
            id: e.id.uuid(),
            person_id: e.person_id.map(|p| p.uuid()),
            action: e.action,
            subject_id: e.subject_id,
            summary: e.summary,
            at: e.at,
        }
    }
}

#[OpenApi(prefix_path = "/v1", tag = "ApiTags::Account")]
impl AccountApi {
    /// Who am I
    ///
    /// The person behind the token and the networks it can act in.
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: TokenAuth) -> ApiResult<Json<Me>> {
        let actor = auth.0;
        let db = self.state.db.reader();
        let person = tsudoi_domain::person::get(db, actor.person_id).await?;
        let networks = network::list_for(db, &actor).await?;
        let token_network = actor
            .restricted_to
            .and_then(|id| networks.iter().find(|(n, _)| n.id == id).map(|(n, _)| n.slug.clone()));
        Ok(Json(me_of(person, networks, token_network)))
    }

    /// List my tokens
    #[oai(path = "/tokens", method = "get", operation_id = "list_tokens")]
    async fn list_tokens(&self, auth: TokenAuth) -> ApiResult<Json<Vec<Token>>> {
        let tokens = token::list(self.state.db.reader(), &auth.0).await?;
        Ok(Json(tokens.into_iter().map(Token::from).collect()))
    }

    /// Make a token
    ///
    /// The secret is in the answer, once. Tokens act as their person, optionally limited to one
    /// network.
    #[oai(path = "/tokens", method = "post", operation_id = "create_token")]
    async fn create_token(
        &self,
        auth: TokenAuth,
        body: JsonBody<NewToken>,
    ) -> ApiResult<Created<IssuedToken>> {
        let actor = auth.0;
        let network_id = match body.0.network.as_deref() {
            Some(slug) => Some(network::visible_by_slug(self.state.db.reader(), &actor, slug).await?.id),
            None => None,
        };
        let issued = token::issue_for_actor(
            self.state.db.writer(),
            &actor,
            network_id,
            &body.0.name,
            self.state.now(),
        )
        .await?;
        Ok(Created::Created(Json(IssuedToken { token: issued.token.into(), secret: issued.plaintext })))
    }

    /// Revoke a token
    ///
    /// It stops working at once. Revoking twice is fine.
    #[oai(path = "/tokens/:id", method = "delete", operation_id = "revoke_token")]
    async fn revoke_token(&self, auth: TokenAuth, id: Path<Uuid>) -> ApiResult<NoContent> {
        token::revoke(self.state.db.writer(), &auth.0, TokenId(id.0), self.state.now()).await?;
        Ok(NoContent::NoContent)
    }

    /// List a network's members
    #[oai(path = "/networks/:network/members", method = "get", operation_id = "list_members")]
    async fn list_members(&self, auth: TokenAuth, network: Path<String>) -> ApiResult<Json<Vec<MemberOut>>> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let members = network::members(db, &auth.0, network.id).await?;
        Ok(Json(members.into_iter().map(MemberOut::from).collect()))
    }

    /// Add a member (owners)
    ///
    /// The person is created if the email is new to Tsudoi, and welcomed by email with a link
    /// that signs in to the dashboard.
    #[oai(path = "/networks/:network/members", method = "post", operation_id = "add_member")]
    async fn add_member(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        body: JsonBody<NewMember>,
    ) -> ApiResult<Created<MemberOut>> {
        let network = network::visible_by_slug(self.state.db.reader(), &auth.0, &network.0).await?;
        let input = body.0;
        let member = network::add_member(
            self.state.db.writer(),
            Some(&auth.0),
            network.id,
            &input.email,
            input.display_name.as_deref(),
            input.role.into(),
            self.state.now(),
        )
        .await?;
        self.state.mail_wake.notify_one();
        Ok(Created::Created(Json(member.into())))
    }

    /// Change a member's role (owners)
    ///
    /// A network always keeps at least one owner.
    #[oai(
        path = "/networks/:network/members/:person_id",
        method = "patch",
        operation_id = "change_member_role"
    )]
    async fn change_role(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        person_id: Path<Uuid>,
        body: JsonBody<RoleChange>,
    ) -> ApiResult<Json<MemberOut>> {
        let network = network::visible_by_slug(self.state.db.reader(), &auth.0, &network.0).await?;
        let member = network::change_role(
            self.state.db.writer(),
            &auth.0,
            network.id,
            PersonId(person_id.0),
            body.0.role.into(),
            self.state.now(),
        )
        .await?;
        Ok(Json(member.into()))
    }

    /// Remove a member (owners)
    #[oai(path = "/networks/:network/members/:person_id", method = "delete", operation_id = "remove_member")]
    async fn remove_member(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        person_id: Path<Uuid>,
    ) -> ApiResult<NoContent> {
        let network = network::visible_by_slug(self.state.db.reader(), &auth.0, &network.0).await?;
        network::remove_member(
            self.state.db.writer(),
            &auth.0,
            network.id,
            PersonId(person_id.0),
            self.state.now(),
        )
        .await?;
        Ok(NoContent::NoContent)
    }

    /// Read the audit log (owners)
    ///
    /// Every organizer change, newest first.
    #[oai(path = "/networks/:network/audit-log", method = "get", operation_id = "audit_log")]
    async fn audit_log(
        &self,
        auth: TokenAuth,
        network: Path<String>,
        #[oai(validator(minimum(value = "1"), maximum(value = "200")))] limit: Query<Option<u64>>,
    ) -> ApiResult<Json<Vec<AuditEntry>>> {
        let db = self.state.db.reader();
        let network = network::visible_by_slug(db, &auth.0, &network.0).await?;
        let entries = audit::list(db, &auth.0, network.id, limit.0.unwrap_or(MAX_LIMIT)).await?;
        Ok(Json(entries.into_iter().map(AuditEntry::from).collect()))
    }
}

fn me_of(
    person: person::Model,
    networks: Vec<(tsudoi_domain::entity::network::Model, tsudoi_domain::access::Role)>,
    token_network: Option<String>,
) -> Me {
    Me {
        id: person.id.uuid(),
        email: person.email,
        display_name: person.display_name,
        networks: networks
            .into_iter()
            .map(|(n, role)| MyNetwork {
                slug: n.slug,
                name: n.name,
                default_language: n.default_language.into(),
                time_zone: n.time_zone,
                role: role.into(),
            })
            .collect(),
        token_network,
    }
}
