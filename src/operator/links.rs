//! `setpass links`: `GET /token` with the filters, following `links.next` to the end, printed
//! as a table, JSON or values. The records hold no secret (the service sends none).
use super::args::Format;
use super::service::{Service, ServiceError};
use secrecy::SecretString;
use serde_json::Value;

/// The columns shown, in the service's field names.
const COLUMNS: [&str; 9] = [
    "user_id",
    "user_name",
    "domain_id",
    "stage",
    "expires_at",
    "expired",
    "attempts_left",
    "locked",
    "updated_at",
];

/// At most this many pages: a service whose `next` never ends must not loop forever.
const MAX_PAGES: usize = 10_000;

/// Every record matching `query`, page after page.
pub async fn fetch_all(
    service: &Service,
    token: &SecretString,
    query: &[(&str, String)],
) -> Result<Vec<Value>, ServiceError> {
    let mut url = service.list_url(query);
    let mut records = Vec::new();
    for _ in 0..MAX_PAGES {
        let page = service.get(token, url).await?;
        records.extend(page["tokens"].as_array().cloned().unwrap_or_default());
        match page["links"]["next"].as_str().map(reqwest::Url::parse) {
            // Only the next page's query is taken: the operator's token goes to the service they
            // named (`--url`), never to a host an answer names (a public URL behind a proxy).
            Some(Ok(next)) => {
                let pairs: Vec<(String, String)> = next.query_pairs().into_owned().collect();
                let pairs: Vec<(&str, String)> = pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                url = service.list_url(&pairs);
            }
            Some(Err(_)) => {
                return Err(ServiceError::Unreachable("the service's `links.next` is not a URL".into()))
            }
            None => return Ok(records),
        }
    }
    Err(ServiceError::Unreachable(format!("more than {MAX_PAGES} pages; narrow the filters")))
}

fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn render(records: &[Value], format: Format) -> String {
    let rows: Vec<Vec<String>> =
        records.iter().map(|r| COLUMNS.iter().map(|c| cell(&r[*c])).collect()).collect();
    match format {
        Format::Json => format!("{:#}\n", Value::Array(records.to_vec())),
        Format::Value => rows.iter().map(|r| r.join(" ") + "\n").collect(),
        Format::Table => super::output::table(&COLUMNS, &rows),
    }
}

#[cfg(test)]
#[path = "tests/links.rs"]
mod tests;
