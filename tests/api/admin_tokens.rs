//! Every kind of admin token a cloud hands out, through reqwest and through keystoneauth1 (the
//! Python client the original setpass README shows): project, system, unscoped, domain admins.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn setup() -> (TestApp, Keystone) {
    app_and_keystone(&keystone_url(), &keystone_url()).await
}

#[tokio::test]
async fn an_unscoped_admin_token_is_rescoped_to_the_admin_project_and_accepted() {
    let (app, keystone) = setup().await;
    let (_admin, unscoped) = keystone.unscoped_token_of_admin_project("admin").await;
    let user = keystone.create_user().await;

    let issued = app.put_token(&user.id, &unscoped, Some(new_record_body(&user))).await;

    assert_eq!(issued.status(), StatusCode::CREATED);
    assert_eq!(app.get_token(&user.id, &unscoped).await.status(), StatusCode::OK);
    assert_eq!(app.delete_token(&user.id, &unscoped).await.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn an_unscoped_token_of_a_member_of_the_admin_project_is_refused() {
    let (app, keystone) = setup().await;
    let (_member, unscoped) = keystone.unscoped_token_of_admin_project("member").await;
    let user = keystone.create_user().await;
    let other = keystone.create_user().await;
    app.new_link(&keystone, &other, "1234").await;

    let response = app.put_token(&user.id, &unscoped, Some(new_record_body(&user))).await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get_token(&user.id, &keystone.admin_token).await.status(),
        StatusCode::NOT_FOUND,
        "nothing issued"
    );
    assert_eq!(app.get_token(&other.id, &unscoped).await.status(), StatusCode::FORBIDDEN, "nor shown");
    assert_eq!(app.delete_token(&other.id, &unscoped).await.status(), StatusCode::FORBIDDEN, "nor revoked");
}

#[tokio::test]
async fn a_domain_manager_manages_links_for_users_of_their_own_domain_only() {
    let (app, keystone) = setup().await;
    let domain = keystone.create_domain().await;
    let manager = keystone.domain_token_with_role(&domain, "manager").await;
    let own = keystone.create_user_in(&domain).await;
    let other = keystone.create_user().await;
    app.new_link(&keystone, &other, "1234").await;

    assert_eq!(
        app.put_token(&own.id, &manager, Some(new_record_body(&own))).await.status(),
        StatusCode::CREATED
    );
    assert_eq!(app.get_token(&own.id, &manager).await.status(), StatusCode::OK);
    assert_eq!(app.delete_token(&own.id, &manager).await.status(), StatusCode::NO_CONTENT);

    let outside = app.put_token(&other.id, &manager, Some(new_record_body(&other))).await;
    assert_eq!(outside.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_token(&other.id, &manager).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.delete_token(&other.id, &manager).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get_token(&other.id, &keystone.admin_token).await.status(), StatusCode::OK, "still there");
    let missing = app
        .put_token(
            "0123456789abcdef0123456789abcdef",
            &manager,
            Some(json!({"password": "x-1234567", "pin": "1234"})),
        )
        .await;
    assert_eq!(missing.status(), StatusCode::FORBIDDEN, "a domain admin is not told which users exist");
}

#[tokio::test]
async fn a_domain_admin_is_accepted_and_a_domain_member_is_not() {
    let (app, keystone) = setup().await;
    let domain = keystone.create_domain().await;
    let admin = keystone.domain_token_with_role(&domain, "admin").await;
    let member = keystone.domain_token_with_role(&domain, "member").await;
    let user = keystone.create_user_in(&domain).await;
    let other = keystone.create_user().await;
    // Keystone lets a domain admin read users of every domain; setpass lets them act in theirs only.
    let outside = app.put_token(&other.id, &admin, Some(new_record_body(&other))).await;
    assert_eq!(outside.status(), StatusCode::FORBIDDEN);

    assert_eq!(
        app.put_token(&user.id, &member, Some(new_record_body(&user))).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.put_token(&user.id, &admin, Some(new_record_body(&user))).await.status(),
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn domain_admins_are_off_when_no_roles_are_configured() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(
        spawn_app_with(&url, |s| s.keystone.domain_admin_roles = vec![]),
        Keystone::connect(&url)
    );
    let domain = keystone.create_domain().await;
    let manager = keystone.domain_token_with_role(&domain, "manager").await;
    let user = keystone.create_user_in(&domain).await;

    assert_eq!(
        app.put_token(&user.id, &manager, Some(new_record_body(&user))).await.status(),
        StatusCode::FORBIDDEN
    );
}

/// Runs the original README's keystoneauth1 client code against the app; returns the status.
async fn keystoneauth_put(app: &TestApp, user: &KeystoneUser, auth: &str) -> u16 {
    let script = format!(
        r#"
import sys
from keystoneauth1.identity import v3
from keystoneauth1 import session
auth = v3.Password({auth})
sess = session.Session(auth=auth)
r = sess.put('{address}/token/{user_id}', json={{'password': '{password}', 'pin': '2468'}}, raise_exc=False)
print(r.status_code)
"#,
        address = app.address,
        user_id = user.id,
        password = user.password,
    );
    let python = test_python();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python).arg("-c").arg(script).output()
    })
    .await
    .unwrap()
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "python: {}", String::from_utf8_lossy(&output.stderr));
    stdout.trim().parse().unwrap()
}

