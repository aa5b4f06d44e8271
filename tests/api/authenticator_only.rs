//! The authenticator-only link against the real Keystone: a lost phone replaced with the PIN and
//! the current password, the password untouched, the old app gone only once the new one works,
//! seed-style MFA rules kept, wrong passwords counted, and the admin API's view of the kind.
use crate::helpers::*;
use crate::sinks::{token_in, SmtpSink};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PIN: &str = "2468";

/// The `totp` credential of an app the user set up before (the lost phone's); its secret.
async fn old_app(keystone: &Keystone, user: &KeystoneUser) -> String {
    let secret = setpass::domain::TotpSecret::generate().expose().to_owned();
    let credential = json!({"credential": {"type": "totp", "user_id": user.id, "blob": secret}});
    keystone.admin_send(reqwest::Method::POST, "/credentials", Some(credential)).await;
    secret
}

/// `PUT /token/{id}` with `body`: the status and the answer.
async fn put(app: &TestApp, keystone: &Keystone, user: &KeystoneUser, body: Value) -> (StatusCode, Value) {
    let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;
    (response.status(), response.json().await.unwrap())
}

/// A new authenticator-only link for `user`; its token.
async fn authenticator_only_link(app: &TestApp, keystone: &Keystone, user: &KeystoneUser) -> String {
    let (status, body) = put(app, keystone, user, json!({"pin": PIN, "authenticator_only": true})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

async fn link_status(app: &TestApp, token: &str) -> Value {
    app.api("status", json!({"token": token})).await.json().await.unwrap()
}

async fn admin_status(app: &TestApp, keystone: &Keystone, user: &KeystoneUser) -> Value {
    app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap()
}

#[tokio::test]
async fn a_lost_phone_is_replaced_with_the_pin_and_the_current_password_which_stays_the_same() {
    let url = keystone_url();
    let (app, keystone) = app_and_keystone(&url, &url).await;
    let user = keystone.create_user().await;
    let lost = old_app(&keystone, &user).await;
    let token = authenticator_only_link(&app, &keystone, &user).await;
    let shown = link_status(&app, &token).await;
    assert_eq!(
        (&shown["stage"], &shown["authenticator_only"]),
        (&json!("password"), &json!(true)),
        "{shown}"
    );

    let secret = app.password_step(&token, PIN, &user.password).await;
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![lost.clone()], "kept until the new one works");
    let done = app.submit_totp(&token, &code_now(&secret)).await;

    assert_eq!(done.status(), StatusCode::OK);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["stage"], "complete");
    assert_eq!(done["recovery_codes"].as_array().map(Vec::len), Some(10), "{done}");
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret.clone()], "only the new app remains");
    assert_eq!(keystone.login_with_password(&user.id, &user.password).await, StatusCode::CREATED);
    let with_new = keystone.login_with_totp(&user.id, &user.password, &code_now(&secret)).await;
    assert_eq!(with_new, StatusCode::CREATED, "the unchanged password and the new app log in");
    let with_lost = keystone.login_with_totp(&user.id, &user.password, &code_now(&lost)).await;
    assert_eq!(with_lost, StatusCode::UNAUTHORIZED, "the lost phone's codes no longer work");
}

