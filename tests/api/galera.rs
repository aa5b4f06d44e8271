//! On a three-node MariaDB Galera cluster with HAProxy in front (`scripts/galera.sh`, started by
//! `scripts/test.sh`): replicas that start together on two nodes, a node cut off from the
//! group, a node killed in the middle of a flow, the active node behind HAProxy killed under
//! load. They change the cluster, so they run only there and one at a time (`--ignored`).
use crate::crash::{issue, post};
use crate::database::{execute_on, number_on, SHARED_KEY};
use crate::helpers::*;
use crate::process::ServerProcess;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

const PIN: &str = "1357";
const NEW_PASSWORD: &str = "galera-chosen-pw-7";
const UNAVAILABLE: &str = "the database is unavailable (";
const AVAILABLE_AGAIN: &str = "the database is available again after";

/// The cluster's base port: HAProxy on it, node N on it + N.
fn base() -> u16 {
    std::env::var("SETPASS_TEST_GALERA_BASE")
        .expect("SETPASS_TEST_GALERA_BASE is not set: scripts/test.sh runs these on its Galera cluster")
        .parse()
        .unwrap()
}

/// Node N's admin URL (0: through HAProxy).
fn node(n: u16) -> String {
    format!("mysql://root@127.0.0.1:{}/", base() + n)
}

