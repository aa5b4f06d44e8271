//! Self-enrollment and recovery of users whose MFA rules want TOTP (the seed's rules), against
//! the real Keystone: a service user creates the credential and the receipt confirms it; an
//! application credential meets Keystone's refusal of delegated tokens.
use crate::helpers::*;
use crate::self_enroll::{enabled, with_recovery, SEED_RULES};
use reqwest::StatusCode;
use serde_json::Value;

fn seed_rules() -> Value {
    serde_json::from_str(SEED_RULES).unwrap()
}

#[tokio::test]
async fn seed_style_rules_with_a_service_user_enroll_confirmed_through_the_receipt() {
    let keystone = Keystone::connect(&keystone_url()).await;
    let (app, _) = app_with_service_user(&keystone, &keystone_url(), enabled).await;
    let user = keystone.create_user_with_mfa_rules(seed_rules()).await;
    let secret = app.self_enroll(&user).await;
    assert_eq!(keystone.totp_credentials(&user.id).await, [secret.as_str()]);
    assert!(
        keystone.password_login_gets_a_receipt(&user.id, &user.password).await,
        "the password alone is not enough"
    );
    assert_eq!(
        keystone.login_with_totp(&user.id, &user.password, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    let options = keystone.user_options(&user.id).await;
    assert_eq!(options["multi_factor_auth_rules"], seed_rules(), "the rules are as they were");
    assert_eq!(app.enroll(&user.name, &user.password).await.0, StatusCode::CONFLICT, "already set up");
}

#[tokio::test]
async fn seed_style_rules_with_a_service_user_recover_a_lost_authenticator() {
    let keystone = Keystone::connect(&keystone_url()).await;
    let (app, _) = app_with_service_user(&keystone, &keystone_url(), with_recovery).await;
    let user = keystone.create_user_with_mfa_rules(seed_rules()).await;
    let (lost, codes) = app.self_enroll_with_codes(&user).await;
    let (new, _) = app.recover_with(&user, &codes[0]).await;
    assert_eq!(keystone.totp_credentials(&user.id).await, [new.as_str()], "the lost one is gone");
    assert_ne!(lost, new);
    assert_eq!(
        keystone.login_with_totp(&user.id, &user.password, &code_now(&new)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.user_options(&user.id).await["multi_factor_auth_rules"], seed_rules());
}

/// Seed-style rules: the password is right (a receipt), but Keystone 30 refuses every
/// application-credential token on its credentials API ("Delegated tokens cannot access
/// credentials directly"), unrestricted or not: the user is sent to the administrator, the log
/// says why, and nothing is left in Keystone.
#[tokio::test]
async fn seed_style_rules_meet_keystones_refusal_of_delegated_tokens_and_leave_nothing_behind() {
    let keystone = Keystone::connect(&keystone_url()).await;
    for unrestricted in [false, true] {
        let (app, _) = app_with_service_of(&keystone, unrestricted, &keystone_url(), enabled).await;
        let user = keystone.create_user_with_mfa_rules(seed_rules()).await;
        let (status, started) = app.enroll(&user.name, &user.password).await;
        assert_eq!(status, StatusCode::OK, "the password is right: {started}");
        let secret = started["totp"]["secret"].as_str().unwrap();
        let (status, body) =
            app.enroll_code(started["enrollment"].as_str().unwrap(), &code_now(secret)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("administrator"), "{body}");
        assert!(keystone.totp_credentials(&user.id).await.is_empty());
        let options = keystone.user_options(&user.id).await;
        assert_eq!(options["multi_factor_auth_rules"], seed_rules());
    }
}
