//! The service's secret key: given by configuration, or made once and kept in the database so
//! that every instance signs with the same key.

use std::fmt;

use anyhow::Context;
use data_encoding::BASE64URL_NOPAD;
use rand::RngCore;
use sea_orm::{ConnectionTrait, EntityTrait, Set, sea_query::OnConflict};

use crate::entity::setting;

const SECRET_KEY: &str = "secret_key";

/// At least 32 bytes of key material. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub const MIN_LEN: usize = 32;

    /// From configuration: base64url (with or without padding) or any string of 32+ bytes.
    pub fn parse(raw: &str) -> anyhow::Result<Self> {
        let raw = raw.trim();
        // base64url of 32+ bytes, or else the text itself (a long passphrase).
        let bytes = match BASE64URL_NOPAD.decode(raw.trim_end_matches('=').as_bytes()) {
            Ok(decoded) if decoded.len() >= Self::MIN_LEN => decoded,
            _ => raw.as_bytes().to_vec(),
        };
        anyhow::ensure!(
            bytes.len() >= Self::MIN_LEN,
            "the secret key must hold at least {} bytes (try `openssl rand -base64 48`)",
            Self::MIN_LEN
        );
        Ok(Self(bytes))
    }

    pub fn generate() -> Self {
        let mut bytes = vec![0u8; Self::MIN_LEN];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    fn encode(&self) -> String {
        BASE64URL_NOPAD.encode(&self.0)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// The key kept in the database, made on first call. Insert-if-absent, then read: two instances
/// starting together end up with the same key. Returns whether this call created it.
pub async fn stored_secret_key(db: &impl ConnectionTrait) -> anyhow::Result<(SecretKey, bool)> {
    let candidate = SecretKey::generate();
    let row = setting::ActiveModel { key: Set(SECRET_KEY.into()), value: Set(candidate.encode()) };
    let inserted = setting::Entity::insert(row)
        .on_conflict(OnConflict::column(setting::Column::Key).do_nothing().to_owned())
        .exec_without_returning(db)
        .await
        .context("storing a new secret key")?;
    let stored = setting::Entity::find_by_id(SECRET_KEY.to_owned())
        .one(db)
        .await
        .context("reading the secret key")?
        .context("the secret key row vanished")?;
    Ok((SecretKey::parse(&stored.value)?, inserted == 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_base64url_or_long_passphrases() {
        let encoded = BASE64URL_NOPAD.encode(&[7u8; 48]);
        assert_eq!(SecretKey::parse(&encoded).unwrap().bytes(), &[7u8; 48]);
        // 40 characters that happen to be valid base64url, but decode to only 30 bytes.
        let passphrase = "correcthorsebatterystaplecorrecthorsebat";
        assert_eq!(SecretKey::parse(passphrase).unwrap().bytes(), passphrase.as_bytes());
        assert!(SecretKey::parse("too short").is_err());
        assert_eq!(format!("{:?}", SecretKey::generate()), "SecretKey(<redacted>)");
    }
}
