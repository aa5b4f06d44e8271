//! Self-enrollment and recovery as JSON: `POST /api/v1/enroll` (sign in, get the QR code's
//! secret), `POST /api/v1/recover` (sign in with a recovery code, the same), and
//! `POST /api/v1/enroll/totp` (the code; the answer holds the new recovery codes). Each is 404
//! unless `[self_enroll]` or `[recovery]` is enabled.
use crate::domain::Locale;
use crate::onboarding::{self, Deps, EnrollInput, RecoverInput, Started};
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
    let enabled = state.deps.policy.self_enroll.enabled;
    sign_in_step(req, payload, state, enabled, async |deps: &Deps, body: EnrollBody, locale| {
        let input = EnrollInput {
            user_name: &body.user_name,
            domain: body.domain.as_deref(),
            password: body.password.expose_secret(),
            locale: Some(locale),
        };
        onboarding::start_enrollment(deps, input).await
    })
    .await
}

async fn recover(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    let enabled = state.deps.policy.recovery.enabled;
    sign_in_step(req, payload, state, enabled, async |deps: &Deps, body: RecoverBody, locale| {
        let input = RecoverInput {
            user_name: &body.user_name,
            domain: body.domain.as_deref(),
            password: body.password.expose_secret(),
            recovery_code: body.recovery_code.expose_secret(),
            locale: Some(locale),
        };
        onboarding::start_recovery(deps, input).await
    })
    .await
}

/// The first half of self-enrollment or recovery: 404 while off, the body, the per-name limit,
/// then the use case; its answer (the QR code's secret) or its error in the asker's language.
async fn sign_in_step<B, F>(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    enabled: bool,
    run: F,
) -> HttpResponse
where
    B: serde::de::DeserializeOwned + SignsIn,
    F: AsyncFnOnce(&Deps, B, Locale) -> Result<Started, onboarding::Error>,
{
    if !enabled {
        return crate::web::not_found().await;
    }
    let locale = Asked::of(&req).choose(None, state.settings.onboarding.default_locale);
    let result = async {
        let raw = read_body(&req, payload, BODY_LIMIT).await?;
        let body: B = parse_json(&req, &raw)?;
        let (user_name, domain) = body.who();
        if let Some(wait) = state.sign_ins.check(user_name, domain) {
            return Err(AppError::TooManySignIns(wait));
        }
        Ok(started_json(&run(&state.deps, body, locale).await?))
    }
    .await;
    answer(result, locale)
}

/// A body that signs a user in: whom the per-name limit counts.
trait SignsIn {
    fn who(&self) -> (&str, Option<&str>);
}

impl SignsIn for EnrollBody {
    fn who(&self) -> (&str, Option<&str>) {
        (&self.user_name, self.domain.as_deref())
    }
}

impl SignsIn for RecoverBody {
    fn who(&self) -> (&str, Option<&str>) {
        (&self.user_name, self.domain.as_deref())
    }
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
