//! Tsudoi's schema. Every migration runs on SQLite and PostgreSQL, and none is edited once it
//! has landed: a change is a new migration.

pub use sea_orm_migration::prelude::*;

mod common;

mod m20261124_000001_foundation;
mod m20261124_000002_rsvps_and_outbox;
mod m20261124_000003_lottery_and_approval;
mod m20261124_000004_questions;
mod m20261124_000005_invitations_and_announcements;
mod m20261124_000006_audit_subject;
mod m20261124_000007_door_check_in;
mod m20261124_000008_door_fee;
mod m20261124_000009_surveys;
mod m20261124_000010_dashboard_sign_in;
mod m20261125_000011_event_reminders;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_foundation::Migration),
            Box::new(m20261124_000002_rsvps_and_outbox::Migration),
            Box::new(m20261124_000003_lottery_and_approval::Migration),
            Box::new(m20261124_000004_questions::Migration),
            Box::new(m20261124_000005_invitations_and_announcements::Migration),
            Box::new(m20261124_000006_audit_subject::Migration),
            Box::new(m20261124_000007_door_check_in::Migration),
            Box::new(m20261124_000008_door_fee::Migration),
            Box::new(m20261124_000009_surveys::Migration),
            Box::new(m20261124_000010_dashboard_sign_in::Migration),
            Box::new(m20261125_000011_event_reminders::Migration),
        ]
    }
}
