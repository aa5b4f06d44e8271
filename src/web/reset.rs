//! The helpdesk reset-request page: `GET /reset` shows the form, `POST /reset` passes it on.
//! Other methods get the 405 that `/` gives. Only with `[reset] enabled`; otherwise every method
//! answers 404 like any unknown path.
use crate::onboarding::{forward_reset_request, ResetInput};
use crate::views::{self, ResetValues};
use crate::web::body_shapes::ResetForm;
use crate::web::error::AppError;
use crate::web::language::{Asked, PageLanguage};
use crate::web::method_not_allowed;
use crate::web::not_found;
use crate::web::state::AppState;
use actix_web::http::StatusCode;
use actix_web::middleware::from_fn;
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};
use secrecy::ExposeSecret;

const FORM_LIMIT: usize = 16 * 1024;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/reset")
            .wrap(from_fn(crate::web::middleware::limit_user_pages))
            .route(web::get().to(show))
            .route(web::post().to(submit))
            .default_service(web::to(other_method)),
    );
}

/// A page that is off is not there for any method; one that is on has only GET and POST.
async fn other_method(state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    method_not_allowed().await
}

fn enabled(state: &AppState) -> bool {
    state.settings.reset.enabled && state.deps.notifier.mailer().is_some_and(|m| m.takes_reset_requests())
}

fn language(state: &AppState, req: &HttpRequest) -> PageLanguage {
    PageLanguage::new(&Asked::of(req), None, state.settings.onboarding.default_locale)
}

async fn show(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    let lang = language(&state, &req);
    let chrome = lang.chrome(&state.settings.onboarding.cloud_name);
    html(StatusCode::OK, views::reset_form(&chrome, &ResetValues::default(), None))
}

/// Input mistakes show the form again; an accepted request always gets the same page at once,
/// while the PIN check and the mail happen in the background (so no timing tells either).
async fn submit(req: HttpRequest, payload: web::Payload, state: web::Data<AppState>) -> HttpResponse {
    if !enabled(&state) {
        return not_found().await;
    }
    let lang = language(&state, &req);
    let chrome = lang.chrome(&state.settings.onboarding.cloud_name);
    let words = crate::text::words(lang.locale);
    let form = match read_form(&req, payload).await {
        Ok(form) => form,
        Err(err) => {
            let message = crate::web::pages::page_message(&err, words);
            let page = views::reset_form(&chrome, &ResetValues::default(), Some((&message, None)));
            return html(err.status_code(), page);
        }
    };
    let pin = form.pin.as_ref().map_or("", |pin| pin.expose_secret());
    match ResetInput::parse(&form.name, &form.email, &form.confirm_email, pin, state.deps.policy.pin) {
        Ok(input) => {
            let background = state.clone();
            tokio::spawn(async move { forward_reset_request(&background.deps, input).await });
            html(StatusCode::OK, views::reset_sent(&chrome))
        }
        Err(err) => {
            let values =
                ResetValues { name: &form.name, email: &form.email, confirm_email: &form.confirm_email };
            let message = words.refusal(&err);
            html(StatusCode::BAD_REQUEST, views::reset_form(&chrome, &values, Some((&message, err.field()))))
        }
    }
}

async fn read_form(req: &HttpRequest, payload: web::Payload) -> Result<ResetForm, AppError> {
    crate::web::read_form(req, payload, FORM_LIMIT).await
}

fn html(status: StatusCode, body: maud::Markup) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(body.into_string())
}
