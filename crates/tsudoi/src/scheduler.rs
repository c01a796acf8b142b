//! Work that falls due with time, run from inside `serve`: lottery draws, expired holds and
//! offers (their seats go to the waitlist), reminders before events, surveys after them (and
//! their one reminder), and pruning the rate limiters. Due work is found in the database with
//! the injectable clock, so it survives restarts and several instances may run it at once.

use std::{sync::Arc, time::Duration};

use tokio::sync::{Notify, watch};
use tsudoi_domain::{clock::SharedClock, db::Db, rsvp, survey};
use tsudoi_http::limits::Limits;

pub struct Scheduler {
    pub db: Db,
    pub clock: SharedClock,
    pub policy: rsvp::Policy,
    pub every: Duration,
    pub limits: Arc<Limits>,
    /// Rouses the outbox worker when a run queued mail.
    pub mail_wake: Arc<Notify>,
}

impl Scheduler {
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(self.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            self.run_once().await;
        }
    }

    /// One pass over everything due now.
    pub async fn run_once(&self) {
        let now = self.clock.now();
        let (writer, reader) = (self.db.writer(), self.db.reader());
        match rsvp::lottery::draw_due(writer, reader, now).await {
            Ok(0) => {}
            Ok(_) => self.mail_wake.notify_one(),
            Err(err) => tracing::error!(error = %err, "drawing lotteries"),
        }
        match rsvp::expire_due(writer, reader, &self.policy, now).await {
            Ok(0) => {}
            Ok(expired) => {
                tracing::info!(expired, "holds and offers expired");
                self.mail_wake.notify_one();
            }
            Err(err) => tracing::error!(error = %err, "expiring holds"),
        }
        match rsvp::remind_due(writer, reader, &self.policy, now).await {
            Ok(0) => {}
            Ok(queued) => {
                tracing::info!(queued, "reminders queued");
                self.mail_wake.notify_one();
            }
            Err(err) => tracing::error!(error = %err, "queueing reminders"),
        }
        match survey::invite_due(writer, reader, now).await {
            Ok(0) => {}
            Ok(invited) => {
                tracing::info!(invited, "survey invitations queued");
                self.mail_wake.notify_one();
            }
            Err(err) => tracing::error!(error = %err, "sending surveys"),
        }
        match survey::remind_due(writer, reader, now).await {
            Ok(0) => {}
            Ok(queued) => {
                tracing::info!(queued, "survey reminders queued");
                self.mail_wake.notify_one();
            }
            Err(err) => tracing::error!(error = %err, "reminding of surveys"),
        }
        self.limits.prune();
    }
}
