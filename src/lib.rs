//! setpass: one-time onboarding links that let a new OpenStack user set their own password.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod cause;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod doctor;
pub mod domain;
pub mod keystone;
pub mod metrics;
pub mod notify;
pub mod onboarding;
pub mod operator;
pub mod request_id;
pub mod startup;
pub mod store;
pub mod text;
pub mod views;
pub mod web;
