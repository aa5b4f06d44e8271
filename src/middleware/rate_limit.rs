//! Per-client rate limits for the user's pages and API and for the admin API, plus the URI
//! length limit; both answer before any handler runs.
use super::client_ip;
use crate::config::LimitSettings;
use crate::error::json_error;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;

pub struct RateLimits {
    user: DefaultKeyedRateLimiter<IpAddr>,
    admin: DefaultKeyedRateLimiter<IpAddr>,
    trusted: Vec<IpAddr>,
    max_uri_length: usize,
    cloud_name: String,
    rejected: prometheus::IntCounterVec,
}

enum Audience {
    User,
    Admin,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl RateLimits {
    pub fn new(settings: &LimitSettings, cloud_name: &str, rejected: prometheus::IntCounterVec) -> Self {
        Self {
            user: RateLimiter::keyed(quota(settings.user_per_minute, settings.user_burst)),
            admin: RateLimiter::keyed(quota(settings.admin_per_minute, settings.admin_burst)),
            trusted: settings.trusted_proxies.clone(),
            max_uri_length: settings.max_uri_length,
            cloud_name: cloud_name.to_owned(),
            rejected,
        }
    }

    /// Forgets clients that are back to a full allowance (called by the purge task).
    pub fn forget_idle(&self) {
        self.user.retain_recent();
        self.admin.retain_recent();
        self.user.shrink_to_fit();
        self.admin.shrink_to_fit();
    }

    /// Seconds until the client may try again, if it is over its limit.
    fn check(&self, req: &ServiceRequest) -> Option<u64> {
        let path = req.path();
        let audience = if path == "/token" || path.starts_with("/token/") {
            Audience::Admin
        } else if path == "/" || path == "/reset" || path.starts_with("/api/") {
            Audience::User
        } else {
            return None;
        };
        let ip = client_ip(req, &self.trusted)?;
        let (limiter, label) = match audience {
            Audience::User => (&self.user, "user"),
            Audience::Admin => (&self.admin, "admin"),
        };
        limiter.check_key(&ip).err().map(|not_until| {
            self.rejected.with_label_values(&[label]).inc();
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

fn refusal(req: &ServiceRequest, limits: &RateLimits) -> Option<HttpResponse> {
    if req.uri().to_string().len() > limits.max_uri_length {
        return Some(json_error(StatusCode::URI_TOO_LONG, "the request address is too long".into()));
    }
    let retry_after = limits.check(req)?;
    log::info!("rate limit: refused {} {} for {retry_after} s", req.method(), req.path());
    let message = format!("Too many requests. Please wait {retry_after} seconds and try again.");
    let mut response = if matches!(req.path(), "/" | "/reset") {
        HttpResponse::TooManyRequests()
            .content_type("text/html; charset=utf-8")
            .body(crate::views::error_page(&limits.cloud_name, "Please slow down", &message).into_string())
    } else {
        json_error(StatusCode::TOO_MANY_REQUESTS, message)
    };
    if let Ok(value) = retry_after.to_string().parse() {
        response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
    }
    Some(response)
}

pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(limits) = req.app_data::<web::Data<RateLimits>>() {
        if let Some(response) = refusal(&req, limits) {
            return Ok(req.into_response(response));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
