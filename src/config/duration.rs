//! Durations in the config file: `"90s"`, `"15m"`, `"24h"`, `"7d"`, or a bare number of seconds.
use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seconds(pub u64);

impl Seconds {
    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.0)
    }

    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.0).unwrap_or(i64::MAX / 1000))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(split);
        let number: u64 = number.parse().map_err(|_| {
            format!("`{text}` is not a duration; write e.g. \"30s\", \"15m\", \"24h\" or \"7d\"")
        })?;
        let scale = match unit.trim() {
            "" | "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            other => return Err(format!("unknown duration unit `{other}`; use s, m, h or d")),
        };
        number.checked_mul(scale).map(Seconds).ok_or_else(|| format!("`{text}` is too long a duration"))
    }
}

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}s", self.0)
    }
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(u64),
            Text(String),
        }
        match Raw::deserialize(deserializer).map_err(|_| {
            serde::de::Error::custom("expected a duration such as \"30s\", \"15m\", \"24h\" or \"7d\"")
        })? {
            Raw::Number(n) => Ok(Seconds(n)),
            Raw::Text(text) => Seconds::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Seconds;

    #[test]
    fn durations_accept_units_and_bare_seconds() {
        assert_eq!(Seconds::parse("90").unwrap(), Seconds(90));
        assert_eq!(Seconds::parse("15m").unwrap(), Seconds(900));
        assert_eq!(Seconds::parse("24h").unwrap(), Seconds(86_400));
        assert_eq!(Seconds::parse("7d").unwrap(), Seconds(604_800));
    }

    #[test]
    fn durations_reject_garbage_with_a_hint() {
        assert!(Seconds::parse("soon").unwrap_err().contains("\"24h\""));
        assert!(Seconds::parse("5y").unwrap_err().contains("unit"));
        assert!(Seconds::parse("99999999999999999999").is_err());
    }
}
