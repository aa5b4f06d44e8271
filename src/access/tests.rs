//! The admin check against the fake Keystone: who is let through, who is turned away and why,
//! and the short cache.
use super::{AdminGuard, Error};
use crate::clock::OffsetClock;
use crate::domain::admin::{AdminPolicy, Denied, ProjectScope, TokenScope};
use crate::keystone::fake::FakeKeystone;
use chrono::Duration;
use std::sync::Arc;

fn policy() -> AdminPolicy {
    AdminPolicy {
        role: "admin".into(),
        project: "admin".into(),
        project_domain: "default".into(),
        domain_admin_roles: vec!["domain_admin".into()],
    }
}

fn admin_project(roles: &[&str]) -> TokenScope {
    TokenScope {
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        project: Some(ProjectScope {
            name: "admin".into(),
            domain_id: "default".into(),
            domain_name: "Default".into(),
        }),
        ..TokenScope::default()
    }
}

fn domain(id: &str, roles: &[&str]) -> TokenScope {
    TokenScope {
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        domain_id: Some(id.into()),
        ..TokenScope::default()
    }
}

fn guard() -> (AdminGuard, FakeKeystone, OffsetClock) {
    let clock = OffsetClock::new();
    let keystone = FakeKeystone::new(Arc::new(clock.clone()));
    let guard =
        AdminGuard::new(Arc::new(keystone.clone()), policy(), Duration::seconds(60), Arc::new(clock.clone()));
    (guard, keystone, clock)
}

fn denied<T: std::fmt::Debug>(result: Result<T, Error>) -> Denied {
    match result {
        Err(Error::Denied(denied)) => denied,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cloud_admin_is_let_through_and_asked_about_once_a_minute() {
    let (guard, keystone, clock) = guard();
    let user = keystone.add_user("ada", "other-domain", "pw-123456");
    let token = keystone.admin_token(admin_project(&["admin"]));
    assert_eq!(guard.authorize_for_user(&token, &user).await.unwrap().name, "ada");
    guard.authorize(&token).await.unwrap();
    assert_eq!(keystone.calls("token validation"), 1, "the second call came from the cache");
    clock.advance(Duration::seconds(61));
    guard.authorize(&token).await.unwrap();
    assert_eq!(keystone.calls("token validation"), 2, "asked again after the cache's minute");
}

#[tokio::test]
async fn a_member_of_the_admin_project_without_the_role_is_turned_away_with_what_it_needs() {
    let (guard, keystone, _) = guard();
    let token = keystone.admin_token(admin_project(&["member"]));
    let expected = Denied::NotAdmin {
        role: "admin".into(),
        project: "admin".into(),
        domain_admin_roles: vec!["domain_admin".into()],
    };
    assert_eq!(denied(guard.authorize(&token).await), expected);
}

#[tokio::test]
async fn a_domain_admin_manages_only_the_users_of_their_domain() {
    let (guard, keystone, _) = guard();
    let ours = keystone.add_user("ours", "d1", "pw-123456");
    let theirs = keystone.add_user("theirs", "d2", "pw-123456");
    let token = keystone.admin_token(domain("d1", &["domain_admin"]));
    assert_eq!(guard.authorize_for_user(&token, &ours).await.unwrap().name, "ours");
    assert_eq!(denied(guard.authorize_for_user(&token, &theirs).await), Denied::OutsideDomain);
    assert_eq!(denied(guard.authorize_view(&token, &theirs).await), Denied::OutsideDomain);
    let gone = keystone.add_user("gone", "d2", "pw-123456");
    keystone.delete_user(&gone);
    assert_eq!(
        denied(guard.authorize_for_user(&token, &gone).await),
        Denied::OutsideDomain,
        "not told it is gone"
    );
}

#[tokio::test]
async fn an_unscoped_token_is_rescoped_to_the_admin_project() {
    let (guard, keystone, _) = guard();
    keystone.add_project_scope(admin_project(&["admin"]));
    let unscoped = keystone.admin_token(TokenScope::default());
    let grant = guard.authorize(&unscoped).await.unwrap();
    assert_ne!(secrecy::ExposeSecret::expose_secret(&grant.acting), unscoped, "acts with the rescoped token");
    assert_eq!(grant.domain, None);
}

#[tokio::test]
async fn unknown_users_invalid_tokens_and_a_keystone_outage_are_told_apart() {
    let (guard, keystone, _) = guard();
    let token = keystone.admin_token(admin_project(&["admin"]));
    let nobody = crate::domain::UserId::parse("0123456789abcdef0123456789abcdef").unwrap();
    assert_eq!(denied(guard.authorize_for_user(&token, &nobody).await), Denied::NoSuchUser(nobody.clone()));
    assert_eq!(denied(guard.authorize("not-a-token").await), Denied::InvalidToken);
    assert_eq!(denied(guard.authorize(&"x".repeat(super::MAX_TOKEN_LEN + 1)).await), Denied::InvalidToken);
    keystone.set_unreachable(true);
    let fresh = "never-seen-before";
    assert!(matches!(guard.authorize(fresh).await, Err(Error::KeystoneUnavailable(_))));
}