#[tokio::test]
async fn seed_style_mfa_rules_are_the_same_after_as_before_with_the_service_credential() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (app, _) = app_with_service(&keystone, &url, |_| {}).await;
    let user =
        keystone.create_user_with_mfa_rules(json!([["password", "totp"], ["application_credential"]])).await;
    let lost = old_app(&keystone, &user).await;
    let before = keystone.user_options(&user.id).await;
    let token = authenticator_only_link(&app, &keystone, &user).await;

    let secret = app.password_step(&token, PIN, &user.password).await;
    assert_eq!(keystone.user_options(&user.id).await, before, "on again before step 1 answered");
    let done = app.submit_totp(&token, &code_now(&secret)).await;

    assert_eq!(done.status(), StatusCode::OK, "{}", done.text().await.unwrap());
    assert_eq!(keystone.user_options(&user.id).await, before);
    assert_eq!(admin_status(&app, &keystone, &user).await["mfa_restore_pending"], false);
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret.clone()]);
    assert!(keystone.password_login_gets_a_receipt(&user.id, &user.password).await, "the rules still hold");
    let with_new = keystone.login_with_totp(&user.id, &user.password, &code_now(&secret)).await;
    assert_eq!(with_new, StatusCode::CREATED);
    let with_lost = keystone.login_with_totp(&user.id, &user.password, &code_now(&lost)).await;
    assert_eq!(with_lost, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_counted_with_the_pins_and_the_last_one_locks_the_link() {
    let url = keystone_url();
    let (app, keystone) = app_and_keystone(&url, &url).await;
    let user = keystone.create_user().await;
    let token = authenticator_only_link(&app, &keystone, &user).await;

    let wrong = app.submit_password(&token, PIN, "not-the-password-1").await;

    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let message = wrong.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.starts_with("That password is not right"), "{message}");
    assert!(message.contains("2 attempts left"), "{message}");
    assert_eq!(link_status(&app, &token).await["attempts_left"], 2);
    assert_eq!(app.submit_password(&token, "1111", &user.password).await.status(), StatusCode::FORBIDDEN);
    let last = app.submit_password(&token, PIN, "not-the-password-2").await;
    assert_eq!(last.status(), StatusCode::LOCKED);
    let status = admin_status(&app, &keystone, &user).await;
    assert_eq!((&status["locked"], &status["authenticator_only"]), (&json!(true), &json!(true)), "{status}");
    let after = app.submit_password(&token, PIN, &user.password).await;
    assert_eq!(after.status(), StatusCode::LOCKED, "the right password is too late");
    assert_eq!(keystone.login_with_password(&user.id, &user.password).await, StatusCode::CREATED);
}

#[tokio::test]
async fn a_renewal_switches_the_kind_per_its_body_and_get_shows_it() {
    let url = keystone_url();
    let (app, keystone) = app_and_keystone(&url, &url).await;
    let user = keystone.create_user().await;
    let no_pin = put(&app, &keystone, &user, json!({"authenticator_only": true})).await;
    assert_eq!(no_pin.0, StatusCode::BAD_REQUEST);
    assert!(no_pin.1["error"]["message"].as_str().unwrap().contains("`pin`"), "{}", no_pin.1);
    let both = json!({"pin": PIN, "password": user.password, "authenticator_only": true});
    let (status, body) = put(&app, &keystone, &user, both).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("exclude each other") && !message.contains(&user.password), "{message}");

    assert_eq!(put(&app, &keystone, &user, new_record_body(&user)).await.0, StatusCode::CREATED);
    assert_eq!(admin_status(&app, &keystone, &user).await["authenticator_only"], false);
    let (status, renewed) = put(&app, &keystone, &user, json!({"authenticator_only": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(admin_status(&app, &keystone, &user).await["authenticator_only"], true);
    let token = renewed["token"].as_str().unwrap();
    assert_eq!(
        link_status(&app, token).await["authenticator_only"],
        true,
        "the new link asks for the current password"
    );
    assert_eq!(put(&app, &keystone, &user, json!({"pin": "1357"})).await.0, StatusCode::OK);
    assert_eq!(
        admin_status(&app, &keystone, &user).await["authenticator_only"],
        true,
        "an empty renewal keeps it"
    );
    assert_eq!(put(&app, &keystone, &user, json!({"password": user.password})).await.0, StatusCode::OK);
    assert_eq!(admin_status(&app, &keystone, &user).await["authenticator_only"], false);
}

#[tokio::test]
async fn the_confirm_page_asks_for_the_pin_and_the_current_password_and_nothing_else() {
    let url = keystone_url();
    let (app, keystone) = app_and_keystone(&url, &url).await;
    let user = keystone.create_user().await;
    let token = authenticator_only_link(&app, &keystone, &user).await;

    let page = app.page(&token).await.text().await.unwrap();

    assert!(page.contains("Confirm it&#39;s you") || page.contains("Confirm it's you"), "{page}");
    assert!(page.contains("name=\"pin\"") && page.contains("autocomplete=\"current-password\""), "{page}");
    assert!(!page.contains("confirm_password") && !page.contains("new-password"), "{page}");
    assert!(!page.contains("<script"), "no JavaScript");
    let next = app.post_form(&token, &[("pin", PIN), ("password", &user.password)]).await;
    assert_eq!(next.status(), StatusCode::OK, "the redirect leads to the TOTP step");
    let page = next.text().await.unwrap();
    assert!(page.contains("name=\"code\"") && page.contains("replaces any authenticator app"), "{page}");
    assert!(!page.contains("Your password is set"), "{page}");
}

#[tokio::test]
async fn the_link_mail_asks_for_the_current_password_and_a_new_app_in_the_links_language() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| s.email = sink.settings()), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let address = format!("{}@example.test", user.name);
    let first = json!({"pin": PIN, "authenticator_only": true, "email": address});
    let (status, issued) = put(&app, &keystone, &user, first).await;
    assert_eq!((status, &issued["email"]["sent"]), (StatusCode::CREATED, &json!(true)), "{issued}");

    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["headers"]["subject"], "Set up a new authenticator app for your OpenStack account");
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("with now (it stays as it is)"), "{text}");
    assert!(!text.contains("choose your own"), "{text}");
    assert_eq!(token_in(text, PUBLIC_URL), issued["token"].as_str().unwrap());

    // An empty renewal keeps the kind, and the mail says so in the language it asks for.
    let (status, renewed) = put(&app, &keystone, &user, json!({"email": address, "locale": "ko"})).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let token = renewed["token"].as_str().unwrap();
    let mails = sink.wait_for(2).await;
    let mail = mails.iter().find(|m| m["text"].as_str().is_some_and(|t| t.contains(token))).unwrap();
    assert_eq!(mail["headers"]["subject"], "OpenStack 계정에 새 인증 앱을 설정해 주십시오");
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("변경되지 않습니다") && !text.contains("직접 정해"), "{text}");
}

