//! The spec against the code: every JSON route the web modules register is in the spec with its
//! method, and every operation of the spec is registered. The routes are read from the
//! `configure`/`routes` functions' source, the one place they are written.
use std::collections::BTreeSet;

/// The modules of the JSON APIs, and the scope each one's paths sit under (`web/mod.rs`,
/// `api.rs`: `/api/v1` holds the steps, self-enrollment and command-line access).
const MODULES: &[(&str, &str)] = &[
    ("", include_str!("../admin.rs")),
    ("", include_str!("../health.rs")),
    ("", include_str!("../openapi.rs")),
    ("/api/v1", include_str!("../api.rs")),
    ("/api/v1", include_str!("../enroll_api.rs")),
    ("/api/v1", include_str!("../cli_api.rs")),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head"];

/// `(path, method)` of every route in one module's source: `resource("/p")`, `step("/p")` or
/// `.route("/p", web::get()...)`, then the `.route(web::m()...)` calls that follow it.
fn routes_in(prefix: &str, source: &str) -> BTreeSet<(String, String)> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut found = BTreeSet::new();
    let mut current: Option<String> = None;
    for line in code.lines() {
        for opener in ["resource(\"", "resource([\"", "step(\"", ".route(\""] {
            let mut rest = line;
            while let Some(at) = rest.find(opener) {
                let after = &rest[at + opener.len()..];
                let path = after.split('"').next().unwrap_or_default();
                current = Some(format!("{prefix}{path}"));
                rest = after;
                if opener == ".route(\"" {
                    if let Some(m) = METHODS.iter().find(|m| after.contains(&format!("web::{m}()"))) {
                        found.insert((format!("{prefix}{path}"), m.to_string()));
                    }
                    current = None;
                }
            }
        }
        if let Some(path) = &current {
            for m in METHODS {
                if line.contains(&format!(".route(web::{m}()")) {
                    found.insert((path.clone(), m.to_string()));
                }
            }
        }
    }
    found
}

fn registered() -> BTreeSet<(String, String)> {
    MODULES.iter().flat_map(|(prefix, source)| routes_in(prefix, source)).collect()
}

fn documented() -> BTreeSet<(String, String)> {
    let spec: serde_json::Value = serde_json::from_str(super::SPEC).expect("docs/openapi.json is JSON");
    assert_eq!(spec["openapi"], "3.1.0");
    let paths = spec["paths"].as_object().expect("the spec has paths");
    paths
        .iter()
        .flat_map(|(path, item)| {
            let item = item.as_object().expect("a path item is an object");
            item.keys().filter(|m| METHODS.contains(&m.as_str())).map(move |m| (path.clone(), m.clone()))
        })
        .collect()
}

#[test]
fn the_route_reader_finds_the_routes_it_is_shown() {
    let source = r#"cfg.service(web::resource("/a/{id}").wrap(x)
        .route(web::put().to(p))
        .route(web::get().to(g)))
        .route("/b", web::get().to(b));"#;
    let found = routes_in("/v", source);
    let expected: BTreeSet<_> = [("/v/a/{id}", "get"), ("/v/a/{id}", "put"), ("/v/b", "get")]
        .iter()
        .map(|(p, m)| (p.to_string(), m.to_string()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn every_registered_json_route_is_in_the_spec_and_every_operation_is_registered() {
    // `/token/` is the same list as `/token` (a trailing slash forgiven), not a second operation.
    let registered: BTreeSet<_> = registered().into_iter().filter(|(p, _)| p != "/token/").collect();
    let documented = documented();
    let missing: Vec<_> = registered.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&registered).collect();
    assert!(missing.is_empty(), "registered but not in docs/openapi.json: {missing:?}");
    assert!(stale.is_empty(), "in docs/openapi.json but not registered: {stale:?}");
    assert!(registered.len() >= 14, "the route reader found too few routes: {registered:?}");
}

#[test]
fn every_operation_documents_its_error_shape_and_429() {
    let spec: serde_json::Value = serde_json::from_str(super::SPEC).expect("docs/openapi.json is JSON");
    for (path, item) in spec["paths"].as_object().expect("paths").iter() {
        for (method, op) in
            item.as_object().expect("path item").iter().filter(|(m, _)| METHODS.contains(&m.as_str()))
        {
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.contains_key("429"), "{method} {path} lacks 429");
            assert!(responses.contains_key("405"), "{method} {path} lacks 405");
        }
    }
}

#[actix_web::test]
async fn the_document_is_served_as_json_at_openapi_json() {
    use actix_web::{test, App};
    let app = test::init_service(App::new().configure(super::configure)).await;
    let response = test::call_service(&app, test::TestRequest::get().uri("/openapi.json").to_request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers().get("content-type").map(|v| v.as_bytes()), Some(&b"application/json"[..]));
    let body: serde_json::Value = test::read_body_json(response).await;
    assert_eq!(body["openapi"], "3.1.0");
    assert!(body["paths"]["/token/{user_id}"]["put"].is_object());
}
