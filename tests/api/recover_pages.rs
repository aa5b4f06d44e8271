//! Recovery's HTML page (`/recover`): off by default, the form in both languages, a wrong
//! recovery code, `/enroll/totp` with only recovery on, and the whole way through the forms to a
//! replaced authenticator with new recovery codes.
use crate::enroll_pages::{hidden_enrollment, secret_on_page};
use crate::helpers::*;
use reqwest::StatusCode;

fn with_recovery(s: &mut setpass::config::Settings) {
    s.self_enroll.enabled = true;
    s.self_enroll.per_user_per_minute = 1_000;
    s.recovery.enabled = true;
}

fn recover_form<'a>(user: &'a KeystoneUser, code: &'a str) -> [(&'static str, &'a str); 3] {
    [("user_name", user.name.as_str()), ("password", user.password.as_str()), ("recovery_code", code)]
}

#[tokio::test]
async fn the_recover_page_is_not_found_while_recovery_is_off() {
    let app = spawn_app_with(&closed_port_url(), |s| s.self_enroll.enabled = true).await;

    for method in ["GET", "POST", "PUT", "DELETE"] {
        let response = app
            .client
            .request(method.parse().unwrap(), format!("{}/recover", app.address))
            .form(&[("user_name", "someone"), ("password", "x"), ("recovery_code", "y")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} /recover");
    }
    let enroll = app.client.get(format!("{}/enroll", app.address)).send().await.unwrap();
    assert!(!enroll.text().await.unwrap().contains("/recover"), "no way to a page that is off");
}

#[tokio::test]
async fn the_recover_form_speaks_english_and_korean() {
    let app = spawn_app_with(&closed_port_url(), with_recovery).await;

    let english = app.client.get(format!("{}/recover", app.address)).send().await.unwrap();
    let korean = app
        .client
        .get(format!("{}/recover", app.address))
        .header("Accept-Language", "ko-KR,ko;q=0.9")
        .send()
        .await
        .unwrap();
    let other_method = app.client.delete(format!("{}/recover", app.address)).send().await.unwrap();
    let enroll = app.client.get(format!("{}/enroll?lang=ko", app.address)).send().await.unwrap();

    assert_eq!(english.status(), StatusCode::OK);
    let html = english.text().await.unwrap();
    for expected in [
        "<html lang=\"en\">",
        "Replace your authenticator app",
        "Lost your phone? Replace your authenticator app with your password and one of your recovery codes.",
        "autocomplete=\"username\"",
        "autocomplete=\"current-password\"",
        "<label for=\"recovery_code\">Recovery code</label>",
        "name=\"recovery_code\" autocomplete=\"off\"",
        "aria-describedby=\"recovery-code-hint\"",
        "one of the codes you saved when you set up your authenticator app",
        "action=\"/recover?lang=en\"",
    ] {
        assert!(html.to_lowercase().contains(&expected.to_lowercase()), "{expected} missing: {html}");
    }
    assert_eq!(korean.status(), StatusCode::OK);
    let html = korean.text().await.unwrap();
    assert!(html.contains("<html lang=\"ko\">") && html.contains("인증 앱 교체"), "{html}");
    assert!(html.contains("복구 코드") && html.contains("action=\"/recover?lang=ko\""), "{html}");
    assert_eq!(other_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    let html = enroll.text().await.unwrap();
    assert!(html.contains("href=\"/recover?lang=ko\""), "/enroll shows the way: {html}");
}

#[tokio::test]
async fn a_wrong_recovery_code_shows_the_recover_form_again_with_the_error_on_its_field() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app_with(&url, with_recovery), Keystone::connect(&url));
    let user = keystone.create_user().await;

    let page = app
        .client
        .post(format!("{}/recover?lang=en", app.address))
        .form(&recover_form(&user, "wrong-recovery-code"))
        .send()
        .await
        .unwrap();

    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = page.text().await.unwrap();
    assert!(html.contains("That recovery code is not right") && html.contains("role=\"alert\""), "{html}");
    assert!(
        html.contains("aria-describedby=\"form-error recovery-code-hint\" aria-invalid=\"true\" autofocus"),
        "the error is tied to the recovery-code field: {html}"
    );
    assert!(html.contains(&format!("value=\"{}\"", user.name)), "the user name is kept: {html}");
    assert!(!html.contains(&user.password), "the page never echoes the password");
    assert!(!html.contains("wrong-recovery-code"), "nor the recovery code");
}

#[tokio::test]
async fn with_only_recovery_on_the_code_form_answers_and_sends_a_stale_enrollment_to_recover() {
    let app = spawn_app_with(&closed_port_url(), |s| s.recovery.enabled = true).await;

    let enroll = app.client.get(format!("{}/enroll", app.address)).send().await.unwrap();
    let other_method = app.client.delete(format!("{}/enroll/totp", app.address)).send().await.unwrap();
    let stale = app
        .client
        .post(format!("{}/enroll/totp?lang=en", app.address))
        .form(&[("enrollment", "no-such-enrollment"), ("code", "123456")])
        .send()
        .await
        .unwrap();

    assert_eq!(enroll.status(), StatusCode::NOT_FOUND, "self-enrollment stays off");
    assert_eq!(other_method.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(stale.status(), StatusCode::NOT_FOUND);
    let html = stale.text().await.unwrap();
    assert!(html.contains("action=\"/recover?lang=en\""), "start again on /recover: {html}");
}

#[tokio::test]
async fn a_user_replaces_a_lost_authenticator_through_the_recover_forms() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app_with(&url, with_recovery), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let (lost, codes) = app.self_enroll_with_codes(&user).await;

    let qr_page = app
        .client
        .post(format!("{}/recover?lang=en", app.address))
        .form(&recover_form(&user, &codes[2]))
        .send()
        .await
        .unwrap();
    assert_eq!(qr_page.status(), StatusCode::OK);
    let html = qr_page.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("action=\"/enroll/totp?lang=en\""), "{html}");
    let (enrollment, secret) = (hidden_enrollment(&html), secret_on_page(&html));
    let done = app
        .client
        .post(format!("{}/enroll/totp?lang=en", app.address))
        .form(&[("enrollment", enrollment), ("code", code_now(&secret))])
        .send()
        .await
        .unwrap();

    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.unwrap();
    assert!(
        html.contains("Your authenticator app is set up") && html.contains("Your recovery codes"),
        "{html}"
    );
    let new_codes = codes_on_page(&html);
    assert_eq!(new_codes.len(), 10, "{html}");
    assert!(new_codes.iter().all(|code| !codes.contains(code)), "a new set: {new_codes:?}");
    assert_eq!(keystone.totp_credentials(&user.id).await, [secret.as_str()], "the lost one is gone");
    assert_ne!(lost, secret);
    assert_eq!(
        keystone.login_with_totp(&user.id, &user.password, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    let post = |code: &str| {
        let form = recover_form(&user, code).map(|(k, v)| (k, v.to_owned()));
        app.client.post(format!("{}/recover?lang=en", app.address)).form(&form).send()
    };
    assert_eq!(post(&codes[3]).await.unwrap().status(), StatusCode::FORBIDDEN, "the old set is dead");
    assert_eq!(post(&new_codes[0]).await.unwrap().status(), StatusCode::OK, "the new set works");
}

fn codes_on_page(html: &str) -> Vec<String> {
    html.split("<li><code>").skip(1).map(|rest| rest[..rest.find("</code>").unwrap()].to_owned()).collect()
}
