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
    Totp(TotpView),
    /// The password is set, but enrollment needs the operator (MFA on, no service credential).
    NeedsOperator,
    /// Done. `recovery_codes`: the new set, on the answer of the step that finished (shown once).
    Complete {
        recovery_codes: Vec<zeroize::Zeroizing<String>>,
    },
}

pub struct TotpView {
    pub secret: TotpSecret,
    pub otpauth_uri: String,
    pub account: String,
    /// The kept Keystone token is gone: the form must ask for the password again.
    pub needs_password: bool,
    pub attempts_left: u32,
}

/// The secret and the URI that carries it stay out of `Debug`.
impl std::fmt::Debug for TotpView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpView")
            .field("account", &self.account)
            .field("needs_password", &self.needs_password)
            .field("attempts_left", &self.attempts_left)
            .finish_non_exhaustive()
    }
}

pub fn view(deps: &Deps, flow: &FlowRecord) -> Result<View, Error> {
    let user_id = &flow.record.user_id;
    match flow.record.stage {
        Stage::Password => Ok(View::Password {
            attempts_left: flow.record.attempts_left(deps.policy.limits.max_pin_attempts),
            account: account(flow),
            rules: flow.password_rules.clone(),
        }),
        Stage::Complete => Ok(View::Complete { recovery_codes: Vec::new() }),
        // Blocked by MFA rules with no service credential: the operator must act. Once one is
        // configured, the TOTP page asks for the password and gets past the rules itself.
        Stage::Totp if flow.mfa_receipt && deps.service.is_none() => Ok(View::NeedsOperator),
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
