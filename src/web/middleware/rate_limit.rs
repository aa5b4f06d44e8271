//! Per-client rate limits, each wrapped around the routes it guards (user pages, user API,
//! admin API), so no table of paths can miss a spelling of one (`/%61pi/...`); and the URI
//! length limit, around everything.
use super::client_ip;
use crate::config::{LimitSettings, OnboardingSettings};
use crate::domain::Locale;
use crate::text::Phrase;
use crate::web::error::json_error;
use crate::web::language::{Asked, PageLanguage};
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
    default_locale: Locale,
    rejected: prometheus::IntCounterVec,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Audience {
    /// The user's pages: a 429 is a page.
    UserPages,
    /// The user's JSON API: a 429 is JSON.
    UserApi,
    Admin,
}

fn quota(per_minute: u32, burst: u32) -> Quota {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(per_minute).allow_burst(burst)
}

impl RateLimits {
    pub fn new(
        settings: &LimitSettings,
        onboarding: &OnboardingSettings,
        rejected: prometheus::IntCounterVec,
    ) -> Self {
        Self {
            user: RateLimiter::keyed(quota(settings.user_per_minute, settings.user_burst)),
            admin: RateLimiter::keyed(quota(settings.admin_per_minute, settings.admin_burst)),
            trusted: settings.trusted_proxies.clone(),
            max_uri_length: settings.max_uri_length,
            cloud_name: onboarding.cloud_name.clone(),
            default_locale: onboarding.default_locale,
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
    fn check(&self, req: &ServiceRequest, audience: Audience) -> Option<u64> {
        let ip = client_ip(req, &self.trusted)?;
        let (limiter, label) = match audience {
            Audience::UserPages | Audience::UserApi => (&self.user, "user"),
            Audience::Admin => (&self.admin, "admin"),
        };
        limiter.check_key(&ip).err().map(|not_until| {
            self.rejected.with_label_values(&[label]).inc();
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// The request head (request line and headers) is capped here, as docs/SECURITY.md says.
const MAX_HEAD_BYTES: usize = 32 * 1024;

/// A page for the user, in the language they asked for (no link is read here).
fn user_page(
    req: &ServiceRequest,
    limits: &RateLimits,
    status: StatusCode,
    title: Phrase,
    text: Text,
) -> HttpResponse {
    let asked = Asked { path: req.path(), query: req.query_string(), headers: req.headers() };
    let lang = PageLanguage::new(&asked, None, limits.default_locale);
    let words = crate::text::words(lang.locale);
    let message = match text {
        Text::Phrase(phrase) => words.phrase(phrase).to_owned(),
        Text::SlowDown(secs) => words.slow_down(secs),
    };
    let page = crate::views::error_page(&lang.chrome(&limits.cloud_name), words.phrase(title), &message);
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(page.into_string())
}

enum Text {
    Phrase(Phrase),
    SlowDown(u64),
}

/// The user's pages answer with a page, everything else in JSON.
fn refused(
    req: &ServiceRequest,
    limits: &RateLimits,
    status: StatusCode,
    page: Phrase,
    json: String,
) -> HttpResponse {
    if matches!(req.path(), "/" | "/reset" | "/enroll" | "/enroll/totp" | "/recover") {
        user_page(req, limits, status, Phrase::TitleDidNotWork, Text::Phrase(page))
    } else {
        json_error(status, json)
    }
}

fn too_long(req: &ServiceRequest, limits: &RateLimits) -> Option<HttpResponse> {
    let headers: usize =
        req.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if headers + req.uri().to_string().len() > MAX_HEAD_BYTES {
        let json = format!("the request headers are larger than {} KiB", MAX_HEAD_BYTES / 1024);
        return Some(refused(
            req,
            limits,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Phrase::HeadTooLarge,
            json,
        ));
    }
    if req.uri().to_string().len() <= limits.max_uri_length {
        return None;
    }
    Some(refused(
        req,
        limits,
        StatusCode::URI_TOO_LONG,
        Phrase::UriTooLong,
        "the request address is too long".into(),
    ))
}

fn refusal(req: &ServiceRequest, limits: &RateLimits, audience: Audience) -> Option<HttpResponse> {
    let retry_after = limits.check(req, audience)?;
    log::info!("rate limit: refused {} {} for {retry_after} s", req.method(), req.path());
    let mut response = match audience {
        Audience::UserPages => user_page(
            req,
            limits,
            StatusCode::TOO_MANY_REQUESTS,
            Phrase::TitleSlowDown,
            Text::SlowDown(retry_after),
        ),
        // The user's API speaks the browser's language too; the admin API English.
        Audience::UserApi => {
            let asked = Asked { path: req.path(), query: req.query_string(), headers: req.headers() };
            let words = crate::text::words(asked.choose(None, limits.default_locale));
            json_error(StatusCode::TOO_MANY_REQUESTS, words.slow_down(retry_after))
        }
        Audience::Admin => json_error(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too many requests. Please wait {retry_after} seconds and try again."),
        ),
    };
    if let Ok(value) = retry_after.to_string().parse() {
        response.headers_mut().insert(actix_web::http::header::RETRY_AFTER, value);
    }
    Some(response)
}

async fn limited(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    audience: Audience,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(limits) = req.app_data::<web::Data<RateLimits>>() {
        if let Some(response) = refusal(&req, limits, audience) {
            return Ok(req.into_response(response));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Around the user's pages (`/`, `/reset`, `/enroll`, `/recover`).
pub async fn limit_user_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    limited(req, next, Audience::UserPages).await
}

/// Around the user's JSON API (`/api/v1`).
pub async fn limit_user_api(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    limited(req, next, Audience::UserApi).await
}

/// Around the admin API (`/token/...`).
pub async fn limit_admin(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    limited(req, next, Audience::Admin).await
}

/// Around everything: the request head and URI length limits.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(limits) = req.app_data::<web::Data<RateLimits>>() {
        if let Some(response) = too_long(&req, limits) {
            return Ok(req.into_response(response));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}
