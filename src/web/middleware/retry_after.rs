//! Every 503 says when to try again (`Retry-After`), whichever part of the service answered it:
//! Keystone or the database unavailable, the database contended, readiness false.
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, RETRY_AFTER};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;

/// Seconds: long enough for a Galera node to rejoin or a load balancer to fail over, short
/// enough that a person retrying by hand is not kept waiting.
pub const RETRY_AFTER_SECS: &str = "5";

pub async fn retry_after_on_503(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut response = next.call(req).await?;
    if response.status() == StatusCode::SERVICE_UNAVAILABLE && !response.headers().contains_key(RETRY_AFTER) {
        response.headers_mut().insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECS));
    }
    Ok(response)
}
