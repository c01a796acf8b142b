//! Tsudoi's email: messages rendered from `email-templates/` into MIME (`compose`), and the
//! transports. Production sends through SMTP (`TSUDOI_SMTP_URL`); the embedded default writes
//! each message as an `.eml` file into `./outbox/`, so `tsudoi serve` works on a machine with
//! no mail server.

mod compose;
mod dkim;
mod templates;
mod worker;

pub use compose::{Envelope, compose, preview};
pub use dkim::dkim_config;
pub use lettre::message::dkim::DkimConfig;
pub use worker::{Worker, WorkerSettings};

use std::path::{Path, PathBuf};

use anyhow::Context;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl Transport {
    /// SMTP when a URL is given (`smtp://host:25`, `smtp+starttls://user:pass@host:587`,
    /// `smtps://host:465`), else `.eml` files in `outbox_dir` (created if missing).
    pub fn from_settings(smtp_url: Option<&str>, outbox_dir: &Path) -> anyhow::Result<Transport> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("TSUDOI_SMTP_URL is not a valid smtp://, smtp+starttls:// or smtps:// URL")?
                    .build();
                Ok(Transport::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(outbox_dir)
                    .with_context(|| format!("creating the outbox folder {}", outbox_dir.display()))?;
                Ok(Transport::File(AsyncFileTransport::new(outbox_dir), outbox_dir.to_owned()))
            }
        }
    }

    /// How many messages are worth sending at once: several over SMTP, where each waits for the
    /// server's answer; one to files, where more would only take CPU from the requests.
    pub fn parallelism(&self) -> usize {
        match self {
            Transport::Smtp(_) => 8,
            Transport::File(..) => 1,
        }
    }

    /// Sends one message; returns where it went (the file's id, or the SMTP server's answer).
    pub async fn send(&self, message: Message) -> anyhow::Result<String> {
        match self {
            Transport::Smtp(smtp) => {
                let response = smtp.send(message).await.context("sending through SMTP")?;
                Ok(response.message().collect::<Vec<_>>().join(" "))
            }
            Transport::File(file, dir) => {
                let id = file.send(message).await.context("writing the email file")?;
                Ok(dir.join(format!("{id}.eml")).display().to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn without_smtp_messages_become_eml_files() {
        let dir = std::env::temp_dir().join(format!("tsudoi-mailer-test-{}", std::process::id()));
        let transport = Transport::from_settings(None, &dir).expect("transport");
        let message = Message::builder()
            .from("Tsudoi <noreply@example.jp>".parse().expect("from"))
            .to("hanako@example.jp".parse().expect("to"))
            .subject("集いへようこそ")
            .body(String::from("こんにちは"))
            .expect("message");
        let path = transport.send(message).await.expect("sent");
        let written = std::fs::read_to_string(&path).expect("file written");
        assert!(written.contains("Subject: =?utf-8?"), "subject is encoded: {written}");
        std::fs::remove_dir_all(dir).ok();
    }

    #[tokio::test]
    async fn a_bad_smtp_url_is_refused() {
        assert!(Transport::from_settings(Some("mail.example.jp"), Path::new("unused")).is_err());
        assert!(Transport::from_settings(Some("smtp://mail.example.jp:2525"), Path::new("unused")).is_ok());
    }
}
