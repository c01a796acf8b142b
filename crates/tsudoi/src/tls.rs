//! Serving HTTPS directly: a poem acceptor that completes TLS handshakes off the accept loop,
//! so one slow client cannot hold up the others.

use std::{io, path::Path, sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    http::uri::Scheme,
    listener::Acceptor,
    web::{LocalAddr, RemoteAddr},
};
use tokio::{net::TcpStream, sync::mpsc};
use tokio_rustls::{
    TlsAcceptor,
    rustls::{
        ServerConfig,
        pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    },
    server::TlsStream,
};

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Handshakes in progress at once; more wait their turn (a flood of half-open connections
/// cannot take the whole machine).
const CONCURRENT_HANDSHAKES: usize = 256;

pub fn server_config(cert: &Path, key: &Path) -> anyhow::Result<Arc<ServerConfig>> {
    let certs = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading the certificate {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing the certificate {}", cert.display()))?;
    anyhow::ensure!(!certs.is_empty(), "{} holds no certificate", cert.display());
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("reading the private key {}", key.display()))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("choosing TLS versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the certificate and key do not fit together")?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

pub struct TlsAcceptorWrapper {
    local: Vec<LocalAddr>,
    ready: mpsc::Receiver<(TlsStream<TcpStream>, LocalAddr, RemoteAddr)>,
}

impl TlsAcceptorWrapper {
    /// Takes over a plain acceptor; handshakes run in their own tasks.
    pub fn new<A>(mut inner: A, config: Arc<ServerConfig>) -> Self
    where
        A: Acceptor<Io = TcpStream> + 'static,
    {
        let local = inner.local_addr();
        let (tx, ready) = mpsc::channel(128);
        let tls = TlsAcceptor::from(config);
        let permits = Arc::new(tokio::sync::Semaphore::new(CONCURRENT_HANDSHAKES));
        tokio::spawn(async move {
            loop {
                let (stream, local, remote, _) = match inner.accept().await {
                    Ok(accepted) => accepted,
                    Err(err) => {
                        tracing::warn!(error = %err, "accepting a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = permits.clone().acquire_owned().await else { break };
                let (tls, done) = (tls.clone(), tx.clone());
                tokio::spawn(async move {
                    let _permit = permit;
                    match tokio::time::timeout(HANDSHAKE_TIMEOUT, tls.accept(stream)).await {
                        Ok(Ok(stream)) => {
                            let _ = done.send((stream, local, remote)).await;
                        }
                        Ok(Err(err)) => tracing::debug!(error = %err, "TLS handshake failed"),
                        Err(_) => tracing::debug!("TLS handshake timed out"),
                    }
                });
                if tx.is_closed() {
                    break;
                }
            }
        });
        Self { local, ready }
    }
}

impl Acceptor for TlsAcceptorWrapper {
    type Io = TlsStream<TcpStream>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.local.clone()
    }

    async fn accept(&mut self) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, Scheme)> {
        match self.ready.recv().await {
            Some((stream, local, remote)) => Ok((stream, local, remote, Scheme::HTTPS)),
            None => Err(io::Error::other("the TLS listener stopped")),
        }
    }
}
