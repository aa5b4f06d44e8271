//! `GET /metrics`: Prometheus text format, with open records by stage counted at scrape time.
use crate::web::state::AppState;
use actix_web::{web, HttpResponse};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/metrics", web::get().to(metrics));
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    match state.deps.store.open_records_by_stage(state.deps.clock.now()).await {
        Ok(counts) => {
            state.deps.metrics.open_records.reset();
            for (stage, count) in counts {
                state.deps.metrics.open_records.with_label_values(&[stage.as_str()]).set(count);
            }
        }
        Err(err) => log::warn!("metrics: counting open records: {err}"),
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.deps.metrics.render())
}
