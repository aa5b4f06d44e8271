//! Continuing after the operator acted: a user told that enrollment needs the operator (MFA rules
//! on, no service credential) comes back once the rules are cleared or a credential configured.
use super::totp::fresh_user_token;
use super::{after_pending_login, current, open, reopen_at, with_lease, Deps, Error, View};
use crate::domain::{OneTimeToken, Password, Refusal, Stage};

/// The user was told to come back once the operator acted: their password gets a token now
/// (rules cleared, or a service credential configured), and the flow goes on.
pub async fn resume(deps: &Deps, token: &OneTimeToken, password: &str) -> Result<View, Error> {
    let flow = open(deps, token).await?;
    let flow = after_pending_login(deps, token, flow).await?;
    if flow.record.stage == Stage::Totp && flow.mfa_receipt {
        let password = Password::parse(password).map_err(|_| Refusal::PasswordUnusable)?;
        let user_id = flow.record.user_id.clone();
        let tried = with_lease(deps, &user_id, async {
            let flow = reopen_at(deps, token, Stage::Totp).await?;
            fresh_user_token(deps, &flow, &password).await
        })
        .await;
        match tried {
            // Still blocked: the same page, which says so.
            Ok(_) | Err(Error::Refused(Refusal::NeedsOperator)) => {}
            Err(err) => return Err(err),
        }
    }
    current(deps, token).await
}
