//! Optional DKIM signing (RFC 6376), so receiving servers can check that mail claiming to be
//! from the sender's domain was sent by it. Configured with a domain, a selector (the DNS name
//! `{selector}._domainkey.{domain}` holds the public key) and a private key file: an RSA key in
//! PKCS#1 PEM, or an Ed25519 key as the base64 of its 32 bytes. Ed25519 is smaller and faster;
//! RSA is what every receiver checks.

use anyhow::Context;
use lettre::message::{
    dkim::{
        DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
    },
    header::HeaderName,
};

/// A signing configuration from the key file's contents.
pub fn dkim_config(domain: &str, selector: &str, key: &str) -> anyhow::Result<DkimConfig> {
    let algorithm = if key.contains("BEGIN RSA PRIVATE KEY") {
        DkimSigningAlgorithm::Rsa
    } else {
        DkimSigningAlgorithm::Ed25519
    };
    let key = DkimSigningKey::new(key.trim(), algorithm).map_err(|err| anyhow::anyhow!("{err:?}")).context(
        "the DKIM key must be an RSA key in PKCS#1 PEM (BEGIN RSA PRIVATE KEY) or an Ed25519 key as base64",
    )?;
    // lettre's default covers From, Subject, To and Date. RFC 8058 asks that one-click
    // unsubscribe headers be signed too (a header listed but absent is signed as absent, so
    // nobody can add it on the way), and the Message-ID and Reply-To are worth keeping intact.
    let headers = [
        "From",
        "Subject",
        "To",
        "Date",
        "Message-ID",
        "Reply-To",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ]
    .map(HeaderName::new_from_ascii_str)
    .to_vec();
    let canonicalization = DkimCanonicalization {
        header: DkimCanonicalizationType::Simple,
        body: DkimCanonicalizationType::Relaxed,
    };
    Ok(DkimConfig::new(selector.to_owned(), domain.to_owned(), key, headers, canonicalization))
}

#[cfg(test)]
mod tests {
    use lettre::Message;

    use super::*;

    #[test]
    fn a_signed_message_carries_its_signature_and_a_bad_key_is_explained() {
        // An Ed25519 key: the base64 of 32 bytes.
        let config =
            dkim_config("tsudoi.example.jp", "mail2026", "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=")
                .expect("a valid key");
        let mut message = Message::builder()
            .from("Tsudoi <tsudoi@tsudoi.example.jp>".parse().expect("from"))
            .to("hanako@example.jp".parse().expect("to"))
            .subject("集い")
            .body(String::from("こんにちは"))
            .expect("message");
        message.sign(&config);
        let raw = String::from_utf8(message.formatted()).expect("text");
        // The header, unfolded from its continuation lines.
        let at = raw.find("DKIM-Signature:").expect("signed");
        let mut signature = String::new();
        for (n, line) in raw[at..].lines().enumerate() {
            if n > 0 && !line.starts_with([' ', '\t']) {
                break;
            }
            signature.push_str(line.trim());
        }
        for tag in ["v=1", "a=ed25519-sha256", "d=tsudoi.example.jp", "s=mail2026", "bh="] {
            assert!(signature.contains(tag), "{tag} in {signature}");
        }
        assert!(dkim_config("tsudoi.example.jp", "s", "not a key").is_err());
    }
}
