//! The admin's use cases once the admin check let the caller through: issue, status, revoke.
use super::*;
use crate::domain::admin::AdminRefusal;
use crate::domain::onboarding::IssueError;
use crate::domain::{IssueKind, Password, Pin};
use crate::keystone::Identity;
use crate::onboarding::{admin, issue, IssueRequest};

impl Fixture {
    /// The admin's PUT for the fixture's user, with `pin` and `password` when given.
    async fn issue(&self, pin: Option<&str>, password: Option<&str>) -> Result<IssueKind, Error> {
        self.issue_as(pin, password, false).await
    }

    /// The same, `"authenticator_only": true` when asked.
    pub(super) async fn issue_as(
        &self,
        pin: Option<&str>,
        password: Option<&str>,
        authenticator_only: bool,
    ) -> Result<IssueKind, Error> {
        let admin_token = self.keystone.admin_token(TokenScope::default());
        let user = self.keystone.get_user(&admin_token, &self.user).await.unwrap().unwrap();
        let request = IssueRequest {
            caller_token: &admin_token,
            user_id: self.user.clone(),
            user,
            pin: pin.map(|p| Pin::parse(p, self.deps.policy.pin).unwrap()),
            password: password.map(|p| Password::parse(p).unwrap()),
            authenticator_only,
            email: None,
            locale: None,
        };
        issue(&self.deps, request).await.map(|issued| issued.kind)
    }
}

pub(super) fn admin_refusal<T: std::fmt::Debug>(result: Result<T, Error>) -> AdminRefusal {
    match result {
        Err(Error::Admin(refusal)) => refusal,
        other => panic!("expected an admin refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_new_record_needs_both_pin_and_password_and_a_repeat_renews() {
    let fx = fixture(|_| {}).await;
    let missing = admin_refusal(fx.issue(Some("1234"), None).await);
    assert_eq!(
        missing,
        AdminRefusal::Issue(IssueError::Missing("`password` (or `\"authenticator_only\": true`)"))
    );
    assert_eq!(fx.issue(Some("1234"), Some(RANDOM)).await.unwrap(), IssueKind::Created);
    assert_eq!(fx.issue(None, None).await.unwrap(), IssueKind::Renewed);
}

#[tokio::test]
async fn a_completed_onboarding_is_renewed_only_with_a_new_password() {
    let fx = fixture(|s| s.policy.totp.enabled = false).await;
    let token = fx.link().await;
    fx.password(&token, "1234", NEW, NEW).await.unwrap();
    assert_eq!(
        admin_refusal(fx.issue(Some("1234"), None).await),
        AdminRefusal::Issue(IssueError::AlreadyComplete)
    );
    assert_eq!(fx.issue(None, Some("another-random-2")).await.unwrap(), IssueKind::Renewed);
}

#[tokio::test]
async fn the_status_tells_the_stage_and_attempts_and_revoking_kills_the_link() {
    let fx = fixture(|_| {}).await;
    assert_eq!(
        admin_refusal(admin::status(&fx.deps, &fx.user).await),
        AdminRefusal::NoRecord(fx.user.clone())
    );
    let token = fx.link().await;
    assert_eq!(refused(fx.password(&token, "0000", NEW, NEW).await), Refusal::WrongPin { left: 2 });
    let status = admin::status(&fx.deps, &fx.user).await.unwrap();
    assert_eq!((status.record.stage, status.attempts_left, status.locked), (Stage::Password, 2, false));
    assert!(!status.expired && !status.mfa_restore_pending);

    admin::revoke(&fx.deps, &fx.user).await.unwrap();
    assert_eq!(refused(fx.password(&token, "1234", NEW, NEW).await), Refusal::LinkUnknown);
    assert_eq!(
        admin_refusal(admin::revoke(&fx.deps, &fx.user).await),
        AdminRefusal::NoRecord(fx.user.clone())
    );
    assert_eq!(fx.deps.metrics.links_revoked.get(), 1);
}

#[tokio::test]
async fn a_record_that_owes_mfa_rules_back_is_not_revoked() {
    let fx = fixture(|_| {}).await;
    fx.link().await;
    assert!(fx
        .deps
        .store
        .save_mfa_owed(&fx.user, r#"{"enabled":true,"rules":[["password","totp"]]}"#.into())
        .await
        .unwrap());
    assert!(admin::status(&fx.deps, &fx.user).await.unwrap().mfa_restore_pending);
    assert_eq!(
        admin_refusal(admin::revoke(&fx.deps, &fx.user).await),
        AdminRefusal::MfaOwed(fx.user.clone())
    );
    assert!(admin::status(&fx.deps, &fx.user).await.is_ok(), "the record is kept");
}
