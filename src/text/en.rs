//! English.
use super::{Phrase, Words};
use crate::domain::{Refusal, Stage};

pub struct En;

impl Words for En {
    fn phrase(&self, phrase: Phrase) -> &'static str {
        phrase_text(phrase)
    }

    fn refusal(&self, refusal: &Refusal) -> String {
        refusal_text(refusal)
    }

    fn account_setup(&self, cloud_name: &str) -> String {
        format!("{cloud_name} account setup")
    }

    fn expiry_hint(&self, max_days: i64) -> String {
        format!("The last day it works, as YYYY-MM-DD; at most {max_days} days from today.")
    }

    fn step_of(&self, step: u8, of: u8) -> String {
        format!("Step {step} of {of}")
    }

    fn attempts_left(&self, left: u32) -> String {
        attempts(left)
    }

    fn slow_down(&self, retry_after_secs: u64) -> String {
        format!("Too many requests. Please wait {retry_after_secs} seconds and try again.")
    }

    fn rule_min_chars(&self, min: usize) -> String {
        format!("At least {min} characters.")
    }

    fn rule_max_bytes(&self, max: usize) -> String {
        format!(
            "At most {max} bytes: {max} letters, digits or symbols (fewer with accented letters, about {} Korean or Chinese characters). The cloud ignores anything longer.",
            max / 3
        )
    }

    fn in_words(&self, seconds: u64) -> String {
        let unit = |n: u64, name: &str| format!("{n} {name}{}", if n == 1 { "" } else { "s" });
        let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3_600, seconds % 3_600 / 60);
        match (days, hours, minutes) {
            (0, 0, m) => unit(m.max(1), "minute"),
            (0, h, 0) => unit(h, "hour"),
            (0, h, m) => format!("{} and {}", unit(h, "hour"), unit(m, "minute")),
            (d, 0, _) => unit(d, "day"),
            (d, h, _) => format!("{} and {}", unit(d, "day"), unit(h, "hour")),
        }
    }

    fn mail_subject(&self) -> &'static str {
        "Set up your {{cloud_name}} account"
    }

    fn mail_text(&self) -> &'static str {
        include_str!("../../templates/link.txt")
    }

    fn mail_html(&self) -> &'static str {
        include_str!("../../templates/link.html")
    }

    fn replace_mail_subject(&self) -> &'static str {
        "Set up a new authenticator app for your {{cloud_name}} account"
    }

    fn replace_mail_text(&self) -> &'static str {
        include_str!("../../templates/replace.txt")
    }

    fn replace_mail_html(&self) -> &'static str {
        include_str!("../../templates/replace.html")
    }

    fn added_mail_subject(&self) -> &'static str {
        "An authenticator app was added to your {{cloud_name}} account"
    }

    fn added_mail_text(&self) -> &'static str {
        include_str!("../../templates/added.txt")
    }

    fn reminder_subject(&self, subject: &str) -> String {
        format!("Reminder: {subject}")
    }

    fn reminder_intro(&self, left: &str) -> String {
        format!(
            "A reminder: you have not finished setting up your account yet, and the link below stops working in {left}. It is the same link as in the first mail; if you have finished in the meantime, you can ignore this message."
        )
    }

    fn added_how(&self, recovered: bool) -> &'static str {
        if recovered {
            "it replaced the old one, with a recovery code"
        } else {
            "the first one, at sign-in"
        }
    }
}

