//! Secret links that can be made again (DESIGN invariant 7): ticket codes, manage links and
//! survey links. A link is a keyed MAC over (kind, id, version) with the key's id, so the same
//! link comes out every time an email is re-sent, raising the version revokes every earlier
//! link, and keys can be rotated while links made with the previous key keep working.
//!
//! Layout before base64url: key id (1 byte) | id (16 bytes) | version (4 bytes) | MAC (16 bytes,
//! 128 bits of HMAC-SHA-256).

use data_encoding::BASE64URL_NOPAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::settings::SecretKey;

type HmacSha256 = Hmac<Sha256>;

const MAC_LEN: usize = 16;
const RAW_LEN: usize = 1 + 16 + 4 + MAC_LEN;
/// The length of every link token, in characters.
pub const TOKEN_LEN: usize = (RAW_LEN * 8).div_ceil(6);

/// What a link opens; a link made for one kind never opens another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// An attendee's own page, `/r/{token}`.
    Manage,
    /// A ticket, `/t/{code}`.
    Ticket,
    /// A survey, `/s/{token}`.
    Survey,
    /// An invitation's "going" and "can't go" links.
    Invitation,
    /// Unsubscribing from a network's invitations and announcements, `/u/{token}` (over the id
    /// of the email that carried it).
    Unsubscribe,
    /// A one-time link to sign in to the dashboard, `/admin/sign-in/{token}`.
    SignIn,
    /// The token a dashboard form carries, over its session's id (against cross-site requests).
    FormGuard,
    /// The id a new-event form carries: the event it makes, once however often it is posted.
    EventForm,
}

impl LinkKind {
    fn tag(self) -> &'static [u8] {
        match self {
            LinkKind::Manage => b"manage",
            LinkKind::Ticket => b"ticket",
            LinkKind::Survey => b"survey",
            LinkKind::Invitation => b"invitation",
            LinkKind::Unsubscribe => b"unsubscribe",
            LinkKind::SignIn => b"sign-in",
            LinkKind::FormGuard => b"form-guard",
            LinkKind::EventForm => b"event-form",
        }
    }
}

/// A key for links, with a one-byte id derived from it.
#[derive(Clone)]
struct LinkKey {
    id: u8,
    mac: HmacSha256,
}

impl LinkKey {
    fn new(secret: &SecretKey) -> Self {
        // A key of its own for links, so the service key can serve other purposes safely.
        let mut derive =
            <HmacSha256 as Mac>::new_from_slice(secret.bytes()).expect("HMAC takes keys of any length");
        derive.update(b"tsudoi links v1");
        let key = derive.finalize().into_bytes();
        let id = Sha256::digest(key)[0];
        LinkKey { id, mac: <HmacSha256 as Mac>::new_from_slice(&key).expect("HMAC takes keys of any length") }
    }

    /// The MAC over (kind, key id, id, version), ready to finalize or verify.
    fn mac(&self, kind: LinkKind, id: Uuid, version: u32) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(kind.tag());
        mac.update(&[0, self.id]);
        mac.update(id.as_bytes());
        mac.update(&version.to_be_bytes());
        mac
    }

    fn sign(&self, kind: LinkKind, id: Uuid, version: u32) -> [u8; MAC_LEN] {
        let full = self.mac(kind, id, version).finalize().into_bytes();
        let mut out = [0u8; MAC_LEN];
        out.copy_from_slice(&full[..MAC_LEN]);
        out
    }
}

/// The keys links are made and checked with: the current one, and earlier ones that links in
/// old emails may still carry.
#[derive(Clone)]
pub struct Keyring {
    current: LinkKey,
    previous: Vec<LinkKey>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("keys", &(1 + self.previous.len())).finish()
    }
}

/// What a valid link names; the caller still checks `version` against the stored one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opened {
    pub id: Uuid,
    pub version: u32,
}

impl Keyring {
    pub fn new(current: &SecretKey, previous: &[SecretKey]) -> Self {
        Keyring { current: LinkKey::new(current), previous: previous.iter().map(LinkKey::new).collect() }
    }

    /// The link for (`kind`, `id`, `version`): the same every time, with the current key.
    pub fn make(&self, kind: LinkKind, id: Uuid, version: u32) -> String {
        let mut raw = [0u8; RAW_LEN];
        raw[0] = self.current.id;
        raw[1..17].copy_from_slice(id.as_bytes());
        raw[17..21].copy_from_slice(&version.to_be_bytes());
        raw[21..].copy_from_slice(&self.current.sign(kind, id, version));
        BASE64URL_NOPAD.encode(&raw)
    }

    /// Checks a link of `kind`; `None` for anything forged, damaged, of another kind, or made
    /// with a key this keyring no longer holds.
    pub fn open(&self, kind: LinkKind, token: &str) -> Option<Opened> {
        if token.len() != TOKEN_LEN {
            return None;
        }
        let raw = BASE64URL_NOPAD.decode(token.as_bytes()).ok()?;
        let raw: [u8; RAW_LEN] = raw.try_into().ok()?;
        let id = Uuid::from_slice(&raw[1..17]).ok()?;
        let version = u32::from_be_bytes(raw[17..21].try_into().ok()?);
        // Key ids are one byte, so two keys may share one: try each that does.
        // `verify_truncated_left` compares in constant time.
        std::iter::once(&self.current)
            .chain(&self.previous)
            .filter(|k| k.id == raw[0])
            .any(|k| k.mac(kind, id, version).verify_truncated_left(&raw[21..]).is_ok())
            .then_some(Opened { id, version })
    }
}

