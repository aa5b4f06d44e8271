//! Command-line access's pages without a browser: signed in on one replica, created on the
//! other (the sign-in travels sealed in the form), a name already taken answered on the same
//! form, an altered form sent back to the sign-in, and the done pages' way to `/cli`.
use crate::helpers::*;
use reqwest::StatusCode;

/// The value of the hidden `sign_in` field in a page.
fn sign_in_field(page: &str) -> String {
    let start = page.find(r#"name="sign_in" value=""#).unwrap_or_else(|| panic!("no sign_in in {page}")) + 22;
    page[start..].split('"').next().unwrap().to_owned()
}

impl TestApp {
    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let response = self.client.post(format!("{}{path}", self.address)).form(fields).send().await.unwrap();
        (response.status(), response.text().await.unwrap())
    }
}

#[tokio::test]
async fn signed_in_on_one_replica_the_credential_is_made_on_the_other() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let (first, second) = spawn_replicas(&url, |s| s.cli.enabled = true).await;
    let (user, secret) = keystone.seed_user_with_authenticator().await;
    let (project_id, _) = keystone.create_project(Some(&user)).await;
    let code = code_now(&secret);
    let fields =
        [("user_name", user.name.as_str()), ("password", user.password.as_str()), ("code", code.as_str())];
    let (status, choose) = first.form("/cli?lang=ko", &fields).await;
    assert_eq!(status, StatusCode::OK, "{choose}");
    assert!(choose.contains("<html lang=\"ko\">") && choose.contains("명령줄 접근 설정"), "{choose}");
    assert!(!choose.contains(&user.password) && !choose.contains(&code), "nothing typed comes back");
    let handle = sign_in_field(&choose);

    let choice = [("sign_in", handle.as_str()), ("project_id", project_id.as_str()), ("name", "laptop")];
    let (status, done) = second.form("/cli/create?lang=ko", &choice).await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert!(done.contains("clouds.yaml 내려받기") && done.contains(r#"download="openrc.sh""#), "{done}");
    let kept = keystone.admin_get(&format!("/users/{}/application_credentials", user.id)).await;
    let kept = kept["application_credentials"].as_array().unwrap().clone();
    assert_eq!(kept.len(), 1);
    assert!(done.contains(kept[0]["id"].as_str().unwrap()));

    let (status, again) = second.form("/cli/create", &choice).await;
    assert_eq!(status, StatusCode::CONFLICT, "the name is taken: {again}");
    assert!(again.contains(r#"aria-invalid="true""#) && again.contains(&handle), "the same form: {again}");

    // One character of the sealed part flipped, the length kept.
    let at = handle.len() - 10;
    let flipped = if &handle[at..=at] == "A" { "B" } else { "A" };
    let altered = format!("{}{flipped}{}", &handle[..at], &handle[at + 1..]);
    let tampered = [("sign_in", altered.as_str()), ("project_id", project_id.as_str()), ("name", "other")];
    let (status, page) = first.form("/cli/create", &tampered).await;
    assert_eq!(status, StatusCode::GONE, "{page}");
    assert!(page.contains(r#"name="user_name""#), "back to the sign-in: {page}");
}

#[tokio::test]
async fn the_self_enrollment_done_page_leads_to_command_line_access_when_it_is_on() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    for on in [false, true] {
        let app = spawn_app_with(&url, |s| {
            s.self_enroll.enabled = true;
            s.cli.enabled = on;
        })
        .await;
        let user = keystone.create_user().await;
        let body = serde_json::json!({"user_name": user.name, "password": user.password});
        let started: serde_json::Value = app.api("enroll", body).await.json().await.unwrap();
        let enrollment = started["enrollment"].as_str().unwrap().to_owned();
        let code = code_now(started["totp"]["secret"].as_str().unwrap());
        let (status, done) = app.form("/enroll/totp", &[("enrollment", &enrollment), ("code", &code)]).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done.contains(r#"href="/cli?lang=en""#), on, "{done}");
        let cli = app.client.get(format!("{}/cli", app.address)).send().await.unwrap();
        assert_eq!(cli.status(), if on { StatusCode::OK } else { StatusCode::NOT_FOUND });
    }
}
