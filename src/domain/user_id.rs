//! Keystone user ids: what an id may look like before we ask Keystone about it.
use super::Invalid;

/// Keystone's SQL identity backend uses 32 hex digits; LDAP and federated backends use other
/// ids, but Keystone's `user.id` column is at most 64 characters, and no backend puts path,
/// query or control characters in one.
const MAX_LEN: usize = 64;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UserId(String);

impl UserId {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err(Invalid("the user id is empty".into()));
        }
        if raw.len() > MAX_LEN {
            return Err(Invalid(format!("the user id is longer than {MAX_LEN} characters")));
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@')) {
            return Err(Invalid(
                "the user id may only contain letters, digits, '-', '_', '.' and '@'".into(),
            ));
        }
        if raw == "." || raw == ".." {
            // A dot segment would climb the URL path: `/v3/users/..` is `/v3/`.
            return Err(Invalid("the user id may not be `.` or `..`".into()));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UserId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystone_style_ids_are_accepted() {
        assert!(UserId::parse("cb1c9b9d4afd477a834debe76f553645").is_ok());
        assert!(UserId::parse("ldap-user_01.x@dept").is_ok());
    }

    #[test]
    fn empty_long_and_strange_ids_are_refused() {
        assert!(UserId::parse("").is_err());
        assert!(UserId::parse(&"a".repeat(65)).is_err());
        for bad in [".", "..", "a/b", "a b", "a?b", "a%2Fb", "..%00", "ü", "a\nb"] {
            assert!(UserId::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
