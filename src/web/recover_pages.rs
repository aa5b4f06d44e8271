//! Recovery's page: `GET /recover` (the form: user name, password and one recovery code) and
//! `POST /recover` (sign in, use up the code, get the QR code of the replacement, whose form
//! posts to `/enroll/totp` like self-enrollment's). Off unless `[recovery] enabled`: then every
//! method answers 404 like an unknown path.
use crate::onboarding::{self, RecoverInput, Started};
use crate::views::{SignInForm, SignInValues};
use crate::web::enroll_pages::{
    blank, check_sign_ins, language, other_method, qr_page, show_form, sign_in_again, FORM_LIMIT,
};
use crate::web::enroll_shapes::RecoverBody;
use crate::web::error::AppError;
use crate::web::language::PageLanguage;
use crate::web::state::AppState;
use crate::web::{not_found, read_form};
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse};
use secrecy::ExposeSecret;

const FORM: SignInForm = SignInForm::Recover;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/recover")
            .wrap(from_fn(crate::web::middleware::limit_user_pages))
            .route(web::get().to(show))
            .route(web::post().to(recover))
            .default_service(web::to(|state: web::Data<AppState>| other_method(state, enabled))),
    );
}

fn enabled(state: &AppState) -> bool {
    state.deps.policy.recovery.enabled
}

async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    show_form(&state, &req, FORM)
}

async fn recover(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    let lang = language(&state, &req, FORM);
    let form: RecoverBody = match read_form(&req, payload, FORM_LIMIT).await {
        Ok(form) => form,
        Err(err) => return sign_in_again(&state, &lang, FORM, &blank(&state), &err),
    };
    match start(&state, &form, &lang).await {
        Ok(started) => qr_page(&state, &lang, &started),
        Err(err) => {
            // The user name and domain kept; the password and the recovery code never echoed.
            let values =
                SignInValues { user_name: &form.user_name, domain: form.domain.as_deref(), ..blank(&state) };
            sign_in_again(&state, &lang, FORM, &values, &err)
        }
    }
}

async fn start(state: &AppState, form: &RecoverBody, lang: &PageLanguage) -> Result<Started, AppError> {
    check_sign_ins(state, &form.user_name, form.domain.as_deref())?;
    let input = RecoverInput {
        user_name: &form.user_name,
        domain: form.domain.as_deref(),
        password: form.password.expose_secret(),
        recovery_code: form.recovery_code.expose_secret(),
        locale: Some(lang.locale),
    };
    Ok(onboarding::start_recovery(&state.deps, input).await?)
}