/// `scripts/galera.sh COMMAND BASE N` (kill, rejoin, isolate, heal).
fn galera_command(command: &str, n: u16) -> std::process::Command {
    let mut script = std::process::Command::new("bash");
    script.args([concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/galera.sh"), command]);
    script.args([base().to_string(), n.to_string()]);
    script
}

/// Runs `galera.sh COMMAND BASE N` and waits for it.
async fn galera(command: &'static str, n: u16) {
    let status =
        tokio::task::spawn_blocking(move || galera_command(command, n).status()).await.unwrap().unwrap();
    assert!(status.success(), "galera.sh {command} {n} failed");
}

/// Puts node N back however the test ends (healed, or started again and synced).
struct Restore(&'static str, u16);

impl Drop for Restore {
    fn drop(&mut self) {
        let _ = galera_command(self.0, self.1).status();
    }
}

/// A database of its own on the cluster, dropped through whichever node answers.
struct ClusterDatabase(String);

impl ClusterDatabase {
    fn create() -> Self {
        let name = unique("setpass_galera").replace('-', "_");
        execute_on(&node(1), &format!("CREATE DATABASE {name}"));
        Self(name)
    }

    fn on(&self, n: u16) -> String {
        format!("{}{}", node(n), self.0)
    }

    fn schema_version(&self) -> i64 {
        number_on(&self.on(1), "SELECT version FROM setpass_schema")
    }
}

impl Drop for ClusterDatabase {
    fn drop(&mut self) {
        for n in 1..=3 {
            if let Ok(mut conn) = mysql::Conn::new(mysql::Opts::from_url(&node(n)).unwrap()) {
                if mysql::prelude::Queryable::query_drop(
                    &mut conn,
                    format!("DROP DATABASE IF EXISTS {}", self.0),
                )
                .is_ok()
                {
                    return;
                }
            }
        }
    }
}

fn launch(database_url: &str, auth_url: &str) -> ServerProcess {
    let env = [
        ("SETPASS_DATABASE__PATH", ""),
        ("SETPASS_DATABASE__URL", database_url),
        ("SETPASS_SECRETS__KEY", SHARED_KEY),
        ("RUST_LOG", "info"),
    ];
    ServerProcess::launch(&std::env::temp_dir(), auth_url, &env)
}

fn replica(database_url: &str, auth_url: &str) -> ServerProcess {
    let mut server = launch(database_url, auth_url);
    server
        .until_listening(Duration::from_secs(30))
        .unwrap_or_else(|log| panic!("setpass did not start: {log}"));
    server
}

async fn readiness(address: &str) -> StatusCode {
    reqwest::get(format!("{address}/readyz")).await.unwrap().status()
}

/// Waits (30 s at most) until `/readyz` answers `want`.
async fn until_ready_is(address: &str, want: StatusCode) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let got = readiness(address).await;
        if got == want {
            return;
        }
        assert!(Instant::now() < deadline, "/readyz still answers {got}, not {want}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn count(log: &str, needle: &str) -> usize {
    log.matches(needle).count()
}

/// The replica logged the outage once at its start and once at its end.
fn assert_outage_logged_once(log: &str) {
    assert_eq!(count(log, UNAVAILABLE), 1, "the outage is logged once:\n{log}");
    assert_eq!(count(log, AVAILABLE_AGAIN), 1, "and its end once:\n{log}");
}

#[tokio::test]
#[ignore = "on the Galera cluster only (scripts/test.sh)"]
async fn two_replicas_started_at_the_same_moment_on_two_nodes_both_come_up_five_times_out_of_five() {
    let url = keystone_url();
    let mut came_up = 0;
    let mut failures = Vec::new();
    for round in 1..=5 {
        let database = ClusterDatabase::create();
        let mut first = launch(&database.on(1), &url);
        let mut second = launch(&database.on(2), &url);
        let started =
            (first.until_listening(Duration::from_secs(60)), second.until_listening(Duration::from_secs(60)));
        match started {
            (Ok(()), Ok(())) => {
                assert_eq!(readiness(&first.address).await, StatusCode::OK);
                assert_eq!(readiness(&second.address).await, StatusCode::OK);
                // Every migration applied once, by one of the two.
                let logs = first.log() + &second.log();
                let latest = database.schema_version();
                let once = (1..=latest)
                    .all(|v| count(&logs, &format!("database migrated to schema version {v}\n")) == 1);
                if once {
                    came_up += 1;
                } else {
                    failures.push(format!("round {round}: a migration applied twice or not at all:\n{logs}"));
                }
            }
            (first, second) => failures.push(format!("round {round}: {first:?} / {second:?}")),
        }
    }
    println!("galera: {came_up} of 5 simultaneous starts on two nodes came up");
    assert_eq!(came_up, 5, "{failures:#?}");
}

#[tokio::test]
#[ignore = "on the Galera cluster only (scripts/test.sh)"]
async fn a_node_cut_off_from_the_cluster_is_not_ready_and_answers_503_until_it_is_healed() {
    let url = keystone_url();
    let keystone = Keystone::connect(&url).await;
    let database = ClusterDatabase::create();
    let server = replica(&database.on(3), &url);
    let user = keystone.create_user().await;
    let token = issue(&server.address, &keystone, &user).await;
    assert_eq!(readiness(&server.address).await, StatusCode::OK);

    let heal = Restore("heal", 3);
    galera("isolate", 3).await;
    let client = reqwest::Client::new();
    let ready = client.get(format!("{}/readyz", server.address)).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(ready.headers().contains_key("retry-after"));
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["checks"]["database"], json!(false), "{body}");

    for (lang, words) in [("ko", "데이터베이스"), ("en", "cannot reach its database")] {
        let page = client.get(format!("{}/?token={token}&lang={lang}", server.address)).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(page.headers()["retry-after"], "5");
        let html = page.text().await.unwrap();
        assert!(html.contains(words) && html.contains(&format!("lang=\"{lang}\"")), "{html}");
    }
    let api = post(&server.address, "status", json!({"token": token})).await;
    assert_eq!(api.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(api.headers().contains_key("retry-after"));
    let error: Value = api.json().await.unwrap();
    assert!(error["error"]["message"].as_str().unwrap().contains("database"), "{error}");
    let admin = client
        .get(format!("{}/token/{}", server.address, user.id))
        .header("X-Auth-Token", &keystone.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(admin.status(), StatusCode::SERVICE_UNAVAILABLE);

    galera("heal", 3).await;
    std::mem::forget(heal);
    until_ready_is(&server.address, StatusCode::OK).await;
    let page = client.get(format!("{}/?token={token}", server.address)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let log = server.stop_and_collect_log();
    assert_outage_logged_once(&log);
    assert!(!log.contains(" 500 "), "{log}");
}

#[tokio::test]
#[ignore = "on the Galera cluster only (scripts/test.sh)"]
async fn a_node_killed_mid_flow_lets_the_user_finish_on_the_other_replica_and_the_lost_one_answers_503() {
    let url = first_use_keystone_url();
    let keystone = Keystone::connect(&url).await;
    let database = ClusterDatabase::create();
    let lost = replica(&database.on(3), &url);
    let other = replica(&database.on(1), &url);
    let user = keystone.create_user().await;
    let token = issue(&lost.address, &keystone, &user).await;
    let step =
        post(&lost.address, "password", json!({"token": token, "pin": PIN, "password": NEW_PASSWORD})).await;
    assert_eq!(step.status(), StatusCode::OK);

    let rejoin = Restore("rejoin", 3);
    galera("kill", 3).await;
    let asked = Instant::now();
    let refused = post(&lost.address, "status", json!({"token": token})).await;
    let waited = asked.elapsed();
    assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE, "{}", refused.text().await.unwrap());
    assert!(refused.headers().contains_key("retry-after"));
    println!("galera: the replica on the killed node answered 503 after {waited:?}");
    assert!(waited < Duration::from_secs(8), "a 503 within a few seconds, not {waited:?}");

    let status: Value = post(&other.address, "status", json!({"token": token})).await.json().await.unwrap();
    let secret = status["totp"]["secret"].as_str().unwrap_or_else(|| panic!("{status}")).to_owned();
    let done = post(
        &other.address,
        "totp",
        json!({"token": token, "code": code_now(&secret), "password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(done.status(), StatusCode::OK, "{}", done.text().await.unwrap());
    assert_eq!(
        keystone.login_with_totp(&user.id, NEW_PASSWORD, &code_now(&secret)).await,
        StatusCode::CREATED
    );
    assert_eq!(keystone.totp_credentials(&user.id).await, vec![secret]);

    galera("rejoin", 3).await;
    std::mem::forget(rejoin);
    until_ready_is(&lost.address, StatusCode::OK).await;
    let log = lost.stop_and_collect_log();
    assert_outage_logged_once(&log);
}

/// One admin request of the load: its status, how long it took, and the link if it made one.
struct Answer {
    user: usize,
    status: StatusCode,
    took: Duration,
    token: Option<String>,
    clear: bool,
}

async fn renew(
    client: &reqwest::Client,
    address: &str,
    admin_token: &str,
    user: &KeystoneUser,
) -> (StatusCode, Option<String>, bool) {
    let response = client
        .put(format!("{address}/token/{}", user.id))
        .header("X-Auth-Token", admin_token)
        .json(&json!({"password": user.password, "pin": PIN}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let retry_after = response.headers().contains_key("retry-after");
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let token = body["token"].as_str().map(str::to_owned);
    let clear = status.is_success()
        || (status == StatusCode::SERVICE_UNAVAILABLE && retry_after && body["error"]["message"].is_string());
    (status, token, clear)
}

#[tokio::test]
#[ignore = "on the Galera cluster only (scripts/test.sh)"]
async fn the_active_node_behind_haproxy_killed_under_load_loses_no_link_and_answers_only_clear_503s() {
    let url = keystone_url();
    let keystone = std::sync::Arc::new(Keystone::connect(&url).await);
    let database = ClusterDatabase::create();
    let replicas = [replica(&database.on(0), &url), replica(&database.on(0), &url)];
    let addresses: Vec<String> = replicas.iter().map(|r| r.address.clone()).collect();
    let mut users = Vec::new();
    for _ in 0..16 {
        users.push(keystone.create_user().await);
    }
    let users = std::sync::Arc::new(users);
    let killed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let before_kill = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let after_kill = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));

    // Four clients renew links round and round, over both replicas, until 60 answers have come
    // after the kill; the active node is killed once 40 have come before it.
    let workers: Vec<_> = (0..4)
        .map(|w| {
            let (users, keystone, addresses) = (users.clone(), keystone.clone(), addresses.clone());
            let (killed, before_kill, after_kill) = (killed.clone(), before_kill.clone(), after_kill.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut answers = Vec::new();
                let mut i = w;
                while after_kill.load(SeqCst) < 60 {
                    let user = i % users.len();
                    let started = Instant::now();
                    let (status, token, clear) =
                        renew(&client, &addresses[i % 2], &keystone.admin_token, &users[user]).await;
                    answers.push(Answer { user, status, took: started.elapsed(), token, clear });
                    let counter = if killed.load(SeqCst) { &after_kill } else { &before_kill };
                    counter.fetch_add(1, SeqCst);
                    i += 4;
                }
                answers
            })
        })
        .collect();
    let rejoin = Restore("rejoin", 1);
    while before_kill.load(SeqCst) < 40 {
        assert!(!workers.iter().any(|w| w.is_finished()), "a client stopped before the kill");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    galera("kill", 1).await;
    killed.store(true, SeqCst);
    let mut answers = Vec::new();
    for worker in workers {
        answers.extend(worker.await.unwrap());
    }

    let failed = answers.iter().filter(|a| !a.status.is_success()).count();
    let longest = answers.iter().map(|a| a.took).max().unwrap();
    println!(
        "galera: HAProxy failover under load: {} requests, {failed} answered 503, longest wait {longest:?}",
        answers.len()
    );
    let unclear: Vec<_> = answers.iter().filter(|a| !a.clear).map(|a| a.status).collect();
    assert!(unclear.is_empty(), "answers other than 2xx or a clear 503 with Retry-After: {unclear:?}");

    // Nothing lost: each user's last link answered 2xx works, unless a later renewal was
    // answered 503 (it may have been kept); then the admin's retry makes one that works.
    let client = reqwest::Client::new();
    for (index, user) in users.iter().enumerate() {
        let mine: Vec<&Answer> = answers.iter().filter(|a| a.user == index).collect();
        let last_ok = mine.iter().rposition(|a| a.status.is_success());
        let token = match last_ok {
            Some(at) if at == mine.len() - 1 => mine[at].token.clone().unwrap(),
            _ => {
                let (status, token, _) = renew(&client, &addresses[0], &keystone.admin_token, user).await;
                assert!(status.is_success(), "the retried renewal: {status}");
                token.unwrap()
            }
        };
        let status = post(&addresses[index % 2], "status", json!({"token": token})).await;
        assert_eq!(status.status(), StatusCode::OK, "user {index}'s link: {}", status.text().await.unwrap());
    }
    galera("rejoin", 1).await;
    std::mem::forget(rejoin);
}
