//! Configuration, highest first: command-line flags, `TSUDOI_*` environment variables, an
//! optional `tsudoi.toml`, defaults. With nothing set, Tsudoi runs on a SQLite file in the
//! working directory and listens on 127.0.0.1:8080.

use std::{fmt, net::SocketAddr, path::PathBuf};

use anyhow::Context;
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use tsudoi_domain::rsvp::Policy;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://tsudoi.db?mode=rwc";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_CONFIG_FILE: &str = "tsudoi.toml";

/// A secret from configuration; `Debug` and `Display` never show it.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `sqlite://FILE?mode=rwc` or `postgres://user@host/db`.
    pub database_url: String,
    /// Address to listen on; port 0 picks a free one.
    pub listen: String,
    /// The absolute URL people reach Tsudoi at, used in emails and QR codes.
    pub base_url: Option<String>,
    /// Key for signed links; made and kept in the database when absent.
    pub secret_key: Option<Secret>,
    /// Earlier keys whose links (already in emails) keep working after a rotation.
    pub previous_secret_keys: Vec<Secret>,
    /// PEM certificate chain and private key: serve HTTPS directly.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Trust `X-Forwarded-Proto` from a reverse proxy in front.
    pub trust_proxy: bool,
    pub log_format: LogFormat,
    /// Read connections on SQLite, all connections on PostgreSQL.
    pub db_connections: u32,
    /// `smtp://`, `smtps://` or `smtp+starttls://` URL; without it, emails go to `outbox_dir`.
    pub smtp_url: Option<Secret>,
    /// Where emails are written as `.eml` files when there is no SMTP server.
    pub outbox_dir: PathBuf,
    /// How long public, token-free answers may be served from this instance's memory
    /// (milliseconds; 0 turns the cache off). Writes through this instance empty it at once.
    pub public_cache_ms: u64,
    /// The sender of every email, e.g. `集い Tsudoi <tsudoi@example.jp>` [default: Tsudoi at
    /// the base URL's host].
    pub mail_from: Option<String>,
    /// Run the outbox worker in this instance (every instance may; they share the work).
    pub mail_worker: bool,
    /// How often the worker looks for mail queued elsewhere or due for a retry (milliseconds).
    pub mail_poll_ms: u64,
    /// How long a worker's claim on a batch of mail lasts (seconds): mail claimed by an instance
    /// that died is sent by another after it.
    pub mail_lease_seconds: u32,
    /// DKIM signing: the signing domain, the selector, and the private key file (RSA in PKCS#1
    /// PEM, or Ed25519 as base64); all three or none.
    pub dkim_domain: Option<String>,
    pub dkim_selector: Option<String>,
    pub dkim_key_file: Option<PathBuf>,
    /// How often the scheduler looks for expired holds and due reminders (milliseconds).
    pub scheduler_ms: u64,
    /// Within this many hours of the start, a freed seat is offered instead of given.
    pub offer_window_hours: u32,
    /// How long an offered seat waits for its answer (hours).
    pub offer_hours: u32,
    /// How long before the start reminders go out (hours).
    pub reminder_hours: u32,
    /// RSVPs one client address may send per hour (0: no limit).
    pub rsvp_limit_per_ip: u32,
    /// RSVPs for one email address per hour (0: no limit).
    pub rsvp_limit_per_email: u32,
    /// Check-in API requests per door pass and minute (0: no limit).
    pub door_limit_per_minute: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DEFAULT_DATABASE_URL.into(),
            listen: DEFAULT_LISTEN.into(),
            base_url: None,
            secret_key: None,
            previous_secret_keys: Vec::new(),
            tls_cert: None,
            tls_key: None,
            trust_proxy: false,
            log_format: LogFormat::Text,
            db_connections: 4,
            smtp_url: None,
            outbox_dir: PathBuf::from("outbox"),
            public_cache_ms: 1000,
            mail_from: None,
            mail_worker: true,
            mail_poll_ms: 1000,
            mail_lease_seconds: 120,
            dkim_domain: None,
            dkim_selector: None,
            dkim_key_file: None,
            scheduler_ms: 1000,
            offer_window_hours: 24,
            offer_hours: 3,
            reminder_hours: 24,
            rsvp_limit_per_ip: tsudoi_http::limits::Budgets::default().per_ip_per_hour,
            rsvp_limit_per_email: tsudoi_http::limits::Budgets::default().per_email_per_hour,
            door_limit_per_minute: tsudoi_http::limits::Budgets::default().per_pass_per_minute,
        }
    }
}

impl Config {
    pub fn policy(&self) -> Policy {
        Policy {
            offer_window: chrono::Duration::hours(self.offer_window_hours.into()),
            offer_for: chrono::Duration::hours(self.offer_hours.max(1).into()),
            remind_before: chrono::Duration::hours(self.reminder_hours.into()),
        }
    }

    /// The DKIM signing configuration, when all three settings are given.
    pub fn dkim(&self) -> anyhow::Result<Option<tsudoi_mailer::DkimConfig>> {
        match (&self.dkim_domain, &self.dkim_selector, &self.dkim_key_file) {
            (None, None, None) => Ok(None),
            (Some(domain), Some(selector), Some(file)) => {
                let key = std::fs::read_to_string(file)
                    .with_context(|| format!("reading the DKIM key {}", file.display()))?;
                Ok(Some(tsudoi_mailer::dkim_config(domain, selector, &key)?))
            }
            _ => anyhow::bail!(
                "DKIM needs TSUDOI_DKIM_DOMAIN, TSUDOI_DKIM_SELECTOR and TSUDOI_DKIM_KEY_FILE together"
            ),
        }
    }

