//! Tsudoi's end-to-end tests: the real server on a random port, through HTTP, on SQLite and
//! (when `TSUDOI_TEST_POSTGRES_URL` is set) PostgreSQL.

use tsudoi_tests::{e2e, helpers};

mod access;
mod api_errors;
mod browser;
mod browser_dashboard;
mod browser_rsvp;
mod calendar;
mod concurrency;
mod dashboard;
mod dashboard_event_form;
mod dashboard_events;
mod door;
mod door_scanners;
mod events;
mod invitations;
mod operations;
mod organizer_rsvps;
mod pages;
mod public;
mod questions;
mod rsvp;
mod rsvp_property;
mod rsvp_safety;
mod seat_modes;
mod startup;
mod surveys;
mod venues_and_series;
mod webdriver;
