//! Liveness (`/healthz`, no I/O) and readiness (`/readyz`: database and Keystone answer).
use crate::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz)).route("/readyz", web::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let (database, keystone) = tokio::join!(state.store.ping(), state.keystone.version());
    let database = database.map_err(|err| log::warn!("readiness: {err}")).is_ok();
    let keystone = keystone.map_err(|err| log::warn!("readiness: {err}")).is_ok();
    let body = json!({
        "status": if database && keystone { "ready" } else { "not ready" },
        "checks": {"database": database, "keystone": keystone},
    });
    if database && keystone {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
