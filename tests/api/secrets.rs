//! A complete onboarding logged at `trace`: no secret may appear anywhere in the output.
use crate::helpers::*;
use crate::process::{temp_dir, ServerProcess};
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn no_secret_appears_in_the_log_of_a_complete_onboarding_at_trace_level() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let user = keystone.create_user().await;
    let (_dir, dir) = temp_dir();
    // An 8-digit PIN, so finding it in the log cannot be a coincidence of timestamps or ports.
    let pin = "90817263";
    let new_password = "Trace-Secret-Password-5";
    let server = ServerProcess::start(
        &dir,
        &url,
        &[
            ("RUST_LOG", "trace"),
            ("SETPASS_ONBOARDING__PIN_MIN_DIGITS", "8"),
            ("SETPASS_ONBOARDING__PIN_MAX_DIGITS", "8"),
        ],
    );
    let client = reqwest::Client::new();
    let issued: Value = client
        .put(format!("{}/token/{}", server.address, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .json(&json!({"password": user.password, "pin": pin}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap().to_owned();
    let page = client.get(format!("{}/?token={token}", server.address)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let form = [("pin", pin), ("password", new_password), ("confirm_password", new_password)];
    let totp_page =
        client.post(format!("{}/?token={token}", server.address)).form(&form).send().await.unwrap();
    assert_eq!(totp_page.status(), StatusCode::OK);
    let status: Value = client
        .post(format!("{}/api/v1/status", server.address))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = status["totp"]["secret"].as_str().unwrap().to_owned();
    let code = code_now(&secret);
    let done = client
        .post(format!("{}/?token={token}", server.address))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::OK);

    let log = server.stop_and_collect_log();

    assert!(log.contains("TRACE") && log.contains("onboarding complete"), "the log was captured: {log}");
    for (what, secret) in [
        ("one-time token", token.as_str()),
        ("PIN", pin),
        ("new password", new_password),
        ("admin-set password", user.password.as_str()),
        ("TOTP secret", secret.as_str()),
        ("admin's Keystone token", keystone.admin_token.as_str()),
    ] {
        assert!(!log.contains(secret), "the {what} appears in the log");
    }
}
