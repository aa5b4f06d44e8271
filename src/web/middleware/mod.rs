//! What wraps every request: security headers, size limits, per-client rate limits, the
//! `Retry-After` of every 503.
mod client_ip;
mod rate_limit;
mod request_id;
mod retry_after;
mod sign_in_limit;

pub use client_ip::client_ip;
pub use rate_limit::{guard, limit_admin, limit_user_api, limit_user_pages, RateLimits};
pub use request_id::assign_request_id;
pub use retry_after::retry_after_on_503;
pub use sign_in_limit::SignInLimits;

use actix_web::middleware::DefaultHeaders;

/// No inline script or style, nothing from elsewhere, no framing, forms only to ourselves.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The one-time token is in the page URL: no Referer may carry it elsewhere, and no cache may
/// keep a page or an API answer.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
        .add(("Referrer-Policy", "no-referrer"))
        .add(("Cache-Control", "no-store"))
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
}
