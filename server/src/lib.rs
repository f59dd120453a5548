//! The Gatehouse server: configuration, HTTP wiring and the command line.

#![recursion_limit = "256"]

pub mod cli;
pub mod config;
pub mod files;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod scim;
pub mod v1;
