//! Self-enrollment's HTML pages (`/enroll`): off by default, the sign-in form in both languages,
//! a wrong password, and the whole way through the forms to a working authenticator.
use crate::helpers::*;
use reqwest::StatusCode;

async fn enrolling_app(url: &str) -> TestApp {
    spawn_app_with(url, |s| s.self_enroll.enabled = true).await
}

pub(crate) fn hidden_enrollment(html: &str) -> String {
    let marker = "name=\"enrollment\" value=\"";
    let start = html.find(marker).expect("the enrollment in a hidden field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

pub(crate) fn secret_on_page(html: &str) -> String {
    let start = html.find("<p class=\"secret\">").expect("secret on page") + "<p class=\"secret\">".len();
    html[start..start + html[start..].find("</p>").unwrap()].replace(' ', "")
}

#[tokio::test]
async fn the_enroll_pages_are_not_found_while_self_enrollment_is_off() {
    let app = spawn_app(&closed_port_url()).await;

    for (method, path) in
        [("GET", "/enroll"), ("POST", "/enroll"), ("POST", "/enroll/totp"), ("PUT", "/enroll")]
    {
        let response = app
            .client
            .request(method.parse().unwrap(), format!("{}{path}", app.address))
            .form(&[("user_name", "someone"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{method} {path}");
    }
}

#[tokio::test]
async fn the_sign_in_form_speaks_english_and_korean() {
    let app = enrolling_app(&closed_port_url()).await;

    let english = app.client.get(format!("{}/enroll", app.address)).send().await.unwrap();
    let korean = app
        .client
        .get(format!("{}/enroll", app.address))
        .header("Accept-Language", "ko-KR,ko;q=0.9")
        .send()
        .await
        .unwrap();
    let other_method = app.client.delete(format!("{}/enroll", app.address)).send().await.unwrap();

    assert_eq!(english.status(), StatusCode::OK);
    let html = english.text().await.unwrap();
    for expected in [
        "<html lang=\"en\">",
        "Add an authenticator app",
        "autocomplete=\"username\"",
        "autocomplete=\"current-password\"",
        "action=\"/enroll?lang=en\"",
        "does not store it",
    ] {
        assert!(html.contains(expected), "{expected} missing: {html}");
    }
    assert!(!html.contains("<select"), "one domain offered: no choice to make");
    assert_eq!(korean.status(), StatusCode::OK);
    let html = korean.text().await.unwrap();
    assert!(html.contains("<html lang=\"ko\">") && html.contains("인증 앱 등록"), "{html}");
    assert!(html.contains("action=\"/enroll?lang=ko\""), "the form keeps the language: {html}");
    assert_eq!(other_method.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn a_wrong_password_shows_the_sign_in_form_again_with_the_error() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(enrolling_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;

    let page = app
        .client
        .post(format!("{}/enroll?lang=ko", app.address))
        .form(&[("user_name", user.name.as_str()), ("password", "not-the-password-1")])
        .send()
        .await
        .unwrap();

    assert_eq!(page.status(), StatusCode::UNAUTHORIZED);
    let html = page.text().await.unwrap();
    assert!(html.contains("사용자 이름 또는 비밀번호가 올바르지 않습니다"), "{html}");
    assert!(html.contains("role=\"alert\""), "{html}");
    assert!(html.contains(&format!("value=\"{}\"", user.name)), "the user name is kept: {html}");
    assert!(!html.contains("not-the-password-1"), "the page never echoes the password");
}

#[tokio::test]
async fn a_user_enrolls_an_authenticator_through_the_enroll_forms() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(enrolling_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;

    let qr_page = app
        .client
        .post(format!("{}/enroll?lang=en", app.address))
        .form(&[("user_name", user.name.as_str()), ("password", user.password.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(qr_page.status(), StatusCode::OK);
    let html = qr_page.text().await.unwrap();
    assert!(html.contains("<svg") && html.contains("autocomplete=\"one-time-code\""), "{html}");
    let (enrollment, secret) = (hidden_enrollment(&html), secret_on_page(&html));
    let post_code = |code: String| {
        let form = [("enrollment", enrollment.clone()), ("code", code)];
        app.client.post(format!("{}/enroll/totp?lang=en", app.address)).form(&form).send()
    };

    let right: u32 = code_now(&secret).parse().unwrap();
    let wrong = post_code(format!("{:06}", (right + 1) % 1_000_000)).await.unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let html = wrong.text().await.unwrap();
    assert!(html.contains("That code is not right") && html.contains("<svg"), "the QR code again: {html}");
    assert_eq!(secret_on_page(&html), secret);

    let done = post_code(code_now(&secret)).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Your authenticator app is set up"));
    assert_eq!(
        keystone.login_with_totp(&user.id, &user.password, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    let again = post_code(code_now(&secret)).await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND, "the enrollment is over");
    assert!(again.text().await.unwrap().contains("name=\"user_name\""), "back to signing in");
}
