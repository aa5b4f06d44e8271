//! `GET /openapi.json`: the OpenAPI 3.1 description of the admin API and the user's JSON API
//! (`docs/openapi.json`, built into the binary). The tests below hold it to the routes the web
//! modules register, so neither can change without the other.
use actix_web::{web, HttpResponse};

/// The document, as written in `docs/openapi.json`.
pub const SPEC: &str = include_str!("../../docs/openapi.json");

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(spec));
}

async fn spec() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(SPEC)
}

#[cfg(test)]
mod tests;
