//! Command-line access as JSON: `POST /api/v1/cli` with the user name, password and a current
//! code; without `project_id` it answers the user's projects, with it the new application
//! credential and the files that use it. 404 unless `[cli]` is enabled.
use crate::onboarding::{self, CliAccess, CliChoice, CliSignIn, SignedIn};
use crate::web::enroll_shapes::CliApiBody;
use crate::web::error::AppError;
use crate::web::language::Asked;
use crate::web::state::AppState;
use crate::web::{parse_json, read_body};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::SecondsFormat;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

const BODY_LIMIT: usize = 16 * 1024;

/// Inside the `/api/v1` scope.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/cli")
            .default_service(web::to(crate::web::method_not_allowed))
            .route(web::post().to(cli)),
    );
}

async fn cli(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !state.deps.policy.cli.enabled {
        return crate::web::not_found().await;
    }
    let locale = Asked::of(&req).choose(None, state.settings.onboarding.default_locale);
    let result: Result<Value, AppError> = async {
        let raw = read_body(&req, payload, BODY_LIMIT).await?;
        let body: CliApiBody = parse_json(&req, &raw)?;
        let who = Who { user_name: &body.user_name, domain: body.domain.as_deref() };
        let signed = sign_in(&state, who, body.password.expose_secret(), body.code.expose_secret()).await?;
        match body.project_id.as_deref() {
            None => Ok(json!({"projects": projects_json(&signed)})),
            Some(project_id) => {
                let choice =
                    CliChoice { project_id, name: body.name.as_deref(), expires: body.expires_at.as_deref() };
                Ok(access_json(&onboarding::create_cli_access(&state.deps, &signed, choice).await?))
            }
        }
    }
    .await;
    match result {
        Ok(answer) => HttpResponse::Ok().insert_header(("Cache-Control", "no-store")).json(answer),
        Err(err) => err.user_response(crate::text::words(locale)),
    }
}

/// Who signs in: what the per-name limit counts.
pub(crate) struct Who<'a> {
    pub user_name: &'a str,
    pub domain: Option<&'a str>,
}

/// The per-name limit, then the sign-in with the password and the code.
pub(crate) async fn sign_in(
    state: &AppState,
    who: Who<'_>,
    password: &str,
    code: &str,
) -> Result<SignedIn, AppError> {
    if let Some(wait) = state.sign_ins.check(who.user_name, who.domain) {
        return Err(AppError::TooManySignIns(wait));
    }
    let input = CliSignIn { user_name: who.user_name, domain: who.domain, password, code };
    Ok(onboarding::cli_sign_in(&state.deps, input).await?)
}

fn projects_json(signed: &SignedIn) -> Value {
    signed.projects.iter().map(|p| json!({"id": p.id, "name": p.name, "domain_id": p.domain_id})).collect()
}

fn access_json(access: &CliAccess) -> Value {
    json!({
        "application_credential": {
            "id": access.credential_id,
            "name": access.name,
            "secret": access.secret.expose_secret(),
            "expires_at": access.expires_at.map(|at| at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            "project_id": access.project_id,
            "project_name": access.project_name,
        },
        "cloud": access.cloud_name,
        "clouds_yaml": access.clouds_yaml.as_str(),
        "openrc": access.openrc.as_str(),
    })
}
