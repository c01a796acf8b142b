//! Group commit for the RSVP form: a flash crowd's forms queue here, and one task writes them
//! in batches, one transaction each (DESIGN §6: one writer, or an equivalent queue). Each form
//! still gets its own answer, as if it had been alone; a lone form is a batch of one and waits
//! for nobody.

use tokio::sync::{mpsc, oneshot};
use tsudoi_domain::{
    Error, Result,
    clock::SharedClock,
    db::Db,
    rsvp::{self, Form, Submitted},
};

/// Forms written in one transaction at most.
const BATCH: usize = 128;

struct Job {
    slug: String,
    form: Form,
    answer: oneshot::Sender<Result<Submitted>>,
}

#[derive(Clone)]
pub struct RsvpQueue {
    jobs: mpsc::Sender<Job>,
}

impl RsvpQueue {
    /// Starts the writing task; it ends when the last handle is dropped.
    pub fn start(db: Db, clock: SharedClock) -> RsvpQueue {
        let (jobs, mut queued) = mpsc::channel::<Job>(4 * BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(BATCH);
            while queued.recv_many(&mut batch, BATCH).await > 0 {
                let (forms, answers): (Vec<_>, Vec<_>) =
                    batch.drain(..).map(|job| ((job.slug, job.form), job.answer)).unzip();
                let results = rsvp::submit_many(db.writer(), forms, clock.now()).await;
                for (answer, result) in answers.into_iter().zip(results) {
                    // The browser may have gone; the RSVP stands and its email goes out.
                    let _ = answer.send(result);
                }
            }
        });
        RsvpQueue { jobs }
    }

    pub async fn submit(&self, slug: String, form: Form) -> Result<Submitted> {
        let (answer, answered) = oneshot::channel();
        self.jobs
            .send(Job { slug, form, answer })
            .await
            .map_err(|_| Error::Unexpected(anyhow::anyhow!("the RSVP queue has stopped")))?;
        answered.await.map_err(|_| Error::Unexpected(anyhow::anyhow!("the RSVP queue dropped a form")))?
    }
}