#[tokio::test]
async fn no_secret_of_an_authenticator_only_link_appears_in_the_log_at_trace_level() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let user = keystone.create_user().await;
    let (_dir, dir) = crate::process::temp_dir();
    let env = [
        ("RUST_LOG", "trace"),
        ("SETPASS_ONBOARDING__PIN_MIN_DIGITS", "8"),
        ("SETPASS_ONBOARDING__PIN_MAX_DIGITS", "8"),
    ];
    let server = crate::process::ServerProcess::start(&dir, &url, &env);
    // An 8-digit PIN, so finding it in the log cannot be a coincidence of timestamps or ports.
    let (pin, wrong) = ("90817263", "Trace-Wrong-Password-3");
    let client = reqwest::Client::new();
    let call =
        |method: reqwest::Method, path: &str| client.request(method, format!("{}{path}", server.address));
    let issued: Value = call(reqwest::Method::PUT, &format!("/token/{}", user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .json(&json!({"pin": pin, "authenticator_only": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap().to_owned();
    let step = |password: &str| json!({"token": token, "pin": pin, "password": password});
    let refused = call(reqwest::Method::POST, "/api/v1/password").json(&step(wrong)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let answer = call(reqwest::Method::POST, "/api/v1/password").json(&step(&user.password)).send().await;
    let answer: Value = answer.unwrap().json().await.unwrap();
    let secret = answer["totp"]["secret"].as_str().unwrap().to_owned();
    let done = json!({"token": token, "code": code_now(&secret)});
    let done: Value =
        call(reqwest::Method::POST, "/api/v1/totp").json(&done).send().await.unwrap().json().await.unwrap();
    let codes: Vec<String> = serde_json::from_value(done["recovery_codes"].clone()).unwrap();

    let log = server.stop_and_collect_log();

    assert!(log.contains("TRACE") && log.contains("onboarding complete"), "the log was captured: {log}");
    let secrets =
        [("one-time token", token.as_str()), ("PIN", pin), ("current password", user.password.as_str())];
    let more =
        [("wrong password", wrong), ("TOTP secret", secret.as_str()), ("recovery code", codes[0].as_str())];
    for (what, secret) in secrets.into_iter().chain(more) {
        assert!(!log.contains(secret), "the {what} appears in the log");
    }
}
