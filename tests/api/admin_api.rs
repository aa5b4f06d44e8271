//! The admin token API against a real Keystone.
use crate::helpers::*;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn setup() -> (TestApp, Keystone) {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    (app, keystone)
}

#[tokio::test]
async fn an_admin_of_the_admin_project_gets_a_one_time_link() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;

    let response = app.put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user))).await;

    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    let token = body["token"].as_str().unwrap();
    assert_eq!(body["user_id"], user.id.as_str());
    assert_eq!(token.len(), 43);
    assert_eq!(body["url"], format!("{PUBLIC_URL}/?token={token}"));
    let expires: DateTime<Utc> = body["expires_at"].as_str().unwrap().parse().unwrap();
    let expected = setpass::clock::Clock::now(&app.clock) + Duration::hours(24);
    assert!((expires - expected).num_seconds().abs() <= 1, "expires_at {expires} vs {expected}");
    assert!(app.link_is_live(token).await);
}

#[tokio::test]
async fn a_system_scoped_admin_token_is_accepted() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let system_token = keystone.system_admin_token().await;

    let response = app.put_token(&user.id, &system_token, Some(new_record_body(&user))).await;

    assert_eq!(response.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn a_member_of_the_admin_project_is_refused() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let member_token = keystone.admin_project_token_with_role("member").await;

    let response = app.put_token(&user.id, &member_token, Some(new_record_body(&user))).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 403);
    assert_eq!(body["error"]["title"], "Forbidden");
    assert!(body["error"]["message"].as_str().unwrap().contains("`admin` role"));
    assert_eq!(app.get_token(&user.id, &keystone.admin_token).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_request_without_a_token_is_refused_with_401() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;

    let response = app
        .client
        .put(format!("{}/token/{}", app.address, user.id))
        .json(&new_record_body(&user))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("X-Auth-Token"));
}

#[tokio::test]
async fn a_garbage_token_is_refused_with_401() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;

    let response = app.put_token(&user.id, "not-a-real-token", Some(new_record_body(&user))).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unknown_user_gets_404() {
    let (app, keystone) = setup().await;

    let response = app
        .put_token(
            "0123456789abcdef0123456789abcdef",
            &keystone.admin_token,
            Some(json!({"password": "x-1-secret", "pin": "1234"})),
        )
        .await;

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("no user"));
}

