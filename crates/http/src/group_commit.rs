//! Group commit (DESIGN §6: one writer, or an equivalent queue). A crowd's writes queue here and
//! one task writes them in batches, one transaction each: the RSVP forms of a flash crowd, the
//! check-ins of a door storm on PostgreSQL (on a SQLite file the door's thread does the same for
//! them, `checkin::DoorThread`). Each request still gets its own answer, as if it had been alone;
//! a lone request is a batch of one and waits for nobody.

use std::future::Future;

use tokio::sync::{mpsc, oneshot};
use tsudoi_domain::{
    Error, Result,
    checkin::{self, DoorThread, Outcome, Request},
    clock::SharedClock,
    db::Db,
    rsvp::{self, Form, Submitted},
};

/// Requests written in one transaction at most.
const BATCH: usize = 128;

type Job<I, O> = (I, oneshot::Sender<Result<O>>);

/// A queue of writes of one kind, `I` in and `O` out.
pub struct GroupCommit<I, O> {
    jobs: mpsc::Sender<Job<I, O>>,
}

impl<I, O> Clone for GroupCommit<I, O> {
    fn clone(&self) -> Self {
        GroupCommit { jobs: self.jobs.clone() }
    }
}

impl<I: Send + 'static, O: Send + 'static> GroupCommit<I, O> {
    /// Starts the writing task; it ends when the last handle is dropped. `write` answers a
    /// batch in its order.
    pub fn start<F, Fut>(mut write: F) -> Self
    where
        F: FnMut(Vec<I>) -> Fut + Send + 'static,
        Fut: Future<Output = Vec<Result<O>>> + Send,
    {
        let (jobs, mut queued) = mpsc::channel::<Job<I, O>>(4 * BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while queued.recv_many(&mut batch, BATCH).await > 0 {
                let (inputs, answers): (Vec<_>, Vec<_>) = batch.drain(..).unzip();
                for (answer, result) in answers.into_iter().zip(write(inputs).await) {
                    // The client may have gone; what was written stands.
                    let _ = answer.send(result);
                }
            }
        });
        GroupCommit { jobs }
    }

    pub async fn write(&self, input: I) -> Result<O> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send((input, answer))
            .await
            .map_err(|_| Error::Unexpected(anyhow::anyhow!("a group commit queue has stopped")))?;
        answered
            .await
            .map_err(|_| Error::Unexpected(anyhow::anyhow!("a group commit queue dropped a write")))?
    }
}

/// RSVP forms (an event's slug and the form).
pub type RsvpQueue = GroupCommit<(String, Form), Submitted>;

pub fn rsvp_queue(db: Db, clock: SharedClock) -> RsvpQueue {
    GroupCommit::start(move |forms| {
        let (db, now) = (db.clone(), clock.now());
        async move { rsvp::submit_many(db.writer(), forms, now).await }
    })
}

/// Check-ins at the door: on the door's own thread for a SQLite file, else in batches through
/// sea-orm.
#[derive(Clone)]
pub enum DoorQueue {
    Thread(DoorThread),
    Batches(GroupCommit<Request, Outcome>),
}

impl DoorQueue {
    pub fn start(db: Db, clock: SharedClock) -> anyhow::Result<DoorQueue> {
        if let Some(thread) = DoorThread::start(&db, clock.clone())? {
            return Ok(DoorQueue::Thread(thread));
        }
        Ok(DoorQueue::Batches(GroupCommit::start(move |requests| {
            let (db, now) = (db.clone(), clock.now());
            async move { checkin::redeem_many(db.writer(), requests, now).await }
        })))
    }

    pub async fn write(&self, request: Request) -> Result<Outcome> {
        match self {
            DoorQueue::Thread(thread) => thread.redeem(request).await,
            DoorQueue::Batches(batches) => batches.write(request).await,
        }
    }

    /// Answers what was handed over and stops (the batching task stops with its last handle).
    pub async fn close(&self) {
        if let DoorQueue::Thread(thread) = self {
            thread.close().await;
        }
    }
}