    /// The sender: configured, or Tsudoi at the host of `base_url`.
    pub fn mail_from(&self, base_url: &str) -> anyhow::Result<Mailbox> {
        let raw = match &self.mail_from {
            Some(from) => from.clone(),
            None => format!("集い Tsudoi <tsudoi@{}>", mail_domain(base_url)),
        };
        raw.parse().with_context(|| {
            format!("TSUDOI_MAIL_FROM `{raw}` is not an address like Tsudoi <tsudoi@example.jp>")
        })
    }

    /// Layers defaults, the file, the environment and then `overrides` (the flags given).
    pub fn load(file: Option<&std::path::Path>, overrides: &impl Serialize) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) => {
                anyhow::ensure!(path.exists(), "configuration file {} does not exist", path.display());
                figment = figment.merge(Toml::file(path));
            }
            None => figment = figment.merge(Toml::file(DEFAULT_CONFIG_FILE)),
        }
        figment
            .merge(Env::prefixed("TSUDOI_").ignore(&[
                "test_postgres_url",
                "test_require_postgres",
                "test_require_browser",
            ]))
            .merge(Serialized::defaults(overrides))
            .extract()
            .context("reading the configuration")
    }

    pub fn listen_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listen
            .parse()
            .with_context(|| format!("`{}` is not an address like 127.0.0.1:8080", self.listen))
    }

    pub fn tls(&self) -> anyhow::Result<Option<(PathBuf, PathBuf)>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => Ok(Some((cert.clone(), key.clone()))),
            (None, None) => Ok(None),
            _ => anyhow::bail!("HTTPS needs both TSUDOI_TLS_CERT and TSUDOI_TLS_KEY"),
        }
    }
}

/// The host of `base_url`, for senders and Message-IDs (`localhost` when it has none usable).
pub fn mail_domain(base_url: &str) -> String {
    let host = url::Url::parse(base_url).ok().and_then(|u| u.host_str().map(str::to_owned));
    match host {
        Some(host) if host.contains('.') && !host.starts_with('[') => host,
        _ => "localhost".to_owned(),
    }
}

/// The base URL to print in emails: configured, or derived from where we listen. The second
/// value says whether it is only good on this machine.
pub fn base_url(config: &Config, bound: SocketAddr) -> anyhow::Result<(String, bool)> {
    if let Some(url) = &config.base_url {
        let parsed = url::Url::parse(url).with_context(|| format!("TSUDOI_BASE_URL `{url}` is not a URL"))?;
        anyhow::ensure!(
            matches!(parsed.scheme(), "http" | "https") && parsed.host().is_some(),
            "TSUDOI_BASE_URL must be an absolute http(s) URL"
        );
        return Ok((url.trim_end_matches('/').to_owned(), false));
    }
    let scheme = if config.tls_cert.is_some() { "https" } else { "http" };
    let ip = bound.ip();
    let host = if ip.is_unspecified() {
        "localhost".to_owned()
    } else if ip.is_ipv6() {
        format!("[{ip}]")
    } else {
        ip.to_string()
    };
    Ok((format!("{scheme}://{host}:{}", bound.port()), ip.is_loopback() || ip.is_unspecified()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Flags {
        #[serde(skip_serializing_if = "Option::is_none")]
        listen: Option<String>,
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Error is figment's own, and this is a test.
    fn flags_beat_the_environment_which_beats_the_file() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "tsudoi.toml",
                "listen = \"127.0.0.1:1000\"\ndatabase_url = \"sqlite://file.db\"\ntrust_proxy = true",
            )?;
            jail.set_env("TSUDOI_LISTEN", "127.0.0.1:2000");
            let from_env = Config::load(None, &Flags { listen: None }).expect("config");
            assert_eq!(from_env.listen, "127.0.0.1:2000");
            assert_eq!(from_env.database_url, "sqlite://file.db");
            assert!(from_env.trust_proxy);
            let from_flag =
                Config::load(None, &Flags { listen: Some("127.0.0.1:3000".into()) }).expect("config");
            assert_eq!(from_flag.listen, "127.0.0.1:3000");
            Ok(())
        });
    }

    #[test]
    fn dkim_needs_all_three_settings() {
        let partial = Config { dkim_domain: Some("tsudoi.example.jp".into()), ..Config::default() };
        assert!(partial.dkim().is_err());
        assert!(Config::default().dkim().unwrap().is_none());
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let config = Config { secret_key: Some(Secret::new("hunter2hunter2")), ..Config::default() };
        assert!(!format!("{config:?}").contains("hunter2"));
    }

    #[test]
    fn the_base_url_defaults_to_the_listen_address() {
        let config = Config::default();
        let (url, local) = base_url(&config, "127.0.0.1:8080".parse().unwrap()).unwrap();
        assert_eq!(url, "http://127.0.0.1:8080");
        assert!(local);
        let config = Config { base_url: Some("https://tsudoi.example.jp/".into()), ..Config::default() };
        assert_eq!(
            base_url(&config, "0.0.0.0:80".parse().unwrap()).unwrap(),
            ("https://tsudoi.example.jp".into(), false)
        );
    }
}
