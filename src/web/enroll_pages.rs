//! Self-enrollment's pages: `GET /enroll` (the sign-in form), `POST /enroll` (sign in, get the QR
//! code), `POST /enroll/totp` (the code, then the done page; recovery's QR page posts here too),
//! and what `recover_pages.rs` shares. `/enroll` is off unless `[self_enroll] enabled`,
//! `/enroll/totp` unless it or `[recovery]` is: then every method answers 404 like an unknown path.
use crate::domain::Refusal;
use crate::onboarding::{self, EnrollInput, Started};
use crate::views::{self, Chrome, Message, SignInForm, SignInValues};
use crate::web::enroll_shapes::{EnrollBody, EnrollCodeBody};
use crate::web::error::AppError;
use crate::web::language::{Asked, PageLanguage};
use crate::web::pages::page_message;
use crate::web::state::AppState;
use crate::web::{not_found, read_form};
use actix_web::http::header::RETRY_AFTER;
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use secrecy::ExposeSecret;

pub(super) const FORM_LIMIT: usize = 16 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/enroll")
            .wrap(from_fn(crate::web::middleware::limit_user_pages))
            .route(web::get().to(show))
            .route(web::post().to(sign_in))
            .default_service(web::to(|state: web::Data<AppState>| other_method(state, enabled))),
    )
    .service(
        web::resource("/enroll/totp")
            .wrap(from_fn(crate::web::middleware::limit_user_pages))
            .route(web::post().to(code))
            .default_service(web::to(|state: web::Data<AppState>| other_method(state, code_enabled))),
    );
}

fn enabled(state: &AppState) -> bool {
    state.deps.policy.self_enroll.enabled
}

/// The code form finishes self-enrollment's and recovery's enrollments alike.
fn code_enabled(state: &AppState) -> bool {
    enabled(state) || state.deps.policy.recovery.enabled
}

/// 405 like `/`, but only where the pages exist.
pub(super) async fn other_method(state: web::Data<AppState>, on: fn(&AppState) -> bool) -> HttpResponse {
    if on(&state) {
        crate::web::method_not_allowed().await
    } else {
        not_found().await
    }
}

/// The page's language; its switch links lead to the sign-in form (the only page with an address
/// of its own: the others answer a form).
pub(super) fn language(state: &AppState, req: &HttpRequest, form: SignInForm) -> PageLanguage {
    let asked = Asked { path: form.path(), query: req.query_string(), headers: req.headers() };
    PageLanguage::new(&asked, None, state.settings.onboarding.default_locale)
}

/// `/enroll`'s form, with the way to `/recover` when recovery is on.
fn enroll_form(state: &AppState) -> SignInForm {
    SignInForm::Enroll { recovery: state.deps.policy.recovery.enabled }
}

/// Where someone starts again when their enrollment is gone: `/enroll`, or `/recover` when that
/// is the only one on.
fn start_again_form(state: &AppState) -> SignInForm {
    if enabled(state) {
        enroll_form(state)
    } else {
        SignInForm::Recover
    }
}

/// The QR and done pages offer no switch: following one would lose the enrollment.
pub(super) fn fixed<'a>(state: &'a AppState, lang: &PageLanguage) -> Chrome<'a> {
    Chrome { cloud_name: &state.settings.onboarding.cloud_name, locale: lang.locale, switch: &[] }
}

/// A sign-in form, empty.
pub(super) fn show_form(state: &AppState, req: &HttpRequest, form: SignInForm) -> HttpResponse {
    let lang = language(state, req, form);
    let chrome = lang.chrome(&state.settings.onboarding.cloud_name);
    html(StatusCode::OK, views::sign_in_page(&chrome, form, &blank(state), None))
}

/// Signed in: the QR code, whose form posts to `/enroll/totp`.
pub(super) fn qr_page(state: &AppState, lang: &PageLanguage, started: &Started) -> HttpResponse {
    let page = views::enroll_totp(&fixed(state, lang), &started.enrollment, &started.totp, None);
    html(StatusCode::OK, page)
}

/// Sign-ins per user name, on top of the per-address limit.
pub(super) fn check_sign_ins(
    state: &AppState,
    user_name: &str,
    domain: Option<&str>,
) -> Result<(), AppError> {
    match state.sign_ins.check(user_name, domain) {
        Some(wait) => Err(AppError::TooManySignIns(wait)),
        None => Ok(()),
    }
}

