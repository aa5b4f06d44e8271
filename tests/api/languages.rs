//! One link, one language: the admin's choice, else the browser's, else the default; pages,
//! errors, the JSON API and the mail; and the password rules shown before the user types.
use crate::helpers::*;
use crate::sinks::SmtpSink;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PIN: &str = "2468";

async fn link_in(app: &TestApp, keystone: &Keystone, user: &KeystoneUser, locale: Option<&str>) -> String {
    let mut body = json!({"password": user.password, "pin": PIN});
    if let Some(locale) = locale {
        body["locale"] = json!(locale);
    }
    let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn page_with(app: &TestApp, query: &str, accept_language: Option<&str>) -> (StatusCode, String) {
    let mut request = app.client.get(format!("{}/?{query}", app.address));
    if let Some(value) = accept_language {
        request = request.header("Accept-Language", value);
    }
    let response = request.send().await.unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_link_issued_in_korean_speaks_korean_and_offers_english() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = link_in(&app, &keystone, &user, Some("ko")).await;

    // The browser asks for English, but the admin chose Korean for this link.
    let (status, html) = page_with(&app, &format!("token={token}"), Some("en-US,en;q=0.9")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<html lang=\"ko\">") && html.contains("<h1>비밀번호 설정</h1>"), "{html}");
    let english = format!("href=\"/?token={token}&amp;lang=en\"");
    assert!(html.contains(&english) && html.contains(">English</a>"), "no switch to English in {html}");

    let (_, html) = page_with(&app, &format!("token={token}&lang=en"), None).await;
    assert!(html.contains("<html lang=\"en\">") && html.contains("<h1>Choose your password</h1>"), "{html}");
    assert!(html.contains(&format!("action=\"/?token={token}&amp;lang=en\"")), "the form keeps the language");
    assert!(html.contains(">한국어</a>"), "{html}");
}

#[tokio::test]
async fn a_locale_setpass_does_not_speak_is_refused_naming_the_ones_it_does_and_nothing_is_written() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let body = json!({"password": user.password, "pin": PIN, "locale": "fr"});

    let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let message = response.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("`locale`") && message.contains("en, ko"), "{message}");
    assert_eq!(app.get_token(&user.id, &keystone.admin_token).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_a_locale_the_browser_decides_and_then_the_configured_default() {
    let url = keystone_url();
    let (app, korean_default, keystone) = tokio::join!(
        spawn_app(&url),
        spawn_app_with(&url, |s| s.onboarding.default_locale = setpass::domain::Locale::Ko),
        Keystone::connect(&url)
    );
    let user = keystone.create_user().await;
    let token = link_in(&app, &keystone, &user, None).await;
    let query = format!("token={token}");

    let (_, html) = page_with(&app, &query, Some("fr-FR, ko;q=0.8, en;q=0.5")).await;
    assert!(html.contains("<html lang=\"ko\">"), "Korean is liked better than English: {html}");
    let (_, html) = page_with(&app, &query, Some("fr-FR")).await;
    assert!(html.contains("<html lang=\"en\">"), "the default is English: {html}");

    let (_, html) = page_with(&korean_default, "token=not-a-token", Some("de")).await;
    assert!(html.contains("<html lang=\"ko\">") && html.contains("이메일의 링크를 다시 열어"), "{html}");
}

#[tokio::test]
async fn the_json_api_answers_in_the_links_language() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = link_in(&app, &keystone, &user, Some("ko")).await;

    let response = app.submit_password(&token, "1111", "korean-chosen-pw-1").await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["message"], "PIN이 올바르지 않습니다. 2번 더 시도할 수 있습니다.");
}

