//! Liveness (`/healthz`, no I/O) and readiness (`/readyz`: database and Keystone answer, and
//! Keystone has the `totp` method when enrollment is on).
use crate::web::state::AppState;
use actix_web::{web, HttpResponse};
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz)).route("/readyz", web::get().to(readyz));
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let totp_check = async {
        if !state.settings.totp.enabled {
            return None;
        }
        Some(match state.deps.identity.totp_method_enabled().await {
            Ok(true) => true,
            Ok(false) => {
                log::warn!(
                    "readiness: Keystone's [auth] methods lack `totp`: add it, or set totp.enabled = false"
                );
                false
            }
            Err(err) => {
                log::warn!("readiness: {err}");
                false
            }
        })
    };
    let (database, keystone, totp) =
        tokio::join!(state.deps.store.ping(), state.deps.identity.version(), totp_check);
    // An outage is logged once by the store, not at every probe of the load balancer.
    let database = database
        .map_err(|err| {
            if !matches!(err, crate::store::StoreError::Unavailable(_)) {
                log::warn!("readiness: {err}")
            }
        })
        .is_ok();
    let keystone = keystone.map_err(|err| log::warn!("readiness: {err}")).is_ok();
    let mut checks = json!({"database": database, "keystone": keystone});
    if let Some(totp) = totp {
        checks["keystone_totp_method"] = json!(totp);
    }
    let ready = database && keystone && totp.unwrap_or(true);
    let body = json!({"status": if ready { "ready" } else { "not ready" }, "checks": checks});
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}
