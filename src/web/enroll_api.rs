//! Self-enrollment and recovery as JSON: `POST /api/v1/enroll` (sign in, get the QR code's
//! secret), `POST /api/v1/recover` (sign in with a recovery code, the same), and
//! `POST /api/v1/enroll/totp` (the code; the answer holds the new recovery codes). Each is 404
//! unless `[self_enroll]` or `[recovery]` is enabled.
use crate::onboarding::{self, EnrollInput, RecoverInput, Started};
use crate::web::enroll_shapes::{EnrollBody, EnrollCodeBody, RecoverBody};
use crate::web::error::AppError;
use crate::web::language::Asked;
use crate::web::state::AppState;
use crate::web::{parse_json, read_body};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::SecondsFormat;
use secrecy::ExposeSecret;
use serde_json::json;

const BODY_LIMIT: usize = 16 * 1024;

/// Inside the `/api/v1` scope (its rate limit per address is around these too).
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/enroll")
            .default_service(web::to(crate::web::method_not_allowed))
            .route(web::post().to(enroll)),
    )
    .service(
        web::resource("/recover")
            .default_service(web::to(crate::web::method_not_allowed))
            .route(web::post().to(recover)),
    )
    .service(
        web::resource("/enroll/totp")
            .default_service(web::to(crate::web::method_not_allowed))
            .route(web::post().to(enroll_code)),
    );
}

async fn enroll(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !state.deps.policy.self_enroll.enabled {
        return crate::web::not_found().await;
    }
    let locale = Asked::of(&req).choose(None, state.settings.onboarding.default_locale);
    let result = async {
        let raw = read_body(&req, payload, BODY_LIMIT).await?;
        let body: EnrollBody = parse_json(&req, &raw)?;
        if let Some(wait) = state.sign_ins.check(&body.user_name, body.domain.as_deref()) {
            return Err(AppError::TooManySignIns(wait));
        }
        let input = EnrollInput {
            user_name: &body.user_name,
            domain: body.domain.as_deref(),
            password: body.password.expose_secret(),
            locale: Some(locale),
        };
        let started = onboarding::start_enrollment(&state.deps, input).await?;
        Ok(started_json(&started))
    }
    .await;
    answer(result, locale)
}

async fn recover(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !state.deps.policy.recovery.enabled {
        return crate::web::not_found().await;
    }
    let locale = Asked::of(&req).choose(None, state.settings.onboarding.default_locale);
    let result = async {
        let raw = read_body(&req, payload, BODY_LIMIT).await?;
        let body: RecoverBody = parse_json(&req, &raw)?;
        if let Some(wait) = state.sign_ins.check(&body.user_name, body.domain.as_deref()) {
            return Err(AppError::TooManySignIns(wait));
        }
        let input = RecoverInput {
            user_name: &body.user_name,
            domain: body.domain.as_deref(),
            password: body.password.expose_secret(),
            recovery_code: body.recovery_code.expose_secret(),
            locale: Some(locale),
        };
        let started = onboarding::start_recovery(&state.deps, input).await?;
        Ok(started_json(&started))
    }
    .await;
    answer(result, locale)
}

fn started_json(started: &Started) -> serde_json::Value {
    json!({
        "stage": "totp",
        "enrollment": started.enrollment,
        "expires_at": started.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "totp": {
            "secret": started.totp.secret.expose(),
            "otpauth_uri": started.totp.otpauth_uri,
            "account": started.totp.account,
            "attempts_left": started.totp.attempts_left,
        },
    })
}

async fn enroll_code(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    let policy = &state.deps.policy;
    if !policy.self_enroll.enabled && !policy.recovery.enabled {
        return crate::web::not_found().await;
    }
    let locale = Asked::of(&req).choose(None, state.settings.onboarding.default_locale);
    let result = async {
        let raw = read_body(&req, payload, BODY_LIMIT).await?;
        let body: EnrollCodeBody = parse_json(&req, &raw)?;
        let finished =
            onboarding::finish_enrollment(&state.deps, &body.enrollment, body.code.expose_secret()).await?;
        let codes: Vec<&str> = finished.recovery_codes.iter().map(|c| c.as_str()).collect();
        Ok(json!({"stage": "complete", "recovery_codes": codes}))
    }
    .await;
    answer(result, locale)
}

fn answer(result: Result<serde_json::Value, AppError>, locale: crate::domain::Locale) -> HttpResponse {
    match result {
        Ok(answer) => HttpResponse::Ok().json(answer),
        Err(err) => err.user_response(crate::text::words(locale)),
    }
}
