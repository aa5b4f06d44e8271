//! The admin API's sentences: English, for operators and their scripts (the user's side is in
//! `en.rs` and `ko.rs`). One match per typed refusal, so a new one needs its words here.
use crate::domain::admin::{AdminRefusal, Denied};
use crate::domain::onboarding::IssueError;

/// Why the admin check turned the caller away.
pub fn denied(denied: &Denied) -> String {
    match denied {
        Denied::NoToken => "send a Keystone token in the X-Auth-Token header".into(),
        Denied::InvalidToken => "the X-Auth-Token is invalid or expired".into(),
        Denied::NotAdmin { role, project, domain_admin_roles } => {
            let domain_roles = if domain_admin_roles.is_empty() {
                String::new()
            } else {
                format!(", or one of {domain_admin_roles:?} on a domain (for its users)")
            };
            format!(
                "this call needs the `{role}` role on the `{project}` project or on the system{domain_roles}"
            )
        }
        Denied::OutsideDomain => {
            "this token is scoped to a domain: it may only manage users of that domain".into()
        }
        Denied::ValidationRefused => "Keystone refused to validate the X-Auth-Token".into(),
        Denied::UserHidden => "Keystone refused to show this user to the caller".into(),
        Denied::NoSuchUser(user_id) => format!("Keystone has no user with id {user_id}"),
    }
}

/// Why the admin API refuses a request it understood.
pub fn refusal(refusal: &AdminRefusal) -> String {
    match refusal {
        AdminRefusal::Issue(
            rule @ (IssueError::Missing(_)
            | IssueError::AlreadyComplete
            | IssueError::PasswordWithAuthenticatorOnly
            | IssueError::AuthenticatorOff),
        ) => rule.to_string(),
        AdminRefusal::NoRecord(user_id) => format!("no onboarding record for user {user_id}"),
        AdminRefusal::OtherDomain { own } => format!(
            "this token is a domain admin's: it lists only the records of domain {own}; leave `domain_id` out or set it to {own}"
        ),
        AdminRefusal::MfaOwed(user_id) => format!(
            "setpass switched the MFA rules of user {user_id} off and has not yet switched them back on (see mfa_restore_pending); the record is kept until they are on again, which is retried every 30 s"
        ),
    }
}