fn password_auth(url: &str, user: &KeystoneUser, user_domain: &str, scope: &str) -> String {
    format!(
        "auth_url='{url}', username='{}', password='{}', user_domain_id='{user_domain}'{scope}",
        user.name, user.password
    )
}

#[tokio::test]
async fn keystoneauth_sessions_of_every_admin_kind_work_and_others_are_refused() {
    let url = keystone_url();
    let (app, keystone) = setup().await;
    let admin = KeystoneUser {
        id: String::new(),
        name: "admin".into(),
        password: std::env::var("SETPASS_TEST_KEYSTONE_ADMIN_PASSWORD")
            .unwrap_or_else(|_| "admin-secret-pw-1".into()),
    };
    let (member, _) = keystone.unscoped_token_of_admin_project("member").await;
    let domain = keystone.create_domain().await;
    let manager = keystone.domain_user_with_role(&domain, "manager").await;
    let domain_admin = keystone.domain_user_with_role(&domain, "admin").await;
    let on_domain = format!(", domain_id='{domain}'");
    let admin_project = ", project_name='admin', project_domain_id='default'";
    // (who, keystoneauth arguments, the user to onboard is in `domain`, expected status)
    let cases = [
        ("unscoped admin (the README's code)", password_auth(&url, &admin, "default", ""), false, 201),
        ("project admin", password_auth(&url, &admin, "default", admin_project), false, 201),
        ("system admin", password_auth(&url, &admin, "default", ", system_scope='all'"), false, 201),
        ("unscoped member", password_auth(&url, &member, "default", ""), false, 403),
        ("domain manager, own domain", password_auth(&url, &manager, &domain, &on_domain), true, 201),
        ("domain manager, other domain", password_auth(&url, &manager, &domain, &on_domain), false, 403),
        ("domain admin, own domain", password_auth(&url, &domain_admin, &domain, &on_domain), true, 201),
        ("domain admin, other domain", password_auth(&url, &domain_admin, &domain, &on_domain), false, 403),
    ];
    for (who, auth, in_domain, expected) in cases {
        let user =
            if in_domain { keystone.create_user_in(&domain).await } else { keystone.create_user().await };
        assert_eq!(keystoneauth_put(&app, &user, &auth).await, expected, "{who}");
    }
}

#[tokio::test]
async fn a_token_longer_than_any_keystone_token_is_refused_without_asking_keystone() {
    let (app, _keystone) = setup().await;
    let junk = "g".repeat(1900);

    let response = app.put_token("0123456789abcdef0123456789abcdef", &junk, Some(json!({}))).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], 401);
    let metrics =
        app.client.get(format!("{}/metrics", app.address)).send().await.unwrap().text().await.unwrap();
    assert!(!metrics.contains("operation=\"token validation\""), "Keystone was not asked");
}

/// Sends `PUT {path}` as written (an HTTP client would resolve dot segments before sending).
async fn raw_put(address: &str, path: &str, token: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address.trim_start_matches("http://")).await.unwrap();
    let request = format!(
        "PUT {path} HTTP/1.1\r\nHost: setpass\r\nX-Auth-Token: {token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    answer.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn dot_segment_user_ids_are_refused_before_keystone_is_asked() {
    let (app, keystone) = setup().await;
    for path in ["/token/%2E", "/token/%2E%2E", "/token/.%2e", "/token/..", "/token/."] {
        let status_line = raw_put(&app.address, path, &keystone.admin_token).await;
        assert!(status_line.contains(" 400 "), "{path}: {status_line}");
    }
}
