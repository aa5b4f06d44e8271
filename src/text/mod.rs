//! Every sentence a person reads on the user's side (pages, error pages, the user's JSON
//! messages, the link mail), one module per language. The admin API and logs stay English.
//!
//! `Words` has no default methods: a sentence missing in one language does not compile, and
//! `tests` checks that every phrase of each language is really written in it.
pub mod admin;
mod en;
mod ko;

pub use crate::domain::Locale;
use crate::domain::Refusal;

/// A fixed sentence or label; numbers and names go through `Words`' methods instead, so each
/// language phrases them its own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    LanguageNav,
    // Step 1.
    TitlePassword,
    PasswordIntro,
    PinLabel,
    NewPasswordLabel,
    NewPasswordAgainLabel,
    SetPasswordButton,
    RulesHeading,
    RuleFromCloud,
    // Step 2.
    TitleTotp,
    TotpIntro,
    QrLabel,
    CantScan,
    AccountLabel,
    TotpKind,
    CodeLabel,
    YourNewPasswordLabel,
    SessionExpiredHint,
    ConfirmButton,
    // The operator must act.
    TitleAlmostDone,
    NeedsOperatorSet,
    NeedsOperatorContact,
    ResumeLabel,
    ContinueButton,
    // Done.
    TitleAllSet,
    DoneTotpReady,
    DoneTotpHowTo,
    DonePasswordOnly,
    GoToDashboard,
    LinkUsedUp,
    // Pages for what cannot go on.
    TitleLinkUnknown,
    TitleLinkGone,
    TitleLinkLocked,
    TitleTryAgainShortly,
    TitleSomethingWrong,
    TitleDidNotWork,
    TitleSlowDown,
    ServerError,
    KeystoneUnavailable,
    DatabaseBusy,
    DatabaseUnavailable,
    SendAsBrowser,
    BodyTimeout,
    BodyTooLarge,
    HeadTooLarge,
    UriTooLong,
    // The helpdesk form.
    TitleReset,
    ResetIntro,
    NameLabel,
    EmailLabel,
    EmailHint,
    EmailAgainLabel,
    ResetPinHint,
    SendRequestButton,
    TitleRequestReceived,
    ResetSentThanks,
    ResetSentNext,
    // Self-enrollment (`/enroll`).
    TitleEnrollSignIn,
    EnrollIntro,
    EnrollPasswordNote,
    UserNameLabel,
    DomainLabel,
    PasswordLabel,
    SignInButton,
    EnrollScanIntro,
    EnrollDone,
    EnrollDoneClose,
    LostPhoneLink,
    // Recovery (`/recover`).
    TitleRecover,
    RecoverIntro,
    RecoveryCodeLabel,
    RecoveryCodeHint,
    // The link mail.
    YourAdministrator,
    // Recovery codes, shown once at the end of an enrollment.
    RecoveryCodesHeading,
    RecoveryCodesIntro,
    RecoveryCodesKeep,
    RecoveryCodesDownload,
    RecoveryCodesFileTitle,
    // An authenticator-only link: "Confirm it's you", then the replacement app.
    TitleConfirm,
    ConfirmIntro,
    CurrentPasswordLabel,
    TotpIntroReplace,
    SessionExpiredCurrentHint,
    NeedsOperatorReplace,
    ResumeLabelCurrent,
    DoneReplacedHowTo,
    // Command-line access (`/cli`).
    TitleCli,
    CliIntro,
    CliChooseIntro,
    ProjectLabel,
    CredentialNameLabel,
    CredentialNameHint,
    ExpiryLabel,
    NoExpiryLabel,
    CreateButton,
    TitleCliReady,
    CliSecretIntro,
    CliIdLabel,
    CliSecretLabel,
    NeverExpires,
    CliDownloadClouds,
    CliDownloadOpenrc,
    CliHowToClouds,
    CliHowToOpenrc,
    CliSetUpLink,
}