/// The attendee's links as absolute URLs: what emails print and QR codes encode.
#[derive(Clone, Debug)]
pub struct Links {
    pub keyring: Keyring,
    base_url: String,
}

impl Links {
    pub fn new(keyring: Keyring, base_url: &str) -> Self {
        Links { keyring, base_url: base_url.trim_end_matches('/').to_owned() }
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token of an RSVP's own page.
    pub fn manage_token(&self, rsvp: &crate::entity::rsvp::Model) -> String {
        self.keyring.make(LinkKind::Manage, rsvp.id.uuid(), u32::try_from(rsvp.link_version).unwrap_or(0))
    }

    /// An RSVP's ticket code.
    pub fn ticket_code(&self, rsvp: &crate::entity::rsvp::Model) -> String {
        self.keyring.make(LinkKind::Ticket, rsvp.id.uuid(), u32::try_from(rsvp.ticket_version).unwrap_or(0))
    }

    pub fn manage_url(&self, rsvp: &crate::entity::rsvp::Model) -> String {
        format!("{}/r/{}", self.base_url, self.manage_token(rsvp))
    }

    /// What the ticket's QR code encodes.
    pub fn ticket_url(&self, rsvp: &crate::entity::rsvp::Model) -> String {
        format!("{}/t/{}", self.base_url, self.ticket_code(rsvp))
    }

    /// An attendee's survey, `/s/{token}`.
    pub fn survey_url(&self, invitation: &crate::entity::survey_invitation::Model) -> String {
        let version = u32::try_from(invitation.link_version).unwrap_or(0);
        format!("{}/s/{}", self.base_url, self.keyring.make(LinkKind::Survey, invitation.id.uuid(), version))
    }

    pub fn event_url(&self, slug: &str) -> String {
        format!("{}/e/{slug}", self.base_url)
    }

    /// The page that unsubscribes the reader of `message` from its network's invitations and
    /// announcements (also the one-click `List-Unsubscribe` target).
    pub fn unsubscribe_url(&self, message: crate::ids::MessageId) -> String {
        format!("{}/u/{}", self.base_url, self.keyring.make(LinkKind::Unsubscribe, message.uuid(), 0))
    }

    /// A one-time dashboard sign-in link (its email has the same id).
    pub fn sign_in_url(&self, link: crate::ids::SignInLinkId) -> String {
        format!("{}/admin/sign-in/{}", self.base_url, self.keyring.make(LinkKind::SignIn, link.uuid(), 0))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn key(byte: u8) -> SecretKey {
        SecretKey::parse(&BASE64URL_NOPAD.encode(&[byte; 32])).unwrap()
    }

    #[test]
    fn the_same_link_comes_out_every_time() {
        let ring = Keyring::new(&key(1), &[]);
        let id = Uuid::now_v7();
        assert_eq!(ring.make(LinkKind::Ticket, id, 0), ring.make(LinkKind::Ticket, id, 0));
        assert_eq!(ring.make(LinkKind::Ticket, id, 0).len(), TOKEN_LEN);
        assert_eq!(
            ring.open(LinkKind::Ticket, &ring.make(LinkKind::Ticket, id, 3)),
            Some(Opened { id, version: 3 })
        );
    }

    #[test]
    fn a_link_opens_only_its_own_kind() {
        let ring = Keyring::new(&key(1), &[]);
        let id = Uuid::now_v7();
        let ticket = ring.make(LinkKind::Ticket, id, 0);
        assert_eq!(ring.open(LinkKind::Manage, &ticket), None);
        assert_eq!(ring.open(LinkKind::Survey, &ticket), None);
    }

    #[test]
    fn rotated_keys_keep_old_links_working_until_dropped() {
        let id = Uuid::now_v7();
        let old = Keyring::new(&key(1), &[]).make(LinkKind::Manage, id, 0);
        let rotated = Keyring::new(&key(2), &[key(1)]);
        assert_eq!(rotated.open(LinkKind::Manage, &old).map(|o| o.id), Some(id));
        assert_ne!(rotated.make(LinkKind::Manage, id, 0), old, "new links use the new key");
        assert_eq!(Keyring::new(&key(2), &[]).open(LinkKind::Manage, &old), None);
    }

    #[test]
    fn garbage_never_opens() {
        let ring = Keyring::new(&key(1), &[]);
        for junk in ["", "abc", &"A".repeat(TOKEN_LEN), &"é".repeat(TOKEN_LEN / 2), "../../etc/passwd"] {
            assert_eq!(ring.open(LinkKind::Ticket, junk), None, "{junk:?}");
        }
    }

    proptest! {
        #[test]
        fn any_changed_character_breaks_a_link(id in any::<u128>(), version in any::<u32>(), at in 0..TOKEN_LEN, with in "[A-Za-z0-9_-]") {
            let ring = Keyring::new(&key(7), &[]);
            let id = Uuid::from_u128(id);
            let token = ring.make(LinkKind::Survey, id, version);
            prop_assert_eq!(ring.open(LinkKind::Survey, &token), Some(Opened { id, version }));
            let mut tampered: Vec<char> = token.chars().collect();
            let replacement = with.chars().next().unwrap();
            prop_assume!(tampered[at] != replacement);
            tampered[at] = replacement;
            let tampered: String = tampered.into_iter().collect();
            prop_assert_eq!(ring.open(LinkKind::Survey, &tampered), None);
        }
    }
}
