//! Command-line access: what an application credential's expiry may be, and the two files a
//! user downloads (`clouds.yaml`, `openrc.sh`), rendered so any value stays one quoted scalar.
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};

/// When the application credential should expire, as the user asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// `cli.default_expiry` from now.
    Default,
    /// The end of this day (UTC).
    On(NaiveDate),
    /// No expiry (only with `cli.allow_no_expiry`).
    Never,
}

/// The operator's bounds on expiries.
#[derive(Debug, Clone, Copy)]
pub struct ExpiryPolicy {
    pub default: Duration,
    pub max: Duration,
    pub allow_never: bool,
}

/// Why an expiry was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryRefusal {
    NotInTheFuture,
    TooLate { max_days: i64 },
    NeverNotAllowed { max_days: i64 },
}

impl Expiry {
    /// `""` or absent: the default; `"never"`; or exactly a date, `YYYY-MM-DD` (the credential
    /// works through that day, UTC).
    pub fn parse(text: Option<&str>) -> Result<Self, super::Invalid> {
        match text.map(str::trim) {
            None | Some("") => Ok(Self::Default),
            Some(t) if t.eq_ignore_ascii_case("never") => Ok(Self::Never),
            Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .filter(|_| t.len() == 10)
                .ok_or(())
                .map(Self::On)
                .map_err(|_| super::Invalid("an expiry is a date, YYYY-MM-DD, or \"never\"".into())),
        }
    }

    /// The expiry Keystone is to be given (`None`: none), within the policy, at `now`.
    pub fn resolve(
        self,
        policy: ExpiryPolicy,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, ExpiryRefusal> {
        let max_days = policy.max.num_days();
        let at = match self {
            Self::Default => (now + policy.default).with_nanosecond(0).unwrap_or(now + policy.default),
            Self::Never if policy.allow_never => return Ok(None),
            Self::Never => return Err(ExpiryRefusal::NeverNotAllowed { max_days }),
            Self::On(date) => {
                date.and_hms_opt(23, 59, 59).map(|t| t.and_utc()).ok_or(ExpiryRefusal::NotInTheFuture)?
            }
        };
        if at <= now {
            return Err(ExpiryRefusal::NotInTheFuture);
        }
        // A date is a whole day: the last allowed one is the day `max` from now falls on.
        if at.date_naive() > (now + policy.max).date_naive() {
            return Err(ExpiryRefusal::TooLate { max_days });
        }
        Ok(Some(at))
    }
}

/// Everything the two files say.
pub struct CliFiles<'a> {
    pub cloud: &'a str,
    pub auth_url: &'a str,
    pub region_name: Option<&'a str>,
    pub interface: &'a str,
    pub credential_id: &'a str,
    pub secret: &'a str,
}

/// A YAML double-quoted scalar: JSON's string syntax is YAML's.
fn yaml(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// A shell single-quoted word.
fn shell(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

impl CliFiles<'_> {
    /// A `clouds.yaml` with one cloud, for `openstack --os-cloud <cloud>`.
    pub fn clouds_yaml(&self) -> String {
        let region = self.region_name.map(|r| format!("    region_name: {}\n", yaml(r))).unwrap_or_default();
        format!(
            "clouds:\n  {}:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: {}\n      \
             application_credential_id: {}\n      application_credential_secret: {}\n{region}    \
             interface: {}\n    identity_api_version: 3\n",
            yaml(self.cloud),
            yaml(self.auth_url),
            yaml(self.credential_id),
            yaml(self.secret),
            yaml(self.interface),
        )
    }

    /// An `openrc.sh` to `source`, setting the same as `OS_*` variables.
    pub fn openrc(&self) -> String {
        let mut lines = vec![
            "# Command-line access: `source` this file, then run `openstack token issue`.".to_owned(),
            "export OS_AUTH_TYPE=v3applicationcredential".to_owned(),
            format!("export OS_AUTH_URL={}", shell(self.auth_url)),
            format!("export OS_APPLICATION_CREDENTIAL_ID={}", shell(self.credential_id)),
            format!("export OS_APPLICATION_CREDENTIAL_SECRET={}", shell(self.secret)),
        ];
        if let Some(region) = self.region_name {
            lines.push(format!("export OS_REGION_NAME={}", shell(region)));
        }
        lines.push(format!("export OS_INTERFACE={}", shell(self.interface)));
        lines.push("export OS_IDENTITY_API_VERSION=3".to_owned());
        lines.join("\n") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> ExpiryPolicy {
        ExpiryPolicy { default: Duration::days(90), max: Duration::days(365), allow_never: false }
    }

    fn now() -> DateTime<Utc> {
        "2026-12-07T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn the_default_expiry_is_the_default_from_now_and_a_date_ends_that_day() {
        assert_eq!(
            Expiry::Default.resolve(policy(), now() + Duration::milliseconds(250)),
            Ok(Some(now() + Duration::days(90))),
            "whole seconds"
        );
        let on = Expiry::parse(Some("2027-01-31")).unwrap();
        assert_eq!(on.resolve(policy(), now()).unwrap().unwrap().to_rfc3339(), "2027-01-31T23:59:59+00:00");
    }

    #[test]
    fn expiries_past_the_maximum_in_the_past_or_never_are_refused_unless_allowed() {
        let late = Expiry::parse(Some("2027-12-09")).unwrap();
        assert_eq!(late.resolve(policy(), now()), Err(ExpiryRefusal::TooLate { max_days: 365 }));
        assert!(Expiry::parse(Some("2027-12-07")).unwrap().resolve(policy(), now()).is_ok(), "the last day");
        let past = Expiry::parse(Some("2026-12-06")).unwrap();
        assert_eq!(past.resolve(policy(), now()), Err(ExpiryRefusal::NotInTheFuture));
        assert_eq!(
            Expiry::Never.resolve(policy(), now()),
            Err(ExpiryRefusal::NeverNotAllowed { max_days: 365 })
        );
        let open = ExpiryPolicy { allow_never: true, ..policy() };
        assert_eq!(Expiry::parse(Some("never")).unwrap().resolve(open, now()), Ok(None));
        assert!(Expiry::parse(Some("next week")).is_err());
        assert!(
            Expiry::parse(Some("2027-03-01xyz")).is_err()
                && Expiry::parse(Some("2027-03-01T10:00:00Z")).is_err()
        );
    }

    #[test]
    fn the_files_quote_every_value_so_none_can_add_a_line() {
        let files = CliFiles {
            cloud: "lab",
            auth_url: "https://keystone.example/v3",
            region_name: Some("Region'One"),
            interface: "public",
            credential_id: "abc",
            secret: "s3cr\"et\nx: y",
        };
        let yaml = files.clouds_yaml();
        assert!(yaml.contains("application_credential_secret: \"s3cr\\\"et\\nx: y\"\n"), "{yaml}");
        assert!(
            yaml.contains("auth_type: v3applicationcredential") && yaml.contains("identity_api_version: 3")
        );
        let openrc = files.openrc();
        assert!(openrc.contains("export OS_REGION_NAME='Region'\\''One'\n"), "{openrc}");
        assert!(openrc.contains("export OS_APPLICATION_CREDENTIAL_SECRET='s3cr\"et\nx: y'"), "{openrc}");
    }
}