#[tokio::test]
async fn the_link_mail_is_written_in_the_links_language() {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let (app, keystone) =
        tokio::join!(spawn_app_with(&url, |s| s.email = sink.settings()), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let body = json!({"password": user.password, "pin": PIN, "locale": "ko", "email": "ko@example.test"});

    let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let mail = &sink.wait_for(1).await[0];
    assert_eq!(mail["headers"]["subject"], "OpenStack 계정을 설정해 주십시오");
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("{} 님, 안녕하십니까.", user.name)) && text.contains("1일 뒤에 만료됩니다"),
        "{text}"
    );
    assert!(text.contains("관리자에게"), "the default contact is said in Korean: {text}");
    let html = mail["html"].as_str().unwrap();
    assert!(html.contains("<html lang=\"ko\">") && html.contains("내 계정 설정하기"), "{html}");
}

#[tokio::test]
async fn the_slow_down_page_speaks_the_browsers_language() {
    let app = spawn_app_with(&closed_port_url(), |s| {
        s.limits.user_per_minute = 1;
        s.limits.user_burst = 1;
    })
    .await;
    let mut last = (StatusCode::OK, String::new());
    for _ in 0..3 {
        last = page_with(&app, "token=x", Some("ko-KR,ko;q=0.9")).await;
    }
    assert_eq!(last.0, StatusCode::TOO_MANY_REQUESTS);
    assert!(last.1.contains("<html lang=\"ko\">") && last.1.contains("요청이 너무 많습니다"), "{}", last.1);
}

#[tokio::test]
async fn step_one_shows_keystones_password_rule_and_the_byte_limit_before_the_user_types() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    // A user outside the default domain: Keystone describes its rule only for the default one.
    let domain = keystone.create_domain().await;
    let user = keystone.create_user_in(&domain).await;
    let token = link_in(&app, &keystone, &user, None).await;

    let (_, html) = page_with(&app, &format!("token={token}"), None).await;

    assert!(html.contains("aria-describedby=\"password-rules\""), "{html}");
    assert!(html.contains("At least 8 characters.") && html.contains("At most 72 bytes"), "{html}");
    assert!(
        html.contains("The cloud&#39;s own rule: Passwords must contain at least one digit")
            || html.contains("The cloud's own rule: Passwords must contain at least one digit"),
        "Keystone's password_regex_description is not on the page: {html}"
    );
    let status = app.api("status", json!({"token": token})).await.json::<Value>().await.unwrap();
    assert!(
        status["password_rules"].as_str().unwrap_or("").starts_with("Passwords must contain"),
        "{status}"
    );
}

#[tokio::test]
async fn a_password_keystone_would_cut_at_72_bytes_is_refused_and_the_account_is_untouched() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = link_in(&app, &keystone, &user, Some("en")).await;
    // 70 ASCII bytes and one Hangul syllable (3 bytes): 73 bytes, 71 characters.
    let long = format!("{}1가", "a".repeat(69));

    let response = app.submit_password(&token, PIN, &long).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let message = response.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("first 72 bytes"), "{message}");
    assert_eq!(keystone.login_with_password(&user.id, &user.password).await, StatusCode::CREATED);
    let status = app.api("status", json!({"token": token})).await.json::<Value>().await.unwrap();
    assert_eq!((status["stage"].as_str(), status["attempts_left"].as_u64()), (Some("password"), Some(3)));
    // 72 bytes exactly is fine.
    let fits = format!("{}1가", "a".repeat(68));
    assert_eq!(app.submit_password(&token, PIN, &fits).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn when_keystone_describes_no_rule_the_page_shows_only_setpasss_own() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    let keystone = crate::standin::keystone_with_admin(std::time::Duration::ZERO).await;
    Mock::given(method("GET"))
        .and(path("/v3/domains/default/config/security_compliance"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"config": {"security_compliance": {}}})),
        )
        .expect(1)
        .mount(&keystone)
        .await;
    let app = spawn_app(&format!("{}/v3", keystone.uri())).await;
    let body = json!({"password": "Random-pw-1", "pin": PIN});
    let response = app.put_token(crate::standin::USER, "admin-token", Some(body)).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let token = response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();

    let (_, html) = page_with(&app, &format!("token={token}"), None).await;

    assert!(html.contains("At least 8 characters."), "{html}");
    assert!(!html.contains("own rule"), "{html}");
}
