//! setpass: one-time onboarding links that let a new OpenStack user set their own password.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod admin_auth;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod doctor;
pub mod domain;
pub mod error;
pub mod flow;
pub mod keystone;
pub mod metrics;
pub mod middleware;
pub mod notify;
pub mod request_id;
pub mod routes;
pub mod startup;
pub mod state;
pub mod store;
pub mod views;
