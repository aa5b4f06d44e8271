//! What the user's page shows for the record's current stage (the TOTP secret stays out of `Debug`).
use super::open::{open_secret, Missing};
use super::{Deps, Error};
use crate::crypto::Purpose;
use crate::domain::{Stage, TotpSecret};
use crate::store::FlowRecord;

/// What the user's page shows now.
#[derive(Debug)]
pub enum View {
    Password {
        attempts_left: u32,
        /// The Keystone user name, so a password manager files the new password under it.
        account: String,
        /// Keystone's description of its password rule, when it has one.
        rules: Option<String>,
    },
    /// Step 1 of an authenticator-only link: PIN and the current password ("Confirm it's you").
    Confirm {
        attempts_left: u32,
        account: String,
    },
    Totp(TotpView),
    /// Step 1 is done, but enrollment needs the operator (MFA on, no service credential).
    NeedsOperator {
        /// The password was confirmed, not changed.
        authenticator_only: bool,
    },
    /// Done. `recovery_codes`: the new set, on the answer of the step that finished (shown once).
    Complete {
        recovery_codes: Vec<zeroize::Zeroizing<String>>,
        /// A new authenticator app replaced the old one; the password is as before.
        authenticator_only: bool,
    },
}

pub struct TotpView {
    pub secret: TotpSecret,
    pub otpauth_uri: String,
    pub account: String,
    /// The kept Keystone token is gone: the form must ask for the password again.
    pub needs_password: bool,
    pub attempts_left: u32,
    /// The password asked again is the current one (it was confirmed, not changed).
    pub authenticator_only: bool,
}

/// The secret and the URI that carries it stay out of `Debug`.
impl std::fmt::Debug for TotpView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpView")
            .field("account", &self.account)
            .field("needs_password", &self.needs_password)
            .field("attempts_left", &self.attempts_left)
            .field("authenticator_only", &self.authenticator_only)
            .finish_non_exhaustive()
    }
}

pub fn view(deps: &Deps, flow: &FlowRecord) -> Result<View, Error> {
    let user_id = &flow.record.user_id;
    let authenticator_only = flow.record.authenticator_only;
    match flow.record.stage {
        Stage::Password if authenticator_only => Ok(View::Confirm {
            attempts_left: flow.record.attempts_left(deps.policy.limits.max_pin_attempts),
            account: account(flow),
        }),
        Stage::Password => Ok(View::Password {
            attempts_left: flow.record.attempts_left(deps.policy.limits.max_pin_attempts),
            account: account(flow),
            rules: flow.password_rules.clone(),
        }),
        Stage::Complete => Ok(View::Complete { recovery_codes: Vec::new(), authenticator_only }),
        // Blocked by MFA rules with no service credential: the operator must act. Once one is
        // configured, the TOTP page asks for the password and gets past the rules itself.
        Stage::Totp if flow.mfa_receipt && deps.service.is_none() => {
            Ok(View::NeedsOperator { authenticator_only })
        }
        Stage::Totp => {
            let sealed =
                flow.totp_secret_ct.as_deref().ok_or_else(|| Error::internal(Missing("TOTP secret")))?;
            let secret = TotpSecret::parse(&open_secret(deps, sealed, user_id, Purpose::TotpSecret)?)
                .map_err(Error::internal)?;
            let account = account(flow);
            let now = deps.clock.now();
            let token_alive = flow.user_token_ct.is_some()
                && flow.user_token_expires_at.is_some_and(|t| t > now + chrono::Duration::seconds(60));
            // A login still running brings the token: the TOTP step waits for it.
            let token_coming = deps.logins.is_running(&flow.token_hash);
            Ok(View::Totp(TotpView {
                otpauth_uri: secret.otpauth_uri(&deps.policy.totp.issuer, &account),
                secret,
                account,
                needs_password: !token_alive && !token_coming,
                attempts_left: deps.policy.limits.max_totp_attempts.saturating_sub(flow.record.totp_failures),
                authenticator_only,
            }))
        }
    }
}

fn account(flow: &FlowRecord) -> String {
    if flow.user_name.is_empty() {
        flow.record.user_id.to_string()
    } else {
        flow.user_name.clone()
    }
}
