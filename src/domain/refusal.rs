//! Why the user's flow refuses a request: typed reasons and their data, no words (`text/` turns
//! each into sentences, `error.rs` into a status).
use super::Stage;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The page was opened without the `?token=` of a link.
    LinkMissing,
    /// The address or the link in it does not parse.
    LinkDamaged,
    /// The link token in a JSON body does not parse.
    TokenMalformed,
    FormNotUnderstood,
    /// The PIN is not `min` to `max` digits.
    PinMalformed {
        min: usize,
        max: usize,
    },
    /// The code is not 6 digits.
    CodeMalformed,
    /// Empty, over Keystone's length, or with control characters.
    PasswordUnusable,
    /// No record has this link: never issued, replaced by a newer one, or revoked.
    LinkUnknown,
    LinkUsed,
    LinkExpired,
    LinkLocked,
    /// This wrong PIN was the last one allowed.
    LockedAfterPin,
    /// This wrong code was the last one allowed.
    LockedAfterCode,
    /// This wrong password (on the authenticator step) was the last try allowed.
    LockedAfterPassword,
    WrongPin {
        left: u32,
    },
    /// `skew_secs`: the code matches the phone's clock that far off (ahead when positive).
    WrongCode {
        left: u32,
        skew_secs: Option<i64>,
    },
    /// setpass accepted the code but Keystone did not (it looks back fewer time windows).
    CodeNotAccepted {
        left: u32,
    },
    PasswordsDiffer,
    PasswordTooShort {
        min: usize,
    },
    /// Longer than `onboarding.max_password_bytes` (Keystone's bcrypt reads only 72 bytes).
    PasswordTooLong {
        max_bytes: usize,
    },
    /// Keystone's password rules refused the new password; its own message.
    KeystoneRefusedPassword(String),
    /// The stored admin password no longer works, nor the new one: changed elsewhere.
    ChangedElsewhere,
    AccountDisabled,
    AccountGone,
    /// The token kept from step 1 is gone: the TOTP step needs the password again.
    PasswordNeeded,
    WrongPassword,
    /// Keystone refused the password at the authenticator step and, without the service
    /// credential, setpass cannot tell a wrong password from a disabled or deleted account.
    WrongPasswordOrAccount,
    // An authenticator-only link: the user confirms their current password, which stays.
    /// Keystone refused the current password; counted like a wrong PIN (or code, at step 2).
    WrongCurrentPassword {
        left: u32,
    },
    /// As `WrongPasswordOrAccount`, for the current password: counted too.
    WrongCurrentPasswordOrAccount {
        left: u32,
    },
    /// As `PasswordNeeded`: the kept token is gone, the current password brings a new one.
    CurrentPasswordNeeded,
    /// The record is at another stage than the submitted step (a double submission, an old tab).
    StageMoved(Stage),
    /// MFA rules on and no service credential: the operator must act.
    NeedsOperator,
    /// Another request holds the record's lease.
    Busy,
    /// The admin renewed or revoked the link while this step was in flight.
    Replaced,
    /// Keystone lacks the `totp` auth method.
    TotpUnavailable,
    /// The helpdesk form: no name, or not plain text of at most `max` characters.
    NameMissing,
    NameUnusable {
        max: usize,
    },
    EmailMissing,
    EmailMalformed,
    EmailsDiffer,
    // Self-enrollment.
    /// No user name (or one longer than Keystone allows).
    UserNameMissing,
    /// A domain the service does not offer (a tampered form).
    DomainNotOffered,
    /// A wrong password and an unknown user: one answer, so nobody learns which names exist.
    SignInRefused,
    /// Keystone locked the account after too many failed sign-ins.
    AccountLockedByKeystone,
    /// `self_enroll.require_mfa_rules`, and the user's rules do not want TOTP.
    NotOptedIn,
    /// The user's rules want TOTP and setpass has no service credential to get past them.
    SelfEnrollNeedsOperator,
    /// The user has an authenticator already.
    AlreadyEnrolled,
    /// The enrollment expired, ended or never was.
    EnrollmentUnknown,
    /// Too many wrong codes: the enrollment is over.
    EnrollmentLocked,
    // Recovery.
    RecoveryCodeMissing,
    WrongRecoveryCode {
        left: u32,
    },
    /// Too many wrong recovery codes: recovery waits a while.
    RecoveryLocked,
    // Command-line access.
    /// A wrong password or code, or an unknown user: one answer.
    CliSignInRefused,
    /// The user's MFA rules want more than the password and a code.
    CliNeedsOperator,
    /// The sign-in of a two-step page expired (or the form was tampered with): start again.
    CliSignInExpired,
    /// The user has a role on no project.
    NoProjects,
    ProjectMissing,
    /// A project the user has no role on (a tampered form).
    ProjectNotYours,
    /// Empty, over 255 characters, or with control characters.
    CredentialNameUnusable,
    /// The user has an application credential of that name already.
    CredentialNameTaken,
    ExpiryMalformed,
    ExpiryNotInTheFuture,
    ExpiryTooLate {
        max_days: i64,
    },
    NoExpiryNotAllowed {
        max_days: i64,
    },
    /// Keystone refused the application credential as asked (its words go to the log).
    KeystoneRefusedCredential,
}

