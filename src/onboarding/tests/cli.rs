//! Command-line access: the sign-in with password and code, the project check, the expiry
//! bounds, Keystone's refusals, and the handle that carries the sign-in between the page's steps.
use super::*;
use crate::onboarding::{
    cli_sign_in, create_cli_access, open_sign_in, seal_sign_in, CliChoice, CliSignIn, SignedIn,
};
use secrecy::ExposeSecret;

const SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

impl Fixture {
    /// The fixture's user with an authenticator and a role on project `p1` ("lab").
    fn with_authenticator_and_project(&self) {
        self.keystone.add_totp_credential(&self.user, SECRET);
        self.keystone.add_membership(&self.user, "p1", "lab");
    }

    async fn cli_sign_in_with(&self, password: &str, code: &str) -> Result<SignedIn, Error> {
        let input = CliSignIn { user_name: "ada", domain: None, password, code };
        cli_sign_in(&self.deps, input).await
    }

    async fn signed_in(&self) -> SignedIn {
        self.cli_sign_in_with(RANDOM, &self.code_now(SECRET)).await.unwrap()
    }
}

fn choice<'a>(project_id: &'a str, expires: Option<&'a str>) -> CliChoice<'a> {
    CliChoice { project_id, name: None, expires }
}

#[tokio::test]
async fn the_credential_is_made_with_the_users_own_token_on_their_project_with_the_default_expiry() {
    let fx = fixture(|_| {}).await;
    fx.with_authenticator_and_project();
    let signed = fx.signed_in().await;
    assert_eq!(signed.projects.len(), 1);
    let access = create_cli_access(&fx.deps, &signed, choice("p1", None)).await.unwrap();
    let made = fx.keystone.application_credentials_of(&fx.user);
    let expected = fx.deps.clock.now() + Duration::days(90);
    assert_eq!((made.len(), made[0].project_id.as_str()), (1, "p1"));
    let off = (made[0].expires_at.unwrap() - expected).num_seconds().abs();
    assert!(off < 60, "90 days from now: {made:?}");
    assert!(made[0].name.starts_with("cli-"), "{made:?}");
    assert!(access.clouds_yaml.contains(access.secret.expose_secret()));
    assert!(
        access.clouds_yaml.contains("  \"test-cloud\":\n")
            && access.openrc.contains("OS_REGION_NAME='RegionOne'")
    );
    assert!(!format!("{access:?}").contains(access.secret.expose_secret()), "Debug hides the secret");
    assert_eq!(fx.keystone.calls("application credential creation"), 1);
    assert_eq!(fx.keystone.calls("credential creation"), 0, "no TOTP credential touched");
}

#[tokio::test]
async fn a_wrong_code_a_wrong_password_and_an_unknown_user_get_one_answer() {
    let fx = fixture(|_| {}).await;
    fx.with_authenticator_and_project();
    assert_eq!(
        refused(fx.cli_sign_in_with(RANDOM, &wrong_code(&fx, SECRET)).await),
        Refusal::CliSignInRefused
    );
    assert_eq!(
        refused(fx.cli_sign_in_with("not-hers-1", &fx.code_now(SECRET)).await),
        Refusal::CliSignInRefused
    );
    let stranger = CliSignIn { user_name: "nobody", domain: None, password: RANDOM, code: "123456" };
    assert_eq!(refused(cli_sign_in(&fx.deps, stranger).await), Refusal::CliSignInRefused);
    assert_eq!(refused(fx.cli_sign_in_with(RANDOM, "12345").await), Refusal::CodeMalformed);
}

#[tokio::test]
async fn a_user_with_no_project_is_told_so_and_nothing_is_made() {
    let fx = fixture(|_| {}).await;
    fx.keystone.add_totp_credential(&fx.user, SECRET);
    assert_eq!(refused(fx.cli_sign_in_with(RANDOM, &fx.code_now(SECRET)).await), Refusal::NoProjects);
    assert!(fx.keystone.application_credentials_of(&fx.user).is_empty());
}

