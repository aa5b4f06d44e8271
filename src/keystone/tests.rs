//! URL building: prefixes kept, ids always one percent-encoded segment.
use super::{ClientOptions, KeystoneClient};
use std::time::Duration;

fn client(auth_url: &str) -> KeystoneClient {
    KeystoneClient::new(&ClientOptions::plain(auth_url, Duration::from_secs(1))).unwrap()
}

#[test]
fn a_path_prefix_in_the_auth_url_is_kept_for_every_call() {
    let keystone = client("https://cloud.example.com/identity/v3/");
    assert_eq!(keystone.url(&[]).as_str(), "https://cloud.example.com/identity/v3");
    assert_eq!(
        keystone.url(&["users", "abc", "password"]).as_str(),
        "https://cloud.example.com/identity/v3/users/abc/password"
    );
}

#[test]
fn path_segments_are_percent_encoded_and_never_climb_out() {
    let keystone = client("http://127.0.0.1:5000/v3");
    let url = keystone.url(&["users", "a/b?c#d"]);
    assert_eq!(url.path(), "/v3/users/a%2Fb%3Fc%23d");
    assert_eq!(url.query(), None);
    for dots in [".", ".."] {
        let url = keystone.url(&["users", dots]);
        assert!(url.path().starts_with("/v3/users"), "{dots}: {url}");
    }
}

#[test]
fn a_missing_or_non_pem_ca_file_is_a_startup_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate").unwrap();
    for path in [dir.path().join("missing.pem"), junk] {
        let options = ClientOptions {
            cafile: Some(&path),
            ..ClientOptions::plain("https://k/v3", Duration::from_secs(1))
        };
        let err = KeystoneClient::new(&options).err().expect("must fail").to_string();
        assert!(err.contains("keystone.cafile"), "{err}");
    }
}
