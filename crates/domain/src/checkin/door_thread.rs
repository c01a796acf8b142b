//! Check-ins at the door of a SQLite file. A thread of its own, with a connection of its own
//! (`db::direct`), takes the scans waiting, answers them as one transaction, and takes the next:
//! no hand-off to another thread per statement, and none between batches while a storm lasts.
//! It holds the sqlx writer while it writes, so that nothing else in this process writes
//! meanwhile, and keeps it from one batch to the next while scans keep coming (taking it again
//! costs a round trip to sqlx's thread): at most `HOLD` at a time, so that other writes get
//! their turn, and no longer than `LINGER` after the last scan.

use std::{
    panic::{AssertUnwindSafe, catch_unwind},
    sync::mpsc::{self, RecvTimeoutError},
    time::{Duration, Instant},
};

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
/// How long a storm keeps the writer at a time before letting other writes in.
const HOLD: Duration = Duration::from_millis(10);
/// How long the writer is kept after the last scan.
const LINGER: Duration = Duration::from_millis(2);
/// Pages written before a commit copies them back into the database file (SQLite's default is
/// 1,000): during a storm, checkpoints are what a scan waits for longest, and fewer of them copy
/// fewer pages in all (a page written many times is copied once). The rest of the log is copied
/// when the door goes quiet.
const CHECKPOINT_PAGES: u32 = 10_000;

type Job = (Request, oneshot::Sender<Result<Outcome>>);

/// The way to the door's thread; the thread ends when the last of these is dropped.
#[derive(Clone)]
pub struct DoorThread {
    jobs: mpsc::Sender<Job>,
}

impl DoorThread {
    /// Starts the thread, for a SQLite file (other databases' check-ins go through sea-orm:
    /// `redeem_many`). Called inside the Tokio runtime, whose tasks return the writer to its pool.
    pub fn start(db: &Db, clock: SharedClock) -> anyhow::Result<Option<DoorThread>> {
        let Some(file) = db.sqlite_file() else { return Ok(None) };
        let connection = direct::open(file)?;
        connection.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
        let door = Door { connection, db: db.clone(), clock, runtime: Handle::try_current()?, permit: None };
        let (jobs, queued) = mpsc::channel();
        std::thread::Builder::new().name("door-writer".into()).spawn(move || door.serve(&queued))?;
        Ok(Some(DoorThread { jobs }))
    }

    /// Answers one request, in a batch with those that came meanwhile.
    pub async fn redeem(&self, request: Request) -> Result<Outcome> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send((request, answer))
            .map_err(|_| Error::Unexpected(anyhow::anyhow!("the door's thread has stopped")))?;
        answered.await.map_err(|_| Error::Unexpected(anyhow::anyhow!("the door's thread dropped a scan")))?
    }
}

struct Door {
    connection: rusqlite::Connection,
    db: Db,
    clock: SharedClock,
    runtime: Handle,
    permit: Option<(WritePermit, Instant)>,
}

impl Door {
    fn serve(mut self, queued: &mpsc::Receiver<Job>) {
        let mut batch: Vec<Job> = Vec::with_capacity(BATCH);
        loop {
            let first = match self.permit {
                Some(_) => match queued.recv_timeout(LINGER) {
                    Ok(job) => job,
                    Err(RecvTimeoutError::Timeout) => {
                        self.rest();
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                },
                None => match queued.recv() {
                    Ok(job) => job,
                    Err(_) => break,
                },
            };
            batch.push(first);
            batch.extend(queued.try_iter().take(BATCH - 1));
            let (requests, answers): (Vec<Request>, Vec<_>) = batch.drain(..).unzip();
            // A batch that panics loses its own answers (its transaction rolls back), not the door.
            let Ok(results) = catch_unwind(AssertUnwindSafe(|| self.redeem(&requests))) else { continue };
            for (answer, result) in answers.into_iter().zip(results) {
                // The scanner may have gone; what was written stands.
                let _ = answer.send(result);
            }
        }
        self.rest();
    }

    fn redeem(&mut self, requests: &[Request]) -> Vec<Result<Outcome>> {
        if self.permit.as_ref().is_some_and(|(_, since)| since.elapsed() > HOLD) {
            // Writes waiting meanwhile go first.
            self.release();
        }
        if self.permit.is_none() {
            match self.runtime.block_on(self.db.write_permit()) {
                Ok(permit) => self.permit = Some((permit, Instant::now())),
                Err(err) => return store::failed(err.into(), requests.len()),
            }
        }
        redeem_here(&mut self.connection, requests, self.clock.now())
            .unwrap_or_else(|err| store::failed(err, requests.len()))
    }

    /// No scans are coming: the log is copied into the database file, and the writer let go.
    fn rest(&mut self) {
        if let Err(err) = self.connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %err, "checkpointing after the door's scans");
        }
        self.release();
    }

    /// Lets the writer go back to its pool (a task of the runtime's).
    fn release(&mut self) {
        let _runtime = self.runtime.enter();
        self.permit = None;
    }
}
