//! Helpers for Tsudoi's end-to-end tests: `spawn_app` starts the real server (the same start-up
//! path as `tsudoi serve`) on a random port, on a fresh SQLite file or PostgreSQL database.

pub mod helpers;
pub mod mailbox;
