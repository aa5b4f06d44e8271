//! Getting a user's own token past their MFA rules, and never leaving the rules off.
//!
//! A user whose rules are on gets only a receipt for their password, and Keystone lets no
//! delegated token (the service's application credential) create credentials. So, with the
//! operator's service credential, setpass saves the user's MFA options in the record, switches
//! them off, logs the user in, and switches them back on at once, before answering. Keystone does
//! not revoke tokens when options change, so the token stays good for enrollment. If switching
//! back fails (or setpass dies in between), the saved options stay in the record and are put
//! back by the next request for that user, at startup, and by the background sweep.
use super::with_lease_raw;
use super::Deps;
use super::Error;
use crate::domain::{Password, Refusal, UserId};
use crate::keystone::{IssuedToken, KeystoneError, KeystoneUser, Login, MfaOptions};
use secrecy::{ExposeSecret, SecretString};

/// The outcome of logging the user in with their password.
pub(crate) enum UserLogin {
    Token(IssuedToken),
    /// Rules on and no service credential: the operator must act.
    NeedsOperator,
    Rejected,
}

/// Runs `op` with a service token. A token Keystone no longer accepts (401, or 404 once its
/// application credential is deleted) is dropped and `op` runs once more after a new login.
pub(crate) async fn with_service<T, F, Fut>(deps: &Deps, op: F) -> Result<T, Error>
where
    F: Fn(SecretString) -> Fut,
    Fut: std::future::Future<Output = Result<T, KeystoneError>>,
{
    let service = deps.service.as_ref().ok_or_else(super::needs_operator)?;
    let token = service.token(deps.identity.as_ref(), deps.clock.now()).await?;
    match op(token).await {
        Err(KeystoneError::InvalidToken | KeystoneError::NotFound(_)) => {
            log::warn!("Keystone rejected the cached service-credential token; logging in again");
            service.forget().await;
            let token = service.token(deps.identity.as_ref(), deps.clock.now()).await?;
            Ok(op(token).await?)
        }
        other => Ok(other?),
    }
}

/// The user as Keystone has them, read with the service credential; `None`: no such user. A 404
/// may also mean the service token died with its credential, so it is asked twice (see above).
pub(crate) async fn service_user(deps: &Deps, user_id: &UserId) -> Result<Option<KeystoneUser>, Error> {
    let keystone = &deps.identity;
    let found = with_service(deps, |t| async move {
        keystone.get_user(t.expose_secret(), user_id).await?.ok_or(KeystoneError::NotFound("user lookup"))
    })
    .await;
    match found {
        Ok(user) => Ok(Some(user)),
        Err(Error::KeystoneUnavailable(KeystoneError::NotFound(_))) => Ok(None),
        Err(err) => Err(err),
    }
}

/// Sets the user's MFA options with the service credential.
async fn set_options(deps: &Deps, user_id: &UserId, options: &MfaOptions) -> Result<(), Error> {
    let keystone = &deps.identity;
    with_service(deps, |t| async move { keystone.set_mfa(t.expose_secret(), user_id, options).await }).await
}

/// The user's token from their password, getting past MFA rules when a service credential is set.
pub(crate) async fn user_login(
    deps: &Deps,
    user_id: &UserId,
    password: &Password,
) -> Result<UserLogin, Error> {
    match deps.identity.password_login(user_id, password.expose()).await? {
        Login::Token(token) => Ok(UserLogin::Token(token)),
        Login::Rejected => Ok(UserLogin::Rejected),
        Login::Receipt(_) if deps.service.is_none() => {
            log::warn!("user {user_id} has MFA rules on, so their password alone gives no token; configure keystone.service_credential_id, or clear the user's MFA rules; the user can then continue with the same link");
            Ok(UserLogin::NeedsOperator)
        }
        Login::Receipt(_) => login_past_rules(deps, user_id, password).await,
    }
}

async fn login_past_rules(deps: &Deps, user_id: &UserId, password: &Password) -> Result<UserLogin, Error> {
    let keystone = &deps.identity;
    let user = service_user(deps, user_id).await?.ok_or(Error::from(Refusal::AccountGone))?;
    let saved = user.mfa();
    let text = serde_json::to_string(&saved).map_err(Error::internal)?;
    // Saved first: whatever happens after the switch-off, the rules are owed back. Nothing is
    // switched off if they cannot be saved (the record is gone, or already owes rules).
    if !deps.store.save_mfa_owed(user_id, text.clone()).await? {
        log::warn!(
            "not switching the MFA rules of user {user_id} off: the record is gone or already owes rules"
        );
        return Err(Refusal::Busy.into());
    }
    let off = MfaOptions { enabled: false, rules: serde_json::Value::Null };
    let login = match set_options(deps, user_id, &off).await {
        Ok(()) => keystone.password_login(user_id, password.expose()).await.map_err(Error::from),
        Err(err) => Err(err),
    };
    // Back on before answering, whether or not the login worked.
    restore(deps, user_id, &text).await?;
    match login? {
        Login::Token(token) => {
            log::info!(
                "user {user_id} logged in past their MFA rules for enrollment; the rules are on again"
            );
            Ok(UserLogin::Token(token))
        }
        Login::Receipt(_) => Ok(UserLogin::NeedsOperator),
        Login::Rejected => Ok(UserLogin::Rejected),
    }
}

