//! Building the client: auth URL, timeouts, the CA bundle and client certificate, the pools.
use super::KeystoneClient;
use crate::config::{ConfigError, KeystoneSettings};
use reqwest::{Certificate, Identity, Url};
use std::path::Path;
use std::time::Duration;

/// Servers close idle keep-alive connections after a few seconds (Apache's default is 5 s);
/// dropping ours first avoids most races with that close. The retry in `send` covers the rest.
const POOL_IDLE: Duration = Duration::from_secs(4);

/// How the client reaches Keystone, read from `[keystone]`.
pub struct ClientOptions<'a> {
    pub auth_url: &'a str,
    pub timeout: Duration,
    /// PEM bundle trusted in addition to the public roots (keystoneauth's `cafile`).
    pub cafile: Option<&'a Path>,
    /// Client certificate and key (PEM), for Keystones that ask for one.
    pub certfile: Option<&'a Path>,
    pub keyfile: Option<&'a Path>,
}

impl<'a> ClientOptions<'a> {
    pub fn from_settings(settings: &'a KeystoneSettings) -> Self {
        Self {
            auth_url: &settings.auth_url,
            timeout: settings.timeout.as_std(),
            cafile: settings.cafile.as_deref(),
            certfile: settings.certfile.as_deref(),
            keyfile: settings.keyfile.as_deref(),
        }
    }

    /// For tests and tools: a plain URL, no TLS settings.
    pub fn plain(auth_url: &'a str, timeout: Duration) -> Self {
        Self { auth_url, timeout, cafile: None, certfile: None, keyfile: None }
    }
}

impl KeystoneClient {
    /// `auth_url` is the v3 root, e.g. `https://cloud.example.com/identity/v3`.
    pub fn new(options: &ClientOptions<'_>) -> Result<Self, ConfigError> {
        let base = Url::parse(options.auth_url.trim_end_matches('/'))
            .ok()
            .filter(|url| !url.cannot_be_a_base() && matches!(url.scheme(), "http" | "https"))
            .ok_or_else(|| ConfigError::new("keystone.auth_url", "is not an http(s) URL"))?;
        let mut roots = Vec::new();
        if let Some(path) = options.cafile {
            roots = read_ca_bundle(path)?;
        }
        let identity = match (options.certfile, options.keyfile) {
            (Some(cert), Some(key)) => Some(read_identity(cert, key)?),
            (None, None) => None,
            _ => {
                return Err(ConfigError::new(
                    "keystone.certfile",
                    "set keystone.certfile and keystone.keyfile together",
                ))
            }
        };
        let build = |pooled: bool| {
            let mut builder = reqwest::Client::builder()
                .timeout(options.timeout)
                .connect_timeout(options.timeout.min(Duration::from_secs(5)))
                .user_agent(concat!("setpass/", env!("CARGO_PKG_VERSION")))
                .use_rustls_tls();
            builder =
                if pooled { builder.pool_idle_timeout(POOL_IDLE) } else { builder.pool_max_idle_per_host(0) };
            for root in &roots {
                builder = builder.add_root_certificate(root.clone());
            }
            if let Some(identity) = &identity {
                builder = builder.identity(identity.clone());
            }
            builder.build().map_err(|err| {
                ConfigError::new(
                    "keystone",
                    format!("cannot build the HTTPS client: {}", crate::cause::chain(&err)),
                )
            })
        };
        Ok(Self { http: build(true)?, fresh: build(false)?, base, latency: None, retries: None })
    }
}

fn read(key: &str, path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|err| ConfigError::new(key, format!("cannot read {}: {err}", path.display())))
}

/// A PEM file with at least one certificate in it (the parser alone accepts an empty file).
fn holds_certificate(pem: &[u8]) -> bool {
    const MARKER: &[u8] = b"-----BEGIN CERTIFICATE-----";
    pem.windows(MARKER.len()).any(|w| w == MARKER)
}

fn read_ca_bundle(path: &Path) -> Result<Vec<Certificate>, ConfigError> {
    const KEY: &str = "keystone.cafile";
    let pem = read(KEY, path)?;
    let not_pem = || {
        ConfigError::new(
            KEY,
            format!("{} holds no PEM certificate (-----BEGIN CERTIFICATE-----)", path.display()),
        )
    };
    if !holds_certificate(&pem) {
        return Err(not_pem());
    }
    let certs = Certificate::from_pem_bundle(&pem).map_err(|_| not_pem())?;
    if certs.is_empty() {
        return Err(not_pem());
    }
    Ok(certs)
}

fn read_identity(cert: &Path, key: &Path) -> Result<Identity, ConfigError> {
    let mut pem = read("keystone.certfile", cert)?;
    if !holds_certificate(&pem) {
        return Err(ConfigError::new(
            "keystone.certfile",
            format!("{} holds no PEM certificate", cert.display()),
        ));
    }
    let key_pem = read("keystone.keyfile", key)?;
    if !key_pem.windows(11).any(|w| w == b"PRIVATE KEY") {
        return Err(ConfigError::new(
            "keystone.keyfile",
            format!("{} holds no PEM private key", key.display()),
        ));
    }
    pem.push(b'\n');
    pem.extend_from_slice(&key_pem);
    Identity::from_pem(&pem).map_err(|_| {
        ConfigError::new(
            "keystone.certfile",
            "the certificate and key could not be used together; check they are a PEM pair",
        )
    })
}
