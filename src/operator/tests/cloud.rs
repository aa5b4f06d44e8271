//! Finding the operator's credentials as the `openstack` client does.
use super::{resolve, Lookup};
use crate::keystone::{Named, OperatorAuth, OperatorScope};
use secrecy::ExposeSecret;
use std::collections::HashMap;

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn lookup<'a>(env: &'a HashMap<String, String>, cwd: &std::path::Path, cloud: Option<&'a str>) -> Lookup<'a> {
    Lookup { env, cloud, cwd: cwd.to_owned(), home: None }
}

const CLOUDS: &str = "clouds:\n  lab:\n    auth:\n      auth_url: https://keystone.example.com:5000\n      \
    username: ops\n      password: s3cret\n      project_name: admin\n      user_domain_name: Default\n      \
    project_domain_id: default\n    region_name: RegionOne\n    interface: public\n  \
  appcred:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://k.example.com/v3/\n      \
    application_credential_id: abc\n      application_credential_secret: shh\n";

#[test]
fn a_cloud_of_clouds_yaml_in_the_working_directory_gives_a_project_scoped_password_login() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clouds.yaml"), CLOUDS).unwrap();
    let env = env(&[("OS_CLOUD", "lab")]);

    let creds = resolve(&lookup(&env, dir.path(), None)).unwrap();

    assert_eq!(creds.auth_url, "https://keystone.example.com:5000/v3");
    match &creds.auth {
        OperatorAuth::Password { user, user_domain, password } => {
            assert_eq!(user, &Named::Name("ops".into()));
            assert_eq!(user_domain, &Some(Named::Name("Default".into())));
            assert_eq!(password.expose_secret(), "s3cret");
        }
        other => panic!("{other:?}"),
    }
    let project = OperatorScope::Project {
        project: Named::Name("admin".into()),
        domain: Some(Named::Id("default".into())),
    };
    assert_eq!(creds.scope, project);
    assert!(!format!("{creds:?}").contains("s3cret"));
}

#[test]
fn os_variables_lay_over_the_cloud_and_the_os_cloud_flag_wins_over_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clouds.yaml"), CLOUDS).unwrap();
    let env = env(&[("OS_CLOUD", "nope"), ("OS_PASSWORD", "from-env"), ("OS_PROJECT_NAME", "other")]);

    let creds = resolve(&lookup(&env, dir.path(), Some("lab"))).unwrap();

    let OperatorAuth::Password { password, .. } = &creds.auth else { panic!("{:?}", creds.auth) };
    assert_eq!(password.expose_secret(), "from-env");
    assert!(matches!(&creds.scope, OperatorScope::Project { project: Named::Name(p), .. } if p == "other"));
}

#[test]
fn an_application_credential_cloud_is_unscoped_by_us_and_keeps_its_v3_url() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clouds.yml"), CLOUDS).unwrap();
    let env = HashMap::new();

    let creds = resolve(&lookup(&env, dir.path(), Some("appcred"))).unwrap();

    assert_eq!(creds.auth_url, "https://k.example.com/v3");
    let OperatorAuth::ApplicationCredential { credential, secret, .. } = &creds.auth else { panic!() };
    assert_eq!((credential, secret.expose_secret()), (&Named::Id("abc".into()), "shh"));
}

#[test]
fn os_variables_alone_give_a_domain_scope_or_the_system() {
    let dir = tempfile::tempdir().unwrap();
    let base = [("OS_AUTH_URL", "http://k:5000/v3"), ("OS_USER_ID", "u1"), ("OS_PASSWORD", "p")];
    let mut domain = env(&base);
    domain.insert("OS_DOMAIN_NAME".into(), "lab".into());
    let mut system = env(&base);
    system.insert("OS_SYSTEM_SCOPE".into(), "all".into());

    assert_eq!(
        resolve(&lookup(&domain, dir.path(), None)).unwrap().scope,
        OperatorScope::Domain(Named::Name("lab".into()))
    );
    assert_eq!(resolve(&lookup(&system, dir.path(), None)).unwrap().scope, OperatorScope::System);
}

#[test]
fn a_domain_beside_a_project_is_their_default_domain_not_a_scope() {
    let dir = tempfile::tempdir().unwrap();
    let env = env(&[
        ("OS_AUTH_URL", "http://k/v3"),
        ("OS_USERNAME", "ops"),
        ("OS_PASSWORD", "p"),
        ("OS_PROJECT_NAME", "admin"),
        ("OS_DOMAIN_ID", "d1"),
    ]);

    let creds = resolve(&lookup(&env, dir.path(), None)).unwrap();

    let project =
        OperatorScope::Project { project: Named::Name("admin".into()), domain: Some(Named::Id("d1".into())) };
    assert_eq!(creds.scope, project);
    let OperatorAuth::Password { user_domain, .. } = &creds.auth else { panic!() };
    assert_eq!(user_domain, &Some(Named::Id("d1".into())));
}

#[test]
fn os_client_config_file_is_read_first_and_secure_yaml_fills_in_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = dir.path().join("my-clouds.yaml");
    std::fs::write(&elsewhere, CLOUDS.replace("      password: s3cret\n", "")).unwrap();
    std::fs::write(dir.path().join("clouds.yaml"), "clouds: {}\n").unwrap();
    std::fs::write(
        dir.path().join("secure.yaml"),
        "clouds:\n  lab:\n    auth:\n      password: kept-apart\n",
    )
    .unwrap();
    let env = env(&[("OS_CLIENT_CONFIG_FILE", elsewhere.to_str().unwrap()), ("OS_CLOUD", "lab")]);

    let creds = resolve(&lookup(&env, dir.path(), None)).unwrap();

    let OperatorAuth::Password { password, .. } = &creds.auth else { panic!() };
    assert_eq!(password.expose_secret(), "kept-apart");
}

#[test]
fn what_is_missing_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let none = HashMap::new();
    assert!(resolve(&lookup(&none, dir.path(), None)).unwrap_err().contains("OS_AUTH_URL"));
    assert!(resolve(&lookup(&none, dir.path(), Some("lab"))).unwrap_err().contains("no clouds.yaml"));
    let no_password = env(&[("OS_AUTH_URL", "http://k/v3"), ("OS_USERNAME", "ops")]);
    assert!(resolve(&lookup(&no_password, dir.path(), None)).unwrap_err().contains("password"));
    let weird = env(&[("OS_AUTH_URL", "http://k/v3"), ("OS_AUTH_TYPE", "token")]);
    assert!(resolve(&lookup(&weird, dir.path(), None)).unwrap_err().contains("not supported"));
}
