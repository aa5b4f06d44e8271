//! Wiring: build the state, bind the listener (port 0 works), start the purge task, run.
use crate::access::AdminGuard;
use crate::clock::{Clock, SystemClock};
use crate::config::load_or_create_key;
use crate::config::Backend;
use crate::config::{ConfigError, MetricsServe, Settings};
use crate::crypto::{key_check_value, PinHasher, SecretBox};
use crate::domain::admin::AdminPolicy;
use crate::keystone::{ClientOptions, Identity, KeystoneClient, ServiceCredential};
use crate::metrics::Metrics;
use crate::onboarding::{jobs, Deps};
use crate::store::{KeyCheck, MariaStore, SqliteStore, Store, StoreError};
use crate::web::middleware::{self, RateLimits};
use crate::web::state::AppState;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Logger};
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

mod policy;

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database at {path}: {source}")]
    Store { path: String, source: StoreError },
    #[error("the database was written with another encryption key: give this process the key the others use (secrets.key_file)")]
    KeyMismatch,
    #[error("cannot listen on {addr}: {source}; choose another server.listen")]
    Bind { addr: String, source: std::io::Error },
    #[error("cannot start the runtime: {0}")]
    Runtime(std::io::Error),
    #[error("cannot set up metrics: {0}")]
    Metrics(String),
    #[error("server stopped with an error: {0}")]
    Serve(std::io::Error),
}

pub struct Application {
    port: u16,
    server: Server,
    purge: tokio::task::JoinHandle<()>,
    restore: tokio::task::JoinHandle<()>,
    /// Delivers the webhook events waiting in the outbox.
    outbox: tokio::task::JoinHandle<()>,
    metrics: Option<(u16, Server)>,
}

/// With `metrics.serve = "separate"`: a small server of its own for `GET /metrics`.
fn metrics_server(state: &web::Data<AppState>) -> Result<Option<(u16, Server)>, StartupError> {
    let Some(addr) =
        state.settings.metrics.listen.filter(|_| state.settings.metrics.serve == MetricsServe::Separate)
    else {
        return Ok(None);
    };
    let listener =
        TcpListener::bind(addr).map_err(|source| StartupError::Bind { addr: addr.to_string(), source })?;
    let port = listener.local_addr().map_err(StartupError::Serve)?.port();
    let app_state = state.clone();
    let server = HttpServer::new(move || {
        App::new().app_data(app_state.clone()).configure(crate::web::metrics::configure)
    })
    .workers(1)
    .listen(listener)
    .map_err(StartupError::Serve)?
    .run();
    log::info!("metrics on http://{addr}/metrics");
    Ok(Some((port, server)))
}

impl Application {
    /// Everything up to a bound listener; the server starts when `run_until_stopped` is awaited.
    pub async fn build(settings: Settings, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let (state, key_check) = build_state(settings, clock)?;
        check_key(&state, key_check).await?;
        let state = web::Data::new(state);
        let listener = TcpListener::bind(state.settings.server.listen).map_err(|source| {
            StartupError::Bind { addr: state.settings.server.listen.to_string(), source }
        })?;
        let port = listener.local_addr().map_err(StartupError::Serve)?.port();
        let limits = web::Data::new(RateLimits::new(
            &state.settings.limits,
            &state.settings.onboarding,
            state.deps.metrics.rate_limited.clone(),
        ));
        let (quiet, quiet_state) = (limits.clone().into_inner(), state.clone().into_inner());
        let purge = tokio::spawn(jobs::purge_forever(state.deps.clone(), move || {
            quiet.forget_idle();
            quiet_state.sign_ins.forget_idle();
        }));
        let restore = tokio::spawn(jobs::restore_forever(state.deps.clone()));
        let outbox = tokio::spawn(jobs::deliver_forever(state.deps.clone()));
        let workers = state.settings.workers();
        let shutdown = state.settings.server.shutdown_timeout.0;
        let request_timeout = state.settings.limits.client_request_timeout.as_std();
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(middleware::guard))
                .wrap(middleware::security_headers())
                .wrap(from_fn(middleware::retry_after_on_503))
                .wrap(from_fn(middleware::assign_request_id))
                .wrap(access_log())
                .app_data(app_state.clone())
                .app_data(limits.clone())
                .app_data(crate::web::path_config())
                .app_data(crate::web::query_config())
                .configure(crate::web::configure)
                .configure(|cfg| {
                    if app_state.settings.metrics.serve == MetricsServe::Main {
                        crate::web::metrics::configure(cfg);
                    }
                })
                .default_service(web::to(crate::web::not_found))
        })
        .workers(workers)
        .client_request_timeout(request_timeout)
        .client_disconnect_timeout(Duration::from_secs(2))
        .shutdown_timeout(shutdown)
        .listen(listener)
        .map_err(StartupError::Serve)?
        .run();
        log::info!("setpass listening on {} (port {port})", state.settings.server.listen);
        let metrics = metrics_server(&state)?;
        Ok(Self { port, server, purge, restore, outbox, metrics })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The separate metrics listener's port, when `metrics.serve = "separate"`.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(|(port, _)| *port)
    }

    /// Serves until SIGTERM/SIGINT, then finishes in-flight requests and returns.
    pub async fn run_until_stopped(self) -> Result<(), StartupError> {
        let metrics = self.metrics.map(|(_, server)| {
            let handle = server.handle();
            (handle, tokio::spawn(server))
        });
        let result = self.server.await.map_err(StartupError::Serve);
        self.purge.abort();
        self.restore.abort();
        self.outbox.abort();
        if let Some((handle, task)) = metrics {
            handle.stop(true).await;
            let _ = task.await;
        }
        result
    }
}

