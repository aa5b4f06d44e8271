//! A user is never left with weaker MFA protection than before setpass touched them: faults a
//! real Keystone will not make on demand come from a stand-in (wiremock); the rest is real.
use crate::helpers::*;
use crate::standin::{expires, token_answer, USER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const OFF: &str = r#""multi_factor_auth_enabled":false"#;
const ON: &str = r#""multi_factor_auth_enabled":true"#;

/// A Keystone whose user has MFA rules on: the first password login gets a receipt; every other
/// call succeeds unless the test mounts a fault first. The password step answers before the
/// login (which runs in the background), so the TOTP step, which waits for it, shows its outcome.
async fn keystone_with_mfa_user() -> MockServer {
    let server = MockServer::start().await;
    let expires = expires();
    Mock::given(method("GET"))
        .and(path("/v3/auth/tokens"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"token": {"expires_at": expires,
            "roles": [{"name": "admin"}], "system": {"all": true}}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/users/{USER}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"user": {"id": USER, "name": "u",
            "domain_id": "default", "enabled": true, "options": {"multi_factor_auth_enabled": true,
            "multi_factor_auth_rules": [["password", "totp"]]}}})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v3/users/{USER}/password")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_string_contains("application_credential"))
        .respond_with(token_answer("service-token"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_string_contains(r#""methods":["password"]"#))
        .respond_with(ResponseTemplate::new(401).insert_header("Openstack-Auth-Receipt", "receipt"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_string_contains("passcode"))
        .respond_with(token_answer("totp-token"))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/credentials"))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"credential": {"id": "cred-1"}})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v3/credentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"credentials": [{"id": "cred-1"}]})))
        .mount(&server)
        .await;
    server
}

async fn app_on(server: &MockServer) -> TestApp {
    spawn_app_with(&format!("{}/v3", server.uri()), |s| {
        s.keystone.service_credential_id = Some("service".into());
        s.keystone.service_credential_secret = Some("service-secret".into());
    })
    .await
}

async fn link(app: &TestApp) -> String {
    let issued: Value = app
        .put_token(USER, "admin", Some(json!({"password": "random-1", "pin": "1234"})))
        .await
        .json()
        .await
        .unwrap();
    issued["token"].as_str().unwrap().to_owned()
}

async fn mfa_patches(server: &MockServer) -> Vec<String> {
    let requests = server.received_requests().await.unwrap();
    requests
        .iter()
        .filter(|r| r.method.as_str() == "PATCH")
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect()
}

async fn restore_pending(app: &TestApp) -> Value {
    let status: Value = app.get_token(USER, "admin").await.json().await.unwrap();
    status["mfa_restore_pending"].clone()
}

#[tokio::test]
async fn a_failure_right_after_the_switch_off_switches_the_rules_back_on_and_the_totp_step_asks_for_the_password(
) {
    let server = keystone_with_mfa_user().await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_string_contains(r#""methods":["password"]"#))
        .respond_with(ResponseTemplate::new(500))
        .with_priority(2)
        .mount(&server)
        .await;
    let app = app_on(&server).await;
    let token = link(&app).await;

    let response = app.password_then_code(&token, "1234", "my-own-password-42").await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let status: Value = app.api("status", json!({"token": token})).await.json().await.unwrap();
    assert_eq!(status["totp"]["needs_password"], true, "{status}");
    let patches = mfa_patches(&server).await;
    assert_eq!(patches.len(), 2, "off, then on again: {patches:?}");
    assert!(patches[0].contains(OFF), "{}", patches[0]);
    assert!(patches[1].contains(ON) && patches[1].contains(r#"[["password","totp"]]"#), "{}", patches[1]);
    assert_eq!(restore_pending(&app).await, false);
}

#[tokio::test]
async fn a_failed_switch_on_stays_owed_shows_in_the_status_and_the_next_request_puts_it_back() {
    let server = keystone_with_mfa_user().await;
    Mock::given(method("PATCH"))
        .and(body_string_contains(OFF))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(body_string_contains(ON))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(body_string_contains(ON))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v3/auth/tokens"))
        .and(body_string_contains(r#""methods":["password"]"#))
        .respond_with(token_answer("user-token"))
        .with_priority(2)
        .mount(&server)
        .await;
    let app = app_on(&server).await;
    let token = link(&app).await;

    let secret = app.password_step(&token, "1234", "my-own-password-42").await;

    // The login for the TOTP step runs after the answer; its failed switch-on shows once it ends.
    let mut shown = false;
    for _ in 0..50 {
        shown = restore_pending(&app).await == true;
        if shown {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown, "the saved rules are kept and shown");
    let next = app
        .api("totp", json!({"token": token, "code": code_now(&secret), "password": "my-own-password-42"}))
        .await;
    assert_eq!(next.status(), StatusCode::OK, "{}", next.text().await.unwrap());
    assert_eq!(restore_pending(&app).await, false);
    let patches = mfa_patches(&server).await;
    assert!(patches.last().unwrap().contains(ON), "the rules end on: {patches:?}");
}

#[tokio::test]
async fn when_enforcing_fails_completion_is_not_recorded_and_the_users_rules_stay_on() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (app, id) = app_with_service(&keystone, &url, |s| s.keystone.enforce_mfa = true).await;
    let rules = json!([["password", "totp"], ["application_credential"]]);
    let user = keystone.create_user_with_mfa_rules(rules.clone()).await;
    let token = app.new_link(&keystone, &user, "2468").await;
    let totp_secret = app.password_step(&token, "2468", "my-own-password-42").await;
    app.until_token_kept(&token).await;
    let admin_user = keystone.admin_user_id().await;
    let credential = format!("/users/{admin_user}/application_credentials/{id}");
    keystone.admin_send(reqwest::Method::DELETE, &credential, None).await;

    let response = app.submit_totp(&token, &code_now(&totp_secret)).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let status: Value = app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();
    assert_eq!(status["stage"], "totp", "completion is not recorded");
    let options = keystone.user_options(&user.id).await;
    assert_eq!(options["multi_factor_auth_enabled"], true);
    assert_eq!(options["multi_factor_auth_rules"], rules);
}

#[tokio::test]
async fn a_service_token_keystone_rejects_is_dropped_and_the_call_retried_after_a_new_login() {
    use wiremock::matchers::header;
    let server = keystone_with_mfa_user().await;
    // The first service token was revoked behind setpass's back; the next login's is good.
    Mock::given(method("POST"))
        .and(body_string_contains("application_credential"))
        .respond_with(token_answer("revoked-service-token"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/v3/users/{USER}")))
        .and(header("X-Auth-Token", "revoked-service-token"))
        .respond_with(ResponseTemplate::new(401))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains(r#""methods":["password"]"#))
        .respond_with(token_answer("user-token"))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(method("PATCH")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let app = app_on(&server).await;
    let token = link(&app).await;

    let response = app.password_then_code(&token, "1234", "my-own-password-42").await;

    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let requests = server.received_requests().await.unwrap();
    let logins =
        requests.iter().filter(|r| String::from_utf8_lossy(&r.body).contains("application_credential"));
    assert_eq!(logins.count(), 2, "logged in again after the rejection");
    assert_eq!(restore_pending(&app).await, false);
}