fn phrase_text(phrase: Phrase) -> &'static str {
    match phrase {
        Phrase::LanguageNav => "Language",
        Phrase::TitlePassword => "Choose your password",
        Phrase::PasswordIntro => "Enter the PIN you chose when you registered, then choose a new password for your account.",
        Phrase::PinLabel => "PIN",
        Phrase::NewPasswordLabel => "New password",
        Phrase::NewPasswordAgainLabel => "New password, again",
        Phrase::SetPasswordButton => "Set password",
        Phrase::RulesHeading => "Your new password needs:",
        Phrase::RuleFromCloud => "The cloud's own rule:",
        Phrase::TitleTotp => "Set up your authenticator app",
        Phrase::TotpIntro => "Your password is set. Now scan this code with an authenticator app on your phone (for example FreeOTP, Google Authenticator or Microsoft Authenticator).",
        Phrase::QrLabel => "QR code for your authenticator app",
        Phrase::CantScan => "Can't scan it? Type this key instead",
        Phrase::AccountLabel => "Account:",
        Phrase::TotpKind => "Time-based, 6 digits, every 30 seconds.",
        Phrase::CodeLabel => "6-digit code from the app",
        Phrase::YourNewPasswordLabel => "Your new password",
        Phrase::SessionExpiredHint => "Your session has expired, so we need your new password once more.",
        Phrase::ConfirmButton => "Confirm",
        Phrase::TitleAlmostDone => "Almost done",
        Phrase::NeedsOperatorSet => "Your new password is set. Setting up your authenticator app needs a step by your administrator.",
        Phrase::NeedsOperatorContact => "Please contact support and mention that your account already has multi-factor rules. You can open this same link again afterwards.",
        Phrase::ResumeLabel => "Your administrator says it is ready? Type your new password to continue.",
        Phrase::ContinueButton => "Continue",
        Phrase::TitleAllSet => "You're all set",
        Phrase::DoneTotpReady => "Your password and your authenticator app are ready.",
        Phrase::DoneTotpHowTo => "To log in, use your username, your new password, and the 6-digit code your authenticator app shows at that moment.",
        Phrase::DonePasswordOnly => "Your new password is set. Log in with your username and your new password.",
        Phrase::GoToDashboard => "Go to the dashboard",
        Phrase::LinkUsedUp => "This link has now been used up; you can close this page.",
        Phrase::TitleLinkUnknown => "Link not recognised",
        Phrase::TitleLinkGone => "Link no longer valid",
        Phrase::TitleLinkLocked => "Link locked",
        Phrase::TitleTryAgainShortly => "Please try again shortly",
        Phrase::TitleSomethingWrong => "Something went wrong",
        Phrase::TitleDidNotWork => "This did not work",
        Phrase::TitleSlowDown => "Please slow down",
        Phrase::ServerError => "Something went wrong on our side. Please try again in a few minutes, or contact support.",
        Phrase::KeystoneUnavailable => "The cloud's identity service is not answering right now. Please try again in a few minutes.",
        Phrase::DatabaseBusy => "The service is very busy right now. Please try again in a moment.",
        Phrase::DatabaseUnavailable => "The service cannot reach its database right now. Please try again in a few seconds.",
        Phrase::SendAsBrowser => "Send the form as a web browser does.",
        Phrase::BodyTimeout => "The form took too long to arrive. Please send it again.",
        Phrase::BodyTooLarge => "The form is larger than this service accepts.",
        Phrase::HeadTooLarge => "Your browser sent more than this service accepts. Open the link from your email again.",
        Phrase::UriTooLong => "The address is too long. Open the link from your email again.",
        Phrase::TitleReset => "Reset your password",
        Phrase::ResetIntro => "Forgot your password, or lost your authenticator app? Send a request to the helpdesk. They check it and contact you at your email address.",
        Phrase::NameLabel => "Your name",
        Phrase::EmailLabel => "Email address",
        Phrase::EmailHint => "The address your account was registered with.",
        Phrase::EmailAgainLabel => "Email address, again",
        Phrase::ResetPinHint => "The PIN you chose when you registered.",
        Phrase::SendRequestButton => "Send request",
        Phrase::TitleRequestReceived => "Request received",
        Phrase::ResetSentThanks => "Thank you. Your request has been passed on to the helpdesk.",
        Phrase::ResetSentNext => "If the details match an account, the helpdesk will contact you at the email address you gave. You can close this page.",
        Phrase::TitleEnrollSignIn => "Add an authenticator app",
        Phrase::EnrollIntro => "Use this page to set up an authenticator app for an account you already have. First sign in with your user name and password.",
        Phrase::EnrollPasswordNote => "The cloud's identity service checks your password; this service does not store it.",
        Phrase::UserNameLabel => "User name",
        Phrase::DomainLabel => "Domain",
        Phrase::PasswordLabel => "Password",
        Phrase::SignInButton => "Sign in",
        Phrase::EnrollScanIntro => "Scan this code with an authenticator app on your phone (for example FreeOTP, Google Authenticator or Microsoft Authenticator), then type the code the app shows.",
        Phrase::EnrollDone => "Your authenticator app is set up. From now on, sign in with your password and the 6-digit code your app shows at that moment.",
        Phrase::EnrollDoneClose => "You can close this page.",
        Phrase::LostPhoneLink => "Lost your phone? Replace your authenticator app with a recovery code.",
        Phrase::TitleRecover => "Replace your authenticator app",
        Phrase::RecoverIntro => "Lost your phone? Replace your authenticator app with your password and one of your recovery codes.",
        Phrase::RecoveryCodeLabel => "Recovery code",
        Phrase::RecoveryCodeHint => "One of the codes you saved when you set up your authenticator app.",
        Phrase::YourAdministrator => "your administrator",
        Phrase::RecoveryCodesHeading => "Your recovery codes",
        Phrase::RecoveryCodesIntro => "If you lose your phone, one of these codes and your password let you set up a new authenticator app yourself. Each code works once.",
        Phrase::RecoveryCodesKeep => "They are shown only now: save them in a password manager, download them, or print this page, and keep them apart from your phone.",
        Phrase::RecoveryCodesDownload => "Download the codes as a text file",
        Phrase::RecoveryCodesFileTitle => "Recovery codes: each works once, with your password, to replace a lost authenticator app.",
        Phrase::TitleConfirm => "Confirm it's you",
        Phrase::ConfirmIntro => "To replace your authenticator app, first confirm it's you: enter the PIN you chose when you registered and the password you sign in with now. Your password stays as it is.",
        Phrase::CurrentPasswordLabel => "Current password",
        Phrase::TotpIntroReplace => "Now scan this code with an authenticator app on your phone (for example FreeOTP, Google Authenticator or Microsoft Authenticator). Once the cloud accepts a code from it, it replaces any authenticator app you set up before.",
        Phrase::SessionExpiredCurrentHint => "Your session has expired, so we need your password once more.",
        Phrase::NeedsOperatorReplace => "Your password has not been changed. Setting up your new authenticator app needs a step by your administrator.",
        Phrase::ResumeLabelCurrent => "Your administrator says it is ready? Type your password to continue.",
        Phrase::DoneReplacedHowTo => "Your new authenticator app replaces the old one. To log in, use your username, your password as before, and the 6-digit code your new app shows at that moment.",
        Phrase::TitleCli => "Set up command-line access",
        Phrase::CliIntro => "Get an application credential for the OpenStack command line and other tools. Sign in with your password and the code your authenticator app shows now.",
        Phrase::CliChooseIntro => "Choose the project the command line works in, a name to recognise this access by, and the last day it works.",
        Phrase::ProjectLabel => "Project",
        Phrase::CredentialNameLabel => "Name",
        Phrase::CredentialNameHint => "To recognise it later, for example in the dashboard's list of application credentials.",
        Phrase::ExpiryLabel => "Works until",
        Phrase::NoExpiryLabel => "Never expires",
        Phrase::CreateButton => "Create",
        Phrase::TitleCliReady => "Your command-line access",
        Phrase::CliSecretIntro => "The secret is shown only now; this service keeps no copy. Download the files and keep them private: anyone who has them can act as you in this project.",
        Phrase::CliIdLabel => "Application credential ID",
        Phrase::CliSecretLabel => "Secret",
        Phrase::NeverExpires => "never expires",
        Phrase::CliDownloadClouds => "Download clouds.yaml",
        Phrase::CliDownloadOpenrc => "Download openrc.sh",
        Phrase::CliHowToClouds => "Save clouds.yaml as ~/.config/openstack/clouds.yaml (or next to where you run the client), then run:",
        Phrase::CliHowToOpenrc => "Or, in a shell, load openrc.sh and run the client without --os-cloud:",
        Phrase::CliSetUpLink => "Set up command-line access (an application credential for the OpenStack client)",
    }
}

