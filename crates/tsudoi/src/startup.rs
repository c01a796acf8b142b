//! Building and running the server. The binary and the end-to-end tests start Tsudoi the same
//! way: `Application::build`, then `run_until_stopped`.

use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};

use anyhow::Context;
use poem::{
    Server,
    listener::{Acceptor, AcceptorExt, BoxAcceptor, Listener, TcpListener},
};
use tokio::sync::{Notify, watch};
use tsudoi_domain::links::{Keyring, Links};
use tsudoi_domain::{
    clock::SharedClock,
    db::{Db, PoolSizes},
    settings::{SecretKey, stored_secret_key},
};
use tsudoi_http::{
    AppState,
    cache::PublicCache,
    group_commit,
    limits::{Budgets, Limits},
    metrics::Metrics,
};
use tsudoi_mailer::{Transport, Worker, WorkerSettings};

use crate::{
    config::{self, Config},
    migrate,
    scheduler::Scheduler,
    tls,
};

pub struct Application {
    acceptor: BoxAcceptor,
    addr: SocketAddr,
    base_url: String,
    state: AppState,
    worker: Option<Worker>,
    scheduler: Scheduler,
    /// Tells long-lived answers (the door's live counts) that the server is stopping.
    closing: watch::Sender<bool>,
}

/// Opens the database and applies pending migrations.
pub async fn open_database(config: &Config) -> anyhow::Result<Db> {
    let db = Db::connect(&config.database_url, &PoolSizes { connections: config.db_connections }).await?;
    migrate::up(&config.database_url, &db).await?;
    Ok(db)
}

/// The configured secret key, or the one kept in the database (made on first start).
pub async fn secret_key(config: &Config, db: &Db) -> anyhow::Result<SecretKey> {
    match &config.secret_key {
        Some(secret) => SecretKey::parse(secret.expose()).context("TSUDOI_SECRET_KEY"),
        None => {
            let (key, created) = stored_secret_key(db.writer()).await?;
            if created {
                tracing::warn!(
                    "no TSUDOI_SECRET_KEY set: made one and kept it in the database; set your own to rotate keys"
                );
            }
            Ok(key)
        }
    }
}

impl Application {
    pub async fn build(config: &Config, clock: SharedClock) -> anyhow::Result<Application> {
        let db = open_database(config).await?;
        let secret = secret_key(config, &db).await?;
        let transport =
            Transport::from_settings(config.smtp_url.as_ref().map(|s| s.expose()), &config.outbox_dir)
                .context("setting up email")?;

        let listen = config.listen_addr()?;
        let plain = TcpListener::bind(listen)
            .into_acceptor()
            .await
            .with_context(|| format!("listening on {listen}"))?;
        let addr = plain
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("the listener has no address")?;
        let acceptor = match config.tls()? {
            Some((cert, key)) => {
                tls::TlsAcceptorWrapper::new(plain, tls::server_config(&cert, &key)?).boxed()
            }
            None => plain.boxed(),
        };
        let (base_url, local_only) = config::base_url(config, addr)?;
        if local_only {
            tracing::warn!(%base_url, "TSUDOI_BASE_URL is not set: links in emails will only work on this machine");
        }
        let previous = config
            .previous_secret_keys
            .iter()
            .map(|key| SecretKey::parse(key.expose()).context("TSUDOI_PREVIOUS_SECRET_KEYS"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let links = Links::new(Keyring::new(&secret, &previous), &base_url);
        // Checked on every instance, worker or not: a bad setting should stop the start.
        let dkim = config.dkim()?.map(Arc::new);
        let mail_wake = Arc::new(Notify::new());
        let limits = Arc::new(Limits::new(Budgets {
            per_ip_per_hour: config.rsvp_limit_per_ip,
            per_email_per_hour: config.rsvp_limit_per_email,
            per_pass_per_minute: config.door_limit_per_minute,
        }));
        let worker = config
            .mail_worker
            .then(|| -> anyhow::Result<Worker> {
                Ok(Worker {
                    db: db.clone(),
                    transport: Arc::new(transport),
                    links: links.clone(),
                    clock: clock.clone(),
                    from: config.mail_from(&base_url)?,
                    domain: config::mail_domain(&base_url),
                    wake: mail_wake.clone(),
                    dkim: dkim.clone(),
                    settings: WorkerSettings {
                        poll: Duration::from_millis(config.mail_poll_ms.max(10)),
                        lease: chrono::Duration::seconds(config.mail_lease_seconds.max(1).into()),
                        ..WorkerSettings::default()
                    },
                })
            })
            .transpose()?;
        let scheduler = Scheduler {
            db: db.clone(),
            clock: clock.clone(),
            policy: config.policy(),
            every: Duration::from_millis(config.scheduler_ms.max(10)),
            limits: limits.clone(),
            mail_wake: mail_wake.clone(),
        };
        let (closing, closing_seen) = watch::channel(false);
        let state = AppState {
            closing: closing_seen,
            rsvp_queue: group_commit::rsvp_queue(db.clone(), clock.clone()),
            door_queue: group_commit::DoorQueue::start(db.clone(), clock.clone())?,
            door_passes: Arc::default(),
            db,
            clock,
            metrics: Arc::new(Metrics::default()),
            public_cache: Arc::new(PublicCache::new(Duration::from_millis(config.public_cache_ms))),
            base_url: base_url.clone(),
            trust_proxy: config.trust_proxy,
            links,
            policy: config.policy(),
            mail_wake,
            limits,
        };
        Ok(Application { acceptor, addr, base_url, state, worker, scheduler, closing })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish (up to 10 s).
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send) -> anyhow::Result<()> {
        tracing::info!(address = %self.addr, base_url = %self.base_url, "Tsudoi is listening");
        let (db, door) = (self.state.db.clone(), self.state.door_queue.clone());
        let (stop, stopped) = watch::channel(false);
        let mut background = vec![tokio::spawn(self.scheduler.run(stopped.clone()))];
        if let Some(worker) = self.worker {
            background.push(tokio::spawn(worker.run(stopped)));
        }
        let app = tsudoi_http::app(self.state);
        // Streams that would never end on their own end when the stop begins, so that the
        // requests in flight are all that the graceful stop waits for.
        let closing = self.closing;
        let shutdown = async move {
            shutdown.await;
            let _ = closing.send(true);
        };
        let served = Server::new_with_acceptor(self.acceptor)
            .name("tsudoi")
            .idle_timeout(Duration::from_secs(60))
            .run_with_graceful_shutdown(app, shutdown, Some(Duration::from_secs(10)))
            .await
            .context("serving HTTP");
        // The worker finishes the batch in hand; what it has not claimed waits in the outbox.
        let _ = stop.send(true);
        for task in background {
            let _ = task.await;
        }
        served?;
        door.close().await;
        db.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
