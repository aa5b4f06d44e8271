//! The user's pages: `GET /?token=T` shows the current step, `POST /?token=T` submits it.
use crate::domain::{OneTimeToken, Refusal};
use crate::onboarding::{self, PasswordInput, TotpInput, View};
use crate::text::{Phrase, Words};
use crate::views::{self, Message, PageContext, PasswordRules};
use crate::web::body_shapes::{decode_query, LinkQuery, StepForm};
use crate::web::error::AppError;
use crate::web::language::{Asked, PageLanguage};
use crate::web::state::AppState;
use actix_web::http::header::LOCATION;
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use secrecy::{ExposeSecret, SecretString};

const FORM_LIMIT: usize = 16 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/")
            .wrap(from_fn(crate::web::middleware::limit_user_pages))
            .route(web::get().to(show))
            .route(web::post().to(submit))
            .default_service(web::to(crate::web::method_not_allowed)),
    )
    .route("/static/style.css", web::get().to(stylesheet))
    // Browsers ask for it on every page; no icon, and no 404 in the console.
    .route("/favicon.ico", web::get().to(HttpResponse::NoContent));
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok().content_type("text/css; charset=utf-8").body(views::STYLESHEET)
}

fn exposed(field: &Option<SecretString>) -> &str {
    field.as_ref().map_or("", |value| value.expose_secret())
}

fn link_token(req: &HttpRequest) -> Result<OneTimeToken, AppError> {
    let query: LinkQuery = decode_query(req.query_string())?;
    let raw = query.token.ok_or_else(|| AppError::from(Refusal::LinkMissing))?;
    Ok(OneTimeToken::parse(raw.expose_secret()).map_err(|_| Refusal::LinkDamaged)?)
}

/// The page's language: the link's when it is known.
async fn language(state: &AppState, req: &HttpRequest, token: Option<&OneTimeToken>) -> PageLanguage {
    let link = match token {
        Some(token) => onboarding::link_locale(&state.deps, token).await,
        None => None,
    };
    PageLanguage::new(&Asked::of(req), link, state.settings.onboarding.default_locale)
}

async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    // Opening the link never consumes it: mail scanners open links too.
    match link_token(&req) {
        Ok(token) => {
            let (page, link) = onboarding::current_with_locale(&state.deps, &token).await;
            let lang = PageLanguage::new(&Asked::of(&req), link, state.settings.onboarding.default_locale);
            render(&state, &req, &lang, &token, page.map_err(AppError::from)).await
        }
        Err(err) => error_page(&state, &language(&state, &req, None).await, &err),
    }
}

async fn submit(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    let token = match link_token(&req) {
        Ok(token) => token,
        Err(err) => return error_page(&state, &language(&state, &req, None).await, &err),
    };
    let lang = language(&state, &req, Some(&token)).await;
    let result = match read_form(&req, payload).await {
        Ok(form) if form.resume.is_some() => {
            onboarding::resume(&state.deps, &token, exposed(&form.password)).await.map_err(AppError::from)
        }
        Ok(form) if form.code.is_some() => {
            let input = TotpInput {
                code: exposed(&form.code),
                password: form.password.as_ref().map(|p| p.expose_secret()),
            };
            onboarding::submit_totp(&state.deps, &token, input).await.map_err(AppError::from)
        }
        Ok(form) => {
            let input = PasswordInput {
                pin: exposed(&form.pin),
                password: exposed(&form.password),
                confirm: Some(exposed(&form.confirm_password)),
            };
            match onboarding::submit_password(&state.deps, &token, input).await {
                // Post/redirect/get: a refresh of the next page does not resubmit the form.
                Ok(View::Totp(_)) => {
                    return HttpResponse::SeeOther()
                        .insert_header((LOCATION, format!("/?{}", req.query_string())))
                        .finish()
                }
                other => other.map_err(AppError::from),
            }
        }
        Err(err) => Err(err),
    };
    render(&state, &req, &lang, &token, result).await
}

async fn read_form(req: &HttpRequest, payload: web::Payload) -> Result<StepForm, AppError> {
    crate::web::read_form(req, payload, FORM_LIMIT).await
}

/// What the page says of an error, in its language.
pub(crate) fn page_message(err: &AppError, words: &dyn Words) -> String {
    match err {
        AppError::UnsupportedMediaType(_) => words.phrase(Phrase::SendAsBrowser).to_owned(),
        other => other.user_message(words).unwrap_or_else(|| other.to_string()),
    }
}

/// A view at 200, or, after an error, the current step again with the error on it (so the user
/// can correct and resubmit), or an error page when the link itself cannot go on.
async fn render(
    state: &AppState,
    req: &HttpRequest,
    lang: &PageLanguage,
    token: &OneTimeToken,
    result: Result<View, AppError>,
) -> HttpResponse {
    let err = match result {
        Ok(view) => return page(state, req, lang, &view, None, StatusCode::OK),
        Err(err) => err,
    };
    let terminal = match &err {
        AppError::Refused(refusal) => refusal.ends_the_page(),
        AppError::Internal(_) => true,
        _ => false,
    };
    if terminal {
        return error_page(state, lang, &err);
    }
    err.log_cause();
    match onboarding::current(&state.deps, token).await {
        Ok(view) => {
            let text = page_message(&err, crate::text::words(lang.locale));
            let (message, status) = match &err {
                // A double submission: the other request already moved on; show where we are.
                AppError::Refused(refusal) if refusal.is_notice() => (Message::Notice(&text), StatusCode::OK),
                AppError::Refused(refusal) => {
                    (Message::Error { text: &text, field: refusal.field() }, err.status_code())
                }
                _ => (Message::Error { text: &text, field: None }, err.status_code()),
            };
            page(state, req, lang, &view, Some(message), status)
        }
        Err(now) => error_page(state, lang, &now.into()),
    }
}

fn page(
    state: &AppState,
    req: &HttpRequest,
    lang: &PageLanguage,
    view: &View,
    message: Option<Message<'_>>,
    status: StatusCode,
) -> HttpResponse {
    let action = format!("/?{}", req.query_string());
    let settings = &state.settings.onboarding;
    let ctx = PageContext {
        chrome: lang.chrome(&settings.cloud_name),
        totp_enabled: state.settings.totp.enabled,
        cli_enabled: state.deps.policy.cli.enabled,
        dashboard_url: settings.dashboard_url.as_deref(),
        action: &action,
        rules: PasswordRules {
            min_chars: settings.min_password_length,
            max_bytes: settings.max_password_bytes,
        },
    };
    html(status, views::stage_page(&ctx, view, message).into_string())
}

fn error_page(state: &AppState, lang: &PageLanguage, err: &AppError) -> HttpResponse {
    let status = err.status_code();
    // The log gets the cause; the page says only what the user can do.
    err.log_cause();
    let words = crate::text::words(lang.locale);
    let title = words.phrase(match status {
        StatusCode::NOT_FOUND => Phrase::TitleLinkUnknown,
        StatusCode::GONE => Phrase::TitleLinkGone,
        StatusCode::LOCKED => Phrase::TitleLinkLocked,
        StatusCode::SERVICE_UNAVAILABLE => Phrase::TitleTryAgainShortly,
        s if s.is_server_error() => Phrase::TitleSomethingWrong,
        _ => Phrase::TitleDidNotWork,
    });
    let message = page_message(err, words);
    let chrome = lang.chrome(&state.settings.onboarding.cloud_name);
    html(status, views::error_page(&chrome, title, &message).into_string())
}

fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body)
}