/// The form field a refusal is about: its message is tied to that field, and it gets the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Pin,
    Password,
    Confirm,
    Code,
    Name,
    Email,
    ConfirmEmail,
    UserName,
    RecoveryCode,
    Project,
    CredentialName,
    Expiry,
}

impl Field {
    /// The field's `id` in the page.
    pub fn id(self) -> &'static str {
        match self {
            Field::Pin => "pin",
            Field::Password => "password",
            Field::Confirm => "confirm_password",
            Field::Code => "code",
            Field::Name => "name",
            Field::Email => "email",
            Field::ConfirmEmail => "confirm_email",
            Field::UserName => "user_name",
            Field::RecoveryCode => "recovery_code",
            Field::Project => "project_id",
            Field::CredentialName => "credential_name",
            Field::Expiry => "expires_at",
        }
    }
}

impl Refusal {
    /// The field to correct, when the refusal is about one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Refusal::PinMalformed { .. } | Refusal::WrongPin { .. } => Some(Field::Pin),
            Refusal::PasswordUnusable
            | Refusal::PasswordTooShort { .. }
            | Refusal::PasswordTooLong { .. }
            | Refusal::KeystoneRefusedPassword(_)
            | Refusal::PasswordNeeded
            | Refusal::WrongPassword
            | Refusal::WrongPasswordOrAccount
            | Refusal::WrongCurrentPassword { .. }
            | Refusal::WrongCurrentPasswordOrAccount { .. }
            | Refusal::CurrentPasswordNeeded
            | Refusal::SignInRefused
            | Refusal::CliSignInRefused => Some(Field::Password),
            Refusal::ProjectMissing | Refusal::ProjectNotYours => Some(Field::Project),
            Refusal::CredentialNameUnusable | Refusal::CredentialNameTaken => Some(Field::CredentialName),
            Refusal::ExpiryMalformed
            | Refusal::ExpiryNotInTheFuture
            | Refusal::ExpiryTooLate { .. }
            | Refusal::NoExpiryNotAllowed { .. } => Some(Field::Expiry),
            Refusal::UserNameMissing => Some(Field::UserName),
            Refusal::RecoveryCodeMissing | Refusal::WrongRecoveryCode { .. } => Some(Field::RecoveryCode),
            Refusal::PasswordsDiffer => Some(Field::Confirm),
            Refusal::CodeMalformed | Refusal::WrongCode { .. } | Refusal::CodeNotAccepted { .. } => {
                Some(Field::Code)
            }
            Refusal::NameMissing | Refusal::NameUnusable { .. } => Some(Field::Name),
            Refusal::EmailMissing | Refusal::EmailMalformed => Some(Field::Email),
            Refusal::EmailsDiffer => Some(Field::ConfirmEmail),
            _ => None,
        }
    }

    /// The link cannot go on from this page: the user gets an error page, not the form again.
    pub fn ends_the_page(&self) -> bool {
        matches!(
            self,
            Refusal::LinkUnknown
                | Refusal::LinkUsed
                | Refusal::LinkExpired
                | Refusal::LinkLocked
                | Refusal::LockedAfterPin
                | Refusal::LockedAfterCode
                | Refusal::LockedAfterPassword
                | Refusal::AccountDisabled
                | Refusal::AccountGone
                | Refusal::Replaced
                | Refusal::StageMoved(Stage::Complete)
        )
    }

    /// Not the user's mistake: another request moved on, or must; the page shows where things stand.
    pub fn is_notice(&self) -> bool {
        matches!(
            self,
            Refusal::StageMoved(Stage::Password | Stage::Totp) | Refusal::Busy | Refusal::NeedsOperator
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_that_cannot_log_in_ends_the_page_and_an_unclear_refusal_keeps_the_form() {
        for gone in [Refusal::AccountDisabled, Refusal::AccountGone] {
            assert!(gone.ends_the_page(), "{gone:?}");
        }
        let unclear = Refusal::WrongPasswordOrAccount;
        assert!(!unclear.ends_the_page() && !unclear.is_notice());
        assert_eq!(unclear.field(), Some(Field::Password), "the password field gets the message");
    }
}