impl Phrase {
    pub const ALL: [Phrase; 105] = {
        use Phrase::*;
        [
            LanguageNav,
            TitlePassword,
            PasswordIntro,
            PinLabel,
            NewPasswordLabel,
            NewPasswordAgainLabel,
            SetPasswordButton,
            RulesHeading,
            RuleFromCloud,
            TitleTotp,
            TotpIntro,
            QrLabel,
            CantScan,
            AccountLabel,
            TotpKind,
            CodeLabel,
            YourNewPasswordLabel,
            SessionExpiredHint,
            ConfirmButton,
            TitleAlmostDone,
            NeedsOperatorSet,
            NeedsOperatorContact,
            ResumeLabel,
            ContinueButton,
            TitleAllSet,
            DoneTotpReady,
            DoneTotpHowTo,
            DonePasswordOnly,
            GoToDashboard,
            LinkUsedUp,
            TitleLinkUnknown,
            TitleLinkGone,
            TitleLinkLocked,
            TitleTryAgainShortly,
            TitleSomethingWrong,
            TitleDidNotWork,
            TitleSlowDown,
            ServerError,
            KeystoneUnavailable,
            DatabaseBusy,
            DatabaseUnavailable,
            SendAsBrowser,
            BodyTimeout,
            BodyTooLarge,
            HeadTooLarge,
            UriTooLong,
            TitleReset,
            ResetIntro,
            NameLabel,
            EmailLabel,
            EmailHint,
            EmailAgainLabel,
            ResetPinHint,
            SendRequestButton,
            TitleRequestReceived,
            ResetSentThanks,
            ResetSentNext,
            TitleEnrollSignIn,
            EnrollIntro,
            EnrollPasswordNote,
            UserNameLabel,
            DomainLabel,
            PasswordLabel,
            SignInButton,
            EnrollScanIntro,
            EnrollDone,
            EnrollDoneClose,
            LostPhoneLink,
            TitleRecover,
            RecoverIntro,
            RecoveryCodeLabel,
            RecoveryCodeHint,
            YourAdministrator,
            RecoveryCodesHeading,
            RecoveryCodesIntro,
            RecoveryCodesKeep,
            RecoveryCodesDownload,
            RecoveryCodesFileTitle,
            TitleConfirm,
            ConfirmIntro,
            CurrentPasswordLabel,
            TotpIntroReplace,
            SessionExpiredCurrentHint,
            NeedsOperatorReplace,
            ResumeLabelCurrent,
            DoneReplacedHowTo,
            TitleCli,
            CliIntro,
            CliChooseIntro,
            ProjectLabel,
            CredentialNameLabel,
            CredentialNameHint,
            ExpiryLabel,
            NoExpiryLabel,
            CreateButton,
            TitleCliReady,
            CliSecretIntro,
            CliIdLabel,
            CliSecretLabel,
            NeverExpires,
            CliDownloadClouds,
            CliDownloadOpenrc,
            CliHowToClouds,
            CliHowToOpenrc,
            CliSetUpLink,
        ]
    };
}

/// What one language says.
pub trait Words: Sync {
    fn phrase(&self, phrase: Phrase) -> &'static str;
    /// Why the user's flow refused, as a whole sentence (or two).
    fn refusal(&self, refusal: &Refusal) -> String;
    /// The header: "Example Cloud account setup".
    fn account_setup(&self, cloud_name: &str) -> String;
    fn step_of(&self, step: u8, of: u8) -> String;
    /// Under the expiry field: the last day it may be.
    fn expiry_hint(&self, max_days: i64) -> String;
    fn attempts_left(&self, left: u32) -> String;
    fn slow_down(&self, retry_after_secs: u64) -> String;
    fn rule_min_chars(&self, min: usize) -> String;
    fn rule_max_bytes(&self, max: usize) -> String;
    /// A link's lifetime in the mail: "7 days", "1 hour and 30 minutes".
    fn in_words(&self, seconds: u64) -> String;
    /// The built-in link mail: subject, text and HTML templates (with `{{placeholders}}`).
    fn mail_subject(&self) -> &'static str;
    fn mail_text(&self) -> &'static str;
    fn mail_html(&self) -> &'static str;
    /// The same for an authenticator-only link: a new app, the password kept.
    fn replace_mail_subject(&self) -> &'static str;
    fn replace_mail_text(&self) -> &'static str;
    fn replace_mail_html(&self) -> &'static str;
    /// The mail after an authenticator app was added (self-enrollment, recovery): subject and
    /// text templates, and how it was added (`{{how}}`).
    fn added_mail_subject(&self) -> &'static str;
    fn added_mail_text(&self) -> &'static str;
    fn added_how(&self, recovered: bool) -> &'static str;
    /// The reminder of a link mail: its subject (the link mail's, marked), and the paragraph
    /// above the link mail's text (`left`: the time left, in words).
    fn reminder_subject(&self, subject: &str) -> String;
    fn reminder_intro(&self, left: &str) -> String;
}

pub fn words(locale: Locale) -> &'static dyn Words {
    match locale {
        Locale::En => &en::En,
        Locale::Ko => &ko::Ko,
    }
}

/// English, for the logs' and admin API's rendering of a refusal.
pub fn english_refusal(refusal: &Refusal) -> String {
    en::En.refusal(refusal)
}

#[cfg(test)]
mod tests;