fn refusal_text(refusal: &Refusal) -> String {
    match refusal {
        Refusal::LinkMissing => {
            "This page needs the personal link from your email. Open that link to continue.".into()
        }
        Refusal::LinkDamaged => "This address is damaged. Open the link from your email again.".into(),
        Refusal::TokenMalformed => "The link token is malformed; copy the whole link from the email.".into(),
        Refusal::FormNotUnderstood => "The form was not understood; reload the page and try again.".into(),
        Refusal::PinMalformed { min, max } if min == max => format!("The PIN must be exactly {min} digits."),
        Refusal::PinMalformed { min, max } => format!("The PIN must be {min} to {max} digits."),
        Refusal::CodeMalformed => "The code is the 6 digits your authenticator app shows.".into(),
        Refusal::PasswordUnusable => format!(
            "That password cannot be used: it must not be empty, hold control characters, or be longer than {} bytes.",
            crate::domain::Password::MAX_BYTES
        ),
        Refusal::LinkUnknown => "This link is not valid. It may have been replaced by a newer one: use the latest link you received, or ask your administrator for a new one.".into(),
        Refusal::LinkUsed => "This link has already been used: your password and authenticator app are set up. Nothing more to do here.".into(),
        Refusal::LinkExpired => "This link has expired. Ask your administrator for a new one.".into(),
        Refusal::LinkLocked => {
            "This link is locked after too many wrong attempts. Ask your administrator for a new one.".into()
        }
        Refusal::LockedAfterPin => {
            "That PIN was wrong too, and this link is now locked. Ask your administrator for a new one.".into()
        }
        Refusal::LockedAfterCode => {
            "That code was wrong too, and this link is now locked. Ask your administrator for a new one.".into()
        }
        Refusal::LockedAfterPassword => {
            "That password was wrong too, and this link is now locked. Ask your administrator for a new one."
                .into()
        }
        Refusal::WrongPin { left } => format!("The PIN is not right. {}", attempts(*left)),
        Refusal::WrongCode { left, skew_secs } => {
            format!("That code is not right.{} {}", skew_hint(*skew_secs), attempts(*left))
        }
        Refusal::CodeNotAccepted { left } => format!("The cloud did not accept that code: it may have changed just as you typed it. Wait for the next code to appear in your app and type that one. {}", attempts(*left)),
        Refusal::PasswordsDiffer => "The two passwords do not match.".into(),
        Refusal::PasswordTooShort { min } => format!("The password must be at least {min} characters long."),
        Refusal::PasswordTooLong { max_bytes } => format!("The password is too long: the cloud uses only its first {max_bytes} bytes, so the rest would not protect you. Choose one of at most {max_bytes} bytes (letters, digits and symbols count one byte each; Korean characters three)."),
        Refusal::KeystoneRefusedPassword(message) => message.clone(),
        Refusal::ChangedElsewhere => "Your password could not be changed: your account's password was changed elsewhere, or the account was removed. Ask your administrator for a new link.".into(),
        Refusal::AccountDisabled => "Your account is disabled in the cloud's identity service, so setup cannot go on. Contact your administrator; nothing on this link was used up, and you can open it again once your account is enabled.".into(),
        Refusal::AccountGone => {
            "Your account no longer exists in the cloud's identity service. Contact your administrator.".into()
        }
        Refusal::PasswordNeeded => {
            "Your session has expired: type your new password again along with the code.".into()
        }
        Refusal::WrongPassword => "That password is not right: type the new password you just chose.".into(),
        Refusal::WrongPasswordOrAccount => "That password is not right, or your account has been disabled or removed. Type the new password you just chose; if you are sure it is right, contact your administrator.".into(),
        Refusal::WrongCurrentPassword { left } => format!("That password is not right: type the password you sign in to the cloud with now. {}", attempts(*left)),
        Refusal::WrongCurrentPasswordOrAccount { left } => format!("That password is not right, or your account has been disabled or removed. Type the password you sign in to the cloud with now; if you are sure it is right, contact your administrator. {}", attempts(*left)),
        Refusal::CurrentPasswordNeeded => "Your session has expired: type your password again along with the code.".into(),
        Refusal::StageMoved(Stage::Password) => "Set your new password first.".into(),
        Refusal::StageMoved(Stage::Totp) => {
            "Your password is already set; continue with the authenticator app.".into()
        }
        Refusal::StageMoved(Stage::Complete) => {
            "This link has already been used: your setup is complete.".into()
        }
        Refusal::NeedsOperator => {
            "Setting up your authenticator needs your administrator; your password is set.".into()
        }
        Refusal::Busy => "This link is being worked on in another window; reload the page in a moment.".into(),
        Refusal::Replaced => "This link was replaced by a newer one, or withdrawn, while you were using it. Use the latest link you received, or ask your administrator for a new one.".into(),
        Refusal::TotpUnavailable => "Setting up authenticator apps is not available right now. Please try again later or contact support; your password is set.".into(),
        Refusal::NameMissing => "Enter your name.".into(),
        Refusal::NameUnusable { max } => format!("Enter your name as plain text, at most {max} characters."),
        Refusal::EmailMissing => "Enter your email address.".into(),
        Refusal::EmailMalformed => "That email address does not look right; check it and try again.".into(),
        Refusal::EmailsDiffer => "The two email addresses do not match.".into(),
        Refusal::UserNameMissing => "Enter your user name (at most 255 characters).".into(),
        Refusal::DomainNotOffered => "Choose one of the domains this page offers.".into(),
        Refusal::SignInRefused => "The user name or password is not right. Check both and try again; after several failed tries the cloud locks the account for a while.".into(),
        Refusal::AccountLockedByKeystone => "Your account is locked after too many failed sign-ins. Wait a while and try again, or contact your administrator.".into(),
        Refusal::NotOptedIn => "Setting up an authenticator app here is not available for your account. Contact your administrator.".into(),
        Refusal::SelfEnrollNeedsOperator => "Your account needs an authenticator app, but this service cannot set one up for it yet. Contact your administrator; your password was not changed.".into(),
        Refusal::AlreadyEnrolled => "Your account already has an authenticator app. If you lost it, ask your administrator to replace it.".into(),
        Refusal::EnrollmentUnknown => "This setup has expired or is already finished. Start again by signing in.".into(),
        Refusal::EnrollmentLocked => "That code was wrong too many times, so this setup has ended. Start again by signing in.".into(),
        Refusal::RecoveryCodeMissing => "Enter one of your recovery codes.".into(),
        Refusal::WrongRecoveryCode { left } => format!("That recovery code is not right, or was used already. {}", attempts(*left)),
        Refusal::RecoveryLocked => "Recovery is locked after too many wrong recovery codes. Try again in an hour, or contact your administrator.".into(),
        Refusal::CliSignInRefused => "The user name, password or code is not right. Check them and try again; after several failed tries the cloud locks the account for a while.".into(),
        Refusal::CliNeedsOperator => "Your account's sign-in rules ask for more than a password and a code, so command-line access cannot be set up here. Contact your administrator.".into(),
        Refusal::CliSignInExpired => "This page has expired. Sign in again to set up command-line access.".into(),
        Refusal::NoProjects => "Your account is not a member of any project yet, so there is nothing to use from the command line. Ask your administrator to add you to a project, then come back.".into(),
        Refusal::ProjectMissing => "Choose a project.".into(),
        Refusal::ProjectNotYours => "You are not a member of that project. Choose one of the projects listed.".into(),
        Refusal::CredentialNameUnusable => "Enter a name as plain text, at most 255 characters.".into(),
        Refusal::CredentialNameTaken => "You already have command-line access with that name. Choose another name.".into(),
        Refusal::ExpiryMalformed => "Enter the expiry date as YYYY-MM-DD.".into(),
        Refusal::ExpiryNotInTheFuture => "Choose an expiry date after today.".into(),
        Refusal::ExpiryTooLate { max_days } => format!("Choose an expiry date at most {max_days} days from today."),
        Refusal::NoExpiryNotAllowed { max_days } => format!("Command-line access must expire: choose a date at most {max_days} days from today."),
        Refusal::KeystoneRefusedCredential => "The cloud refused to create it as asked. Try another name or date, or contact your administrator.".into(),
    }
}

fn attempts(left: u32) -> String {
    match left {
        1 => "1 attempt left.".into(),
        n => format!("{n} attempts left."),
    }
}

/// Phones whose clock is off are the most common reason enrollment fails: say so, and by how much.
fn skew_hint(skew_secs: Option<i64>) -> String {
    let Some(secs) = skew_secs else { return String::new() };
    let amount = if secs.abs() < 90 {
        format!("{} seconds", secs.abs())
    } else {
        format!("about {} minutes", (secs.abs() + 30) / 60)
    };
    let direction = if secs > 0 { "ahead" } else { "behind" };
    format!(" It matches a code from {amount} {direction}: your phone's clock seems to be off. Set it to update automatically (network time) and try again.")
}
