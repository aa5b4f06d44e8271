//! Two setpass processes on one MariaDB database, as three replicas behind HAProxy run: counters
//! stay atomic, any replica continues any step, expiries are announced once, webhook events
//! survive the replica that wrote them, and concurrent renewals leave one live link.
use crate::crash::{issue, post};
use crate::database::{execute_on, number_on, TestDatabase, SHARED_KEY};
use crate::helpers::*;
use crate::process::ServerProcess;
use crate::sinks::WebhookReceiver;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;

const PIN: &str = "1357";
const NEW_PASSWORD: &str = "replica-chosen-pw-5";
const SECRET: &str = "test-webhook-secret-0123456789";

#[tokio::test]
async fn sixty_four_wrong_pins_spread_over_two_replicas_check_no_more_than_the_limit() {
    let url = keystone_url();
    let ((a, b), keystone) = tokio::join!(spawn_replicas(&url, |_| {}), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = a.new_link(&keystone, &user, PIN).await;

    let guesses = (0..64).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.submit_password(&token, "0000", NEW_PASSWORD)
    });
    let statuses: Vec<StatusCode> =
        futures_util::future::join_all(guesses).await.iter().map(|r| r.status()).collect();

    let checked = a.metric("setpass_pin_failures_total").await + b.metric("setpass_pin_failures_total").await;
    assert_eq!(checked, 3.0, "PINs checked over both replicas; statuses {statuses:?}");
    assert!(statuses.iter().all(|s| [StatusCode::FORBIDDEN, StatusCode::LOCKED].contains(s)), "{statuses:?}");
    assert_eq!(b.submit_password(&token, PIN, NEW_PASSWORD).await.status(), StatusCode::LOCKED);
}

#[tokio::test]
async fn the_password_step_on_one_replica_and_the_totp_step_on_the_other() {
    let url = first_use_keystone_url();
    let ((a, b), keystone) = tokio::join!(spawn_replicas(&url, |_| {}), Keystone::connect(&url));
    let user = keystone.create_user().await;
    let token = a.new_link(&keystone, &user, PIN).await;

    let secret = a.password_step(&token, PIN, NEW_PASSWORD).await;
    a.until_token_kept(&token).await;
    let done = b.submit_totp(&token, &code_now(&secret)).await;

    assert_eq!(done.status(), StatusCode::OK, "{}", done.text().await.unwrap());
    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
}

/// A replica as its own process, on `database`, so it can be killed with `kill -9`.
fn replica_process(database: &TestDatabase, auth_url: &str, extra: &[(&str, &str)]) -> ServerProcess {
    let url = database.replica_url();
    let mut env = vec![
        ("SETPASS_DATABASE__PATH", ""),
        ("SETPASS_DATABASE__URL", url.as_str()),
        ("SETPASS_SECRETS__KEY", SHARED_KEY),
    ];
    env.extend_from_slice(extra);
    ServerProcess::start(&std::env::temp_dir(), auth_url, &env)
}

#[tokio::test]
async fn a_replica_killed_mid_flow_leaves_nothing_lost_and_the_other_finishes() {
    let url = first_use_keystone_url();
    let database = std::sync::Arc::new(TestDatabase::create_mariadb());
    let keystone = Keystone::connect(&url).await;
    let killed = replica_process(&database, &url, &[]);
    let user = keystone.create_user().await;
    let token = issue(&killed.address, &keystone, &user).await;
    let step =
        post(&killed.address, "password", json!({"token": token, "pin": PIN, "password": NEW_PASSWORD}))
            .await;
    assert_eq!(step.status(), StatusCode::OK);

    killed.kill_hard();
    let other = spawn_app_on_database(&database, &url).await;
    let status: Value = other.api("status", json!({"token": token})).await.json().await.unwrap();
    let secret = status["totp"]["secret"].as_str().unwrap_or_else(|| panic!("{status}")).to_owned();
    // The killed replica may have died before it kept the user's token: the password again.
    let done =
        other.api("totp", json!({"token": token, "code": code_now(&secret), "password": NEW_PASSWORD})).await;

    assert_eq!(done.status(), StatusCode::OK, "{}", done.text().await.unwrap());
    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);
}