async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    show_form(&state, &req, enroll_form(&state))
}

pub(super) fn blank(state: &AppState) -> SignInValues<'_> {
    SignInValues { user_name: "", domains: &state.deps.policy.self_enroll.domains, domain: None }
}

async fn sign_in(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    let page = enroll_form(&state);
    let lang = language(&state, &req, page);
    let form: EnrollBody = match read_form(&req, payload, FORM_LIMIT).await {
        Ok(form) => form,
        Err(err) => return sign_in_again(&state, &lang, page, &blank(&state), &err),
    };
    match start(&state, &form, &lang).await {
        Ok(started) => qr_page(&state, &lang, &started),
        Err(err) => {
            let values =
                SignInValues { user_name: &form.user_name, domain: form.domain.as_deref(), ..blank(&state) };
            sign_in_again(&state, &lang, page, &values, &err)
        }
    }
}

async fn start(state: &AppState, form: &EnrollBody, lang: &PageLanguage) -> Result<Started, AppError> {
    check_sign_ins(state, &form.user_name, form.domain.as_deref())?;
    let input = EnrollInput {
        user_name: &form.user_name,
        domain: form.domain.as_deref(),
        password: form.password.expose_secret(),
        locale: Some(lang.locale),
    };
    Ok(onboarding::start_enrollment(&state.deps, input).await?)
}

async fn code(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !code_enabled(&state) {
        return not_found().await;
    }
    let again = start_again_form(&state);
    let lang = language(&state, &req, again);
    let form: EnrollCodeBody = match read_form(&req, payload, FORM_LIMIT).await {
        Ok(form) => form,
        Err(err) => return sign_in_again(&state, &lang, again, &blank(&state), &err),
    };
    let err = match onboarding::finish_enrollment(&state.deps, &form.enrollment, form.code.expose_secret())
        .await
    {
        Ok(finished) => {
            let dashboard = state.settings.onboarding.dashboard_url.as_deref();
            let cli = state.deps.policy.cli.enabled;
            let page = views::enroll_done(&fixed(&state, &lang), &finished.recovery_codes, dashboard, cli);
            return html(StatusCode::OK, page);
        }
        Err(err) => AppError::from(err),
    };
    if matches!(err, AppError::Refused(Refusal::EnrollmentUnknown | Refusal::EnrollmentLocked)) {
        return sign_in_again(&state, &lang, again, &blank(&state), &err);
    }
    // Anything else: the same QR code and form again, with what went wrong.
    match onboarding::enrollment_totp(&state.deps, &form.enrollment).await {
        Ok(totp) => {
            err.log_cause();
            let text = page_message(&err, crate::text::words(lang.locale));
            let message = match &err {
                AppError::Refused(refusal) if refusal.is_notice() => Message::Notice(&text),
                AppError::Refused(refusal) => Message::Error { text: &text, field: refusal.field() },
                _ => Message::Error { text: &text, field: None },
            };
            let page = views::enroll_totp(&fixed(&state, &lang), &form.enrollment, &totp, Some(message));
            html(err.status_code(), page)
        }
        Err(now) => sign_in_again(&state, &lang, again, &blank(&state), &now.into()),
    }
}

/// A sign-in form again, with the message and the field it names (the user name kept).
pub(super) fn sign_in_again(
    state: &AppState,
    lang: &PageLanguage,
    form: SignInForm,
    values: &SignInValues<'_>,
    err: &AppError,
) -> HttpResponse {
    err.log_cause();
    let text = page_message(err, crate::text::words(lang.locale));
    let field = match err {
        AppError::Refused(refusal) => refusal.field(),
        _ => None,
    };
    let chrome = lang.chrome(&state.settings.onboarding.cloud_name);
    let page = views::sign_in_page(&chrome, form, values, Some(Message::Error { text: &text, field }));
    let mut response = html(err.status_code(), page);
    if let AppError::TooManySignIns(secs) = err {
        if let Ok(value) = secs.to_string().parse() {
            response.headers_mut().insert(RETRY_AFTER, value);
        }
    }
    response
}

pub(super) fn html(status: StatusCode, body: maud::Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body.into_string())
}
