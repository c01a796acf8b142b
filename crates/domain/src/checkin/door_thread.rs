//! Check-ins at the door of a SQLite file. A thread of its own, with a connection of its own
//! (`db::direct`), takes the scans waiting, answers them as one transaction, and takes the next:
//! no hand-off to another thread per statement, and none between batches while a storm lasts.
//!
//! It holds the sqlx writer while it writes, so that nothing else in this process writes
//! meanwhile, and keeps it from one batch to the next while scans keep coming (taking it again
//! costs a round trip to sqlx's thread): at most `HOLD` at a time, so that other writes get their
//! turn, and no longer than `LINGER` after the last scan.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::{Arc, Mutex, PoisonError},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use flume::RecvTimeoutError;
use tokio::{runtime::Handle, sync::oneshot};

use super::{
    Outcome,
    admit::Request,
    store::{self, redeem_here},
};
use crate::{
    clock::SharedClock,
    db::{Db, WritePermit, direct},
    error::{Error, Result},
};

/// Scans answered in one transaction at most.
const BATCH: usize = 128;
/// Scans waiting at most; beyond, a scanner waits to hand its scan over.
const QUEUE: usize = 4 * BATCH;
/// How long a storm keeps the writer at a time before letting other writes in.
const HOLD: Duration = Duration::from_millis(10);
/// How long the writer is kept after the last scan.
const LINGER: Duration = Duration::from_millis(2);
/// Pages written before a commit copies them back into the database file (SQLite's default is
/// 1,000): fewer, larger checkpoints copy fewer pages in all during a storm (a page written many
/// times is copied once). What is left is copied when the door goes quiet after one.
const CHECKPOINT_PAGES: u32 = 10_000;
/// Batches after which a quiet door checkpoints (about SQLite's 1,000 pages); after fewer, the
/// next commit of the sqlx writer does, as it does after any write.
const CHECKPOINT_BATCHES: u32 = 100;

enum Job {
    Scan(Box<Request>, oneshot::Sender<Result<Outcome>>),
    Stop,
}

/// Scans taken off the queue, and where their answers go.
#[derive(Default)]
struct Batch {
    requests: Vec<Request>,
    answers: Vec<oneshot::Sender<Result<Outcome>>>,
}

impl Batch {
    /// Adds a scan; true when the job is the signal to stop.
    fn take(&mut self, job: Job) -> bool {
        match job {
            Job::Scan(request, answer) => {
                self.requests.push(*request);
                self.answers.push(answer);
                false
            }
            Job::Stop => true,
        }
    }

    fn answer(&mut self, results: Vec<Result<Outcome>>) {
        for (answer, result) in self.answers.drain(..).zip(results) {
            // The scanner may have gone; what was written stands.
            let _ = answer.send(result);
        }
        self.requests.clear();
    }
}

/// The way to the door's thread.
#[derive(Clone)]
pub struct DoorThread {
    jobs: flume::Sender<Job>,
    thread: Arc<Mutex<Option<JoinHandle<()>>>>,
}

impl DoorThread {
    /// Starts the thread, for a SQLite file (other databases' check-ins go through sea-orm:
    /// `redeem_many`). Called inside the Tokio runtime, whose tasks return the writer to its pool.
    pub fn start(db: &Db, clock: SharedClock) -> anyhow::Result<Option<DoorThread>> {
        let Some(file) = db.sqlite_file() else { return Ok(None) };
        let connection = direct::open(file)?;
        connection.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
        let door = Door {
            connection,
            db: db.clone(),
            clock,
            runtime: Handle::try_current()?,
            permit: None,
            batches_since_checkpoint: 0,
        };
        let (jobs, queued) = flume::bounded(QUEUE);
        let thread =
            std::thread::Builder::new().name("door-writer".into()).spawn(move || door.serve(&queued))?;
        Ok(Some(DoorThread { jobs, thread: Arc::new(Mutex::new(Some(thread))) }))
    }

    /// Answers one request, in a batch with those that came meanwhile.
    pub async fn redeem(&self, request: Request) -> Result<Outcome> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send_async(Job::Scan(Box::new(request), answer))
            .await
            .map_err(|_| Error::Unexpected(anyhow::anyhow!("the door's thread has stopped")))?;
        answered.await.map_err(|_| Error::Unexpected(anyhow::anyhow!("the door's thread dropped a scan")))?
    }

    /// Answers the scans handed over, lets the writer go, and ends the thread.
    pub async fn close(&self) {
        let _ = self.jobs.send_async(Job::Stop).await;
        let thread = self.thread.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(thread) = thread {
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
    }
}

struct Door {
    connection: rusqlite::Connection,
    db: Db,
    clock: SharedClock,
    runtime: Handle,
    permit: Option<(WritePermit, Instant)>,
    batches_since_checkpoint: u32,
}

impl Door {
    fn serve(mut self, queued: &flume::Receiver<Job>) {
        let mut batch = Batch::default();
        let mut stopping = false;
        while !stopping {
            let first = match self.permit {
                Some(_) => queued.recv_timeout(LINGER),
                None => queued.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match first {
                Ok(job) => stopping = batch.take(job),
                Err(RecvTimeoutError::Timeout) => {
                    self.rest();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if batch.requests.is_empty() {
                continue;
            }
            // The writer first: scans that come while it is taken join this batch.
            self.take_writer();
            for job in queued.try_iter().take(BATCH - 1) {
                stopping |= batch.take(job);
            }
            let results = self.redeem(&batch.requests);
            batch.answer(results);
        }
        self.rest();
    }

    /// Takes the writer, or lets it go and takes it again after `HOLD` so that writes waiting
    /// meanwhile go first.
    fn take_writer(&mut self) {
        if self.permit.as_ref().is_some_and(|(_, since)| since.elapsed() > HOLD) {
            self.release();
        }
        if self.permit.is_none() {
            match self.runtime.block_on(self.db.write_permit()) {
                Ok(permit) => self.permit = Some((permit, Instant::now())),
                Err(err) => tracing::error!(error = %err, "waiting for the SQLite writer at the door"),
            }
        }
    }

    fn redeem(&mut self, requests: &[Request]) -> Vec<Result<Outcome>> {
        if self.permit.is_none() {
            let err = Error::Unexpected(anyhow::anyhow!("the SQLite writer could not be had"));
            return store::failed(err, requests.len());
        }
        self.batches_since_checkpoint = self.batches_since_checkpoint.saturating_add(1);
        let (connection, now) = (&mut self.connection, self.clock.now());
        // A batch that panics rolls back and is answered with an error, and the door goes on.
        catch_unwind(AssertUnwindSafe(|| redeem_here(connection, requests, now))).unwrap_or_else(|_| {
            tracing::error!(scans = requests.len(), "a batch of scans panicked");
            let err = Error::Unexpected(anyhow::anyhow!("a batch of scans failed"));
            store::failed(err, requests.len())
        })
    }

    /// No scans are coming: the writer goes first, then, after a storm, what the log holds is
    /// copied into the database file (a passive checkpoint waits for no writer).
    fn rest(&mut self) {
        self.release();
        if self.batches_since_checkpoint >= CHECKPOINT_BATCHES {
            self.batches_since_checkpoint = 0;
            if let Err(err) = self.connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %err, "checkpointing after the door's scans");
            }
        }
    }

    /// Lets the writer go back to its pool (a task of the runtime's).
    fn release(&mut self) {
        let _runtime = self.runtime.enter();
        self.permit = None;
    }
}
