//! The values crossing `Enrollments` and `RecoveryCodes` (issue 18): an enrollment started
//! outside the link flow (self-enrollment, recovery), kept between the QR code and the user's
//! code so that any replica can finish it.
use crate::domain::{Locale, UserId};
use chrono::{DateTime, Utc};

/// Why an enrollment outside the link flow was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrollKind {
    SelfEnroll,
    Recovery,
}

impl EnrollKind {
    pub const ALL: [EnrollKind; 2] = [EnrollKind::SelfEnroll, EnrollKind::Recovery];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollKind::SelfEnroll => "self_enroll",
            EnrollKind::Recovery => "recovery",
        }
    }

    pub fn parse(text: &str) -> Option<EnrollKind> {
        EnrollKind::ALL.into_iter().find(|kind| kind.as_str() == text)
    }
}

/// A started enrollment, as the use case writes it. No `Debug`: it holds sealed secrets.
pub struct NewEnrollment {
    /// 32 lowercase hex characters, random, made by the use case (unique).
    pub id: String,
    pub user_id: UserId,
    pub user_name: String,
    pub kind: EnrollKind,
    /// The sealed TOTP secret.
    pub secret_ct: Vec<u8>,
    /// A sealed user token (users whose rules do not need TOTP).
    pub token_ct: Option<Vec<u8>>,
    pub token_expires_at: Option<DateTime<Utc>>,
    /// A sealed Keystone auth receipt (users whose rules need TOTP).
    pub receipt_ct: Option<Vec<u8>>,
    pub locale: Option<Locale>,
    pub now: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The stored enrollment: what was started, the wrong codes counted, and when it was created.
#[derive(Clone)]
pub struct Enrollment {
    pub id: String,
    pub user_id: UserId,
    pub user_name: String,
    pub kind: EnrollKind,
    pub secret_ct: Vec<u8>,
    pub token_ct: Option<Vec<u8>>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub receipt_ct: Option<Vec<u8>>,
    pub locale: Option<Locale>,
    pub code_failures: u32,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// No sealed bytes, and no id either: the id is what the user's browser presents to finish the
/// enrollment, so it is a bearer handle.
impl std::fmt::Debug for Enrollment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrollment")
            .field("user_id", &self.user_id)
            .field("kind", &self.kind)
            .field("has_token", &self.token_ct.is_some())
            .field("has_receipt", &self.receipt_ct.is_some())
            .field("locale", &self.locale)
            .field("code_failures", &self.code_failures)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

pub(super) fn parse_kind(text: &str) -> Result<EnrollKind, super::StoreError> {
    EnrollKind::parse(text)
        .ok_or_else(|| super::StoreError::Corrupt(format!("unknown enrollment kind `{text}`")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enrollments_debug_shows_neither_its_id_nor_its_sealed_bytes() {
        let at = DateTime::from_timestamp(1_900_000_000, 0).unwrap();
        let enrollment = Enrollment {
            id: "0123456789abcdef0123456789abcdef".into(),
            user_id: UserId::parse("u1").unwrap(),
            user_name: "u1@example.com".into(),
            kind: EnrollKind::Recovery,
            secret_ct: b"SEALED-SECRET".to_vec(),
            token_ct: Some(b"SEALED-TOKEN".to_vec()),
            token_expires_at: Some(at),
            receipt_ct: Some(b"SEALED-RECEIPT".to_vec()),
            locale: None,
            code_failures: 2,
            created_at: at,
            expires_at: at,
        };

        let shown = format!("{enrollment:?}");

        assert!(shown.contains("Recovery") && shown.contains("code_failures: 2"), "{shown}");
        for hidden in ["0123456789abcdef", "SEALED", "83, 69, 65, 76"] {
            assert!(!shown.contains(hidden), "{hidden} in {shown}");
        }
    }

    #[test]
    fn every_kind_reads_back_from_its_stored_name() {
        for kind in EnrollKind::ALL {
            assert_eq!(EnrollKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(EnrollKind::SelfEnroll.as_str(), "self_enroll");
        assert!(parse_kind("selfenroll").is_err());
    }
}
