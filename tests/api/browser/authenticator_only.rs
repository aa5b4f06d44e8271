//! The authenticator-only link's pages in English and Korean, on a desktop and a 375 px phone:
//! "Confirm it's you" (PIN and current password, nothing else), a wrong password tied to its
//! field, the replacement's QR page, done with recovery codes, and "needs your administrator".
//! axe-core finds no WCAG 2.2 A/AA violation on any of them; screenshots of each.
use super::accessibility::{check, tied_to_the_error};
use super::chrome::Browser;
use super::{scan_qr, shown_key_matches};
use crate::helpers::*;
use serde_json::{json, Value};
use setpass::domain::Locale;
use setpass::text::{words, Phrase};

const PIN: &str = "8642";

#[tokio::test]
async fn the_authenticator_only_pages_are_accessible_in_both_languages_on_a_desktop() {
    let browser = Browser::desktop(1280, 900).await;
    authenticator_only_pages(&browser, "desktop").await;
    browser.quit().await;
}

#[tokio::test]
async fn the_authenticator_only_pages_are_accessible_in_both_languages_on_a_phone() {
    let browser = Browser::phone(375, 812).await;
    authenticator_only_pages(&browser, "phone").await;
    browser.quit().await;
}

async fn link(app: &TestApp, keystone: &Keystone, user: &KeystoneUser, locale: Locale) -> String {
    let body = json!({"pin": PIN, "authenticator_only": true, "locale": locale.tag()});
    let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    format!("{}/?token={}", app.address, body["token"].as_str().unwrap())
}

async fn confirm(browser: &Browser, password: &str) {
    browser.fill_id("pin", PIN).await;
    browser.fill_id("password", password).await;
    browser.submit().await;
}

async fn authenticator_only_pages(browser: &Browser, screen: &str) {
    let url = keystone_url();
    let (app, keystone) = app_and_keystone(&url, &url).await;
    let mut checked = Vec::new();
    for locale in Locale::ALL {
        let heading = |phrase| words(locale).phrase(phrase);
        let user = keystone.create_user().await;
        browser.client.goto(&link(&app, &keystone, &user, locale).await).await.unwrap();
        browser.wait_for_heading(heading(Phrase::TitleConfirm)).await;
        let only = "return [...document.querySelectorAll('form input:not([hidden])')].map(i => i.name)";
        assert_eq!(
            browser.js(only).await,
            json!(["pin", "password"]),
            "the PIN and the password, nothing else"
        );
        let rules = browser.js("return document.getElementById('password-rules') === null").await;
        assert_eq!(rules, json!(true), "no password rules for a password that stays");
        check(browser, locale, screen, "authenticator-only-confirm", &mut checked).await;

        confirm(browser, "not-the-password-1").await;
        browser.wait_for_heading(heading(Phrase::TitleConfirm)).await;
        browser.wait_for_focus("password").await;
        assert_eq!(tied_to_the_error(browser, "password").await, (json!("true"), true));
        check(browser, locale, screen, "authenticator-only-wrong-password", &mut checked).await;

        confirm(browser, &user.password).await;
        browser.wait_for_heading(heading(Phrase::TitleTotp)).await;
        assert!(browser.page_text().await.contains(heading(Phrase::TotpIntroReplace)));
        check(browser, locale, screen, "authenticator-only-qr", &mut checked).await;
        let scanned =
            scan_qr(browser, &format!("a11y-{screen}-{}-authenticator-only-scan", locale.tag())).await;
        let secret = shown_key_matches(browser, &scanned, &user.name).await;

        browser.fill_id("code", &code_now(&secret)).await;
        browser.submit().await;
        browser.wait_for_heading(heading(Phrase::TitleAllSet)).await;
        assert!(browser.page_text().await.contains(heading(Phrase::DoneReplacedHowTo)));
        let codes = browser.js("return document.querySelectorAll('ol.codes code').length").await;
        assert_eq!(codes, json!(10), "the done page shows the recovery codes");
        check(browser, locale, screen, "authenticator-only-done", &mut checked).await;

        // MFA rules on and no service credential: the operator must act; the password stays.
        let user = keystone.create_user_with_mfa_rules(json!([["password", "totp"]])).await;
        browser.client.goto(&link(&app, &keystone, &user, locale).await).await.unwrap();
        confirm(browser, &user.password).await;
        browser.wait_for_heading(heading(Phrase::TitleAlmostDone)).await;
        assert!(browser.page_text().await.contains(heading(Phrase::NeedsOperatorReplace)));
        check(browser, locale, screen, "authenticator-only-needs-operator", &mut checked).await;
    }
    assert_eq!(checked.len(), 10, "{checked:?}");
}
