//! The user's steps as JSON, for scripts and tests; the token travels in the body, not the URL.
use crate::domain::OneTimeToken;
use crate::error::AppError;
use crate::onboarding::{self, PasswordInput, TotpInput, View};
use crate::state::AppState;
use crate::web::bodies::{PasswordBody, ResumeBody, StatusBody, TotpBody};
use crate::web::{parse_json, read_body};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::SecondsFormat;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

const BODY_LIMIT: usize = 16 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .wrap(from_fn(crate::web::middleware::limit_user_api))
            .default_service(web::to(crate::web::not_found))
            .service(step("/status").route(web::post().to(status)))
            .service(step("/password").route(web::post().to(password)))
            .service(step("/totp").route(web::post().to(totp)))
            .service(step("/resume").route(web::post().to(resume))),
    );
}

/// The link token a body carries; a malformed one is refused like a damaged address.
fn link_token(raw: &secrecy::SecretString) -> Result<OneTimeToken, AppError> {
    Ok(OneTimeToken::parse(raw.expose_secret()).map_err(|_| crate::domain::Refusal::TokenMalformed)?)
}

/// A step's resource: another method than its POST is 405 in JSON.
fn step(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(crate::web::method_not_allowed))
}

async fn body<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
) -> Result<T, AppError> {
    let raw = read_body(req, payload, BODY_LIMIT).await?;
    parse_json(req, &raw)
}

fn view_json(view: &View) -> Value {
    match view {
        View::Password { attempts_left, .. } => json!({"stage": "password", "attempts_left": attempts_left}),
        View::Totp(totp) => json!({"stage": "totp", "totp": {
            "secret": totp.secret.expose(),
            "otpauth_uri": totp.otpauth_uri,
            "needs_password": totp.needs_password,
            "attempts_left": totp.attempts_left,
        }}),
        View::NeedsOperator => json!({"stage": "totp", "needs_operator": true}),
        View::Complete => json!({"stage": "complete"}),
    }
}

async fn status(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let input: StatusBody = body(&req, payload).await?;
    let token = link_token(&input.token)?;
    let record = onboarding::open(&state, &token).await?;
    let mut answer = view_json(&onboarding::view(&state, &record)?);
    answer["expires_at"] = json!(record.record.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true));
    answer["attempts_left"] = json!(record.record.attempts_left(state.settings.onboarding.max_pin_attempts));
    Ok(HttpResponse::Ok().json(answer))
}

async fn password(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let input: PasswordBody = body(&req, payload).await?;
    let token = link_token(&input.token)?;
    let step = PasswordInput {
        pin: input.pin.expose_secret(),
        password: input.password.expose_secret(),
        confirm: None,
    };
    let view = onboarding::submit_password(&state, &token, step).await?;
    Ok(HttpResponse::Ok().json(view_json(&view)))
}

async fn totp(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let input: TotpBody = body(&req, payload).await?;
    let token = link_token(&input.token)?;
    let step = TotpInput {
        code: input.code.expose_secret(),
        password: input.password.as_ref().map(|p| p.expose_secret()),
    };
    let view = onboarding::submit_totp(&state, &token, step).await?;
    Ok(HttpResponse::Ok().json(view_json(&view)))
}

/// After "needs your administrator": the password again, once the operator has acted.
async fn resume(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let input: ResumeBody = body(&req, payload).await?;
    let token = link_token(&input.token)?;
    let view = onboarding::resume(&state, &token, input.password.expose_secret()).await?;
    Ok(HttpResponse::Ok().json(view_json(&view)))
}
