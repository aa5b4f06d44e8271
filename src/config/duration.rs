//! Durations in the config file: `"90s"`, `"15m"`, `"24h"`, `"7d"`, or a bare number of seconds;
//! keys that take less than a second (`Millis`) also take `"200ms"`.
use serde::{Deserialize, Deserializer};

/// A duration in whole seconds (most keys: nothing they time needs less).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seconds(pub u64);

/// A duration in milliseconds, for keys where less than a second makes sense (`webhook.retry_base`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Millis(pub u64);

impl Seconds {
    pub fn as_std(self) -> std::time::Duration {
        std::time::Duration::from_secs(self.0)
    }

    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.0).unwrap_or(i64::MAX / 1000))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let ms = parse_millis(text)?;
        if ms % 1000 != 0 {
            return Err(format!("`{}` is not a whole number of seconds, which this key takes", text.trim()));
        }
        Ok(Seconds(ms / 1000))
    }
}

impl Millis {
    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::milliseconds(i64::try_from(self.0).unwrap_or(i64::MAX / 1000))
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        parse_millis(text).map(Millis)
    }
}

/// `<digits><unit>` in milliseconds; no unit means seconds.
fn parse_millis(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write e.g. \"30s\", \"15m\", \"24h\" or \"7d\""))?;
    let scale = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        other => return Err(format!("unknown duration unit `{other}`; use ms, s, m, h or d")),
    };
    number.checked_mul(scale).ok_or_else(|| format!("`{text}` is too long a duration"))
}

impl std::fmt::Display for Seconds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}s", self.0)
    }
}

impl std::fmt::Display for Millis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}ms", self.0)
    }
}

/// A number (seconds) or a string with a unit.
#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Number(u64),
    Text(String),
}

fn raw<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Raw, D::Error> {
    Raw::deserialize(deserializer).map_err(|_| {
        serde::de::Error::custom("expected a duration such as \"30s\", \"15m\", \"24h\" or \"7d\"")
    })
}

impl<'de> Deserialize<'de> for Seconds {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match raw(deserializer)? {
            Raw::Number(n) => Ok(Seconds(n)),
            Raw::Text(text) => Seconds::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match raw(deserializer)? {
            Raw::Number(n) => n
                .checked_mul(1_000)
                .map(Millis)
                .ok_or_else(|| serde::de::Error::custom(format!("`{n}` seconds is too long a duration"))),
            Raw::Text(text) => Millis::parse(&text).map_err(serde::de::Error::custom),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Millis, Seconds};

    #[test]
    fn durations_accept_units_and_bare_seconds() {
        assert_eq!(Seconds::parse("90").unwrap(), Seconds(90));
        assert_eq!(Seconds::parse("15m").unwrap(), Seconds(900));
        assert_eq!(Seconds::parse("24h").unwrap(), Seconds(86_400));
        assert_eq!(Seconds::parse("7d").unwrap(), Seconds(604_800));
        assert_eq!(Seconds::parse("2000ms").unwrap(), Seconds(2));
    }

    #[test]
    fn durations_reject_garbage_with_a_hint() {
        assert!(Seconds::parse("soon").unwrap_err().contains("\"24h\""));
        assert!(Seconds::parse("5y").unwrap_err().contains("unit"));
        assert!(Seconds::parse("99999999999999999999").is_err());
    }

    #[test]
    fn sub_second_durations_are_taken_only_where_the_key_allows_them() {
        assert_eq!(Millis::parse("200ms").unwrap(), Millis(200));
        assert_eq!(Millis::parse("1s").unwrap(), Millis(1_000));
        assert_eq!(Millis::parse("2").unwrap(), Millis(2_000));
        assert_eq!(Millis::parse("1m").unwrap().as_chrono(), chrono::Duration::minutes(1));
        assert!(Seconds::parse("1500ms").unwrap_err().contains("whole number of seconds"));
    }
}
