//! The web layer: routes grouped by audience (each module registers its own), request bodies,
//! middleware wrapped around the routes it guards, and the answer for unknown paths and methods.
pub mod admin;
mod admin_list;
pub mod api;
mod body_reader;
pub mod body_shapes;
pub mod cli_api;
mod cli_pages;
pub mod enroll_api;
mod enroll_pages;
pub mod enroll_shapes;
pub mod error;
pub mod health;
pub mod language;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod pages;
mod recover_pages;
pub mod reset;
pub mod state;

use crate::web::error::json_error;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};

pub use body_reader::{decode_json, parse_json, read_body, read_form};

pub fn configure(cfg: &mut web::ServiceConfig) {
    health::configure(cfg);
    openapi::configure(cfg);
    admin::configure(cfg);
    pages::configure(cfg);
    api::configure(cfg);
    reset::configure(cfg);
    enroll_pages::configure(cfg);
    recover_pages::configure(cfg);
    cli_pages::configure(cfg);
}

/// Unknown paths and methods get the same JSON shape as every other error.
pub async fn not_found() -> HttpResponse {
    json_error(StatusCode::NOT_FOUND, "no such resource".into())
}

/// A method the resource does not have: 405 in the same JSON shape.
pub async fn method_not_allowed() -> HttpResponse {
    json_error(StatusCode::METHOD_NOT_ALLOWED, "this method is not allowed here".into())
}

/// A path segment that does not decode (`/token/%FF`) is the caller's mistake: 400 in JSON.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_, _| {
        crate::web::error::AppError::BadRequest("the address has characters that do not decode".into()).into()
    })
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|_, _| {
        crate::web::error::AppError::BadRequest("the query string could not be read".into()).into()
    })
}

#[cfg(test)]
mod props;
