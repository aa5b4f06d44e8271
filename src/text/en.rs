//! English: what each refusal says to the user.
use crate::domain::{Refusal, Stage};

pub fn refusal(refusal: &Refusal) -> String {
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

#[cfg(test)]
mod tests {
    use super::{refusal, skew_hint};
    use crate::domain::{Refusal, Stage};

    #[test]
    fn every_refusal_is_a_whole_sentence() {
        let all = [
            Refusal::LinkMissing,
            Refusal::LinkDamaged,
            Refusal::TokenMalformed,
            Refusal::FormNotUnderstood,
            Refusal::PinMalformed { min: 4, max: 4 },
            Refusal::PinMalformed { min: 4, max: 8 },
            Refusal::CodeMalformed,
            Refusal::PasswordUnusable,
            Refusal::LinkUnknown,
            Refusal::LinkUsed,
            Refusal::LinkExpired,
            Refusal::LinkLocked,
            Refusal::LockedAfterPin,
            Refusal::LockedAfterCode,
            Refusal::LockedAfterPassword,
            Refusal::WrongPin { left: 1 },
            Refusal::WrongCode { left: 2, skew_secs: Some(300) },
            Refusal::CodeNotAccepted { left: 3 },
            Refusal::PasswordsDiffer,
            Refusal::PasswordTooShort { min: 8 },
            Refusal::ChangedElsewhere,
            Refusal::AccountDisabled,
            Refusal::AccountGone,
            Refusal::PasswordNeeded,
            Refusal::WrongPassword,
            Refusal::StageMoved(Stage::Password),
            Refusal::StageMoved(Stage::Totp),
            Refusal::StageMoved(Stage::Complete),
            Refusal::NeedsOperator,
            Refusal::Busy,
            Refusal::Replaced,
            Refusal::TotpUnavailable,
            Refusal::NameMissing,
            Refusal::NameUnusable { max: 200 },
            Refusal::EmailMissing,
            Refusal::EmailMalformed,
            Refusal::EmailsDiffer,
        ];
        for reason in all {
            let text = refusal(&reason);
            assert!(text.starts_with(char::is_uppercase) && text.ends_with('.'), "{reason:?}: {text}");
        }
        assert_eq!(refusal(&Refusal::WrongPin { left: 1 }), "The PIN is not right. 1 attempt left.");
    }

    #[test]
    fn a_skew_under_a_minute_and_a_half_is_said_in_seconds() {
        assert!(skew_hint(Some(-30)).contains("30 seconds behind"), "{}", skew_hint(Some(-30)));
        assert!(skew_hint(Some(60)).contains("60 seconds ahead"));
        assert!(skew_hint(Some(300)).contains("about 5 minutes ahead"));
        assert_eq!(skew_hint(None), "");
    }
}
