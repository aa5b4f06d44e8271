//! The `setpass` binary: parse arguments, load config, start logging, run the server (or the
//! operator's `invite` and `links`).
use std::process::ExitCode;

const USAGE: &str = "usage: setpass [doctor] [--config FILE]   (or SETPASS_CONFIG=FILE)\n       \
setpass invite NAME --email E --pin P [...] | setpass invite --csv FILE [...]   (`setpass invite --help`)\n       \
setpass links [--stage S] [--expired B] [--locked B] [--domain-id ID] [--limit N]   (`setpass links --help`)\n\
`setpass invite` and `setpass links` log in as the openstack client does (clouds.yaml, OS_*) and call the service at --url or SETPASS_URL.\n\
`setpass doctor` checks the configuration, Keystone, the database, the key and SMTP, and exits 0 if nothing failed.\n\
Every setting can be overridden by SETPASS_<SECTION>__<KEY>, e.g. SETPASS_KEYSTONE__AUTH_URL.";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1).peekable();
    // The operator's tools print their results; only warnings go to the log (RUST_LOG for more).
    let operator = matches!(args.peek().map(String::as_str), Some("invite" | "links"));
    let level = if operator { "warn" } else { "info" };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level)).init();
    match args.peek().map(String::as_str) {
        Some("invite") => return ExitCode::from(setpass::operator::invite_command(args.skip(1).collect())),
        Some("links") => return ExitCode::from(setpass::operator::links_command(args.skip(1).collect())),
        _ => {}
    }
    let doctor = args.next_if(|arg| arg == "doctor").is_some();
    let mut config_path = std::env::var_os("SETPASS_CONFIG").map(std::path::PathBuf::from);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" | "-c" => match args.next() {
                Some(path) => config_path = Some(path.into()),
                None => return usage_error("--config needs a file path"),
            },
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--version" | "-V" => {
                println!("setpass {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            other => return usage_error(&format!("unknown argument `{other}`")),
        }
    }
    let settings = match setpass::config::Settings::load(config_path.as_deref(), std::env::vars()) {
        Ok(settings) => settings,
        Err(err) if doctor => {
            println!("FAIL  config: {err}");
            return ExitCode::FAILURE;
        }
        Err(err) => {
            eprintln!("setpass: {err}");
            return ExitCode::from(2);
        }
    };
    if doctor {
        return run_doctor(&settings);
    }
    match setpass::startup::run(settings) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err @ setpass::startup::StartupError::Config(_)) => {
            eprintln!("setpass: {err}");
            ExitCode::from(2)
        }
        Err(err) => {
            eprintln!("setpass: {err}");
            ExitCode::FAILURE
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("setpass: {message}\n{USAGE}");
    ExitCode::from(2)
}

fn run_doctor(settings: &setpass::config::Settings) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("setpass: cannot start the runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let checks = runtime.block_on(setpass::doctor::run(settings));
    for check in &checks {
        println!("{check}");
    }
    if checks.iter().any(|c| c.outcome == setpass::doctor::Outcome::Fail) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
