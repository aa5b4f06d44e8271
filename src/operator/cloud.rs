//! The operator's credentials, found as the `openstack` client finds them: a cloud of
//! `clouds.yaml` (`--os-cloud` or `OS_CLOUD`; `secure.yaml` beside it merged in), with any `OS_*`
//! variable laid over it, or the `OS_*` variables alone.
use crate::keystone::{Named, OperatorAuth, OperatorScope};
use secrecy::SecretString;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where Keystone is and who logs in. `Debug` hides the secrets (through `OperatorAuth`).
#[derive(Debug)]
pub struct Credentials {
    /// The Identity v3 root (`/v3` added when the URL lacks it).
    pub auth_url: String,
    pub auth: OperatorAuth,
    pub scope: OperatorScope,
    pub cacert: Option<PathBuf>,
}

/// Where to look: the environment, the working directory and the home directory.
pub struct Lookup<'a> {
    pub env: &'a HashMap<String, String>,
    pub cloud: Option<&'a str>,
    pub cwd: PathBuf,
    pub home: Option<PathBuf>,
}

/// The places `clouds.yaml` may be, first found wins (openstacksdk's order).
fn candidates(lookup: &Lookup<'_>, file: &str) -> Vec<PathBuf> {
    let mut dirs = vec![lookup.cwd.clone()];
    if let Some(home) = &lookup.home {
        dirs.push(home.join(".config/openstack"));
    }
    dirs.push(PathBuf::from("/etc/openstack"));
    let mut found = Vec::new();
    if file == "clouds" {
        found.extend(lookup.env.get("OS_CLIENT_CONFIG_FILE").map(PathBuf::from));
    }
    for dir in dirs {
        found.push(dir.join(format!("{file}.yaml")));
        found.push(dir.join(format!("{file}.yml")));
    }
    found
}

fn read_yaml(path: &Path) -> Result<Value, String> {
    let text =
        std::fs::read_to_string(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    serde_norway::from_str(&text).map_err(|err| format!("{} is not valid YAML: {err}", path.display()))
}

/// The named cloud's settings, flattened (`auth.*` beside the top-level keys).
fn cloud_settings(lookup: &Lookup<'_>, name: &str) -> Result<Map<String, Value>, String> {
    let Some(path) = candidates(lookup, "clouds").into_iter().find(|p| p.is_file()) else {
        return Err(format!("--os-cloud {name}: no clouds.yaml in ./, ~/.config/openstack/ or /etc/openstack/ (or OS_CLIENT_CONFIG_FILE)"));
    };
    let mut cloud = read_yaml(&path)?["clouds"][name].clone();
    if !cloud.is_object() {
        return Err(format!("{} has no cloud `{name}`", path.display()));
    }
    if let Some(secure) = candidates(lookup, "secure").into_iter().find(|p| p.is_file()) {
        merge(&mut cloud, &read_yaml(&secure)?["clouds"][name]);
    }
    let mut flat = Map::new();
    if let Value::Object(top) = cloud {
        for (key, value) in top {
            match (key.as_str(), value) {
                ("auth", Value::Object(auth)) => flat.extend(auth),
                (_, value) => {
                    flat.insert(key, value);
                }
            }
        }
    }
    Ok(flat)
}

fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                merge(into.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (into, from) if !from.is_null() => *into = from.clone(),
        _ => {}
    }
}

/// Resolves the operator's credentials; the error says what is missing.
pub fn resolve(lookup: &Lookup<'_>) -> Result<Credentials, String> {
    let cloud = lookup.cloud.map(str::to_owned).or_else(|| lookup.env.get("OS_CLOUD").cloned());
    let mut settings = match cloud.as_deref().filter(|c| !c.is_empty()) {
        Some(name) => cloud_settings(lookup, name)?,
        None => Map::new(),
    };
    // `OS_PROJECT_NAME` is `project_name`, as the client's `--os-*` options take them.
    for (key, value) in lookup.env {
        if let Some(name) = key.strip_prefix("OS_").filter(|n| *n != "CLOUD" && !value.is_empty()) {
            settings.insert(name.to_ascii_lowercase(), Value::String(value.clone()));
        }
    }
    let get = |key: &str| match settings.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    };
    let named = |id: &str, name: &str| get(id).map(Named::Id).or_else(|| get(name).map(Named::Name));
    let auth_url = get("auth_url").ok_or("no auth URL: set OS_CLOUD (and a clouds.yaml), or OS_AUTH_URL")?;
    let auth_url = with_v3(&auth_url);
    // A `domain_*` beside a project is the default domain of the user and the project
    // (openstacksdk does the same), not a domain scope.
    let domain = named("domain_id", "domain_name");
    let project = named("project_id", "project_name").or_else(|| named("tenant_id", "tenant_name"));
    let default_domain = || {
        domain
            .clone()
            .filter(|_| project.is_some())
            .or_else(|| get("default_domain").map(Named::Id))
            .unwrap_or(Named::Id("default".into()))
    };
    let user = named("user_id", "username");
    let user_domain = Some(named("user_domain_id", "user_domain_name").unwrap_or_else(default_domain));
    let secret = |key: &str, what: &str| get(key).map(SecretString::from).ok_or(format!("no {what} ({key})"));
    let auth_type = get("auth_type").unwrap_or_else(|| "password".into());
    let auth = match auth_type.as_str() {
        "password" | "v3password" => OperatorAuth::Password {
            user: user.ok_or("no user: set username or user_id (OS_USERNAME)")?,
            user_domain,
            password: secret("password", "password")?,
        },
        "v3applicationcredential" | "applicationcredential" => OperatorAuth::ApplicationCredential {
            credential: named("application_credential_id", "application_credential_name").ok_or(
                "no application credential: set application_credential_id (OS_APPLICATION_CREDENTIAL_ID)",
            )?,
            user,
            user_domain,
            secret: secret("application_credential_secret", "application credential secret")?,
        },
        other => {
            return Err(format!(
                "auth_type `{other}` is not supported: use password, v3password or v3applicationcredential"
            ))
        }
    };
    let scope = if get("system_scope").is_some() {
        OperatorScope::System
    } else if let Some(project) = project.clone() {
        let domain = named("project_domain_id", "project_domain_name").unwrap_or_else(default_domain);
        OperatorScope::Project { project, domain: Some(domain) }
    } else if let Some(domain) = domain {
        OperatorScope::Domain(domain)
    } else {
        OperatorScope::Unscoped
    };
    Ok(Credentials { auth_url, auth, scope, cacert: get("cacert").map(PathBuf::from) })
}

fn with_v3(url: &str) -> String {
    let url = url.trim_end_matches('/');
    if url.ends_with("/v3") {
        url.to_owned()
    } else {
        format!("{url}/v3")
    }
}

#[cfg(test)]
#[path = "tests/cloud.rs"]
mod tests;
