//! Every page a user can reach, in English and Korean, on a desktop and a 375 px phone: axe-core
//! finds no WCAG 2.2 A/AA violation, `<html lang>` is the page's language, and an error is tied
//! to its field and focused without script.
use super::chrome::Browser;
use super::{scan_qr, shown_key_matches};
use crate::helpers::*;
use crate::sinks::SmtpSink;
use chrono::Duration;
use serde_json::{json, Value};
use setpass::domain::Locale;
use setpass::text::{words, Phrase};

const PIN: &str = "8642";
const NEW_PASSWORD: &str = "axe-chosen-pw-7";

#[tokio::test]
async fn every_page_is_accessible_in_both_languages_on_a_desktop() {
    let browser = Browser::desktop(1280, 900).await;
    every_page_is_accessible(&browser, "desktop").await;
    browser.quit().await;
}

#[tokio::test]
async fn every_page_is_accessible_in_both_languages_on_a_phone() {
    let browser = Browser::phone(375, 812).await;
    every_page_is_accessible(&browser, "phone").await;
    browser.quit().await;
}

/// Checks the page shown: its language, then axe. Saves a screenshot named after it.
pub(super) async fn check(
    browser: &Browser,
    locale: Locale,
    screen: &str,
    page: &str,
    checked: &mut Vec<String>,
) {
    let lang = browser.js("return document.documentElement.lang").await;
    assert_eq!(lang, json!(locale.tag()), "{page}: <html lang> is {lang}");
    browser.screenshot(&format!("a11y-{screen}-{}-{page}", locale.tag())).await;
    let violations = browser.accessibility_violations().await;
    assert!(
        violations.is_empty(),
        "{screen} {} {page}: axe-core finds {violations:#?}\nin:\n{}",
        locale.tag(),
        browser.page_text().await
    );
    checked.push(format!("{}/{page}", locale.tag()));
}

