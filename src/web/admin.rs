//! The admin API: issue or renew a one-time link, read its status, revoke it (the list of
//! links: `admin_list.rs`).
use crate::domain::admin::Denied;
use crate::domain::{EmailAddress, IssueKind, Locale, Password, Pin, UserId};
use crate::notify::EmailOutcome;
use crate::onboarding::admin::LinkStatus;
use crate::onboarding::{self, IssueRequest, Issued};
use crate::web::body_shapes::IssueBody;
use crate::web::error::AppError;
use crate::web::state::AppState;
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
            .route(web::get().to(crate::web::admin_list::list_tokens))
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
    /// The link replaces the authenticator app and keeps the password (step 1 confirms it).
    authenticator_only: bool,
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

pub(super) fn caller_token(req: &HttpRequest) -> Result<String, AppError> {
    let missing = || AppError::Denied(Denied::NoToken);
    let value = req.headers().get("X-Auth-Token").ok_or_else(missing)?;
    let token = value.to_str().map_err(|_| missing())?.trim();
    if token.is_empty() {
        return Err(missing());
    }
    if token.len() > crate::access::MAX_TOKEN_LEN {
        return Err(AppError::Denied(Denied::InvalidToken));
    }
    Ok(token.to_owned())
}

pub(super) fn iso(t: DateTime<Utc>) -> String {
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
    let pin = body.pin.as_ref().map(|p| Pin::parse(p.expose_secret(), state.deps.policy.pin)).transpose()?;
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
    let user = state.admin.authorize_for_user(&caller, &user_id).await?;
    let request = IssueRequest {
        caller_token: &caller,
        user_id: user_id.clone(),
        user,
        pin,
        password,
        authenticator_only: body.authenticator_only,
        email,
        locale,
    };
    let Issued { kind, token, url, expires_at, email } = onboarding::issue(&state.deps, request).await?;

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
    let found = onboarding::admin::status(&state.deps, &user_id).await?;
    Ok(HttpResponse::Ok().json(status(&found)))
}

fn status(found: &LinkStatus) -> Status<'_> {
    let record = &found.record;
    Status {
        user_id: record.user_id.as_str(),
        stage: record.stage.as_str(),
        authenticator_only: record.authenticator_only,
        expires_at: iso(record.expires_at),
        expired: found.expired,
        attempts_left: found.attempts_left,
        locked: found.locked,
        mfa_restore_pending: found.mfa_restore_pending,
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
    onboarding::admin::revoke(&state.deps, &user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
