//! The user's flow through the JSON API against a real Keystone, first-use expiry off and on.
use crate::helpers::*;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

const NEW_PASSWORD: &str = "my-own-password-42";

async fn setup(url: &str) -> (TestApp, Keystone) {
    tokio::join!(spawn_app(url), Keystone::connect(url))
}

/// An app on the plain Keystone, a new Keystone user, and the link the admin got for them.
async fn user_with_link(pin: &str) -> (TestApp, Keystone, KeystoneUser, String) {
    let (app, keystone) = setup(&keystone_url()).await;
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, pin).await;
    (app, keystone, user, token)
}

/// The admin's side of a lost phone (after `reset_password`): a PUT with the new random
/// password, which restarts the flow; returns the new link's token.
async fn renew_with_new_password(app: &TestApp, keystone: &Keystone, user: &KeystoneUser) -> String {
    let renewed: Value = app
        .put_token(&user.id, &keystone.admin_token, Some(json!({"password": user.password})))
        .await
        .json()
        .await
        .unwrap();
    renewed["token"].as_str().unwrap().to_owned()
}

async fn complete_onboarding_on(url: &str) {
    let (app, keystone) = setup(url).await;
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "2468").await;

    let secret = app.onboard(&token, "2468", NEW_PASSWORD).await;

    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.login_with_password(&user.id, &user.password).await, StatusCode::UNAUTHORIZED);
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
    let status = app.api("status", json!({"token": token})).await;
    assert_eq!(status.status(), StatusCode::GONE, "a used link is dead");
}

#[tokio::test]
async fn a_user_completes_onboarding_through_the_json_api() {
    complete_onboarding_on(&keystone_url()).await;
}

#[tokio::test]
async fn onboarding_works_when_keystone_expires_admin_set_passwords() {
    complete_onboarding_on(&first_use_keystone_url()).await;
}

#[tokio::test]
async fn the_first_use_keystone_really_expires_the_passwords_admins_set() {
    let (plain_url, first_use_url) = (keystone_url(), first_use_keystone_url());
    let (plain, first_use) = tokio::join!(Keystone::connect(&plain_url), Keystone::connect(&first_use_url));
    let (on_plain, on_first_use) = tokio::join!(plain.create_user(), first_use.create_user());

    assert_eq!(plain.login_with_password(&on_plain.id, &on_plain.password).await, StatusCode::CREATED);
    assert_eq!(
        first_use.login_with_password(&on_first_use.id, &on_first_use.password).await,
        StatusCode::UNAUTHORIZED,
        "expired until changed"
    );
}

#[tokio::test]
async fn a_wrong_pin_says_how_many_attempts_remain_and_the_right_pin_still_works() {
    let (app, _keystone, _user, token) = user_with_link("1357").await;

    let wrong = app.submit_password(&token, "0000", NEW_PASSWORD).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(wrong.text().await.unwrap().contains("2 attempts left"));

    let right = app.submit_password(&token, "1357", NEW_PASSWORD).await;
    assert_eq!(right.status(), StatusCode::OK);
    let body: Value = right.json().await.unwrap();
    assert_eq!(body["stage"], "totp");
    assert_eq!(body["totp"]["secret"].as_str().unwrap().len(), 32);
}

#[tokio::test]
async fn the_third_wrong_pin_locks_the_link_even_for_the_right_pin() {
    let (app, keystone, user, token) = user_with_link("1357").await;

    assert_eq!(app.submit_password(&token, "0001", NEW_PASSWORD).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.submit_password(&token, "0002", NEW_PASSWORD).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.submit_password(&token, "0003", NEW_PASSWORD).await.status(), StatusCode::LOCKED);

    assert_eq!(app.submit_password(&token, "1357", NEW_PASSWORD).await.status(), StatusCode::LOCKED);
    assert_eq!(
        keystone.login_with_password(&user.id, &user.password).await,
        StatusCode::CREATED,
        "password untouched"
    );
    let status: Value = app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["locked"], true);
}

#[tokio::test]
async fn sixty_four_parallel_wrong_guesses_check_at_most_three_pins() {
    let (app, _keystone, _user, token) = user_with_link("1357").await;
    let checked_before = app.metric("setpass_pin_failures_total").await;

    let guesses = (0..64).map(|i| {
        let (app, token) = (&app, &token);
        async move { app.submit_password(token, &format!("{:04}", 2000 + i), NEW_PASSWORD).await.status() }
    });
    let statuses = futures_util::future::join_all(guesses).await;

    let wrong = statuses.iter().filter(|s| **s == StatusCode::FORBIDDEN).count();
    let locked = statuses.iter().filter(|s| **s == StatusCode::LOCKED).count();
    assert_eq!(wrong, 2, "only two guesses may be told 'wrong, attempts left': {statuses:?}");
    assert_eq!(locked, 62);
    assert_eq!(app.submit_password(&token, "1357", NEW_PASSWORD).await.status(), StatusCode::LOCKED);
    let checked = app.metric("setpass_pin_failures_total").await - checked_before;
    assert_eq!(checked, 3.0, "exactly max_pin_attempts PINs were checked");
}

