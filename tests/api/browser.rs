//! The onboarding pages in a real browser (headless Debian Chromium through chromedriver): the
//! QR code is read from screenshot pixels, as a phone's camera would. Screenshots of every step
//! land in `target/e2e-screenshots/`.
mod accessibility;
mod authenticator_only;
mod chrome;
mod cli;

use crate::helpers::*;
use chrome::Browser;
use reqwest::{StatusCode, Url};

const PIN: &str = "8642";
const NEW_PASSWORD: &str = "browser-chosen-pw-7";

#[tokio::test]
async fn a_new_user_completes_onboarding_in_a_real_browser() {
    let url = first_use_keystone_url();
    let (app, keystone, browser) =
        tokio::join!(spawn_app(&url), Keystone::connect(&url), Browser::desktop(1280, 900));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, PIN).await;

    browser.client.goto(&format!("{}/?token={token}", app.address)).await.unwrap();
    browser.wait_for_heading("Choose your password").await;
    assert_eq!(browser.text("p.step").await.as_deref(), Some("Step 1 of 2"));
    browser.screenshot("desktop-1-password").await;
    submit_password(&browser, PIN, NEW_PASSWORD).await;

    browser.wait_for_heading("Set up your authenticator app").await;
    assert_eq!(browser.text("p.step").await.as_deref(), Some("Step 2 of 2"));
    let scanned = scan_qr(&browser, "desktop-2-totp").await;
    let secret = shown_key_matches(&browser, &scanned, &user.name).await;
    browser.screenshot("desktop-3-totp-key-shown").await;
    submit_code(&browser, &secret).await;

    browser.wait_for_heading("You're all set").await;
    browser.screenshot("desktop-4-done").await;
    assert_console_clean(&browser).await;
    browser.quit().await;
    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED,
        "Keystone refuses the new password with a code from the secret scanned off the page"
    );
}

#[tokio::test]
async fn on_a_phone_a_wrong_pin_says_how_many_attempts_are_left_and_every_page_fits() {
    let url = keystone_url();
    let (app, keystone, browser) =
        tokio::join!(spawn_app(&url), Keystone::connect(&url), Browser::phone(375, 812));
    let user = keystone.create_user().await;
    let token = app.new_link(&keystone, &user, PIN).await;

    browser.client.goto(&format!("{}/?token={token}", app.address)).await.unwrap();
    browser.wait_for_heading("Choose your password").await;
    // Only with the page's viewport meta tag is a phone's layout as wide as its screen.
    assert_eq!(browser.js("return window.innerWidth").await, 375, "the page is not laid out phone-wide");
    assert_fits_the_width(&browser, "phone-1-password").await;
    submit_password(&browser, "1111", NEW_PASSWORD).await;

    browser.wait_for_heading("Choose your password").await;
    assert_eq!(
        browser.text("p.error").await.as_deref(),
        Some("The PIN is not right. 2 attempts left."),
        "after a wrong PIN the page shows:\n{}",
        browser.page_text().await
    );
    assert_fits_the_width(&browser, "phone-2-wrong-pin").await;
    // The page answers a wrong PIN with 403, which Chromium notes in the console; nothing else.
    let errors = console_errors(&browser).await;
    assert!(errors.len() == 1 && errors[0].ends_with("status of 403 (Forbidden)"), "console: {errors:#?}");
    submit_password(&browser, PIN, NEW_PASSWORD).await;

    browser.wait_for_heading("Set up your authenticator app").await;
    let qr_width = browser.js("return document.querySelector('svg.qr').getBoundingClientRect().width").await;
    assert!(qr_width.as_f64().unwrap_or(0.0) >= 200.0, "the QR code is {qr_width} CSS px wide on a phone");
    let scanned = scan_qr(&browser, "phone-3-totp").await;
    let secret = shown_key_matches(&browser, &scanned, &user.name).await;
    browser.js("document.querySelector('p.uri').scrollIntoView({block: 'center'})").await;
    assert_fits_the_width(&browser, "phone-4-totp-key-shown").await;
    submit_code(&browser, &secret).await;

    browser.wait_for_heading("You're all set").await;
    assert_fits_the_width(&browser, "phone-5-done").await;
    assert_console_clean(&browser).await;
    browser.quit().await;
}

async fn submit_password(browser: &Browser, pin: &str, password: &str) {
    browser.fill("PIN", pin).await;
    browser.fill("New password", password).await;
    browser.fill("New password, again", password).await;
    browser.submit().await;
}

/// Screenshots the page and reads the QR code off the pixels; returns its text.
async fn scan_qr(browser: &Browser, screenshot: &str) -> String {
    browser.js("document.querySelector('svg.qr').scrollIntoView({block: 'nearest'})").await;
    let png = browser.screenshot(screenshot).await;
    let image = image::load_from_memory_with_format(&png, image::ImageFormat::Png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(image);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "expected one QR code in target/e2e-screenshots/{screenshot}.png");
    let (_meta, text) = grids[0]
        .decode()
        .unwrap_or_else(|e| panic!("QR code in target/e2e-screenshots/{screenshot}.png unreadable: {e}"));
    text
}

/// Opens "Can't scan it?" as a user would and checks the URI and key shown there against the
/// scanned QR code; returns the secret from the QR code.
async fn shown_key_matches(browser: &Browser, scanned: &str, user_name: &str) -> String {
    browser.click("details > summary").await;
    let uri_text = browser.text("p.uri").await.expect("the otpauth URI as text");
    let key_text = browser.text("p.secret").await.expect("the key as text");
    assert_eq!(scanned, uri_text, "the QR code and the URI shown as text differ");
    let uri = Url::parse(scanned).unwrap_or_else(|e| panic!("QR code holds no URL ({e}): {scanned}"));
    assert_eq!((uri.scheme(), uri.host_str()), ("otpauth", Some("totp")), "{scanned}");
    assert!(uri.path().ends_with(&format!(":{user_name}")), "QR code names another account: {scanned}");
    let secret = uri
        .query_pairs()
        .find(|(key, _)| key == "secret")
        .unwrap_or_else(|| panic!("no secret in the QR code: {scanned}"))
        .1
        .into_owned();
    assert_eq!(key_text.replace(' ', ""), secret, "the key to type by hand differs from the QR code's");
    secret
}

async fn submit_code(browser: &Browser, secret: &str) {
    browser.fill("6-digit code from the app", &code_now(secret)).await;
    browser.submit().await;
}

/// Saves a screenshot and checks the page needs no sideways scrolling.
async fn assert_fits_the_width(browser: &Browser, screenshot: &str) {
    browser.screenshot(screenshot).await;
    let widths = browser.js("return [document.documentElement.scrollWidth, window.innerWidth]").await;
    assert!(
        widths[0].as_u64() <= widths[1].as_u64(),
        "page is wider than the window, [content, window] = {widths}: see target/e2e-screenshots/{screenshot}.png"
    );
}

/// Console errors and CSP violations (Chromium reports those as errors) since the last look.
async fn console_errors(browser: &Browser) -> Vec<String> {
    let console = browser.console().await;
    console
        .into_iter()
        .filter(|(level, message)| level == "SEVERE" || message.contains("Content Security Policy"))
        .map(|(_, message)| message)
        .collect()
}

async fn assert_console_clean(browser: &Browser) {
    let errors = console_errors(browser).await;
    assert!(errors.is_empty(), "the browser console shows errors: {errors:#?}");
}