#[tokio::test]
async fn a_malformed_user_id_gets_400_without_asking_keystone() {
    // Keystone is unreachable here: had the app asked it, the answer would be 503.
    let app = spawn_app(&closed_port_url()).await;
    for bad in ["has%20space", &"a".repeat(65), "semi;colon", "%C3%BC"] {
        let response =
            app.put_token(bad, "some-token", Some(json!({"password": "p-1", "pin": "1234"}))).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    let response = app.put_token("", "some-token", None).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_new_record_without_a_pin_or_password_gets_400_naming_it() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;

    for (body, missing) in [
        (json!({"password": user.password}), "`pin`"),
        (json!({"pin": "1234"}), "`password`"),
        (json!({}), "`pin` and `password`"),
    ] {
        let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains(missing), "{body}");
    }
    assert_eq!(app.get_token(&user.id, &keystone.admin_token).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_bodies_get_a_clear_400_413_or_415() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let cases = [
        (json!({"password": "p-1", "pin": "12a4"}), "exactly 4 digits"),
        (json!({"password": "p-1", "pin": "12345"}), "exactly 4 digits"),
        (json!({"password": "p-1", "pin": 1234}), "`pin`: wrong type"),
        (json!({"password": "p-1", "pin": "1234", "mail": "x"}), "unknown field `mail`"),
        (json!({"password": "", "pin": "1234"}), "password is empty"),
    ];
    for (body, expected) in cases {
        let response = app.put_token(&user.id, &keystone.admin_token, Some(body.clone())).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let text = response.text().await.unwrap();
        assert!(text.contains(expected), "{body}: {text}");
        assert!(!text.contains("1234"), "the error echoes the PIN: {text}");
    }
    let huge = app
        .client
        .put(format!("{}/token/{}", app.address, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .header("Content-Type", "application/json")
        .body(format!("{{\"password\": \"{}\"}}", "x".repeat(70_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let form = app
        .client
        .put(format!("{}/token/{}", app.address, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("pin=1234")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn renewing_a_token_invalidates_the_old_link() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let first: Value = app
        .put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user)))
        .await
        .json()
        .await
        .unwrap();
    app.clock.advance(Duration::hours(2));

    let response = app.put_token(&user.id, &keystone.admin_token, None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let second: Value = response.json().await.unwrap();
    assert_ne!(first["token"], second["token"]);
    assert!(!app.link_is_live(first["token"].as_str().unwrap()).await);
    assert!(app.link_is_live(second["token"].as_str().unwrap()).await);
    let renewed: DateTime<Utc> = second["expires_at"].as_str().unwrap().parse().unwrap();
    let original: DateTime<Utc> = first["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!((renewed - original).num_hours(), 2, "expiry restarts from the renewal");
}

#[tokio::test]
async fn renewal_accepts_an_empty_object_and_a_new_pin_alone() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    app.put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user))).await;

    assert_eq!(
        app.put_token(&user.id, &keystone.admin_token, Some(json!({}))).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.put_token(&user.id, &keystone.admin_token, Some(json!({"pin": "9876"}))).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn accept_text_plain_answers_the_bare_token() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;

    let response = app
        .client
        .put(format!("{}/token/{}", app.address, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .header("Accept", "text/plain")
        .json(&new_record_body(&user))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let token = response.text().await.unwrap();
    assert_eq!(token.len(), 43);
    assert!(app.link_is_live(&token).await);
}

#[tokio::test]
async fn the_status_shows_the_stage_and_attempts_but_no_secret() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let issued: Value = app
        .put_token(&user.id, &keystone.admin_token, Some(json!({"password": user.password, "pin": "4321"})))
        .await
        .json()
        .await
        .unwrap();

    let response = app.get_token(&user.id, &keystone.admin_token).await;

    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["user_id"], user.id.as_str());
    assert_eq!(body["stage"], "password");
    assert_eq!(body["attempts_left"], 3);
    assert_eq!(body["locked"], false);
    assert_eq!(body["expires_at"], issued["expires_at"]);
    for key in ["created_at", "updated_at"] {
        assert!(body[key].is_string(), "{key}");
    }
    for secret in [issued["token"].as_str().unwrap(), "4321", &user.password] {
        assert!(!text.contains(secret), "status leaks a secret: {text}");
    }
}

#[tokio::test]
async fn the_status_reports_an_expired_link_by_the_injected_clock() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    app.put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user))).await;
    app.clock.advance(Duration::hours(25));

    let body: Value = app.get_token(&user.id, &keystone.admin_token).await.json().await.unwrap();

    assert_eq!(body["expired"], true);
}

#[tokio::test]
async fn delete_revokes_the_link_and_a_second_delete_is_404() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let issued: Value = app
        .put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user)))
        .await
        .json()
        .await
        .unwrap();

    assert_eq!(app.delete_token(&user.id, &keystone.admin_token).await.status(), StatusCode::NO_CONTENT);

    assert!(!app.link_is_live(issued["token"].as_str().unwrap()).await);
    assert_eq!(app.get_token(&user.id, &keystone.admin_token).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.delete_token(&user.id, &keystone.admin_token).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn status_and_delete_need_an_admin_too() {
    let (app, keystone) = setup().await;
    let user = keystone.create_user().await;
    let member_token = keystone.admin_project_token_with_role("member").await;

    assert_eq!(app.get_token(&user.id, &member_token).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.delete_token(&user.id, &member_token).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn keystone_unreachable_gets_503_and_nothing_is_stored() {
    let app = spawn_app(&closed_port_url()).await;

    let response = app
        .put_token(
            "0123456789abcdef0123456789abcdef",
            "any-token",
            Some(json!({"password": "p-1", "pin": "1234"})),
        )
        .await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("Keystone"));
    let store = app.database.store();
    let id = setpass::domain::UserId::parse("0123456789abcdef0123456789abcdef").unwrap();
    assert!(store.find(&id).await.unwrap().is_none());
}

#[tokio::test]
async fn links_work_on_a_keystone_that_expires_new_passwords() {
    let url = first_use_keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;

    let response = app.put_token(&user.id, &keystone.admin_token, Some(new_record_body(&user))).await;

    assert_eq!(response.status(), StatusCode::CREATED);
}
