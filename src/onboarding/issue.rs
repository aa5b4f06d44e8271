//! The admin's side: issue or renew a user's one-time link (and mail it), after the admin check.
use crate::crypto::Purpose;
use crate::domain::onboarding::{plan_issue, IssueError};
use crate::domain::{EmailAddress, IssueKind, Locale, OneTimeToken, Password, Pin, UserId};
use crate::error::AppError;
use crate::notify::{EmailOutcome, LinkMail};
use crate::state::AppState;
use crate::store::IssueWrite;
use chrono::{DateTime, Utc};

/// What the admin's PUT asks for, parsed. `None` fields keep what the record has.
pub struct IssueRequest<'a> {
    pub caller_token: &'a str,
    pub user_id: UserId,
    pub pin: Option<Pin>,
    pub password: Option<Password>,
    /// Where to mail the link, if the admin named an address.
    pub email: Option<EmailAddress>,
    /// The link's language, if the admin chose one.
    pub locale: Option<Locale>,
}

/// A link issued: shown once, never stored.
pub struct Issued {
    pub kind: IssueKind,
    pub token: OneTimeToken,
    pub url: String,
    pub expires_at: DateTime<Utc>,
    pub email: Option<EmailOutcome>,
}

pub fn issue_error(rule: IssueError) -> AppError {
    match rule {
        IssueError::Missing(_) => AppError::BadRequest(rule.to_string()),
        IssueError::AlreadyComplete => AppError::Conflict(rule.to_string()),
    }
}

/// Checks the caller, the user and the request, then writes the record in one transaction
/// (the old link dies at once) and mails the link when asked or configured.
pub async fn issue(state: &AppState, request: IssueRequest<'_>) -> Result<Issued, AppError> {
    let user_id = &request.user_id;
    let user = state.admin.authorize_for_user(request.caller_token, user_id).await?;
    if request.pin.is_none() || request.password.is_none() {
        // Refuse an incomplete new record before spending a hash on it.
        let existing = state.store.find(user_id).await?.map(|record| record.stage);
        plan_issue(existing, request.pin.is_some(), request.password.is_some()).map_err(issue_error)?;
    }
    let pin_hash = match &request.pin {
        Some(pin) => Some(state.hasher.hash(pin.expose().as_bytes()).await?),
        None => None,
    };
    let password_ct = request
        .password
        .as_ref()
        .map(|p| state.secret_box.seal_for(Purpose::AdminPassword, user_id.as_str(), p.expose().as_bytes()));
    let token = OneTimeToken::generate();
    let now = state.clock.now();
    let expires_at = now + state.settings.onboarding.link_lifetime.as_chrono();
    let write = IssueWrite {
        user_id: user_id.clone(),
        token_hash: token.hash(),
        user_name: user.name.clone(),
        pin_hash,
        password_ct,
        now,
        expires_at,
        locale: request.locale,
        password_rules: super::rules::for_user(state, request.caller_token, &user).await,
    };
    let kind = state.store.issue(write).await?.map_err(issue_error)?;
    let (verb, counter) = match kind {
        IssueKind::Created => ("issued", &state.metrics.links_issued),
        IssueKind::Renewed => ("renewed", &state.metrics.links_renewed),
    };
    counter.inc();
    log::info!("{verb} onboarding link for user {user_id}, valid until {expires_at}");
    let url = state.link(token.expose());
    let lifetime_secs = state.settings.onboarding.link_lifetime.0;
    let locale = match request.locale {
        Some(locale) => Some(locale),
        // The link is issued already: a failed read must not fail the PUT (default language).
        None => state.store.flow_by_token(&token.hash()).await.ok().flatten().and_then(|flow| flow.locale),
    }
    .unwrap_or(state.settings.onboarding.default_locale);
    let mail = LinkMail { user_name: &user.name, link: &url, lifetime_secs, expires_at, locale };
    let email = crate::onboarding::notices::mail_link(
        state,
        user_id,
        request.email.as_ref(),
        user.email.as_deref(),
        &mail,
    )
    .await;
    Ok(Issued { kind, token, url, expires_at, email })
}
