//! The admin API: issue or renew a one-time link, read its status, revoke it.
use crate::domain::{EmailAddress, IssueKind, Locale, Onboarding, Password, Pin, UserId};
use crate::error::AppError;
use crate::notify::EmailOutcome;
use crate::onboarding::{self, IssueRequest, Issued};
use crate::state::AppState;
use crate::store::Revoke;
use crate::web::bodies::IssueBody;
use crate::web::{parse_json, read_body};
use actix_web::http::header::{ACCEPT, CONTENT_TYPE};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use secrecy::ExposeSecret;
use serde::Serialize;

const BODY_LIMIT: usize = 64 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/token/{user_id}")
            .wrap(from_fn(crate::web::middleware::limit_admin))
            .default_service(web::to(crate::web::method_not_allowed))
            .route(web::put().to(put_token))
            .route(web::get().to(get_token))
            .route(web::delete().to(delete_token)),
    )
    .service(
        web::resource(["/token", "/token/"])
            .wrap(from_fn(crate::web::middleware::limit_admin))
            .to(empty_user_id),
    );
}

#[derive(Serialize)]
struct IssuedLink<'a> {
    user_id: &'a str,
    token: &'a str,
    url: String,
    expires_at: String,
    /// Whether the link was mailed; absent when email is off and none was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<EmailOutcome>,
}

#[derive(Serialize)]
struct Status<'a> {
    user_id: &'a str,
    stage: &'static str,
    expires_at: String,
    expired: bool,
    attempts_left: u32,
    locked: bool,
    /// setpass switched the user's MFA rules off and has not yet managed to switch them back on.
    mfa_restore_pending: bool,
    created_at: String,
    updated_at: String,
}

async fn empty_user_id() -> Result<HttpResponse, AppError> {
    Err(AppError::BadRequest("the user id is empty; call /token/<keystone user id>".into()))
}

fn caller_token(req: &HttpRequest) -> Result<String, AppError> {
    let missing = || AppError::Unauthorized("send a Keystone token in the X-Auth-Token header".into());
    let value = req.headers().get("X-Auth-Token").ok_or_else(missing)?;
    let token = value.to_str().map_err(|_| missing())?.trim();
    if token.is_empty() {
        return Err(missing());
    }
    if token.len() > crate::onboarding::admin_check::MAX_TOKEN_LEN {
        return Err(AppError::Unauthorized("the X-Auth-Token is invalid or expired".into()));
    }
    Ok(token.to_owned())
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn put_token(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let caller = caller_token(&req)?;
    let user_id = UserId::parse(&path)?;
    let raw = read_body(&req, payload, BODY_LIMIT).await?;
    let body: IssueBody =
        if raw.iter().all(u8::is_ascii_whitespace) { IssueBody::default() } else { parse_json(&req, &raw)? };
    let pin = body.pin.as_ref().map(|p| Pin::parse(p.expose_secret(), state.pin_policy())).transpose()?;
    let password = body.password.as_ref().map(|p| Password::parse(p.expose_secret())).transpose()?;
    let email = body
        .email
        .as_deref()
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|err| AppError::BadRequest(format!("`email`: {err}")))?;
    let locale = body
        .locale
        .as_deref()
        .map(|tag| {
            Locale::parse(tag).filter(|locale| locale.tag() == tag.trim().to_ascii_lowercase()).ok_or_else(
                || {
                    AppError::BadRequest(format!(
                        "`locale`: `{}` is not a language setpass speaks; use one of: {}",
                        tag.chars().take(16).collect::<String>(),
                        Locale::supported()
                    ))
                },
            )
        })
        .transpose()?;
    let request =
        IssueRequest { caller_token: &caller, user_id: user_id.clone(), pin, password, email, locale };
    let Issued { kind, token, url, expires_at, email } = onboarding::issue(&state, request).await?;

    let mut response = match kind {
        IssueKind::Created => HttpResponse::Created(),
        IssueKind::Renewed => HttpResponse::Ok(),
    };
    if wants_text(&req) {
        return Ok(response
            .insert_header((CONTENT_TYPE, "text/plain; charset=utf-8"))
            .body(token.expose().to_owned()));
    }
    Ok(response.json(IssuedLink {
        user_id: user_id.as_str(),
        token: token.expose(),
        url,
        expires_at: iso(expires_at),
        email,
    }))
}

/// `Accept: text/plain` (and not JSON) asks for the bare token, as the original setpass answered.
fn wants_text(req: &HttpRequest) -> bool {
    let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    accept.contains("text/plain") && !accept.contains("application/json")
}

async fn get_token(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let caller = caller_token(&req)?;
    let user_id = UserId::parse(&path)?;
    state.admin.authorize_view(&caller, &user_id).await?;
    let record = state.store.find(&user_id).await?.ok_or_else(|| no_record(&user_id))?;
    let pending = state.store.mfa_owed(&user_id).await?.is_some();
    Ok(HttpResponse::Ok().json(status(&record, pending, &state)))
}

fn status<'a>(record: &'a Onboarding, mfa_restore_pending: bool, state: &AppState) -> Status<'a> {
    let max = state.settings.onboarding.max_pin_attempts;
    Status {
        user_id: record.user_id.as_str(),
        stage: record.stage.as_str(),
        expires_at: iso(record.expires_at),
        expired: record.is_expired(state.clock.now()),
        attempts_left: record.attempts_left(max),
        locked: record.is_locked(state.limits()),
        mfa_restore_pending,
        created_at: iso(record.created_at),
        updated_at: iso(record.updated_at),
    }
}

async fn delete_token(
    req: HttpRequest,
    path: web::Path<String>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let caller = caller_token(&req)?;
    let user_id = UserId::parse(&path)?;
    state.admin.authorize_view(&caller, &user_id).await?;
    match state.store.revoke(&user_id).await? {
        Revoke::Done => {}
        Revoke::NoRecord => return Err(no_record(&user_id)),
        Revoke::MfaOwed => {
            return Err(AppError::Conflict(format!(
                "setpass switched the MFA rules of user {user_id} off and has not yet switched them back on (see mfa_restore_pending); the record is kept until they are on again, which is retried every 30 s"
            )))
        }
    }
    state.metrics.links_revoked.inc();
    log::info!("revoked onboarding link for user {user_id}");
    Ok(HttpResponse::NoContent().finish())
}

fn no_record(user_id: &UserId) -> AppError {
    AppError::NotFound(format!("no onboarding record for user {user_id}"))
}
