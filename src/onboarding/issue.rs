//! The admin's PUT: issue or renew a user's one-time link (and mail it). The caller passed the
//! admin check (`access`) before this runs.
use super::Deps;
use super::Error;
use crate::crypto::Purpose;
use crate::domain::admin::AdminRefusal;
use crate::domain::onboarding::{plan_issue, IssueError, IssuePlan};
use crate::domain::{EmailAddress, IssueKind, Locale, OneTimeToken, Password, Pin, UserId};
use crate::keystone::KeystoneUser;
use crate::notify::{EmailOutcome, LinkMail};
use crate::store::IssueWrite;
use chrono::{DateTime, Utc};

/// What the admin's PUT asks for, parsed. `None` fields keep what the record has.
pub struct IssueRequest<'a> {
    /// The admin's token: Keystone's password rule is read with it.
    pub caller_token: &'a str,
    pub user_id: UserId,
    /// The user as Keystone has them, read by the admin check.
    pub user: KeystoneUser,
    pub pin: Option<Pin>,
    pub password: Option<Password>,
    /// `"authenticator_only": true`: a link that replaces the user's authenticator app and keeps
    /// their password (step 1 asks for it). Excludes `password`.
    pub authenticator_only: bool,
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

fn issue_error(rule: IssueError) -> Error {
    AdminRefusal::Issue(rule).into()
}

/// Checks the request, then writes the record in one transaction
/// (the old link dies at once) and mails the link when asked or configured.
pub async fn issue(deps: &Deps, request: IssueRequest<'_>) -> Result<Issued, Error> {
    let (user, user_id) = (&request.user, &request.user_id);
    let plan = IssuePlan {
        has_pin: request.pin.is_some(),
        has_password: request.password.is_some(),
        authenticator_only: request.authenticator_only,
    };
    if plan.has_password && plan.authenticator_only {
        return Err(issue_error(IssueError::PasswordWithAuthenticatorOnly));
    }
    if plan.authenticator_only && !deps.policy.totp.enabled {
        return Err(issue_error(IssueError::AuthenticatorOff));
    }
    if !plan.has_pin || !plan.has_password {
        // Refuse an incomplete (or contradictory) request before spending a hash on it.
        let existing = deps.store.find(user_id).await?.map(|record| record.stage);
        plan_issue(existing, plan).map_err(issue_error)?;
    }
    let pin_hash = match &request.pin {
        Some(pin) => Some(deps.hasher.hash(pin.expose().as_bytes()).await?),
        None => None,
    };
    let password_ct = request
        .password
        .as_ref()
        .map(|p| deps.sealer.seal_for(Purpose::AdminPassword, user_id.as_str(), p.expose().as_bytes()));
    let token = OneTimeToken::generate();
    let now = deps.clock.now();
    let expires_at = now + deps.policy.link_lifetime;
    let write = IssueWrite {
        user_id: user_id.clone(),
        token_hash: token.hash(),
        user_name: user.name.clone(),
        pin_hash,
        password_ct,
        authenticator_only: request.authenticator_only,
        now,
        expires_at,
        locale: request.locale,
        // An authenticator-only link asks for no new password: no rule to show.
        password_rules: match request.authenticator_only {
            true => None,
            false => super::password_rule::for_user(deps, request.caller_token, user).await,
        },
        domain_id: Some(user.domain_id.clone()).filter(|id| !id.is_empty()),
    };
    let kind = deps.store.issue(write).await?.map_err(issue_error)?;
    let (verb, counter) = match kind {
        IssueKind::Created => ("issued", &deps.metrics.links_issued),
        IssueKind::Renewed => ("renewed", &deps.metrics.links_renewed),
    };
    counter.inc();
    let what = if request.authenticator_only { "authenticator-only " } else { "" };
    log::info!("{verb} {what}onboarding link for user {user_id}, valid until {expires_at}");
    let url = deps.policy.link(token.expose());
    let email = mail_link(deps, &request, &token, &url, expires_at).await;
    Ok(Issued { kind, token, url, expires_at, email })
}

/// Mails the link when asked or configured, in the link's language and worded for its kind.
async fn mail_link(
    deps: &Deps,
    request: &IssueRequest<'_>,
    token: &OneTimeToken,
    url: &str,
    expires_at: DateTime<Utc>,
) -> Option<EmailOutcome> {
    let (user, user_id) = (&request.user, &request.user_id);
    let lifetime_secs = deps.policy.link_lifetime.num_seconds().max(0) as u64;
    // The link is issued already: a failed read must not fail the PUT (the default language,
    // the kind this PUT asked for).
    let issued = deps.store.flow_by_token(&token.hash()).await.ok().flatten();
    let locale =
        request.locale.or(issued.as_ref().and_then(|flow| flow.locale)).unwrap_or(deps.policy.default_locale);
    let authenticator_only = issued.map_or(request.authenticator_only, |flow| flow.record.authenticator_only);
    let mail = LinkMail {
        user_name: &user.name,
        link: url,
        lifetime_secs,
        expires_at,
        locale,
        authenticator_only,
        reminder: false,
    };
    let outcome = crate::onboarding::notices::mail_link(
        deps,
        user_id,
        request.email.as_ref(),
        user.email.as_deref(),
        &mail,
    )
    .await;
    if let Some(to) = outcome.as_ref().filter(|sent| sent.sent).and_then(|sent| sent.to.as_deref()) {
        if let Ok(to) = EmailAddress::parse(to) {
            let issuance = crate::store::Issuance { user_id: user_id.clone(), token_hash: token.hash() };
            super::reminders::schedule(deps, &issuance, &to, token, expires_at).await;
        }
    }
    outcome
}
