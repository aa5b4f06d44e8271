//! Keystone's own rules, as the fake applies them: MFA rules against the methods done
//! (`auth/core.py` `UserMFARulesValidator`), TOTP codes (`auth/plugins/totp.py`), and what a
//! successful authentication answers (`api/_shared/authentication.py`).
use super::{Holder, PendingReceipt, State, RECEIPT_LIFETIME, TOKEN_LIFETIME};
use crate::domain::admin::TokenScope;
use crate::keystone::{Login, MfaOptions, Receipt};
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use totp_rs::{Algorithm, Secret, TOTP};

/// Keystone's default `[auth] methods`, which lacks `totp`: what it lists when refusing it.
const DEFAULT_METHODS: [&str; 6] =
    ["external", "password", "token", "oauth1", "mapped", "application_credential"];
/// `[totp] included_previous_windows`' default.
const PREVIOUS_WINDOWS: u64 = 1;
const STEP_SECS: u64 = 30;

/// The auth methods Keystone has loaded.
pub(super) fn loaded_methods(totp_enabled: bool) -> Vec<String> {
    let totp = totp_enabled.then_some("totp");
    DEFAULT_METHODS.iter().copied().chain(totp).map(str::to_owned).collect()
}

/// Whether `done` satisfies the user's MFA rules. As Keystone does: rules off or absent pass;
/// a rule that is not a non-empty list of strings is ignored; each rule counts only its loaded
/// methods, and if no rule names any loaded method, the login passes (no lock-out by config).
pub(super) fn rules_met(mfa: &MfaOptions, done: &BTreeSet<String>, loaded: &[String]) -> bool {
    let Some(rules) = mfa.rules.as_array().filter(|_| mfa.enabled) else {
        return true;
    };
    let mut any_valid = false;
    for rule in rules {
        let Some(methods) = rule.as_array().filter(|m| !m.is_empty()) else { continue };
        let Some(methods) = methods.iter().map(|m| m.as_str()).collect::<Option<BTreeSet<&str>>>() else {
            continue;
        };
        let wanted: Vec<&str> = methods.into_iter().filter(|m| loaded.iter().any(|l| l == m)).collect();
        if wanted.is_empty() {
            continue;
        }
        any_valid = true;
        if wanted.iter().all(|m| done.contains(*m)) {
            return true;
        }
    }
    !any_valid
}

/// Whether `code` is the code of `blob` for the window holding `now` or the one before. Like
/// Keystone's `base64.b32decode`, an undecodable blob (lower case, say) never matches.
pub(super) fn code_matches(blob: &str, code: &str, now: DateTime<Utc>) -> bool {
    let Ok(bytes) = Secret::Encoded(blob.trim_end_matches('=').to_owned()).to_bytes() else {
        return false;
    };
    let totp = TOTP::new_unchecked(Algorithm::SHA1, 6, 1, STEP_SECS, bytes);
    let now = now.timestamp().max(0) as u64;
    (0..=PREVIOUS_WINDOWS).any(|back| totp.generate(now.saturating_sub(back * STEP_SECS)) == code)
}

impl State {
    fn loaded(&self) -> Vec<String> {
        loaded_methods(!self.totp_disabled)
    }

    /// The user's TOTP credentials hold a secret whose code at `now` is `code`, and the user
    /// may log in (Keystone's `TOTPUserInfo` refuses a disabled user).
    pub(super) fn totp_accepts(&self, user_id: &str, code: &str, now: DateTime<Utc>) -> bool {
        let enabled = self.users.get(user_id).is_some_and(|user| user.enabled);
        enabled && self.credentials.iter().any(|c| c.user_id == user_id && code_matches(&c.blob, code, now))
    }

    /// What Keystone answers once `done` methods succeeded for the user: a token if their MFA
    /// rules are met, else a receipt remembering the methods (live for five minutes).
    pub(super) fn conclude(
        &mut self,
        user_id: &str,
        done: BTreeSet<String>,
        now: DateTime<Utc>,
        wall: DateTime<Utc>,
    ) -> Login {
        let met = self.users.get(user_id).is_some_and(|user| rules_met(&user.mfa, &done, &self.loaded()));
        if met {
            let holder = Holder::User(user_id.to_owned());
            return Login::Token(self.mint(holder, TokenScope::default(), wall, now + TOKEN_LIFETIME));
        }
        let value = format!("fake-receipt-{}", uuid::Uuid::new_v4().simple());
        let receipt =
            PendingReceipt { user_id: user_id.to_owned(), methods: done, expires_at: now + RECEIPT_LIFETIME };
        self.receipts.insert(value.clone(), receipt);
        Login::Receipt(Receipt(value.into()))
    }

    /// The methods of a live receipt for `user_id` (Keystone's `ReceiptNotFound` otherwise).
    /// Receipts are not used up: Keystone's are Fernet, valid until they expire.
    pub(super) fn receipt_methods(
        &self,
        receipt: &str,
        user_id: &str,
        now: DateTime<Utc>,
    ) -> Option<BTreeSet<String>> {
        let receipt = self.receipts.get(receipt).filter(|r| r.expires_at > now && r.user_id == user_id)?;
        Some(receipt.methods.clone())
    }
}
