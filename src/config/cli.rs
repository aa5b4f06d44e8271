//! `[cli]`: command-line access at the end of every enrollment and at `/cli` (an application
//! credential of the user's, with `clouds.yaml` and `openrc.sh` to download).
use super::{ConfigError, Seconds};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CliSettings {
    /// Off by default: `/cli` and `/api/v1/cli` answer 404 and the done pages offer nothing.
    #[serde(default)]
    pub enabled: bool,
    /// The expiry a user gets without choosing one.
    #[serde(default = "default_expiry")]
    pub default_expiry: Seconds,
    /// The latest expiry a user may choose.
    #[serde(default = "max_expiry")]
    pub max_expiry: Seconds,
    /// Whether a user may choose no expiry at all.
    #[serde(default)]
    pub allow_no_expiry: bool,
    /// The Keystone URL in the files (the public endpoint users reach); else `keystone.auth_url`.
    pub auth_url: Option<String>,
    pub region_name: Option<String>,
    /// The endpoint interface the client uses.
    #[serde(default = "default_interface")]
    pub interface: String,
    /// The cloud's name in `clouds.yaml` (`openstack --os-cloud <name>`).
    #[serde(default = "default_cloud")]
    pub cloud_name: String,
}

fn default_expiry() -> Seconds {
    Seconds(90 * 86_400)
}

fn max_expiry() -> Seconds {
    Seconds(365 * 86_400)
}

fn default_interface() -> String {
    "public".into()
}

fn default_cloud() -> String {
    "openstack".into()
}

impl Default for CliSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            default_expiry: default_expiry(),
            max_expiry: max_expiry(),
            allow_no_expiry: false,
            auth_url: None,
            region_name: None,
            interface: default_interface(),
            cloud_name: default_cloud(),
        }
    }
}

impl CliSettings {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        const DAY: u64 = 86_400;
        if self.max_expiry.0 < DAY || self.max_expiry.0 > 3650 * DAY {
            return Err(ConfigError::new("cli.max_expiry", "choose between \"1d\" and \"3650d\""));
        }
        if self.default_expiry.0 < DAY || self.default_expiry.0 > self.max_expiry.0 {
            return Err(ConfigError::new("cli.default_expiry", "choose between \"1d\" and cli.max_expiry"));
        }
        if !["public", "internal", "admin"].contains(&self.interface.as_str()) {
            return Err(ConfigError::new("cli.interface", "choose \"public\", \"internal\" or \"admin\""));
        }
        let plain = |text: &str| !text.trim().is_empty() && !text.chars().any(char::is_control);
        if !plain(&self.cloud_name) || self.cloud_name.contains(':') {
            return Err(ConfigError::new("cli.cloud_name", "give a plain name, such as \"openstack\""));
        }
        if let Some(url) = &self.auth_url {
            if reqwest::Url::parse(url).map_or(true, |u| !matches!(u.scheme(), "http" | "https")) {
                return Err(ConfigError::new(
                    "cli.auth_url",
                    "give Keystone's public URL, such as \"https://keystone.example.com/v3\"",
                ));
            }
        }
        if self.region_name.as_deref().is_some_and(|r| !plain(r)) {
            return Err(ConfigError::new("cli.region_name", "give a plain name, or leave it out"));
        }
        Ok(())
    }
}