#[tokio::test]
async fn sixty_four_parallel_wrong_codes_check_exactly_the_limit_and_lock_the_link() {
    let (app, _keystone, _user, token) = user_with_link("1357").await;
    let secret = app.password_step(&token, "1357", NEW_PASSWORD).await;
    let right = code_now(&secret);
    let wrong_codes: Vec<String> = (0..64)
        .map(|i| format!("{:06}", (right.parse::<u32>().unwrap() + 1 + i * 7919) % 1_000_000))
        .collect();

    let guesses = wrong_codes.iter().map(|code| {
        let (app, token) = (&app, &token);
        async move { app.submit_totp(token, code).await.status() }
    });
    let statuses = futures_util::future::join_all(guesses).await;

    let wrong = statuses.iter().filter(|s| **s == StatusCode::FORBIDDEN).count();
    let locked = statuses.iter().filter(|s| **s == StatusCode::LOCKED).count();
    assert_eq!((wrong, locked), (9, 55), "{statuses:?}");
    assert_eq!(
        app.metric("setpass_totp_failures_total").await,
        10.0,
        "exactly totp.max_attempts codes checked"
    );
    assert_eq!(app.submit_totp(&token, &code_now(&secret)).await.status(), StatusCode::LOCKED);
}

#[tokio::test]
async fn an_expired_link_answers_410() {
    let (app, _keystone, _user, token) = user_with_link("1357").await;
    app.clock.advance(Duration::hours(24) + Duration::seconds(1));

    assert_eq!(app.submit_password(&token, "1357", NEW_PASSWORD).await.status(), StatusCode::GONE);
    assert_eq!(app.page(&token).await.status(), StatusCode::GONE);
}

#[tokio::test]
async fn renewal_kills_the_old_link_and_the_new_one_works() {
    let (app, keystone) = setup(&keystone_url()).await;
    let user = keystone.create_user().await;
    let old = app.new_link(&keystone, &user, "1357").await;
    let renewed: Value = app.put_token(&user.id, &keystone.admin_token, None).await.json().await.unwrap();

    assert_eq!(app.submit_password(&old, "1357", NEW_PASSWORD).await.status(), StatusCode::NOT_FOUND);
    app.onboard(renewed["token"].as_str().unwrap(), "1357", NEW_PASSWORD).await;
}

#[tokio::test]
async fn keystones_password_rule_is_relayed_and_the_user_can_try_again() {
    let (app, keystone, user, token) = user_with_link("1357").await;

    let refused = app.submit_password(&token, "1357", "no-digits-here").await;

    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("at least one digit"), "{body}");
    let status: Value = app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["attempts_left"], 3, "a refused password is not a PIN failure");
    app.onboard(&token, "1357", NEW_PASSWORD).await;
}

#[tokio::test]
async fn mismatched_and_short_passwords_are_refused_before_keystone() {
    let (app, keystone, user, token) = user_with_link("1357").await;

    let short = app.submit_password(&token, "1357", "abc1").await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    assert!(short.text().await.unwrap().contains("at least 8"));
    let mismatch = app
        .post_form(
            &token,
            &[("pin", "1357"), ("password", NEW_PASSWORD), ("confirm_password", "something-else-1")],
        )
        .await;
    assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
    assert!(mismatch.text().await.unwrap().contains("do not match"));
    assert_eq!(keystone.login_with_password(&user.id, &user.password).await, StatusCode::CREATED);
}