#[tokio::test]
async fn with_both_replicas_purging_each_expiry_is_announced_exactly_once() {
    let url = keystone_url();
    let receiver = WebhookReceiver::start(200).await;
    let hook = |s: &mut setpass::config::Settings| {
        s.webhook.url = Some(receiver.url.clone());
        s.webhook.secret = Some(SECRET.into());
        s.webhook.retry_base = setpass::config::Millis(100);
        s.database.purge_interval = setpass::config::Seconds(PURGE.as_secs());
    };
    let ((a, b), keystone) = tokio::join!(spawn_replicas(&url, hook), Keystone::connect(&url));
    let mut users = Vec::new();
    for _ in 0..6 {
        let user = keystone.create_user().await;
        a.new_link(&keystone, &user, PIN).await;
        users.push(user.id);
    }
    let expired =
        |id: String| move |body: &Value| body["event"] == "expired" && body["user_id"] == id.as_str();

    a.clock.advance(chrono::Duration::hours(25));
    b.clock.advance(chrono::Duration::hours(25));
    for id in &users {
        receiver.wait_for(expired(id.clone())).await;
    }
    // The purge runs again after the six were announced: it announces a link that expires now...
    let later = keystone.create_user().await;
    b.new_link(&keystone, &later, PIN).await;
    a.clock.advance(chrono::Duration::hours(25));
    b.clock.advance(chrono::Duration::hours(25));
    receiver.wait_for(expired(later.id.clone())).await;
    users.push(later.id);
    // ... and in a quiet period longer than a purge interval, each replica purges once more.
    let deliveries = receiver.after_quiet((PURGE + Duration::from_millis(200)) * 3 / 2).await;

    let mut announced: Vec<String> = deliveries
        .iter()
        .map(|d| d.json())
        .filter(|body| body["event"] == "expired")
        .map(|body| body["user_id"].as_str().unwrap().to_owned())
        .collect();
    announced.sort();
    users.sort();
    assert_eq!(announced, users, "each expiry once, though both replicas purged every second");
}

/// How often the replicas purge (and announce expired links) in the expiry test.
const PURGE: Duration = Duration::from_secs(1);

