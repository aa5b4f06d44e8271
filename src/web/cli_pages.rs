//! Command-line access's pages: `GET /cli` (the sign-in form: user name, password, current code),
//! `POST /cli` (sign in; the choice of project, name and expiry, the sign-in sealed in the form)
//! and `POST /cli/create` (the credential and its files, once). Off unless `[cli] enabled`: then
//! every method answers 404 like an unknown path.
use crate::domain::Refusal;
use crate::onboarding::{self, CliChoice};
use crate::views::{self, CliChoiceValues, Message, SignInForm, SignInValues};
use crate::web::cli_api;
use crate::web::enroll_pages::{
    blank, fixed, html, language, other_method, show_form, sign_in_again, FORM_LIMIT,
};
use crate::web::enroll_shapes::CliBody;
use crate::web::error::AppError;
use crate::web::language::PageLanguage;
use crate::web::pages::page_message;
use crate::web::state::AppState;
use crate::web::{not_found, read_form};
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use secrecy::ExposeSecret;

const FORM: SignInForm = SignInForm::Cli;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/cli")
            .wrap(from_fn(crate::web::middleware::limit_user_pages))
            .route(web::get().to(show))
            .route(web::post().to(sign_in))
            .default_service(web::to(|state: web::Data<AppState>| other_method(state, enabled))),
    )
    .service(
        web::resource("/cli/create")
            .wrap(from_fn(crate::web::middleware::limit_user_pages))
            .route(web::post().to(create))
            .default_service(web::to(|state: web::Data<AppState>| other_method(state, enabled))),
    );
}

fn enabled(state: &AppState) -> bool {
    state.deps.policy.cli.enabled
}

async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    show_form(&state, &req, FORM)
}

async fn sign_in(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    let lang = language(&state, &req, FORM);
    let form: CliBody = match read_form(&req, payload, FORM_LIMIT).await {
        Ok(form) => form,
        Err(err) => return sign_in_again(&state, &lang, FORM, &blank(&state), &err),
    };
    let who = cli_api::Who { user_name: &form.user_name, domain: form.domain.as_deref() };
    let secret =
        |field: &Option<secrecy::SecretString>| field.as_ref().map_or("", |s| s.expose_secret()).to_owned();
    let (password, code) =
        (zeroize::Zeroizing::new(secret(&form.password)), zeroize::Zeroizing::new(secret(&form.code)));
    match cli_api::sign_in(&state, who, &password, &code).await {
        Ok(signed) => {
            let handle = onboarding::seal_sign_in(&state.deps, &signed);
            choice_page(&state, &lang, &handle, &signed, &CliBody { name: None, ..form }, None)
        }
        Err(err) => {
            let values =
                SignInValues { user_name: &form.user_name, domain: form.domain.as_deref(), ..blank(&state) };
            sign_in_again(&state, &lang, FORM, &values, &err)
        }
    }
}

async fn create(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    let lang = language(&state, &req, FORM);
    let form: CliBody = match read_form(&req, payload, FORM_LIMIT).await {
        Ok(form) => form,
        Err(err) => return sign_in_again(&state, &lang, FORM, &blank(&state), &err),
    };
    let handle = form.sign_in.as_deref().unwrap_or("");
    let signed = match onboarding::open_sign_in(&state.deps, handle).await {
        Ok(signed) => signed,
        Err(err) => return sign_in_again(&state, &lang, FORM, &blank(&state), &err.into()),
    };
    let expires = if form.no_expiry.is_some() { Some("never") } else { form.expires_at.as_deref() };
    let choice = CliChoice {
        project_id: form.project_id.as_deref().unwrap_or(""),
        name: form.name.as_deref(),
        expires,
    };
    match onboarding::create_cli_access(&state.deps, &signed, choice).await {
        Ok(access) => {
            let page = views::cli_done_page(&fixed(&state, &lang), &access);
            let mut response = html(StatusCode::OK, page);
            response.headers_mut().insert(
                actix_web::http::header::CACHE_CONTROL,
                actix_web::http::header::HeaderValue::from_static("no-store"),
            );
            response
        }
        Err(err) => {
            let err = AppError::from(err);
            if matches!(err, AppError::Refused(Refusal::CliSignInExpired)) {
                return sign_in_again(&state, &lang, FORM, &blank(&state), &err);
            }
            choice_page(&state, &lang, handle, &signed, &form, Some(&err))
        }
    }
}

/// The choice form (again, with what went wrong); the sign-in travels sealed in it.
fn choice_page(
    state: &AppState,
    lang: &PageLanguage,
    handle: &str,
    signed: &onboarding::SignedIn,
    form: &CliBody,
    err: Option<&AppError>,
) -> HttpResponse {
    let policy = &state.deps.policy.cli;
    let now = state.deps.clock.now();
    let default_name = format!("cli-{}", now.format("%Y-%m-%d"));
    let default_expiry = (now + policy.expiry.default).format("%Y-%m-%d").to_string();
    let latest = (now + policy.expiry.max).format("%Y-%m-%d").to_string();
    let values = CliChoiceValues {
        sign_in: handle,
        projects: &signed.projects,
        project_id: form.project_id.as_deref(),
        name: form.name.as_deref().unwrap_or(&default_name),
        expires_at: form.expires_at.as_deref().filter(|e| !e.is_empty()).unwrap_or(&default_expiry),
        latest: &latest,
        max_days: policy.expiry.max.num_days(),
        allow_no_expiry: policy.expiry.allow_never,
    };
    let text = err.map(|err| {
        err.log_cause();
        page_message(err, crate::text::words(lang.locale))
    });
    let message = match (err, &text) {
        (Some(AppError::Refused(refusal)), Some(text)) => {
            Some(Message::Error { text, field: refusal.field() })
        }
        (_, Some(text)) => Some(Message::Error { text, field: None }),
        _ => None,
    };
    let page = views::cli_choice_page(&fixed(state, lang), &values, message);
    html(err.map_or(StatusCode::OK, ResponseError::status_code), page)
}
