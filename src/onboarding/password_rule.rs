//! The password rule Keystone describes, fetched at the admin's PUT and shown on step 1 before
//! the user types (cached per domain: every PUT of a domain would ask the same).
use super::Deps;
use crate::keystone::{KeystoneError, KeystoneUser};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// How long an answer (a rule, or "none") is kept.
const KEEP: Duration = Duration::minutes(10);
/// Keystone keeps one rule for all domains but shows it only for its default domain.
const DEFAULT_DOMAIN: &str = "default";

/// When Keystone answered, and what (a rule, or none).
type Answer = (DateTime<Utc>, Option<String>);

#[derive(Default)]
pub struct RuleCache {
    by_domain: Mutex<HashMap<String, Answer>>,
}

impl RuleCache {
    fn get(&self, domain: &str, now: DateTime<Utc>) -> Option<Option<String>> {
        let map = self.by_domain.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        map.get(domain).filter(|(at, _)| now - *at < KEEP).map(|(_, rule)| rule.clone())
    }

    fn put(&self, domain: &str, now: DateTime<Utc>, rule: Option<String>) {
        let mut map = self.by_domain.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if map.len() > 1_000 {
            map.clear();
        }
        map.insert(domain.to_owned(), (now, rule));
    }
}

/// The rule for `user`'s domain, asked with the admin's token; `None` when Keystone has none or
/// could not say (the page then shows only setpass's own rules, and Keystone still checks).
pub async fn for_user(deps: &Deps, caller_token: &str, user: &KeystoneUser) -> Option<String> {
    let now = deps.clock.now();
    if let Some(rule) = deps.rules.get(&user.domain_id, now) {
        return rule;
    }
    let asked = match deps.identity.password_rule(caller_token, &user.domain_id).await {
        Err(KeystoneError::Forbidden | KeystoneError::NotFound(_)) if user.domain_id != DEFAULT_DOMAIN => {
            deps.identity.password_rule(caller_token, DEFAULT_DOMAIN).await
        }
        other => other,
    };
    match asked {
        Ok(rule) => {
            deps.rules.put(&user.domain_id, now, rule.clone());
            rule
        }
        Err(err) => {
            log::warn!(
                "could not read Keystone's password rule for domain {}: {err}; the page shows only setpass's rules",
                user.domain_id
            );
            None
        }
    }
}
