//! A request id per request: in the access log, in the `X-Request-Id` answer header, and sent to
//! Keystone as its global request id, so one onboarding can be followed across both logs. The
//! web layer assigns it (`web::middleware::assign_request_id`); any layer reads it here.

tokio::task_local! {
    static REQUEST_ID: String;
}

pub const HEADER: &str = "x-request-id";

/// The id of the request this task is serving, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Runs `work` as the request `id`: `current()` answers it there.
pub async fn scope<F: std::future::Future>(id: String, work: F) -> F::Output {
    REQUEST_ID.scope(id, work).await
}