#[tokio::test]
async fn a_user_who_closed_the_browser_resumes_at_the_totp_step_with_the_same_secret() {
    let (app, _keystone, _user, token) = user_with_link("1357").await;
    let secret = &app.password_step(&token, "1357", NEW_PASSWORD).await;

    let page = app.page(&token).await;

    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Step 2 of 2") && html.contains("<svg"), "{html}");
    assert!(html.contains(&secret[..4]));
    assert_eq!(&app.totp_secret(&token).await, secret);
    assert_eq!(app.submit_totp(&token, &code_now(secret)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_code_keeps_the_same_secret_and_counts_against_its_own_limit() {
    let (app, keystone, user, token) = user_with_link("1357").await;
    let secret = &app.password_step(&token, "1357", NEW_PASSWORD).await;
    let wrong_code = format!("{:06}", (code_now(secret).parse::<u32>().unwrap() + 500_000) % 1_000_000);

    let wrong = app.submit_totp(&token, &wrong_code).await;

    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(wrong.text().await.unwrap().contains("9 attempts left"));
    assert_eq!(&app.totp_secret(&token).await, secret);
    assert!(keystone.totp_credentials(&user.id).await.is_empty(), "no credential before a right code");
}

#[tokio::test]
async fn a_code_from_a_phone_five_minutes_ahead_gets_a_clock_hint() {
    let (app, _keystone, _user, token) = user_with_link("1357").await;
    let secret = &app.password_step(&token, "1357", NEW_PASSWORD).await;
    let now = setpass::clock::Clock::now(&app.clock).timestamp();

    let skewed = app.submit_totp(&token, &code_at(secret, now + 300)).await;

    assert_eq!(skewed.status(), StatusCode::FORBIDDEN);
    let message = skewed.text().await.unwrap();
    assert!(message.contains("about 5 minutes ahead") && message.contains("clock"), "{message}");
}

#[tokio::test]
async fn re_enrollment_after_a_lost_phone_leaves_exactly_one_totp_credential() {
    let (app, keystone) = setup(&keystone_url()).await;
    let mut user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    app.onboard(&token, "1357", NEW_PASSWORD).await;

    keystone.reset_password(&mut user).await;
    let second = app
        .onboard(&renew_with_new_password(&app, &keystone, &user).await, "1357", "another-password-7")
        .await;

    assert_eq!(keystone.totp_credentials(&user.id).await, vec![second]);
}

#[tokio::test]
async fn mfa_rules_are_set_with_a_service_credential_and_re_enrollment_then_still_works() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (app, _) = app_with_service(&keystone, &url, |s| s.keystone.enforce_mfa = true).await;
    let mut user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;

    app.onboard(&token, "1357", NEW_PASSWORD).await;

    let options = &keystone.get_user(&user.id).await["user"]["options"];
    assert_eq!(options["multi_factor_auth_enabled"], true);
    assert_eq!(options["multi_factor_auth_rules"], json!([["password", "totp"], ["application_credential"]]));
    assert_eq!(keystone.login_with_password(&user.id, NEW_PASSWORD).await, StatusCode::UNAUTHORIZED);

    // Lost phone: with MFA on, the password alone gives a receipt, not a token.
    keystone.reset_password(&mut user).await;
    let second = app
        .onboard(&renew_with_new_password(&app, &keystone, &user).await, "1357", "another-password-7")
        .await;
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![second.clone()]);
    assert_eq!(
        keystone.login_with_totp(&user.id, "another-password-7", &code_now(&second)).await,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn with_totp_disabled_the_flow_ends_after_the_password() {
    let url = keystone_url();
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| s.totp.enabled = false), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;

    let response = app.submit_password(&token, "1357", NEW_PASSWORD).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"stage": "complete"}));
    assert_eq!(keystone.login_with_password(&user.id, NEW_PASSWORD).await, StatusCode::CREATED);
    assert!(keystone.totp_credentials(&user.id).await.is_empty());
}

#[tokio::test]
async fn when_the_kept_token_is_gone_the_totp_step_asks_for_the_password_again() {
    let (app, keystone, user, token) = user_with_link("1357").await;
    let secret = app.password_step(&token, "1357", NEW_PASSWORD).await;
    app.until_token_kept(&token).await;
    let store = app.database.store();
    let issuance = setpass::store::Issuance {
        user_id: setpass::domain::UserId::parse(&user.id).unwrap(),
        token_hash: setpass::domain::OneTimeToken::parse(&token).unwrap().hash(),
    };
    assert!(store.store_user_token(&issuance, None, None, false).await.unwrap());
    // That write went behind the app's back (it owns its database and caches what it read);
    // any call of the app that touches its store makes it read again.
    app.get_token(&user.id, &keystone.admin_token).await;

    let without = app.submit_totp(&token, &code_now(&secret)).await;
    assert_eq!(without.status(), StatusCode::BAD_REQUEST);
    assert!(without.text().await.unwrap().contains("password again"));
    let page = app.page(&token).await.text().await.unwrap();
    assert!(page.contains("name=\"password\""), "the TOTP page now asks for the password");

    let with =
        app.api("totp", json!({"token": token, "code": code_now(&secret), "password": NEW_PASSWORD})).await;
    assert_eq!(with.status(), StatusCode::OK);
}

#[tokio::test]
async fn submitting_the_password_step_twice_at_once_changes_the_password_once() {
    let (app, _keystone, _user, token) = user_with_link("1357").await;

    let (a, b) = tokio::join!(
        app.submit_password(&token, "1357", NEW_PASSWORD),
        app.submit_password(&token, "1357", NEW_PASSWORD)
    );

    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "one succeeds, the other is told it is done"
    );
    let secret = app.totp_secret(&token).await;
    assert_eq!(app.submit_totp(&token, &code_now(&secret)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn re_enrollment_with_mfa_rules_on_and_no_service_credential_asks_for_the_operator() {
    let (app, keystone) = setup(&keystone_url()).await;
    let mut user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "1357").await;
    app.onboard(&token, "1357", NEW_PASSWORD).await;
    let response = keystone
        .http()
        .patch(format!("{}/users/{}", keystone.url, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .json(&json!({"user": {"options": {"multi_factor_auth_enabled": true,
            "multi_factor_auth_rules": [["password", "totp"]]}}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    keystone.reset_password(&mut user).await;
    let token = &renew_with_new_password(&app, &keystone, &user).await;

    let response = app.password_then_code(token, "1357", "another-password-7").await;

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({"stage": "totp", "needs_operator": true}));
    let page = app.page(token).await.text().await.unwrap();
    assert!(page.contains("needs a step by your administrator"), "{page}");
}
