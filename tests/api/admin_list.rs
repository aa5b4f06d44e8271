//! The admin's list of links (`GET /token`): filters, Keystone-style pages, a domain admin's
//! view limited to their domain, and clear refusals of a query it does not understand.
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::Value;

const PIN: &str = "2468";

async fn list(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .get(format!("{}/token{query}", app.address))
        .header("X-Auth-Token", token)
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

fn ids(page: &Value) -> Vec<String> {
    page["tokens"].as_array().unwrap().iter().map(|t| t["user_id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn the_list_filters_by_stage_lock_and_expiry_and_never_shows_a_secret() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let (old, locked, moved, fresh) = tokio::join!(
        keystone.create_user(),
        keystone.create_user(),
        keystone.create_user(),
        keystone.create_user()
    );
    let old_link = app.new_link(&keystone, &old, PIN).await;
    app.clock.advance(chrono::Duration::hours(25));
    let locked_link = app.new_link(&keystone, &locked, PIN).await;
    for _ in 0..5 {
        app.submit_password(&locked_link, "0000", "Never-Used-Password-1").await;
    }
    let moved_link = app.new_link(&keystone, &moved, PIN).await;
    app.password_step(&moved_link, PIN, "Moved-On-Password-2").await;
    app.new_link(&keystone, &fresh, PIN).await;
    let admin = &keystone.admin_token;

    let (status, all) = list(&app, admin, "").await;
    assert_eq!(status, StatusCode::OK);
    let mut every = vec![old.id.clone(), locked.id.clone(), moved.id.clone(), fresh.id.clone()];
    every.sort();
    assert_eq!(ids(&all), every, "every record, in user id order");
    let entry = all["tokens"].as_array().unwrap().iter().find(|t| t["user_id"] == old.id.as_str()).unwrap();
    assert_eq!(entry["user_name"], old.name.as_str());
    assert_eq!(entry["domain_id"], "default");
    assert_eq!((entry["stage"].as_str(), entry["expired"].as_bool()), (Some("password"), Some(true)));
    let text = all.to_string();
    for secret in [&old_link, &locked_link, &moved_link, &old.password, &PIN.to_string()] {
        assert!(!text.contains(secret.as_str()), "no secret in the list");
    }

    assert_eq!(ids(&list(&app, admin, "?stage=totp").await.1), [moved.id.as_str()]);
    assert_eq!(ids(&list(&app, admin, "?locked=true").await.1), [locked.id.as_str()]);
    assert_eq!(ids(&list(&app, admin, "?expired=true").await.1), [old.id.as_str()]);
    let (_, open_unlocked) = list(&app, admin, "?expired=false&locked=false&stage=password").await;
    assert_eq!(ids(&open_unlocked), [fresh.id.as_str()]);
    assert_eq!(ids(&list(&app, admin, "?domain_id=no-such-domain").await.1), Vec::<String>::new());
}

#[tokio::test]
async fn pages_of_two_follow_links_next_to_the_end() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let mut made = Vec::new();
    for _ in 0..5 {
        let user = keystone.create_user().await;
        app.new_link(&keystone, &user, PIN).await;
        made.push(user.id);
    }
    made.sort();

    let mut seen = Vec::new();
    let mut next = format!("{}/token?limit=2", app.address);
    let mut pages = 0;
    loop {
        let page: Value = app
            .client
            .get(&next)
            .header("X-Auth-Token", &keystone.admin_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        assert!(ids(&page).len() <= 2);
        seen.extend(ids(&page));
        match page["links"]["next"].as_str() {
            // The links name the public URL; the test reaches the app on its own port.
            Some(url) => next = url.replacen(PUBLIC_URL, &app.address, 1),
            None => break,
        }
    }
    assert_eq!(seen, made, "every record once, in order");
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn a_domain_admin_lists_only_their_domains_links() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let domain = keystone.create_domain().await;
    let manager = keystone.domain_token_with_role(&domain, "manager").await;
    let own = keystone.create_user_in(&domain).await;
    let other = keystone.create_user().await;
    app.new_link(&keystone, &own, PIN).await;
    app.new_link(&keystone, &other, PIN).await;

    let (status, page) = list(&app, &manager, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ids(&page), [own.id.as_str()], "only their domain's user");
    assert_eq!(page["tokens"][0]["domain_id"], domain.as_str());
    assert_eq!(ids(&list(&app, &manager, &format!("?domain_id={domain}")).await.1), [own.id.as_str()]);
    let (status, refused) = list(&app, &manager, "?domain_id=default").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another domain is refused, not answered empty: {refused}");
    assert_eq!(list(&app, &keystone.admin_token, "").await.1["tokens"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_query_the_list_does_not_take_is_refused_with_what_it_does_take() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let admin = &keystone.admin_token;
    for (query, says) in [
        ("?stage=done", "`stage` must be password, totp or complete"),
        ("?locked=yes", "`locked` must be true or false"),
        ("?limit=0", "`limit` must be a whole number from 1 to 1000"),
        ("?limit=5000", "`limit` must be a whole number from 1 to 1000"),
        ("?state=totp", "unknown query parameter `state`"),
        ("?stage=totp&stage=complete", "`stage` is given twice"),
    ] {
        let (status, body) = list(&app, admin, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body.to_string().contains(says), "{query}: {body}");
    }
    let (status, _) = list(&app, "not-a-token", "").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn setpass_links_prints_every_page_of_the_filtered_list() {
    let url = keystone_url();
    let (app, keystone) = tokio::join!(spawn_app(&url), Keystone::connect(&url));
    let mut waiting = Vec::new();
    for _ in 0..3 {
        let user = keystone.create_user().await;
        app.new_link(&keystone, &user, PIN).await;
        waiting.push(user.id);
    }
    let moved = keystone.create_user().await;
    let token = app.new_link(&keystone, &moved, PIN).await;
    app.password_step(&token, PIN, "Moved-On-Password-3").await;
    waiting.sort();
    let dir = tempfile::tempdir().unwrap();

    let env = crate::invite::admin_os_env(&app.address);
    let args = ["links", "--stage", "password", "--limit", "2", "-f", "json"];
    let output = crate::invite::run_setpass(dir.path(), &env, &args).await;

    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut listed: Vec<String> =
        printed.as_array().unwrap().iter().map(|t| t["user_id"].as_str().unwrap().to_owned()).collect();
    listed.sort();
    assert_eq!(listed, waiting, "two pages of two, the user at the code step left out");
}
