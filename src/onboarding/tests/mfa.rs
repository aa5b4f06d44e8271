//! Users whose MFA rules are on: setpass gets past them with the service credential and never
//! leaves them off.
use super::*;
use crate::onboarding::jobs;

fn rules(value: serde_json::Value) -> MfaOptions {
    MfaOptions { enabled: true, rules: value }
}

#[tokio::test]
async fn a_user_with_mfa_rules_enrolls_with_the_service_credential_and_keeps_the_rules() {
    let fx = fixture(|s| s.service = true).await;
    let before = rules(json!([["password", "totp"], ["application_credential"]]));
    fx.keystone.set_user_mfa(&fx.user, before.clone());
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    assert_eq!(fx.keystone.mfa(&fx.user), Some(before.clone()), "on again right after the login");
    fx.code(&token, &fx.code_now(&secret), None).await.unwrap();
    assert_eq!(fx.keystone.totp_credentials(&fx.user).len(), 1);
    assert_eq!(fx.keystone.mfa(&fx.user), Some(before));
}

#[tokio::test]
async fn enforcing_mfa_switches_the_configured_rules_on_and_keeps_the_users_own() {
    let fx = fixture(|s| {
        s.service = true;
        s.policy.mfa.enforce = true;
    })
    .await;
    fx.keystone
        .set_user_mfa(&fx.user, MfaOptions { enabled: false, rules: json!([["application_credential"]]) });
    let token = fx.link().await;
    let secret = fx.at_totp_step(&token).await;
    fx.code(&token, &fx.code_now(&secret), None).await.unwrap();
    assert_eq!(
        fx.keystone.mfa(&fx.user),
        Some(rules(json!([["password", "totp"], ["application_credential"]])))
    );
}

#[tokio::test]
async fn rules_owed_after_a_failed_switch_on_are_put_back_by_the_sweep() {
    let fx = fixture(|s| s.service = true).await;
    let saved = rules(json!([["password", "totp"]]));
    fx.link().await;
    let text = serde_json::to_string(&saved).unwrap();
    assert!(fx.deps.store.save_mfa_owed(&fx.user, text).await.unwrap());
    fx.keystone.set_user_mfa(&fx.user, MfaOptions { enabled: false, rules: serde_json::Value::Null });

    fx.keystone.fail_operation("MFA rules update");
    super::super::mfa::restore_all_owed(&fx.deps).await;
    assert!(fx.deps.store.mfa_owed(&fx.user).await.unwrap().is_some(), "still owed while Keystone fails");

    fx.keystone.heal_operation("MFA rules update");
    let sweep = tokio::spawn(jobs::restore_forever(Arc::clone(&fx.deps)));
    let put_back = async {
        while fx.deps.store.mfa_owed(&fx.user).await.unwrap().is_some() {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), put_back)
        .await
        .expect("the sweep put them back");
    sweep.abort();
    assert_eq!(fx.keystone.mfa(&fx.user), Some(saved));
}
