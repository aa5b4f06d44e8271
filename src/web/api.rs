//! The user's steps as JSON, for scripts and tests; the token travels in the body, not the URL.
use crate::domain::OneTimeToken;
use crate::onboarding::{self, PasswordInput, TotpInput, View};
use crate::web::body_shapes::{Linked, PasswordBody, ResumeBody, StatusBody, TotpBody};
use crate::web::error::AppError;
use crate::web::language::Asked;
use crate::web::state::AppState;
use crate::web::{parse_json, read_body};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::SecondsFormat;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use std::sync::Arc;

const BODY_LIMIT: usize = 16 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/api/v1")
            .wrap(from_fn(crate::web::middleware::limit_user_api))
            .default_service(web::to(crate::web::not_found))
            .service(step("/status").route(web::post().to(status)))
            .service(step("/password").route(web::post().to(password)))
            .service(step("/totp").route(web::post().to(totp)))
            .service(step("/resume").route(web::post().to(resume)))
            .configure(crate::web::enroll_api::routes)
            .configure(crate::web::cli_api::routes),
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
        View::Password { attempts_left, rules, .. } => json!({"stage": "password",
            "authenticator_only": false, "attempts_left": attempts_left, "password_rules": rules}),
        // The same step, `POST /api/v1/password`, with the current password as `password`.
        View::Confirm { attempts_left, .. } => {
            json!({"stage": "password", "authenticator_only": true, "attempts_left": attempts_left})
        }
        View::Totp(totp) => json!({"stage": "totp", "totp": {
            "secret": totp.secret.expose(),
            "otpauth_uri": totp.otpauth_uri,
            "needs_password": totp.needs_password,
            "attempts_left": totp.attempts_left,
        }}),
        View::NeedsOperator { .. } => json!({"stage": "totp", "needs_operator": true}),
        View::Complete { recovery_codes, .. } if !recovery_codes.is_empty() => {
            let codes: Vec<&str> = recovery_codes.iter().map(|c| c.as_str()).collect();
            json!({"stage": "complete", "recovery_codes": codes})
        }
        View::Complete { .. } => json!({"stage": "complete"}),
    }
}

/// One step of the JSON API: reads the body and its link token, runs the step, and answers its
/// errors in the link's language (else the browser's, else the default).
async fn run_step<B, F>(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    run: F,
) -> HttpResponse
where
    B: serde::de::DeserializeOwned + Linked,
    F: AsyncFnOnce(&Arc<AppState>, &OneTimeToken, B) -> Result<Value, AppError>,
{
    let parsed = match body::<B>(&req, payload).await {
        Ok(input) => link_token(input.token()).map(|token| (token, input)),
        Err(err) => Err(err),
    };
    let (token, result) = match parsed {
        Ok((token, input)) => {
            let result = run(&state, &token, input).await;
            (Some(token), result)
        }
        Err(err) => (None, Err(err)),
    };
    match result {
        Ok(answer) => HttpResponse::Ok().json(answer),
        Err(err) => {
            let link = match &token {
                Some(token) => onboarding::link_locale(&state.deps, token).await,
                None => None,
            };
            let locale = Asked::of(&req).choose(link, state.settings.onboarding.default_locale);
            err.user_response(crate::text::words(locale))
        }
    }
}

async fn status(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    run_step(req, payload, state, async |state: &Arc<AppState>, token: &OneTimeToken, _: StatusBody| {
        let record = onboarding::open(&state.deps, token).await?;
        let mut answer = view_json(&onboarding::view(&state.deps, &record)?);
        answer["expires_at"] = json!(record.record.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true));
        answer["attempts_left"] =
            json!(record.record.attempts_left(state.deps.policy.limits.max_pin_attempts));
        // What step 1 wants as `password`: a new one, or (true) the current one.
        answer["authenticator_only"] = json!(record.record.authenticator_only);
        Ok(answer)
    })
    .await
}

async fn password(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    run_step(req, payload, state, async |state: &Arc<AppState>, token: &OneTimeToken, input: PasswordBody| {
        let step = PasswordInput {
            pin: input.pin.expose_secret(),
            password: input.password.expose_secret(),
            confirm: None,
        };
        Ok(view_json(&onboarding::submit_password(&state.deps, token, step).await?))
    })
    .await
}

async fn totp(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    run_step(req, payload, state, async |state: &Arc<AppState>, token: &OneTimeToken, input: TotpBody| {
        let step = TotpInput {
            code: input.code.expose_secret(),
            password: input.password.as_ref().map(|p| p.expose_secret()),
        };
        Ok(view_json(&onboarding::submit_totp(&state.deps, token, step).await?))
    })
    .await
}

/// After "needs your administrator": the password again, once the operator has acted.
async fn resume(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    run_step(req, payload, state, async |state: &Arc<AppState>, token: &OneTimeToken, input: ResumeBody| {
        Ok(view_json(&onboarding::resume(&state.deps, token, input.password.expose_secret()).await?))
    })
    .await
}
