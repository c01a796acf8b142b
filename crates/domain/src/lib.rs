//! Tsudoi's domain: the data model and every rule about networks, people, venues, series and
//! events. It knows nothing of HTTP or SMTP; use cases take a connection (or transaction) and
//! the current time, and do one job each.

pub mod access;
pub mod audit;
pub mod calendar;
pub mod capacity;
pub mod checkin;
pub mod clock;
pub mod dashboard;
pub mod db;
pub mod entity;
pub mod error;
pub mod event;
pub mod format;
pub mod ids;
pub mod invitations;
pub mod letter;
pub mod links;
pub mod money;
pub mod network;
pub mod outbox;
pub mod person;
pub mod qr;
pub mod questions;
pub mod reports;
pub mod rsvp;
pub mod series;
pub mod settings;
pub mod sign_in;
pub mod survey;
pub mod token;
pub mod values;
pub mod venue;

pub use error::{Error, Result};