/// Puts back saved MFA options and forgets them. On failure they stay saved (saved again, should
/// another request have cleared them meanwhile) and owed; a user Keystone no longer has owes
/// nothing.
pub(crate) async fn restore(deps: &Deps, user_id: &UserId, saved: &str) -> Result<(), Error> {
    let options = parse_saved(saved)?;
    match set_options(deps, user_id, &options).await {
        Ok(()) => {}
        Err(Error::KeystoneUnavailable(KeystoneError::NotFound(_)))
            if matches!(service_user(deps, user_id).await, Ok(None)) =>
        {
            log::warn!("user {user_id} no longer exists in Keystone: their saved MFA rules are dropped");
            deps.store.clear_mfa_owed(user_id).await?;
            return Err(Error::from(Refusal::AccountGone));
        }
        Err(err) => {
            deps.store.save_mfa_owed(user_id, saved.to_owned()).await?;
            log::error!("could not switch the MFA rules of user {user_id} back on; they stay saved and are retried every 30 s and at the user's next request");
            return Err(err);
        }
    }
    deps.store.clear_mfa_owed(user_id).await?;
    log::info!("MFA rules of user {user_id} are on again");
    Ok(())
}

/// Saved options; records from before options were saved whole hold the bare rules.
fn parse_saved(saved: &str) -> Result<MfaOptions, Error> {
    let value: serde_json::Value = serde_json::from_str(saved).map_err(Error::internal)?;
    if value.is_array() {
        return Ok(MfaOptions { enabled: true, rules: value });
    }
    serde_json::from_value(value).map_err(Error::internal)
}

/// Puts back the rules owed for `user_id`, if any, under the record's lease.
pub(crate) async fn restore_if_owed(deps: &Deps, user_id: &UserId) -> Result<(), Error> {
    if let Some(saved) = deps.store.mfa_owed(user_id).await? {
        restore(deps, user_id, &saved).await?;
    }
    Ok(())
}

/// The background sweep: every record owing MFA rules whose lease is free gets them back.
pub async fn restore_all_owed(deps: &Deps) {
    let owed = match deps.store.users_owed_mfa().await {
        Ok(owed) => owed,
        Err(err) => return log::error!("listing users whose MFA rules are owed back: {err}"),
    };
    for user_id in owed {
        let result = with_lease_raw(deps, &user_id, false, restore_if_owed(deps, &user_id)).await;
        if let Err(err) = result {
            log::warn!("MFA rules of user {user_id} still owed: {err}");
        }
    }
}

/// `enforce_mfa`: the user's rules plus the configured ones, switched on.
pub(crate) async fn enforce(deps: &Deps, user_id: &UserId) -> Result<(), Error> {
    let user = service_user(deps, user_id).await?.ok_or(Error::from(Refusal::AccountGone))?;
    let options = MfaOptions { enabled: true, rules: merge_rules(&deps.policy.mfa.rules, &user.mfa().rules) };
    set_options(deps, user_id, &options).await?;
    log::info!("MFA rules of user {user_id} switched on (enforce_mfa): {}", options.rules);
    Ok(())
}

/// The configured rules, then each rule the user already had that is not among them.
pub(crate) fn merge_rules(configured: &[Vec<String>], existing: &serde_json::Value) -> serde_json::Value {
    let mut merged: Vec<serde_json::Value> = configured.iter().map(|rule| serde_json::json!(rule)).collect();
    for rule in existing.as_array().into_iter().flatten() {
        if !merged.contains(rule) {
            merged.push(rule.clone());
        }
    }
    serde_json::Value::Array(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn enforcing_keeps_the_rules_a_user_already_had() {
        let configured = vec![vec!["password".to_owned(), "totp".to_owned()]];
        let merged = merge_rules(&configured, &json!([["password", "totp"], ["application_credential"]]));
        assert_eq!(merged, json!([["password", "totp"], ["application_credential"]]));
        assert_eq!(merge_rules(&configured, &serde_json::Value::Null), json!([["password", "totp"]]));
    }

    #[test]
    fn saved_options_of_both_formats_are_read() {
        let whole = parse_saved(r#"{"enabled":true,"rules":[["password","totp"]]}"#).unwrap();
        assert_eq!(whole, MfaOptions { enabled: true, rules: json!([["password", "totp"]]) });
        let bare = parse_saved(r#"[["password","totp"]]"#).unwrap();
        assert_eq!(bare, whole);
    }
}
