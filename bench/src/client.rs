//! A minimal keep-alive HTTP/1.1 client: enough to send GETs and JSON POSTs to Tsudoi and read
//! `Content-Length` responses, with next to no overhead per request.

use anyhow::{Context, bail};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
};

pub struct Connection {
    stream: BufReader<TcpStream>,
    buffer: Vec<u8>,
}

pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> anyhow::Result<serde_json::Value> {
        serde_json::from_str(&self.body).with_context(|| format!("not JSON: {}", self.body))
    }
}

impl Connection {
    pub async fn open(port: u16) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            stream: BufReader::with_capacity(64 * 1024, stream),
            buffer: Vec::with_capacity(64 * 1024),
        })
    }

    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> anyhow::Result<Reply> {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        if let Some(token) = token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        if method != "GET" {
            head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
        }
        head.push_str("\r\n");
        head.push_str(&body);
        self.stream.get_mut().write_all(head.as_bytes()).await?;
        self.read_reply().await
    }

    /// GETs a page as a signed-in browser does, with its session cookie.
    pub async fn get_with_cookie(&mut self, path: &str, cookie: &str) -> anyhow::Result<Reply> {
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept-Language: ja\r\n\r\n"
        );
        self.stream.get_mut().write_all(head.as_bytes()).await?;
        self.read_reply().await
    }

    /// Posts bytes as they are, with one credential header (`Authorization`, `X-Door-Pass`).
    pub async fn upload(
        &mut self,
        path: &str,
        credential: (&str, &str),
        content_type: &str,
        bytes: &[u8],
    ) -> anyhow::Result<Reply> {
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{}: {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            credential.0,
            credential.1,
            bytes.len()
        )
        .into_bytes();
        // One write, as browsers send a small request (a second segment for the body would cost
        // the server a second wake-up that no real scanner causes).
        request.extend_from_slice(bytes);
        self.stream.get_mut().write_all(&request).await?;
        self.read_reply().await
    }

    /// Posts a browser form (`application/x-www-form-urlencoded`).
    pub async fn post_form(&mut self, path: &str, body: &str) -> anyhow::Result<Reply> {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.stream.get_mut().write_all(head.as_bytes()).await?;
        self.read_reply().await
    }

    async fn read_reply(&mut self) -> anyhow::Result<Reply> {
        self.buffer.clear();
        // Read until the end of the headers.
        let header_end = loop {
            if let Some(i) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 16 * 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed");
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        };
        let head = std::str::from_utf8(&self.buffer[..header_end])?;
        let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).context("status line")?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse().ok())?
            })
            .context("responses must carry Content-Length")?;
        while self.buffer.len() < header_end + length {
            let mut chunk = [0u8; 16 * 1024];
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                bail!("connection closed mid-body");
            }
            self.buffer.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&self.buffer[header_end..header_end + length]).into_owned();
        Ok(Reply { status, body })
    }
}