#[tokio::test]
async fn a_webhook_event_left_by_a_killed_replica_is_delivered_by_the_other() {
    let url = keystone_url();
    let database = std::sync::Arc::new(TestDatabase::create_mariadb());
    let keystone = Keystone::connect(&url).await;
    // The first replica's receiver is down: its event waits in the outbox for a retry.
    let closed = format!("http://127.0.0.1:{}/hooks", crate::process::free_port());
    let killed = replica_process(
        &database,
        &url,
        &[
            ("SETPASS_WEBHOOK__URL", &closed),
            ("SETPASS_WEBHOOK__SECRET", SECRET),
            ("SETPASS_WEBHOOK__RETRIES", "5"),
        ],
    );
    let user = keystone.create_user().await;
    let token = issue(&killed.address, &keystone, &user).await;
    for _ in 0..3 {
        post(&killed.address, "password", json!({"token": token, "pin": "0000", "password": NEW_PASSWORD}))
            .await;
    }
    // Killed once its first try has failed and its claim is released (not while it holds the
    // event: the other replica would wait out the claim).
    let tried = std::time::Instant::now();
    while !database.event_waits_for_a_retry("locked", &user.id) {
        assert!(tried.elapsed() < Duration::from_secs(10), "the locked event was never tried");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    killed.kill_hard();

    let receiver = WebhookReceiver::start(200).await;
    let _other = spawn_app_on_database_with(&database, &url, |s| {
        s.webhook.url = Some(receiver.url.clone());
        s.webhook.secret = Some(SECRET.into());
    })
    .await;

    let locked =
        receiver.wait_for(|body| body["event"] == "locked" && body["user_id"] == user.id.as_str()).await;
    assert_eq!(locked.json()["user_id"], user.id.as_str());
}

#[tokio::test]
async fn thirty_two_renewals_spread_over_two_replicas_leave_exactly_one_live_link() {
    let url = keystone_url();
    let ((a, b), keystone) = tokio::join!(spawn_replicas(&url, |_| {}), Keystone::connect(&url));
    let user = keystone.create_user().await;
    a.new_link(&keystone, &user, PIN).await;

    let renewals = (0..32).map(|i| {
        let app = if i % 2 == 0 { &a } else { &b };
        app.put_token(&user.id, &keystone.admin_token, Some(json!({"pin": PIN})))
    });
    let mut tokens = Vec::new();
    for response in futures_util::future::join_all(renewals).await {
        assert_eq!(response.status(), StatusCode::OK);
        tokens.push(response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned());
    }

    let mut live = 0;
    for (i, token) in tokens.iter().enumerate() {
        let app = if i % 2 == 0 { &a } else { &b };
        live += usize::from(app.link_is_live(token).await);
    }
    assert_eq!(live, 1, "of 32 renewals, only the last one's link opens");
}

#[tokio::test]
async fn a_replica_with_another_key_or_none_refuses_to_start_and_says_why() {
    let url = keystone_url();
    let database = std::sync::Arc::new(TestDatabase::create_mariadb());
    let _first = spawn_app_on_database(&database, &url).await;
    let settings = |key: Option<&str>| {
        let dir = std::env::temp_dir().join("unused.db");
        let mut settings =
            setpass::config::Settings::with_defaults("127.0.0.1:0".parse().unwrap(), PUBLIC_URL, dir, &url);
        database.configure(&mut settings);
        settings.secrets.key = key.map(str::to_owned);
        settings
    };
    let start = |settings| async {
        let clock = std::sync::Arc::new(setpass::clock::OffsetClock::new());
        setpass::startup::Application::build(settings, clock)
            .await
            .err()
            .expect("startup refused")
            .to_string()
    };

    let other_key = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    let refused = start(settings(Some(other_key))).await;
    assert!(refused.contains("another encryption key") && refused.contains("secrets.key_file"), "{refused}");
    let refused = start(settings(None)).await;
    assert!(refused.contains("secrets.key_file") && refused.contains("same key"), "{refused}");
    let _second = spawn_app_on_database(&database, &url).await;
}

#[tokio::test]
async fn a_shared_database_from_a_newer_setpass_is_refused() {
    let url = keystone_url();
    let database = std::sync::Arc::new(TestDatabase::create_mariadb());
    let _first = spawn_app_on_database(&database, &url).await;
    let TestDatabase::MariaDb { url: db_url, .. } = database.as_ref() else { unreachable!() };
    execute_on(db_url, "UPDATE setpass_schema SET version = 99");

    let mut settings = setpass::config::Settings::with_defaults(
        "127.0.0.1:0".parse().unwrap(),
        PUBLIC_URL,
        "x.db".into(),
        &url,
    );
    database.configure(&mut settings);
    let clock = std::sync::Arc::new(setpass::clock::OffsetClock::new());
    let refused =
        setpass::startup::Application::build(settings, clock).await.err().expect("refused").to_string();

    assert!(refused.contains("schema version 99") && refused.contains("newer"), "{refused}");
}

#[tokio::test]
async fn concurrent_first_writes_of_one_record_on_the_shared_store_make_one_creation_and_no_error() {
    use setpass::domain::{IssueKind, OneTimeToken, UserId};
    let database = TestDatabase::create_mariadb();
    let (one, two) = (database.store(), database.store());
    let user = UserId::parse(&unique("racer")).unwrap();
    let now = chrono::Utc::now();
    let write = || setpass::store::IssueWrite {
        user_id: user.clone(),
        token_hash: OneTimeToken::generate().hash(),
        user_name: "racer".into(),
        pin_hash: Some("$argon2id$stand-in".into()),
        password_ct: Some(vec![1, 2, 3]),
        authenticator_only: false,
        now,
        expires_at: now + chrono::Duration::hours(1),
        locale: None,
        password_rules: None,
        domain_id: None,
    };

    let writes = (0..16).map(|i| {
        let store = if i % 2 == 0 { one.clone() } else { two.clone() };
        let write = write();
        async move { store.issue(write).await }
    });
    let kinds: Vec<IssueKind> = futures_util::future::join_all(writes)
        .await
        .into_iter()
        .map(|result| result.expect("no database error").expect("a valid write"))
        .collect();

    assert_eq!(kinds.iter().filter(|kind| **kind == IssueKind::Created).count(), 1, "{kinds:?}");
}

#[tokio::test]
async fn a_migration_cut_off_before_or_after_its_statement_is_finished_by_the_next_replica_to_start() {
    let database = TestDatabase::create_mariadb();
    let url = database.replica_url();
    setpass::store::MariaStore::open(&url, 1).unwrap();
    let latest = number_on(&url, "SELECT version FROM setpass_schema");
    let columns = "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() \
                   AND TABLE_NAME = 'onboarding' AND COLUMN_NAME = 'remind_at'";

    // Killed after the last migration's ALTER committed, before its record: the column is
    // there, the version is not, and the dead replica's lease has lapsed.
    execute_on(&url, &format!("UPDATE setpass_schema SET version = {}", latest - 1));
    execute_on(
        &url,
        "UPDATE setpass_migration_lease SET holder = 'killed', lease_until = UNIX_TIMESTAMP() - 1, steps = 0",
    );
    setpass::store::MariaStore::open(&url, 1).expect("the next start finishes it");
    assert_eq!(number_on(&url, "SELECT version FROM setpass_schema"), latest);
    assert_eq!(number_on(&url, columns), 1);

    // Killed before the ALTER ran: the next start applies it.
    execute_on(
        &url,
        "ALTER TABLE onboarding DROP INDEX onboarding_remind_at, DROP INDEX onboarding_domain, \
         DROP COLUMN domain_id, DROP COLUMN remind_to, DROP COLUMN remind_at, DROP COLUMN remind_ct, \
         DROP COLUMN remind_claimed_until",
    );
    execute_on(&url, &format!("UPDATE setpass_schema SET version = {}", latest - 1));
    setpass::store::MariaStore::open(&url, 1).expect("the next start applies it");
    assert_eq!(number_on(&url, "SELECT version FROM setpass_schema"), latest);
    assert_eq!(number_on(&url, columns), 1);
    assert_eq!(number_on(&url, "SELECT COUNT(*) FROM setpass_migration_lease WHERE holder IS NULL"), 1);
}
