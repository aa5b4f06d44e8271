//! Every 5xx logs its cause once, with the request id the answer carries, on the HTML form path
//! as on the JSON path.
use crate::process::{temp_dir, ServerProcess};
use crate::standin::{keystone_with_admin, USER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn keystone_failing_the_password_change() -> MockServer {
    let server = keystone_with_admin(std::time::Duration::ZERO).await;
    Mock::given(method("POST"))
        .and(path_regex("^/v3/users/.*/password$"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    server
}

fn request_id(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_keystone_failure_logs_its_cause_once_with_the_request_id_on_both_paths() {
    let keystone = keystone_failing_the_password_change().await;
    let (_dir, dir) = temp_dir();
    let server = ServerProcess::start(&dir, &format!("{}/v3", keystone.uri()), &[]);
    let client = reqwest::Client::new();
    let issued: Value = client
        .put(format!("{}/token/{USER}", server.address))
        .header("X-Auth-Token", "admin")
        .json(&json!({"password": "random-1", "pin": "1234"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = issued["token"].as_str().unwrap();
    let fields =
        [("pin", "1234"), ("password", "my-own-password-42"), ("confirm_password", "my-own-password-42")];

    let page = client.post(format!("{}/?token={token}", server.address)).form(&fields).send().await.unwrap();
    let api = client
        .post(format!("{}/api/v1/password", server.address))
        .json(&json!({"token": token, "pin": "1234", "password": "my-own-password-42"}))
        .send()
        .await
        .unwrap();

    assert_eq!(
        (page.status(), api.status()),
        (StatusCode::SERVICE_UNAVAILABLE, StatusCode::SERVICE_UNAVAILABLE)
    );
    let (page_id, api_id) = (request_id(&page), request_id(&api));
    let log = server.stop_and_collect_log();
    for id in [page_id, api_id] {
        let causes: Vec<&str> = log
            .lines()
            .filter(|l| {
                l.contains(&format!("503 Service Unavailable (request {id})")) && l.contains("answered 500")
            })
            .collect();
        assert_eq!(causes.len(), 1, "request {id}: {causes:?}\n{log}");
    }
}

#[tokio::test]
async fn sigterm_lets_a_request_in_flight_finish_and_exits_0() {
    let keystone = keystone_with_admin(std::time::Duration::from_secs(2)).await;
    let (_dir, dir) = temp_dir();
    let server = ServerProcess::start(&dir, &format!("{}/v3", keystone.uri()), &[]);
    let address = server.address.clone();
    let in_flight = tokio::spawn(async move {
        reqwest::Client::new()
            .put(format!("{address}/token/{USER}"))
            .header("X-Auth-Token", "admin")
            .json(&json!({"password": "random-1", "pin": "1234"}))
            .send()
            .await
            .map(|r| r.status())
    });
    let arrived = async {
        while keystone.received_requests().await.unwrap().is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), arrived)
        .await
        .expect("the PUT reached Keystone");

    let exit = tokio::task::spawn_blocking(move || server.terminate_and_wait()).await.unwrap();

    assert_eq!(in_flight.await.unwrap().unwrap(), StatusCode::CREATED, "the request in flight finished");
    assert_eq!(exit, Some(0));
}
