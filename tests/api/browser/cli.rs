//! Command-line access's pages in a real browser, English and Korean, desktop and phone: the
//! sign-in form, a wrong code tied to its field, the choice of project, and the credential with
//! its downloads; axe-core finds nothing on any of them, and the downloaded clouds.yaml holds
//! the credential Keystone made.
use super::accessibility::check;
use super::chrome::Browser;
use crate::helpers::*;
use serde_json::json;
use setpass::domain::Locale;
use setpass::text::{words, Phrase};

#[tokio::test]
async fn the_command_line_pages_are_accessible_in_both_languages_on_a_desktop() {
    let browser = Browser::desktop(1280, 900).await;
    cli_pages(&browser, "desktop").await;
    browser.quit().await;
}

#[tokio::test]
async fn the_command_line_pages_are_accessible_in_both_languages_on_a_phone() {
    let browser = Browser::phone(375, 812).await;
    cli_pages(&browser, "phone").await;
    browser.quit().await;
}

async fn cli_pages(browser: &Browser, screen: &str) {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let app = spawn_app_with(&url, |s| s.cli.enabled = true).await;
    let mut checked = Vec::new();
    for locale in Locale::ALL {
        let heading = |phrase| words(locale).phrase(phrase);
        let (user, secret) = keystone.seed_user_with_authenticator().await;
        let (project_id, project_name) = keystone.create_project(Some(&user)).await;
        browser.client.goto(&format!("{}/cli?lang={}", app.address, locale.tag())).await.unwrap();
        browser.wait_for_heading(heading(Phrase::TitleCli)).await;
        check(browser, locale, screen, "cli-sign-in", &mut checked).await;

        browser.fill_id("user_name", &user.name).await;
        browser.fill_id("password", &user.password).await;
        let right: u32 = code_now(&secret).parse().unwrap();
        browser.fill_id("code", &format!("{:06}", (right + 500_000) % 1_000_000)).await;
        browser.submit().await;
        browser.wait_for_heading(heading(Phrase::TitleCli)).await;
        browser.wait_for_focus("password").await;
        check(browser, locale, screen, "cli-wrong-code", &mut checked).await;

        browser.fill_id("password", &user.password).await;
        browser.fill_id("code", &code_now(&secret)).await;
        browser.submit().await;
        let options = browser
            .js("return [...document.querySelectorAll('#project_id option')].map(o => o.textContent)")
            .await;
        assert_eq!(options, json!([project_name]));
        check(browser, locale, screen, "cli-choose", &mut checked).await;

        browser.submit().await;
        browser.wait_for_heading(heading(Phrase::TitleCliReady)).await;
        check(browser, locale, screen, "cli-done", &mut checked).await;
        let href = browser.js("return document.querySelector('a[download=\"clouds.yaml\"]').href").await;
        let clouds = percent_decode(href.as_str().unwrap().split_once(',').unwrap().1);
        let kept = keystone.admin_get(&format!("/users/{}/application_credentials", user.id)).await;
        let id = kept["application_credentials"][0]["id"].as_str().unwrap();
        assert_eq!(kept["application_credentials"][0]["project_id"], json!(project_id));
        assert!(clouds.contains(&format!("application_credential_id: \"{id}\"")), "{clouds}");
    }
    assert_eq!(checked.len(), 8, "{checked:?}");
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}