#[tokio::test]
async fn a_project_that_is_not_the_users_is_refused_before_keystone_is_asked() {
    let fx = fixture(|_| {}).await;
    fx.with_authenticator_and_project();
    let signed = fx.signed_in().await;
    let refusal = refused(create_cli_access(&fx.deps, &signed, choice("someone-elses", None)).await);
    assert_eq!(refusal, Refusal::ProjectNotYours);
    assert_eq!(fx.keystone.calls("token scope to project"), 0);
}

#[tokio::test]
async fn expiries_outside_the_bounds_and_a_taken_name_are_refused() {
    let fx = fixture(|_| {}).await;
    fx.with_authenticator_and_project();
    let signed = fx.signed_in().await;
    let too_late = (fx.deps.clock.now() + Duration::days(400)).format("%Y-%m-%d").to_string();
    let refusal = refused(create_cli_access(&fx.deps, &signed, choice("p1", Some(&too_late))).await);
    assert_eq!(refusal, Refusal::ExpiryTooLate { max_days: 365 });
    let never = refused(create_cli_access(&fx.deps, &signed, choice("p1", Some("never"))).await);
    assert_eq!(never, Refusal::NoExpiryNotAllowed { max_days: 365 });
    assert_eq!(
        refused(create_cli_access(&fx.deps, &signed, choice("p1", Some("soon"))).await),
        Refusal::ExpiryMalformed
    );
    let named = || CliChoice { project_id: "p1", name: Some("laptop"), expires: None };
    create_cli_access(&fx.deps, &signed, named()).await.unwrap();
    assert_eq!(refused(create_cli_access(&fx.deps, &signed, named()).await), Refusal::CredentialNameTaken);
    assert_eq!(fx.keystone.application_credentials_of(&fx.user).len(), 1);
}

#[tokio::test]
async fn the_sealed_sign_in_opens_until_it_expires_and_not_when_altered() {
    let fx = fixture(|_| {}).await;
    fx.with_authenticator_and_project();
    let handle = seal_sign_in(&fx.deps, &fx.signed_in().await);
    assert!(!handle.contains("fake-token"), "the token is sealed");
    let opened = open_sign_in(&fx.deps, &handle).await.unwrap();
    assert_eq!(opened.projects.len(), 1, "the projects are listed again");
    create_cli_access(&fx.deps, &opened, choice("p1", None)).await.unwrap();
    // One character flipped in the sealed part, the length kept: the seal, not base64, says no.
    let middle = handle.len() - 10;
    let flipped = if &handle[middle..=middle] == "A" { "B" } else { "A" };
    let altered = format!("{}{flipped}{}", &handle[..middle], &handle[middle + 1..]);
    assert_eq!(refused(open_sign_in(&fx.deps, &altered).await), Refusal::CliSignInExpired);
    let other_user = format!("{}{}", "0".repeat(32), &handle[32..]);
    assert_eq!(refused(open_sign_in(&fx.deps, &other_user).await), Refusal::CliSignInExpired);
    fx.clock.advance(Duration::minutes(11));
    assert_eq!(refused(open_sign_in(&fx.deps, &handle).await), Refusal::CliSignInExpired);
}

#[tokio::test]
async fn a_handle_lives_no_longer_than_the_token_in_it() {
    let fx = fixture(|s| s.policy.cli.sign_in_lifetime = Duration::hours(3)).await;
    fx.with_authenticator_and_project();
    let handle = seal_sign_in(&fx.deps, &fx.signed_in().await);
    fx.clock.advance(Duration::minutes(61));
    assert_eq!(
        refused(open_sign_in(&fx.deps, &handle).await),
        Refusal::CliSignInExpired,
        "the fake's tokens live an hour"
    );
}

#[tokio::test]
async fn a_second_credential_the_same_day_gets_the_time_in_its_default_name() {
    let fx = fixture(|_| {}).await;
    fx.with_authenticator_and_project();
    let signed = fx.signed_in().await;
    let first = create_cli_access(&fx.deps, &signed, choice("p1", None)).await.unwrap();
    let second = create_cli_access(&fx.deps, &signed, choice("p1", None)).await.unwrap();
    assert_ne!(first.name, second.name);
    assert!(second.name.starts_with(&first.name), "{} then {}", first.name, second.name);
    assert_eq!(fx.keystone.application_credentials_of(&fx.user).len(), 2);
}