async fn link(app: &TestApp, keystone: &Keystone, user: &KeystoneUser, locale: Locale) -> String {
    let body = json!({"password": user.password, "pin": PIN, "locale": locale.tag()});
    let response = app.put_token(&user.id, &keystone.admin_token, Some(body)).await;
    assert_eq!(response.status(), reqwest::StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    format!("{}/?token={}", app.address, body["token"].as_str().unwrap())
}

async fn fill_password_form(browser: &Browser, pin: &str) {
    browser.fill_id("pin", pin).await;
    browser.fill_id("password", NEW_PASSWORD).await;
    browser.fill_id("confirm_password", NEW_PASSWORD).await;
    browser.submit().await;
}

async fn every_page_is_accessible(browser: &Browser, screen: &str) {
    let url = keystone_url();
    let sink = SmtpSink::start();
    let (app, keystone) = tokio::join!(
        spawn_app_with(&url, |s| {
            s.email = sink.settings();
            s.reset.enabled = true;
            s.reset.helpdesk = Some("helpdesk@support.example.test".into());
            s.self_enroll.enabled = true;
            s.recovery.enabled = true;
        }),
        Keystone::connect(&url)
    );
    let mut checked = Vec::new();
    let mut expiring = Vec::new();
    for locale in Locale::ALL {
        let w = words(locale);
        let heading = |phrase| w.phrase(phrase);

        let user = keystone.create_user().await;
        browser.client.goto(&link(&app, &keystone, &user, locale).await).await.unwrap();
        browser.wait_for_heading(heading(Phrase::TitlePassword)).await;
        check(browser, locale, screen, "step-1", &mut checked).await;

        fill_password_form(browser, "1111").await;
        browser.wait_for_heading(heading(Phrase::TitlePassword)).await;
        // The error names the PIN field, which gets the focus on load (no script on the page).
        browser.wait_for_focus("pin").await;
        assert_eq!(
            browser.js("return document.getElementById('pin').getAttribute('aria-invalid')").await,
            json!("true")
        );
        let described =
            browser.js("return document.getElementById('pin').getAttribute('aria-describedby')").await;
        assert!(described.as_str().unwrap_or("").split(' ').any(|id| id == "form-error"), "{described}");
        check(browser, locale, screen, "wrong-pin", &mut checked).await;

        fill_password_form(browser, PIN).await;
        browser.wait_for_heading(heading(Phrase::TitleTotp)).await;
        check(browser, locale, screen, "step-2", &mut checked).await;
        let scanned = scan_qr(browser, &format!("a11y-{screen}-{}-qr", locale.tag())).await;
        let secret = shown_key_matches(browser, &scanned, &user.name).await;
        check(browser, locale, screen, "key-shown", &mut checked).await;

        browser.fill_id("code", &code_now(&secret)).await;
        browser.submit().await;
        browser.wait_for_heading(heading(Phrase::TitleAllSet)).await;
        check(browser, locale, screen, "done", &mut checked).await;

        // Locked: three wrong PINs.
        let user = keystone.create_user().await;
        browser.client.goto(&link(&app, &keystone, &user, locale).await).await.unwrap();
        for _ in 0..3 {
            fill_password_form(browser, "1111").await;
        }
        browser.wait_for_heading(heading(Phrase::TitleLinkLocked)).await;
        check(browser, locale, screen, "locked", &mut checked).await;

        // Needs the operator: MFA rules on, no service credential.
        let user = keystone.create_user_with_mfa_rules(json!([["password", "totp"]])).await;
        browser.client.goto(&link(&app, &keystone, &user, locale).await).await.unwrap();
        fill_password_form(browser, PIN).await;
        // The login that finds the rules runs after the password step answered: look again.
        browser.wait_for_heading(heading(Phrase::TitleTotp)).await;
        browser.refresh_until_heading(heading(Phrase::TitleAlmostDone)).await;
        check(browser, locale, screen, "needs-operator", &mut checked).await;

        // Expired: once every other page is checked, the clock moves past this link's lifetime.
        let user = keystone.create_user().await;
        expiring.push((locale, link(&app, &keystone, &user, locale).await));

        // The helpdesk form, and a mistake on it.
        browser.client.goto(&format!("{}/reset?lang={}", app.address, locale.tag())).await.unwrap();
        browser.wait_for_heading(heading(Phrase::TitleReset)).await;
        check(browser, locale, screen, "helpdesk-form", &mut checked).await;
        browser.fill_id("name", "Ada").await;
        browser.fill_id("email", "ada@example.test").await;
        browser.fill_id("confirm_email", "other@example.test").await;
        browser.fill_id("pin", PIN).await;
        browser.submit().await;
        browser.wait_for_focus("confirm_email").await;
        check(browser, locale, screen, "helpdesk-mistake", &mut checked).await;

        let (user, codes) = enroll_pages(browser, &app, &keystone, locale, screen, &mut checked).await;
        recover_pages(browser, &app, &user, &codes, locale, screen, &mut checked).await;
    }
    app.clock.advance(Duration::days(2));
    for (locale, link) in expiring {
        browser.client.goto(&link).await.unwrap();
        browser.wait_for_heading(words(locale).phrase(Phrase::TitleLinkGone)).await;
        check(browser, locale, screen, "expired", &mut checked).await;
    }
    assert_eq!(checked.len(), 36, "{checked:?}");
}

/// The field's `aria-invalid`, and whether its `aria-describedby` names the error message.
pub(super) async fn tied_to_the_error(browser: &Browser, id: &str) -> (Value, bool) {
    let attribute = |name: &str| format!("return document.getElementById('{id}').getAttribute('{name}')");
    let invalid = browser.js(&attribute("aria-invalid")).await;
    let described = browser.js(&attribute("aria-describedby")).await;
    (invalid, described.as_str().unwrap_or("").split(' ').any(|id| id == "form-error"))
}

/// Self-enrollment: the sign-in form, a wrong password, the QR code, a wrong code, done. Returns
/// the user and the recovery codes the done page shows.
async fn enroll_pages(
    browser: &Browser,
    app: &TestApp,
    keystone: &Keystone,
    locale: Locale,
    screen: &str,
    checked: &mut Vec<String>,
) -> (KeystoneUser, Vec<String>) {
    let heading = |phrase| words(locale).phrase(phrase);
    let user = keystone.create_user().await;
    browser.client.goto(&format!("{}/enroll?lang={}", app.address, locale.tag())).await.unwrap();
    browser.wait_for_heading(heading(Phrase::TitleEnrollSignIn)).await;
    check(browser, locale, screen, "enroll-sign-in", checked).await;

    browser.fill_id("user_name", &user.name).await;
    browser.fill_id("password", "not-the-password-1").await;
    browser.submit().await;
    browser.wait_for_heading(heading(Phrase::TitleEnrollSignIn)).await;
    browser.wait_for_focus("password").await;
    assert_eq!(tied_to_the_error(browser, "password").await, (json!("true"), true));
    let kept = browser.js("return document.getElementById('user_name').value").await;
    assert_eq!(kept, json!(user.name), "the user name typed is kept");
    check(browser, locale, screen, "enroll-wrong-password", checked).await;

    browser.fill_id("password", &user.password).await;
    browser.submit().await;
    browser.wait_for_heading(heading(Phrase::TitleTotp)).await;
    check(browser, locale, screen, "enroll-qr", checked).await;
    let scanned = scan_qr(browser, &format!("a11y-{screen}-{}-enroll-qr-scan", locale.tag())).await;
    let secret = shown_key_matches(browser, &scanned, &user.name).await;

    let right: u32 = code_now(&secret).parse().unwrap();
    browser.fill_id("code", &format!("{:06}", (right + 1) % 1_000_000)).await;
    browser.submit().await;
    browser.wait_for_heading(heading(Phrase::TitleTotp)).await;
    browser.wait_for_focus("code").await;
    assert_eq!(tied_to_the_error(browser, "code").await, (json!("true"), true));
    check(browser, locale, screen, "enroll-wrong-code", checked).await;

    browser.fill_id("code", &code_now(&secret)).await;
    browser.submit().await;
    browser.wait_for_heading(heading(Phrase::TitleAllSet)).await;
    check(browser, locale, screen, "enroll-done", checked).await;
    let codes =
        browser.js("return [...document.querySelectorAll('ol.codes code')].map(c => c.textContent)").await;
    let codes: Vec<String> = serde_json::from_value(codes).unwrap();
    assert_eq!(codes.len(), 10, "the done page shows the recovery codes");
    (user, codes)
}

/// Recovery: the form, a wrong recovery code (tied to its field), the replacement's QR code.
async fn recover_pages(
    browser: &Browser,
    app: &TestApp,
    user: &KeystoneUser,
    codes: &[String],
    locale: Locale,
    screen: &str,
    checked: &mut Vec<String>,
) {
    let heading = |phrase| words(locale).phrase(phrase);
    browser.client.goto(&format!("{}/recover?lang={}", app.address, locale.tag())).await.unwrap();
    browser.wait_for_heading(heading(Phrase::TitleRecover)).await;
    check(browser, locale, screen, "recover-form", checked).await;

    browser.fill_id("user_name", &user.name).await;
    browser.fill_id("password", &user.password).await;
    browser.fill_id("recovery_code", "aaaaa-bbbbb").await;
    browser.submit().await;
    browser.wait_for_heading(heading(Phrase::TitleRecover)).await;
    browser.wait_for_focus("recovery_code").await;
    assert_eq!(tied_to_the_error(browser, "recovery_code").await, (json!("true"), true));
    let kept = browser.js("return document.getElementById('user_name').value").await;
    assert_eq!(kept, json!(user.name), "the user name typed is kept");
    check(browser, locale, screen, "recover-wrong-code", checked).await;

    browser.fill_id("password", &user.password).await;
    browser.fill_id("recovery_code", &codes[0]).await;
    browser.submit().await;
    browser.wait_for_heading(heading(Phrase::TitleTotp)).await;
    check(browser, locale, screen, "recover-qr", checked).await;
}
