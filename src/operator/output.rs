//! Printing results as the `openstack` client does: `-f table` (boxed), `json`, `value`
//! (the values alone, space-separated, a line per row).
use super::args::Format;
use super::invite::{Outcome, RowResult};
use serde_json::{json, Value};

/// A boxed table like the `openstack` client's.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let rule: String = widths.iter().map(|w| format!("+{}", "-".repeat(w + 2))).collect::<String>() + "+\n";
    let line = |cells: Vec<&str>| {
        let mut out: String = cells
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("| {cell}{} ", " ".repeat(w - cell.chars().count())))
            .collect();
        out.push_str("|\n");
        out
    };
    let mut out = rule.clone();
    out.push_str(&line(header.to_vec()));
    out.push_str(&rule);
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out.push_str(&rule);
    out
}

/// The link, or the error; and the mail's outcome, when mail is on.
pub fn detail(result: &RowResult) -> (String, String) {
    match &result.outcome {
        Outcome::Created(link) | Outcome::Renewed(link) => {
            (link.url.clone(), link.email.as_ref().map(|m| m.to_string()).unwrap_or_default())
        }
        Outcome::Skipped => {
            ("exists: left as it is (--existing renew renews its link)".into(), String::new())
        }
        Outcome::Failed(error) => (error.clone(), String::new()),
    }
}

pub const COLUMNS: [&str; 6] = ["row", "name", "user_id", "outcome", "link_or_error", "mail"];

pub fn cells(result: &RowResult) -> Vec<String> {
    let (detail, mail) = detail(result);
    vec![
        result.row.to_string(),
        result.name.clone(),
        result.user_id.clone().unwrap_or_default(),
        result.outcome.word().to_owned(),
        detail,
        mail,
    ]
}

fn as_json(result: &RowResult) -> Value {
    let mut value = json!({"row": result.row, "name": result.name, "user_id": result.user_id,
        "outcome": result.outcome.word()});
    match &result.outcome {
        Outcome::Created(link) | Outcome::Renewed(link) => {
            value["url"] = json!(link.url);
            value["expires_at"] = json!(link.expires_at);
            if let Some(mail) = &link.email {
                value["email"] = json!(mail);
            }
        }
        Outcome::Failed(error) => value["error"] = json!(error),
        Outcome::Skipped => {}
    }
    value
}

/// One invitation: a field/value table, an object, or the link alone (the mail's outcome
/// when it was mailed; the error of a failure).
pub fn one(result: &RowResult, format: Format) -> String {
    match format {
        Format::Json => format!("{:#}\n", as_json(result)),
        // A link that was not mailed (mail off, or the mail failed) is printed for the operator
        // to pass on.
        Format::Value => match &result.outcome {
            Outcome::Created(link) | Outcome::Renewed(link)
                if link.email.as_ref().is_some_and(|m| m.sent) =>
            {
                format!("{}\n", link.email.as_ref().map(|m| m.to_string()).unwrap_or_default())
            }
            _ => format!("{}\n", detail(result).0),
        },
        Format::Table => {
            let rows: Vec<Vec<String>> =
                COLUMNS.iter().zip(cells(result)).skip(1).map(|(k, v)| vec![(*k).to_owned(), v]).collect();
            table(&["Field", "Value"], &rows)
        }
    }
}

/// A CSV run: a table of rows, an array, or a line per row.
pub fn many(results: &[RowResult], format: Format) -> String {
    match format {
        Format::Json => format!("{:#}\n", Value::Array(results.iter().map(as_json).collect())),
        Format::Value => results.iter().map(|r| cells(r).join(" ") + "\n").collect(),
        Format::Table => table(&COLUMNS, &results.iter().map(cells).collect::<Vec<_>>()),
    }
}
