//! A real SMTP server for the tests, on a random port: it speaks enough SMTP for lettre, keeps
//! every message it accepts, and can be stopped and started again on the same port (to prove
//! that no email is lost while the mail server is down). Messages are read back as MIME.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use mail_parser::{MessageParser, MimeHeaders};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

pub struct Mailbox {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
    server: Mutex<Option<JoinHandle<()>>>,
}

impl Mailbox {
    pub async fn start() -> Mailbox {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the SMTP server");
        let addr = listener.local_addr().expect("address");
        let mailbox = Mailbox { addr, received: Arc::default(), server: Mutex::new(None) };
        mailbox.serve(listener);
        mailbox
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    fn serve(&self, listener: TcpListener) {
        let received = self.received.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let received = received.clone();
                tokio::spawn(async move {
                    let _ = session(stream, received).await;
                });
            }
        });
        *self.server.lock().unwrap_or_else(PoisonError::into_inner) = Some(server);
    }

    /// Stops listening; connections are refused until `restart`.
    pub fn stop(&self) {
        if let Some(server) = self.server.lock().unwrap_or_else(PoisonError::into_inner).take() {
            server.abort();
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&self) {
        let listener = TcpListener::bind(self.addr).await.expect("binding the SMTP server again");
        self.serve(listener);
    }

    /// Every message received so far, parsed.
    pub fn all(&self) -> Vec<Mail> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|raw| Mail::parse(raw))
            .collect()
    }

    /// Waits (up to 30 s: a debug build on a busy machine sends a few dozen a second) until
    /// `pick` finds `n` messages, and returns them.
    pub async fn wait_for(&self, n: usize, pick: impl Fn(&Mail) -> bool) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let found: Vec<Mail> = self.all().into_iter().filter(|m| pick(m)).collect();
            if found.len() >= n {
                return found;
            }
            if tokio::time::Instant::now() > deadline {
                let subjects: Vec<_> =
                    self.all().into_iter().map(|m| format!("{} → {}", m.subject, m.to)).collect();
                panic!("expected {n} emails, found {}; all received: {subjects:#?}", found.len());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits for the `n`-th message to `to` whose subject contains `subject`, and returns it.
    pub async fn message(&self, to: &str, subject: &str, n: usize) -> Mail {
        let mut found = self.wait_for(n, |m| m.to == to && m.subject.contains(subject)).await;
        found.swap_remove(n - 1)
    }
}

impl Drop for Mailbox {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn session(stream: TcpStream, received: Arc<Mutex<Vec<Vec<u8>>>>) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 tsudoi-tests ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" => write.write_all(b"250-tsudoi-tests\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await?,
            "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => write.write_all(b"250 OK\r\n").await?,
            "DATA" => {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut message = Vec::new();
                loop {
                    let mut data = Vec::new();
                    if lines.read_until(b'\n', &mut data).await? == 0 {
                        return Ok(());
                    }
                    if data == b".\r\n" || data == b".\n" {
                        break;
                    }
                    // Undo dot-stuffing.
                    let data = if data.starts_with(b"..") { &data[1..] } else { &data[..] };
                    message.extend_from_slice(data);
                }
                received.lock().unwrap_or_else(PoisonError::into_inner).push(message);
                write.write_all(b"250 queued\r\n").await?;
            }
            "QUIT" => {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            }
            _ => write.write_all(b"502 not implemented\r\n").await?,
        }
    }
}

/// One email as a mail client reads it.
#[derive(Clone, Debug)]
pub struct Mail {
    pub from: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub reply_to: Option<String>,
    /// The raw DKIM-Signature header, when signed.
    pub dkim: Option<String>,
    /// `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 2369, RFC 8058), trimmed.
    pub list_unsubscribe: Option<String>,
    pub list_unsubscribe_post: Option<String>,
    pub text: String,
    pub html: String,
    /// The inline QR image (`cid:`), if any.
    pub qr_png: Option<Vec<u8>>,
    /// The attached `.ics`, if any, with its METHOD from the content type.
    pub ics: Option<(String, String)>,
}

impl Mail {
    pub fn parse(raw: &[u8]) -> Mail {
        let mail = MessageParser::default().parse(raw).expect("a MIME message");
        let address = |a: Option<&mail_parser::Address<'_>>| {
            a.and_then(|a| a.first()).and_then(|a| a.address()).unwrap_or_default().to_owned()
        };
        Mail {
            from: address(mail.from()),
            to: address(mail.to()),
            subject: mail.subject().unwrap_or_default().to_owned(),
            message_id: mail.message_id().unwrap_or_default().to_owned(),
            dkim: mail.header_raw("DKIM-Signature").map(str::to_owned),
            list_unsubscribe: mail.header_raw("List-Unsubscribe").map(|h| h.trim().to_owned()),
            list_unsubscribe_post: mail.header_raw("List-Unsubscribe-Post").map(|h| h.trim().to_owned()),
            reply_to: mail.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).map(str::to_owned),
            text: mail.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
            html: mail.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
            qr_png: mail
                .parts
                .iter()
                .find(|p| p.content_id() == Some("ticket-qr@tsudoi"))
                .map(|p| p.contents().to_vec()),
            ics: mail.attachments().find(|a| a.attachment_name() == Some("event.ics")).map(|a| {
                let method =
                    a.content_type().and_then(|c| c.attribute("method")).unwrap_or_default().to_owned();
                (String::from_utf8_lossy(a.contents()).into_owned(), method)
            }),
        }
    }

    /// Every link in the plain-text part that points at `base`.
    pub fn links(&self, base: &str) -> Vec<String> {
        self.text
            .split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')'))
            .filter(|w| w.starts_with(base))
            .map(str::to_owned)
            .collect()
    }

    /// The first link to `base` + `prefix` (`/r/`, `/t/`, `/e/`).
    #[track_caller]
    pub fn link(&self, base: &str, prefix: &str) -> String {
        let wanted = format!("{base}{prefix}");
        self.links(base)
            .into_iter()
            .find(|l| l.starts_with(&wanted))
            .unwrap_or_else(|| panic!("no {prefix} link in {:?}:\n{}", self.subject, self.text))
    }

    /// What the inline QR code says, read by a real decoder.
    #[track_caller]
    pub fn qr_text(&self) -> String {
        let png = self.qr_png.as_ref().expect("an inline QR image");
        let image = image::load_from_memory(png).expect("a PNG").to_luma8();
        let mut prepared = rqrr::PreparedImage::prepare(image);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1, "one QR code in the image");
        grids[0].decode().expect("a readable QR code").1
    }
}
