//! Invitations as the operator writes them: one from the command line, or the rows of a CSV
//! file (a header row naming `name,email,pin` and optionally `domain,project,role,locale`, in
//! any order), each checked before anything is sent to Keystone.
use crate::domain::EmailAddress;
use secrecy::SecretString;
use std::io::Read;

/// One invitation, as given. `Debug` hides the PIN.
#[derive(Clone)]
pub struct Invitation {
    /// The row's number in the file (1 = the first row after the header); 1 on the command line.
    pub row: usize,
    pub name: String,
    pub email: String,
    pub pin: SecretString,
    pub domain: Option<String>,
    pub project: Option<String>,
    pub role: Option<String>,
    pub locale: Option<String>,
}

impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Invitation(row {}, {}, [redacted])", self.row, self.name)
    }
}

/// The widest PIN any setpass accepts (`onboarding.pin_min_digits`..`pin_max_digits` lie in
/// 4..=8): a PIN outside it is refused here; the service's own length is checked by the service.
const PIN_DIGITS: std::ops::RangeInclusive<usize> = 4..=8;

impl Invitation {
    /// What is wrong with the row before Keystone is asked anything, in the operator's words.
    pub fn problem(&self) -> Option<String> {
        use secrecy::ExposeSecret;
        if self.name.trim().is_empty() || self.name.len() > 255 {
            return Some("the name is empty or longer than 255 characters".into());
        }
        if let Err(err) = EmailAddress::parse(&self.email) {
            return Some(format!("bad email address: {err}"));
        }
        let pin = self.pin.expose_secret();
        if !pin.bytes().all(|b| b.is_ascii_digit()) || !PIN_DIGITS.contains(&pin.len()) {
            return Some(format!(
                "the PIN must be {} to {} digits (it has {} characters)",
                PIN_DIGITS.start(),
                PIN_DIGITS.end(),
                pin.chars().count()
            ));
        }
        if self.project.is_some() != self.role.is_some() {
            return Some("a project needs a role and a role needs a project".into());
        }
        None
    }
}

const COLUMNS: [&str; 7] = ["name", "email", "pin", "domain", "project", "role", "locale"];

/// Reads the CSV; the error (a missing column, an unknown one, a broken row) is a usage error.
pub fn read_csv(input: impl Read) -> Result<Vec<Invitation>, String> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(|err| format!("the CSV's header row: {err}"))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    if let Some(unknown) = header.iter().find(|h| !COLUMNS.contains(&h.as_str())) {
        return Err(format!("the CSV has a column `{unknown}`; the columns are {}", COLUMNS.join(",")));
    }
    let at = |name: &str| header.iter().position(|h| h == name);
    let (Some(name), Some(email), Some(pin)) = (at("name"), at("email"), at("pin")) else {
        return Err("the CSV's header row must name the columns name, email and pin".into());
    };
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|err| format!("the CSV's row {}: {err}", index + 1))?;
        let field = |column: Option<usize>| {
            column.and_then(|c| record.get(c)).filter(|v| !v.is_empty()).map(str::to_owned)
        };
        rows.push(Invitation {
            row: index + 1,
            name: field(Some(name)).unwrap_or_default(),
            email: field(Some(email)).unwrap_or_default(),
            pin: SecretString::from(field(Some(pin)).unwrap_or_default()),
            domain: field(at("domain")),
            project: field(at("project")),
            role: field(at("role")),
            locale: field(at("locale")),
        });
    }
    Ok(rows)
}

#[cfg(test)]
#[path = "tests/rows.rs"]
mod tests;
