//! Tokens: revocation by the second, expiry, who may read which user, rescoping.
use super::*;
use crate::keystone::{Identity, KeystoneError, PasswordChange};

#[tokio::test]
async fn a_password_change_revokes_the_tokens_issued_in_its_second_even_after_it() {
    let (keystone, wall) = fake_with_wall(200);
    let user = keystone.add_user("ana", "default", "first");
    let before = token_of(keystone.password_login(&user, "first").await.unwrap());

    wall.set_millis(500);
    assert_eq!(keystone.change_password(&user, "first", "second").await.unwrap(), PasswordChange::Changed);
    wall.set_millis(900);
    let same_second = token_of(keystone.password_login(&user, "second").await.unwrap());

    for token in [&before, &same_second] {
        assert!(matches!(keystone.validate_token(token).await, Err(KeystoneError::InvalidToken)));
        assert!(matches!(keystone.get_user(token, &user).await, Err(KeystoneError::InvalidToken)));
        let created = keystone.create_totp_credential(token, &user, SECRET).await;
        assert!(matches!(created, Err(KeystoneError::InvalidToken)));
    }
    assert_eq!(keystone.revoked_through(&user), Some(noon()));
}

#[tokio::test]
async fn a_login_in_the_second_after_a_password_change_keeps_its_token() {
    let (keystone, wall) = fake_with_wall(999);
    let user = keystone.add_user("ana", "default", "first");
    keystone.change_password(&user, "first", "second").await.unwrap();

    wall.set_millis(1_000);
    let next_second = token_of(keystone.password_login(&user, "second").await.unwrap());

    assert!(keystone.validate_token(&next_second).await.is_ok());
    assert!(keystone.get_user(&next_second, &user).await.unwrap().is_some());
    assert!(keystone.create_totp_credential(&next_second, &user, SECRET).await.is_ok());
}

#[tokio::test]
async fn on_the_wall_clock_a_login_after_setpass_s_revocation_wait_is_valid_and_one_before_is_not() {
    // The wait of `onboarding::pending::after_revocation_window`: into the next second, +20 ms.
    let wait = || {
        let millis = 1_000 - i64::from(Utc::now().timestamp_subsec_millis()) + 20;
        tokio::time::sleep(std::time::Duration::from_millis(millis as u64))
    };
    let (keystone, _) = fake();
    let user = keystone.add_user("ana", "default", "first");
    wait().await;
    keystone.change_password(&user, "first", "second").await.unwrap();
    let hasty = token_of(keystone.password_login(&user, "second").await.unwrap());
    wait().await;
    let patient = token_of(keystone.password_login(&user, "second").await.unwrap());

    assert!(!keystone.token_is_valid(&hasty));
    assert!(keystone.token_is_valid(&patient));
}

#[tokio::test]
async fn a_token_issued_in_an_earlier_second_than_the_change_is_revoked_and_a_later_one_is_not() {
    let (keystone, _) = fake_with_wall(300);
    let user = keystone.add_user("ana", "default", "first");
    let earlier = keystone.user_token_issued_at(&user, noon() - Duration::seconds(5));
    let later = keystone.user_token_issued_at(&user, noon() + Duration::seconds(1));

    keystone.change_password(&user, "first", "second").await.unwrap();

    assert!(!keystone.token_is_valid(&earlier));
    assert!(keystone.token_is_valid(&later));
}

#[tokio::test]
async fn tokens_validate_with_their_scope_until_an_hour_of_the_fake_clock_has_passed() {
    let (keystone, clock) = fake();
    let admin = keystone.admin_token(cloud_admin());
    let user = keystone.add_user("ana", "default", "pw");
    let own = token_of(keystone.password_login(&user, "pw").await.unwrap());

    let validated = keystone.validate_token(&admin).await.unwrap();
    assert_eq!(validated.scope.roles, vec!["admin".to_owned()]);
    assert_eq!(validated.scope.project.unwrap().name, "admin");
    assert!(keystone.validate_token(&own).await.unwrap().scope.is_unscoped());

    clock.advance(Duration::minutes(61));
    assert!(matches!(keystone.validate_token(&admin).await, Err(KeystoneError::InvalidToken)));
    assert!(matches!(keystone.validate_token(&own).await, Err(KeystoneError::InvalidToken)));
    assert!(matches!(keystone.validate_token("made-up").await, Err(KeystoneError::InvalidToken)));
}

#[tokio::test]
async fn a_disabled_user_s_tokens_stop_working_and_a_deleted_user_is_none_to_an_admin() {
    let (keystone, _) = fake();
    let admin = keystone.admin_token(cloud_admin());
    let user = keystone.add_user("ana", "dom1", "pw");
    keystone.set_email(&user, "ana@example.org");
    let own = token_of(keystone.password_login(&user, "pw").await.unwrap());
    let read = keystone.get_user(&own, &user).await.unwrap().unwrap();
    assert_eq!(
        (read.id.as_str(), read.name.as_str(), read.domain_id.as_str()),
        (user.as_str(), "ana", "dom1")
    );
    assert_eq!(read.email.as_deref(), Some("ana@example.org"));

    keystone.set_enabled(&user, false);
    assert!(matches!(keystone.get_user(&own, &user).await, Err(KeystoneError::InvalidToken)));
    assert!(!keystone.get_user(&admin, &user).await.unwrap().unwrap().enabled);
    keystone.set_enabled(&user, true);
    assert!(!keystone.token_is_valid(&own), "disabling revoked the token for good");

    keystone.delete_user(&user);
    assert!(keystone.get_user(&admin, &user).await.unwrap().is_none());
    assert!(!keystone.user_exists(&user));
}

#[tokio::test]
async fn a_user_s_token_reads_their_own_user_only() {
    let (keystone, _) = fake();
    let ana = keystone.add_user("ana", "default", "pw");
    let bo = keystone.add_user("bo", "default", "pw");
    let ana_token = token_of(keystone.password_login(&ana, "pw").await.unwrap());

    assert!(keystone.get_user(&ana_token, &ana).await.unwrap().is_some());
    assert!(matches!(keystone.get_user(&ana_token, &bo).await, Err(KeystoneError::Forbidden)));
}

#[tokio::test]
async fn an_admin_token_rescopes_only_to_a_project_scope_the_test_added() {
    let (keystone, _) = fake();
    let unscoped = keystone.admin_token(TokenScope::default());
    assert!(keystone.rescope(&unscoped, "admin", "default").await.unwrap().is_none());

    keystone.add_project_scope(cloud_admin());
    let by_id = keystone.rescope(&unscoped, "admin", "default").await.unwrap().unwrap();
    let by_name = keystone.rescope(&unscoped, "admin", "Default").await.unwrap();
    assert!(by_name.is_some());
    assert!(keystone.rescope(&unscoped, "demo", "default").await.unwrap().is_none());
    let rescoped = keystone.validate_token(by_id.token.value.expose_secret()).await.unwrap();
    assert_eq!(rescoped.scope.project.unwrap().name, "admin");

    let user = keystone.add_user("ana", "default", "pw");
    let own = token_of(keystone.password_login(&user, "pw").await.unwrap());
    assert!(keystone.rescope(&own, "admin", "default").await.unwrap().is_none());
}
