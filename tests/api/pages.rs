//! The user's HTML pages: the whole flow through forms, and the pages for unusable links.
use crate::helpers::*;
use reqwest::StatusCode;

const NEW_PASSWORD: &str = "my-own-password-42";

/// The secret as the page shows it for typing by hand, without the spaces.
fn secret_on_page(html: &str) -> String {
    let start = html.find("<p class=\"secret\">").expect("secret on page") + "<p class=\"secret\">".len();
    let end = start + html[start..].find("</p>").unwrap();
    html[start..end].replace(' ', "")
}

#[tokio::test]
async fn a_user_completes_onboarding_through_the_html_forms() {
    let url = first_use_keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "8642").await;

    let first = app.page(&token).await;
    assert_eq!(first.status(), StatusCode::OK);
    let html = first.text().await.unwrap();
    for expected in [
        "Step 1 of 2",
        "name=\"pin\"",
        "name=\"confirm_password\"",
        "autocomplete=\"new-password\"",
        "OpenStack",
    ] {
        assert!(html.contains(expected), "{expected} missing: {html}");
    }

    let totp_page = app
        .post_form(&token, &[("pin", "8642"), ("password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)])
        .await;
    assert_eq!(totp_page.status(), StatusCode::OK);
    let html = totp_page.text().await.unwrap();
    assert!(
        html.contains("Step 2 of 2")
            && html.contains("<svg")
            && html.contains("autocomplete=\"one-time-code\""),
        "{html}"
    );
    let secret = secret_on_page(&html);
    assert!(
        html.contains(&format!(
            "otpauth://totp/OpenStack:{}?secret={secret}&amp;issuer=OpenStack",
            user.name
        )),
        "{html}"
    );

    let done = app.post_form(&token, &[("code", &code_now(&secret))]).await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("You're all set"));
    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.login_with_password(&user.id, &user.password).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.page(&token).await.status(), StatusCode::GONE, "the used link is dead");
}

#[tokio::test]
async fn a_wrong_pin_shows_the_form_again_with_the_attempts_left() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "8642").await;

    let page = app
        .post_form(&token, &[("pin", "1111"), ("password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)])
        .await;

    assert_eq!(page.status(), StatusCode::FORBIDDEN);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("The PIN is not right. 2 attempts left.") && html.contains("name=\"pin\""),
        "{html}"
    );
    assert!(!html.contains(NEW_PASSWORD), "the page never echoes the password");
}

#[tokio::test]
async fn unusable_links_get_pages_that_say_what_to_do() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "8642").await;
    for pin in ["0001", "0002", "0003"] {
        app.post_form(
            &token,
            &[("pin", pin), ("password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)],
        )
        .await;
    }

    let locked = app.page(&token).await;
    assert_eq!(locked.status(), StatusCode::LOCKED);
    assert!(locked.text().await.unwrap().contains("Ask your administrator for a new one"));
    let unknown = app.page("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert!(unknown.text().await.unwrap().contains("not valid"));
    let bare = app.client.get(format!("{}/", app.address)).send().await.unwrap();
    assert_eq!(bare.status(), StatusCode::BAD_REQUEST);
    assert!(bare.text().await.unwrap().contains("link from your email"));
    let garbage = app.page("not%20a%20token").await;
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_stylesheet_is_served_by_the_service_itself() {
    let app = spawn_app(&closed_port_url()).await;

    let css = app.client.get(format!("{}/static/style.css", app.address)).send().await.unwrap();

    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
}

#[tokio::test]
async fn two_submissions_of_the_same_form_at_once_both_land_on_the_next_step() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, "8642").await;
    let form = [("pin", "8642"), ("password", NEW_PASSWORD), ("confirm_password", NEW_PASSWORD)];

    let (a, b) = tokio::join!(app.post_form(&token, &form), app.post_form(&token, &form));

    for response in [a, b] {
        assert_eq!(response.status(), StatusCode::OK);
        let html = response.text().await.unwrap();
        assert!(html.contains("Step 2 of 2"), "{html}");
    }
    assert_eq!(keystone.login_with_password(&user.id, NEW_PASSWORD).await, StatusCode::CREATED);
}