/// The database remembers the key it was written with: another key is refused at startup.
async fn check_key(state: &AppState, key_check: Vec<u8>) -> Result<(), StartupError> {
    let store_error = |source| StartupError::Store { path: "key check".into(), source };
    match state.deps.store.check_key(key_check).await.map_err(store_error)? {
        KeyCheck::Matches => Ok(()),
        KeyCheck::Stored => {
            log::info!("the database now remembers which encryption key it is written with");
            Ok(())
        }
        KeyCheck::Differs => Err(StartupError::KeyMismatch),
    }
}

/// The state, and the key check value the database must hold.
pub(crate) fn build_state(
    settings: Settings,
    clock: Arc<dyn Clock>,
) -> Result<(AppState, Vec<u8>), StartupError> {
    let pool_size = settings.database.pool_size;
    let (store, key): (Arc<dyn Store>, _) = match settings.database.backend()? {
        Backend::Sqlite(path) => {
            let store_error = |source| StartupError::Store { path: path.display().to_string(), source };
            let store = SqliteStore::open(&path, pool_size).map_err(store_error)?;
            // One process owns a SQLite database: leases left by a crashed run are stale.
            store.clear_leases_blocking().map_err(store_error)?;
            (Arc::new(store), load_or_create_key(&settings.secrets, Some(&path))?)
        }
        // Shared: other replicas' leases are live; they lapse by time only.
        Backend::MariaDb(url) => {
            let key = load_or_create_key(&settings.secrets, None)?;
            let store = MariaStore::open(&url, pool_size)
                .map_err(|source| StartupError::Store { path: "database.url".into(), source })?;
            (Arc::new(store), key)
        }
    };
    let key_check = key_check_value(&key);
    let metrics = Metrics::new().map_err(|err| StartupError::Metrics(err.to_string()))?;
    let keystone: Arc<dyn Identity> = Arc::new(
        KeystoneClient::new(&ClientOptions::from_settings(&settings.keystone))?
            .with_metrics(metrics.keystone_seconds.clone(), metrics.keystone_retries.clone()),
    );
    let policy = AdminPolicy {
        role: settings.keystone.admin_role.clone(),
        project: settings.keystone.admin_project.clone(),
        project_domain: settings.keystone.admin_project_domain.clone(),
        domain_admin_roles: settings.keystone.domain_admin_roles.clone(),
    };
    let admin = AdminGuard::new(
        Arc::clone(&keystone),
        policy,
        settings.keystone.validation_cache.as_chrono(),
        clock.clone(),
    );
    let hasher = PinHasher::new(&settings.argon2.params(), settings.argon2_concurrency())
        .map_err(|err| ConfigError::new("argon2", err.to_string()))?;
    let service = ServiceCredential::from_settings(&settings.keystone)?;
    let deps = Deps {
        notifier: crate::notify::Notifier::new(
            &settings.email,
            &settings.reset,
            &settings.webhook,
            &settings.onboarding.cloud_name,
        )?,
        rules: Default::default(),
        metrics,
        sealer: SecretBox::new(&key),
        store,
        identity: keystone,
        hasher,
        clock,
        service,
        logins: Default::default(),
        policy: policy::of(&settings),
    };
    let sign_ins = crate::web::middleware::SignInLimits::new(settings.self_enroll.per_user_per_minute);
    Ok((AppState { settings, deps: Arc::new(deps), admin, sign_ins }, key_check))
}

/// Access log without bodies, and with the one-time token in `?token=` replaced.
fn access_log() -> Logger {
    Logger::new("%a \"%{request}xi\" %s %b %Dms id=%{x-request-id}o").custom_request_replace(
        "request",
        |req| {
            let query = redact_query(req.query_string());
            let sep = if query.is_empty() { "" } else { "?" };
            format!("{} {}{sep}{query} {:?}", req.method(), req.path(), req.version())
        },
    )
}

pub fn redact_query(query: &str) -> String {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if name.eq_ignore_ascii_case("token") => format!("{name}=[redacted]"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// The binary's entry point: a runtime, the app on the system clock, until a signal stops it.
pub fn run(settings: Settings) -> Result<(), StartupError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(StartupError::Runtime)?;
    runtime.block_on(async {
        let app = Application::build(settings, Arc::new(SystemClock)).await?;
        app.run_until_stopped().await?;
        log::info!("setpass stopped");
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::redact_query;

    #[test]
    fn the_token_query_parameter_is_redacted_from_access_logs() {
        assert_eq!(redact_query("token=abc123&x=1"), "token=[redacted]&x=1");
        assert_eq!(redact_query("TOKEN=abc"), "TOKEN=[redacted]");
        assert_eq!(redact_query("a=1"), "a=1");
        assert_eq!(redact_query(""), "");
    }
}
