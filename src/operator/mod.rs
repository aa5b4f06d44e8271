//! The operator's command-line tools, `setpass invite` and `setpass links`: the operator's
//! credentials as the `openstack` client reads them, Keystone through `keystone`, and the links
//! through the setpass service's own admin API (so mail, events and replicas behave as for any
//! admin). Exit codes: 0 done, 1 a row or the call failed, 2 a usage error.
use crate::keystone::{ClientOptions, KeystoneClient, OperatorToken};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub mod args;
mod batch;
pub mod cloud;
pub mod invite;
pub mod links;
pub mod output;
pub mod rows;
pub mod service;

use args::{Format, Parsed};

/// Why a command stopped: a usage error (2) or a failure (1).
enum Stop {
    Usage(String),
    Failed(String),
}

/// Runs `setpass invite ARGS`; the process's exit code.
pub fn invite_command(args: Vec<String>) -> u8 {
    let parsed = match args::parse_invite(args) {
        Ok(Parsed::Run(parsed)) => parsed,
        Ok(Parsed::Help) => return help(args::INVITE_USAGE),
        Err(message) => return stop(Stop::Usage(message), args::INVITE_USAGE),
    };
    match runtime().and_then(|rt| rt.block_on(run_invite(parsed))) {
        Ok(code) => code,
        Err(err) => stop(err, args::INVITE_USAGE),
    }
}

/// Runs `setpass links ARGS`; the process's exit code.
pub fn links_command(args: Vec<String>) -> u8 {
    let parsed = match args::parse_links(args) {
        Ok(Parsed::Run(parsed)) => parsed,
        Ok(Parsed::Help) => return help(args::LINKS_USAGE),
        Err(message) => return stop(Stop::Usage(message), args::LINKS_USAGE),
    };
    let run = |rt: tokio::runtime::Runtime| {
        rt.block_on(async {
            let session = Session::open(&parsed.common).await?;
            let format = parsed.common.format.unwrap_or(Format::Table);
            let rows = links::fetch_all(&session.service, &session.token.value, &parsed.query)
                .await
                .map_err(|err| Stop::Failed(err.to_string()))?;
            print!("{}", links::render(&rows, format));
            Ok(0)
        })
    };
    match runtime().and_then(run) {
        Ok(code) => code,
        Err(err) => stop(err, args::LINKS_USAGE),
    }
}

fn help(usage: &str) -> u8 {
    println!("{usage}");
    0
}

fn stop(stop: Stop, usage: &str) -> u8 {
    match stop {
        Stop::Usage(message) => {
            eprintln!("setpass: {message}\n{usage}");
            2
        }
        Stop::Failed(message) => {
            eprintln!("setpass: {message}");
            1
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Stop> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| Stop::Failed(format!("cannot start the runtime: {err}")))
}

/// The operator logged in: Keystone, the service, the token.
struct Session {
    keystone: KeystoneClient,
    service: service::Service,
    token: OperatorToken,
}

impl Session {
    async fn open(common: &args::Common) -> Result<Self, Stop> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let url = common
            .url
            .clone()
            .or_else(|| env.get("SETPASS_URL").cloned())
            .ok_or_else(|| Stop::Usage("no setpass URL: give --url or set SETPASS_URL".into()))?;
        let lookup = cloud::Lookup {
            env: &env,
            cloud: common.cloud.as_deref(),
            cwd: std::env::current_dir().unwrap_or_default(),
            home: env.get("HOME").map(Into::into),
        };
        let credentials = cloud::resolve(&lookup).map_err(Stop::Usage)?;
        let mut options = ClientOptions::plain(&credentials.auth_url, Duration::from_secs(60));
        options.cafile = credentials.cacert.as_deref();
        let keystone = KeystoneClient::new(&options).map_err(|err| Stop::Usage(err.to_string()))?;
        let service = service::Service::new(&url, credentials.cacert.as_deref()).map_err(Stop::Usage)?;
        let token = keystone
            .operator_login(&credentials.auth, &credentials.scope)
            .await
            .map_err(|err| Stop::Failed(err.to_string()))?;
        Ok(Self { keystone, service, token })
    }
}

async fn run_invite(parsed: args::InviteArgs) -> Result<u8, Stop> {
    let invitations = match (&parsed.csv, &parsed.name) {
        (Some(path), _) => {
            let file = std::fs::File::open(path)
                .map_err(|err| Stop::Usage(format!("cannot read {}: {err}", path.display())))?;
            rows::read_csv(file).map_err(Stop::Usage)?
        }
        (None, name) => {
            let field = |key: &str| parsed.fields.get(key).cloned();
            vec![rows::Invitation {
                row: 1,
                name: name.clone().unwrap_or_default(),
                email: field("email").unwrap_or_default(),
                pin: field("pin").unwrap_or_default().into(),
                domain: field("domain"),
                project: field("project"),
                role: field("role"),
                locale: field("locale"),
            }]
        }
    };
    let session = Session::open(&parsed.common).await?;
    let ctx =
        Arc::new(invite::Context::new(session.keystone, session.service, session.token, parsed.existing));
    let results = batch::run_all(ctx, invitations, parsed.parallel).await;
    if let Some(path) = &parsed.results {
        batch::write_results(path, &results).map_err(Stop::Failed)?;
    }
    let format = parsed.common.format.unwrap_or(Format::Table);
    match (&parsed.csv, results.as_slice()) {
        (None, [one]) => print!("{}", output::one(one, format)),
        _ => print!("{}", output::many(&results, format)),
    }
    let failed = results.iter().filter(|r| matches!(r.outcome, invite::Outcome::Failed(_))).count();
    if failed > 0 {
        eprintln!("setpass: {failed} of {} invitations failed", results.len());
        return Ok(1);
    }
    Ok(0)
}
