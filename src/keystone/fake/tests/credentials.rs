//! Credentials and MFA options, the password rule, and injected faults.
use super::*;
use crate::keystone::{Identity, KeystoneError};

#[tokio::test]
async fn a_user_creates_lists_and_deletes_their_own_totp_credentials() {
    let (keystone, _) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    let own = token_of(keystone.password_login(&user, "pw").await.unwrap());

    let first = keystone.create_totp_credential(&own, &user, SECRET).await.unwrap();
    let second =
        keystone.create_totp_credential(&own, &user, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").await.unwrap();
    assert_eq!(
        keystone.list_totp_credentials(&own, &user).await.unwrap(),
        vec![first.clone(), second.clone()]
    );
    assert_eq!(keystone.totp_credentials(&user)[0], SECRET);

    keystone.delete_credential(&own, &first).await.unwrap();
    keystone.delete_credential(&own, &first).await.unwrap();
    assert_eq!(keystone.list_totp_credentials(&own, &user).await.unwrap(), vec![second]);
    assert_eq!(keystone.calls("credential creation"), 2);
}

#[tokio::test]
async fn another_user_s_token_may_not_touch_a_user_s_credentials_and_an_admin_s_may() {
    let (keystone, _) = fake();
    let admin = keystone.admin_token(cloud_admin());
    let ana = keystone.add_user("ana", "default", "pw");
    let bo = keystone.add_user("bo", "default", "pw");
    let bo_token = token_of(keystone.password_login(&bo, "pw").await.unwrap());
    let id = keystone.create_totp_credential(&admin, &ana, SECRET).await.unwrap();

    let forbidden = |result: Result<_, KeystoneError>| matches!(result, Err(KeystoneError::Forbidden));
    assert!(forbidden(keystone.create_totp_credential(&bo_token, &ana, SECRET).await.map(drop)));
    assert!(forbidden(keystone.list_totp_credentials(&bo_token, &ana).await.map(drop)));
    assert!(forbidden(keystone.delete_credential(&bo_token, &id).await));
    let invalid = keystone.create_totp_credential("made-up", &ana, SECRET).await;
    assert!(matches!(invalid, Err(KeystoneError::InvalidToken)));

    assert_eq!(keystone.list_totp_credentials(&admin, &ana).await.unwrap(), vec![id.clone()]);
    keystone.delete_credential(&admin, &id).await.unwrap();
    assert!(keystone.totp_credentials(&ana).is_empty());
}

#[tokio::test]
async fn deleting_a_user_deletes_their_credentials() {
    let (keystone, _) = fake();
    let user = keystone.add_user("ana", "default", "pw");
    keystone.add_totp_credential(&user, SECRET);

    keystone.delete_user(&user);

    assert!(keystone.totp_credentials(&user).is_empty());
}

#[tokio::test]
async fn only_an_admin_sets_mfa_options_and_null_rules_keep_the_rules() {
    let (keystone, _) = fake();
    let admin = keystone.admin_token(cloud_admin());
    let user = keystone.add_user("ana", "default", "pw");
    let own = token_of(keystone.password_login(&user, "pw").await.unwrap());

    assert!(matches!(
        keystone.set_mfa(&own, &user, &password_and_totp()).await,
        Err(KeystoneError::Forbidden)
    ));
    keystone.set_mfa(&admin, &user, &password_and_totp()).await.unwrap();
    assert_eq!(keystone.mfa(&user), Some(password_and_totp()));
    let off = MfaOptions { enabled: false, rules: serde_json::Value::Null };
    keystone.set_mfa(&admin, &user, &off).await.unwrap();

    let read = keystone.get_user(&admin, &user).await.unwrap().unwrap().mfa();
    assert_eq!(read, MfaOptions { enabled: false, rules: password_and_totp().rules });
    keystone.delete_user(&user);
    let gone = keystone.set_mfa(&admin, &user, &off).await;
    assert!(matches!(gone, Err(KeystoneError::NotFound(_))));
}

#[tokio::test]
async fn the_password_rule_is_described_for_the_default_domain_only() {
    let (keystone, _) = fake();
    let admin = keystone.admin_token(cloud_admin());
    assert_eq!(keystone.password_rule(&admin, "default").await.unwrap(), None);

    keystone.require_min_password_length(10);

    let described = keystone.password_rule(&admin, "default").await.unwrap();
    assert_eq!(described.as_deref(), Some("Passwords must be at least 10 characters long"));
    assert!(matches!(keystone.password_rule(&admin, "dom1").await, Err(KeystoneError::Forbidden)));
    assert!(matches!(keystone.password_rule("made-up", "default").await, Err(KeystoneError::InvalidToken)));
}

#[tokio::test]
async fn an_unreachable_keystone_fails_every_call_with_a_503_and_counts_it() {
    let (keystone, clock) = fake();
    let admin = keystone.admin_token(cloud_admin());
    let user = keystone.add_user("ana", "default", "pw");
    keystone.set_unreachable(true);

    let unavailable = |result: Result<(), KeystoneError>, op: &str| match result {
        Err(KeystoneError::Unexpected { operation, status }) => {
            assert_eq!((operation, status.as_u16()), (op, 503));
        }
        other => panic!("{op}: expected a 503, got {other:?}"),
    };
    unavailable(keystone.version().await, "version check");
    unavailable(keystone.validate_token(&admin).await.map(drop), "token validation");
    unavailable(keystone.password_login(&user, "pw").await.map(drop), "password login");
    unavailable(keystone.totp_login(&user, &code_now(&clock)).await.map(drop), "TOTP login");
    unavailable(keystone.change_password(&user, "pw", "new").await.map(drop), "password change");
    unavailable(
        keystone.create_totp_credential(&admin, &user, SECRET).await.map(drop),
        "credential creation",
    );
    unavailable(keystone.set_mfa(&admin, &user, &password_and_totp()).await, "MFA rules update");

    assert!(keystone.password_is(&user, "pw"));
    assert!(keystone.totp_credentials(&user).is_empty());
    assert_eq!(keystone.calls("credential creation"), 1);
    keystone.set_unreachable(false);
    assert!(keystone.version().await.is_ok());
}

#[tokio::test]
async fn a_failing_operation_fails_alone() {
    let (keystone, _) = fake();
    let admin = keystone.admin_token(cloud_admin());
    let user = keystone.add_user("ana", "default", "pw");
    keystone.fail_operation("credential creation");

    assert!(keystone.create_totp_credential(&admin, &user, SECRET).await.is_err());
    assert!(keystone.set_mfa(&admin, &user, &password_and_totp()).await.is_ok());
    assert!(matches!(keystone.password_login(&user, "pw").await.unwrap(), Login::Receipt(_)));
}
