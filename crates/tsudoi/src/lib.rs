//! The Tsudoi binary's library half: configuration, start-up and the operator's commands,
//! shared with the end-to-end tests so both start the server the same way.

pub mod config;
pub mod demo;
pub mod migrate;
pub mod scheduler;
pub mod startup;
pub mod tls;

pub use config::Config;
pub use startup::Application;
