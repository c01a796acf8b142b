//! The outbox worker (DESIGN invariant 4): claims due messages with a lease, renders and sends
//! each outside any transaction, then records what happened. It wakes when this instance queues
//! mail and otherwise polls, so it also sends what other instances queued and retries failures.
//! Any number of workers, on any number of instances, may run at once.

use std::{sync::Arc, time::Duration as StdDuration};

use futures::{StreamExt, stream};
use lettre::message::Mailbox;
use tokio::sync::{Notify, watch};
use tsudoi_domain::{
    clock::SharedClock,
    db::Db,
    entity::outbox as outbox_row,
    ids::MessageId,
    letter::{self, EventCache},
    links::Links,
    outbox,
};

use crate::{Envelope, Transport, compose};

#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// Messages claimed at once.
    pub batch: u64,
    /// How long a claim lasts; a worker that dies mid-batch gives its messages back after it.
    pub lease: chrono::Duration,
    /// How often to look for work nobody announced (other instances', retries).
    pub poll: StdDuration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings { batch: 32, lease: chrono::Duration::minutes(2), poll: StdDuration::from_secs(1) }
    }
}

pub struct Worker {
    pub db: Db,
    pub transport: Arc<Transport>,
    pub links: Links,
    pub clock: SharedClock,
    pub from: Mailbox,
    /// The right side of Message-IDs.
    pub domain: String,
    pub wake: Arc<Notify>,
    pub settings: WorkerSettings,
    /// Signs every message when configured.
    pub dkim: Option<Arc<lettre::message::dkim::DkimConfig>>,
}

/// What became of one claimed message.
enum Outcome {
    Sent,
    Dropped,
    /// Not attempted: given back for any worker to take.
    Released,
    Failed(String),
}

impl Worker {
    /// Sends until `stop` turns true, finishing the batch in hand.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let busy = match self.run_once().await {
                Ok(handled) => handled > 0,
                Err(err) => {
                    tracing::error!(error = format!("{err:#}"), "outbox worker could not claim messages");
                    false
                }
            };
            if !busy {
                tokio::select! {
                    () = self.wake.notified() => {}
                    () = tokio::time::sleep(self.settings.poll) => {}
                    _ = stop.changed() => {}
                }
            }
        }
    }

    /// Claims one batch and handles it; returns how many messages it handled.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let now = self.clock.now();
        let claimed = outbox::claim(self.db.writer(), self.settings.batch, self.settings.lease, now).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        // Letters are prepared one after the other (database reads, each event loaded once),
        // then composed and sent as many at a time as the transport gains from: a remote mail
        // server answers each message after a round trip, and the SMTP pool holds several.
        let mut events = EventCache::default();
        let mut letters = Vec::with_capacity(claimed.len());
        for message in &claimed {
            let letter = letter::prepare(self.db.reader(), &self.links, &mut events, message, now).await;
            letters.push((message.clone(), letter));
        }
        // Past half the lease (a slow mail server), the rest goes back rather than risk another
        // worker taking it over while this one still sends.
        let started = std::time::Instant::now();
        let half_lease = self.settings.lease.to_std().unwrap_or_default() / 2;
        let outcomes: Vec<(outbox_row::Model, Outcome)> = stream::iter(letters)
            .map(|(message, letter)| async move {
                let outcome = match letter {
                    _ if started.elapsed() > half_lease => Outcome::Released,
                    Ok(Some(letter)) => self.send(&letter).await,
                    Ok(None) => Outcome::Dropped,
                    Err(err) => Outcome::Failed(format!("preparing: {err:#}")),
                };
                (message, outcome)
            })
            .buffer_unordered(self.transport.parallelism())
            .collect()
            .await;
        let (mut sent, mut dropped, mut released) = (Vec::new(), Vec::new(), Vec::new());
        for (message, outcome) in outcomes {
            match outcome {
                Outcome::Sent => sent.push(message.id),
                Outcome::Dropped => dropped.push(message.id),
                Outcome::Released => released.push(message.id),
                Outcome::Failed(error) => {
                    // The error's text may quote the address (a mail server's rejection): it
                    // goes to `last_error`, which only the event's organizers see, not the log.
                    tracing::warn!(message = %message.id, kind = ?message.kind, attempt = message.attempts, "email not sent");
                    outbox::mark_failed(self.db.writer(), &message, &error, self.clock.now()).await?;
                }
            }
        }
        outbox::release(self.db.writer(), &released).await?;
        self.record(&sent, &dropped).await?;
        Ok(claimed.len())
    }

    async fn send(&self, letter: &letter::Letter) -> Outcome {
        let email =
            Envelope::of(letter, &self.from, &self.domain).and_then(|envelope| compose(letter, &envelope));
        let mut email = match email {
            Ok(email) => email,
            Err(err) => return Outcome::Failed(format!("composing: {err:#}")),
        };
        if let Some(dkim) = &self.dkim {
            email.sign(dkim);
        }
        match self.transport.send(email).await {
            Ok(_) => Outcome::Sent,
            Err(err) => Outcome::Failed(format!("{err:#}")),
        }
    }

    async fn record(&self, sent: &[MessageId], dropped: &[MessageId]) -> anyhow::Result<()> {
        outbox::mark_sent(self.db.writer(), sent, self.clock.now()).await?;
        outbox::mark_dropped(self.db.writer(), dropped).await?;
        Ok(())
    }
}
