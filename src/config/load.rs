//! Reading the file, applying environment overrides, and checking every value once.
use super::Settings;
use serde::{Deserialize, Deserializer};
use std::path::Path;

const ENV_PREFIX: &str = "SETPASS_";

/// A startup error that names the bad key and says how to fix it.
#[derive(Debug, thiserror::Error)]
#[error("config error at `{key}`{origin}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
    origin: String,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> Self {
        Self { key: key.into(), message: message.into(), origin: String::new() }
    }

    fn from(mut self, origin: String) -> Self {
        self.origin = origin;
        self
    }
}

impl Settings {
    /// Loads the file (if any), then `SETPASS_<SECTION>__<KEY>` variables from `env`, then validates.
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut table = match path {
            Some(path) => read_file(path)?,
            None => toml::Table::new(),
        };
        let mut from_env = Vec::new();
        for (name, value) in env {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else { continue };
            let Some((section, key)) = rest.split_once("__") else { continue };
            let (section, key) = (section.to_ascii_lowercase(), key.to_ascii_lowercase());
            let entry =
                table.entry(section.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(section_table) = entry.as_table_mut() else {
                return Err(ConfigError::new(section, "must be a [section] table"));
            };
            section_table.insert(key.clone(), env_value(&value));
            from_env.push((format!("{section}.{key}"), name));
        }
        let origin_of = |key: &str| {
            from_env
                .iter()
                .find(|(k, _)| key == k || key.starts_with(&format!("{k}.")))
                .map(|(_, var)| format!(" (set by {var})"))
                .unwrap_or_default()
        };
        let settings: Settings =
            serde_path_to_error::deserialize(toml::Value::Table(table)).map_err(|err| {
                let mut key = err.path().to_string();
                let message = explain(err.inner().to_string(), &key);
                if key == "." {
                    // A missing section: name it rather than the root.
                    key = message.split('`').nth(1).unwrap_or("config").to_owned();
                }
                ConfigError::new(key.clone(), message).from(origin_of(&key))
            })?;
        settings.validate().map_err(|err| {
            let origin = origin_of(&err.key);
            err.from(origin)
        })
    }
}

fn read_file(path: &Path) -> Result<toml::Table, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        ConfigError::new("--config", format!("cannot read {}: {err}; check the path", path.display()))
    })?;
    text.parse::<toml::Table>().map_err(|err| {
        let message = err.message().to_owned();
        let line = err
            .span()
            .map(|span| text[..span.start].lines().count().max(1))
            .map_or(String::new(), |line| format!(" on line {line}"));
        ConfigError::new(path.display().to_string(), format!("not valid TOML{line}: {message}"))
    })
}

/// Environment values are typed like TOML scalars: numbers and booleans as such, the rest as text.
fn env_value(raw: &str) -> toml::Value {
    if let Ok(n) = raw.parse::<i64>() {
        toml::Value::Integer(n)
    } else if let Ok(b) = raw.parse::<bool>() {
        toml::Value::Boolean(b)
    } else {
        toml::Value::String(raw.to_owned())
    }
}

fn explain(message: String, key: &str) -> String {
    // One line, whatever the parser's message looked like.
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if message.starts_with("missing field") {
        format!("{message}; add it to the config file (see config.toml.example)")
    } else if message.starts_with("unknown field") {
        format!("{message}; remove `{key}` or fix its spelling (see config.toml.example)")
    } else {
        message
    }
}

/// A text setting that may arrive as a number from the environment (`SETPASS_KEYSTONE__ADMIN_PROJECT=1234`).
pub(super) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Text(String),
        Number(i64),
    }
    Ok(match Raw::deserialize(deserializer)? {
        Raw::Text(text) => text,
        Raw::Number(n) => n.to_string(),
    })
}

pub(super) fn optional_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    text(deserializer).map(Some)
}
