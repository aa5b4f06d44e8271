//! Integration tests: the real app on a loopback port against a real Keystone (scripts/test.sh).
mod admin_api;
mod admin_cache;
mod binary;
mod browser;
mod crash;
mod hardening;
mod health;
mod helpers;
mod keystone_faults;
mod onboarding;
mod pages;
mod process;
mod secrets;
