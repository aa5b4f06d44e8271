//! The admin's `GET /token`: one page of the links the caller may see (never a secret), with
//! filters and Keystone-style pagination (`limit`, `marker`, `links.next`).
use crate::domain::{Stage, UserId};
use crate::onboarding::admin::ListFilter;
use crate::store::Listed;
use crate::web::admin::{caller_token, iso};
use crate::web::error::AppError;
use crate::web::state::AppState;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

/// A page holds this many records unless `limit` asks for fewer (or more, up to `MAX_LIMIT`).
const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[derive(Serialize)]
struct Page {
    tokens: Vec<Entry>,
    links: Links,
}

#[derive(Serialize)]
struct Links {
    #[serde(rename = "self")]
    this: String,
    next: Option<String>,
}

#[derive(Serialize)]
struct Entry {
    user_id: String,
    user_name: String,
    /// `null` for a record written before setpass kept it, until its next renewal.
    domain_id: Option<String>,
    stage: &'static str,
    authenticator_only: bool,
    expires_at: String,
    expired: bool,
    attempts_left: u32,
    locked: bool,
    mfa_restore_pending: bool,
    created_at: String,
    updated_at: String,
}

pub async fn list_tokens(
    req: HttpRequest,
    query: web::Query<Vec<(String, String)>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let caller = caller_token(&req)?;
    let filter = parse(&query)?;
    let grant = state.admin.authorize(&caller).await?;
    let deps = &state.deps;
    let (page, more) = crate::onboarding::admin::list(deps, filter.clone(), grant.domain.as_deref()).await?;
    let (now, limits) = (deps.clock.now(), deps.policy.limits);
    let next = match (more, page.last()) {
        (true, Some(last)) => {
            Some(page_url(&deps.policy.public_url, &filter, Some(last.record.user_id.as_str())))
        }
        _ => None,
    };
    let this = page_url(&deps.policy.public_url, &filter, filter.marker.as_ref().map(UserId::as_str));
    let tokens = page.into_iter().map(|listed| entry(listed, now, limits)).collect();
    Ok(HttpResponse::Ok().json(Page { tokens, links: Links { this, next } }))
}

fn entry(listed: Listed, now: chrono::DateTime<chrono::Utc>, limits: crate::domain::Limits) -> Entry {
    let record = &listed.record;
    Entry {
        user_id: record.user_id.as_str().to_owned(),
        stage: record.stage.as_str(),
        authenticator_only: record.authenticator_only,
        expires_at: iso(record.expires_at),
        expired: record.is_expired(now),
        attempts_left: record.attempts_left(limits.max_pin_attempts),
        locked: record.is_locked(limits),
        mfa_restore_pending: listed.mfa_restore_pending,
        created_at: iso(record.created_at),
        updated_at: iso(record.updated_at),
        user_name: listed.user_name,
        domain_id: listed.domain_id,
    }
}

/// The filters, each named once; an unknown name or a value out of its set is refused, so a
/// typo never answers an unfiltered list.
fn parse(pairs: &[(String, String)]) -> Result<ListFilter, AppError> {
    let mut filter = ListFilter { limit: DEFAULT_LIMIT, ..ListFilter::default() };
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in pairs {
        if seen.contains(&name.as_str()) {
            return Err(bad(name, "is given twice"));
        }
        seen.push(name);
        match name.as_str() {
            "stage" => {
                filter.stage =
                    Some(Stage::parse(value).ok_or_else(|| bad(name, "must be password, totp or complete"))?)
            }
            "expired" => filter.expired = Some(flag(name, value)?),
            "locked" => filter.locked = Some(flag(name, value)?),
            "domain_id" if !value.is_empty() && value.len() <= 64 => filter.domain_id = Some(value.clone()),
            "domain_id" => return Err(bad(name, "must be a Keystone domain id")),
            "marker" => {
                filter.marker =
                    Some(UserId::parse(value).map_err(|_| bad(name, "must be a user id from a previous page"))?)
            }
            "limit" => {
                filter.limit = value
                    .parse()
                    .ok()
                    .filter(|limit| (1..=MAX_LIMIT).contains(limit))
                    .ok_or_else(|| bad(name, "must be a whole number from 1 to 1000"))?
            }
            _ => {
                return Err(AppError::BadRequest(format!(
                    "unknown query parameter `{}`; the list takes stage, expired, locked, domain_id, limit and marker",
                    name.chars().take(32).collect::<String>()
                )))
            }
        }
    }
    Ok(filter)
}

fn flag(name: &str, value: &str) -> Result<bool, AppError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(name, "must be true or false")),
    }
}

fn bad(name: &str, why: &str) -> AppError {
    AppError::BadRequest(format!("`{name}` {why}"))
}

/// The address of a page of this list: the same filters, starting after `marker`.
fn page_url(base: &str, filter: &ListFilter, marker: Option<&str>) -> String {
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(stage) = filter.stage {
        pairs.push(("stage", stage.as_str().to_owned()));
    }
    if let Some(expired) = filter.expired {
        pairs.push(("expired", expired.to_string()));
    }
    if let Some(locked) = filter.locked {
        pairs.push(("locked", locked.to_string()));
    }
    if let Some(domain) = &filter.domain_id {
        pairs.push(("domain_id", domain.clone()));
    }
    pairs.push(("limit", filter.limit.to_string()));
    if let Some(marker) = marker {
        pairs.push(("marker", marker.to_owned()));
    }
    let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
    format!("{base}/token?{query}")
}
