//! The arguments of `setpass invite` and `setpass links`; a mistake is a usage error (exit 2).
use super::invite::Existing;
use std::path::PathBuf;

pub const INVITE_USAGE: &str = "usage: setpass invite NAME --email E --pin P [--domain D] [--project P --role R] [--locale ko]\n       \
setpass invite --csv FILE [--parallel N] [--results FILE]\n   \
common: [--url URL (or SETPASS_URL)] [--os-cloud CLOUD (or OS_CLOUD)] [-f table|json|value] [--existing skip|renew]\n\
The operator's credentials come from clouds.yaml or the OS_* variables, as for the openstack client.";

pub const LINKS_USAGE: &str =
    "usage: setpass links [--stage password|totp|complete] [--expired true|false] [--locked true|false]\n       \
[--domain-id ID] [--limit N] [--url URL] [--os-cloud CLOUD] [-f table|json|value]";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Value,
}

/// What both commands share.
#[derive(Debug, Default)]
pub struct Common {
    pub url: Option<String>,
    pub cloud: Option<String>,
    pub format: Option<Format>,
}

/// `setpass invite`'s arguments. The PIN is kept out of `Debug`.
pub struct InviteArgs {
    pub common: Common,
    pub name: Option<String>,
    pub fields: std::collections::HashMap<&'static str, String>,
    pub csv: Option<PathBuf>,
    pub results: Option<PathBuf>,
    pub parallel: usize,
    pub existing: Existing,
}

/// `setpass links`' arguments: the filters, sent as they are (the service checks them).
#[derive(Debug)]
pub struct LinksArgs {
    pub common: Common,
    pub query: Vec<(&'static str, String)>,
}

pub enum Parsed<T> {
    Run(T),
    Help,
}

fn common_flag(
    common: &mut Common,
    flag: &str,
    value: impl FnOnce() -> Result<String, String>,
) -> Result<bool, String> {
    match flag {
        "--url" => common.url = Some(value()?),
        "--os-cloud" => common.cloud = Some(value()?),
        "-f" | "--format" => {
            common.format = Some(match value()?.as_str() {
                "table" => Format::Table,
                "json" => Format::Json,
                "value" => Format::Value,
                other => return Err(format!("-f `{other}`: use table, json or value")),
            })
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Splits `--flag=value` and takes `--flag value`.
fn next_value(
    flag: &str,
    inline: Option<String>,
    rest: &mut impl Iterator<Item = String>,
) -> Result<String, String> {
    inline.or_else(|| rest.next()).ok_or_else(|| format!("{flag} needs a value"))
}

fn split(arg: String) -> (String, Option<String>) {
    match arg.split_once('=') {
        Some((flag, value)) if flag.starts_with("--") => (flag.to_owned(), Some(value.to_owned())),
        _ => (arg, None),
    }
}

pub fn parse_invite(args: Vec<String>) -> Result<Parsed<InviteArgs>, String> {
    let mut parsed = InviteArgs {
        common: Common::default(),
        name: None,
        fields: Default::default(),
        csv: None,
        results: None,
        parallel: 4,
        existing: Existing::Skip,
    };
    let mut rest = args.into_iter();
    while let Some(arg) = rest.next() {
        let (flag, inline) = split(arg);
        let mut value = || next_value(&flag, inline.clone(), &mut rest);
        match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--email" | "--pin" | "--domain" | "--project" | "--role" | "--locale" => {
                let key = &flag[2..];
                let key =
                    ["email", "pin", "domain", "project", "role", "locale"].into_iter().find(|k| *k == key);
                parsed.fields.insert(key.unwrap_or("email"), value()?);
            }
            "--csv" => parsed.csv = Some(value()?.into()),
            "--results" => parsed.results = Some(value()?.into()),
            "--parallel" => {
                parsed.parallel = value()?
                    .parse()
                    .ok()
                    .filter(|n| (1..=64).contains(n))
                    .ok_or("--parallel takes a number from 1 to 64")?
            }
            "--existing" => {
                parsed.existing = match value()?.as_str() {
                    "skip" => Existing::Skip,
                    "renew" => Existing::Renew,
                    other => return Err(format!("--existing `{other}`: use skip or renew")),
                }
            }
            other if other.starts_with('-') && other.len() > 1 => {
                if !common_flag(&mut parsed.common, other, value)? {
                    return Err(format!("unknown option `{other}`"));
                }
            }
            _ if parsed.name.is_none() => parsed.name = Some(flag),
            other => return Err(format!("one NAME only (`{other}` is a second)")),
        }
    }
    match (&parsed.name, &parsed.csv) {
        (Some(_), Some(_)) => return Err("give a NAME or --csv FILE, not both".into()),
        (None, None) => return Err("give a NAME (with --email and --pin) or --csv FILE".into()),
        (Some(_), None) if !(parsed.fields.contains_key("email") && parsed.fields.contains_key("pin")) => {
            return Err("an invitation needs --email and --pin".into())
        }
        (None, Some(_)) if !parsed.fields.is_empty() => {
            return Err(
                "with --csv the email, PIN, domain, project, role and locale come from the file's columns"
                    .into(),
            )
        }
        _ => {}
    }
    if parsed.fields.contains_key("project") != parsed.fields.contains_key("role") {
        return Err("--project and --role go together".into());
    }
    Ok(Parsed::Run(parsed))
}

pub fn parse_links(args: Vec<String>) -> Result<Parsed<LinksArgs>, String> {
    let mut parsed = LinksArgs { common: Common::default(), query: Vec::new() };
    let mut rest = args.into_iter();
    while let Some(arg) = rest.next() {
        let (flag, inline) = split(arg);
        let mut value = || next_value(&flag, inline.clone(), &mut rest);
        let key = match flag.as_str() {
            "-h" | "--help" => return Ok(Parsed::Help),
            "--stage" => "stage",
            "--expired" => "expired",
            "--locked" => "locked",
            "--domain-id" => "domain_id",
            "--limit" => "limit",
            other => {
                if common_flag(&mut parsed.common, other, value)? {
                    continue;
                }
                return Err(format!("unknown argument `{other}`"));
            }
        };
        parsed.query.push((key, value()?));
    }
    Ok(Parsed::Run(parsed))
}
