//! Every message exists, in its own language, in every language.
use super::{words, Locale, Phrase};
use crate::domain::{Refusal, Stage};

/// Lists each `Refusal` variant with examples of its data. The patterns become one `match`
/// without a `_` arm, so a variant added to `Refusal` fails to compile here until it is listed,
/// and once listed its examples are among those every language is checked for.
macro_rules! every_variant {
    ($($variant:pat => [$($example:expr),+ $(,)?]),+ $(,)?) => {
        /// The arm (its pattern, as written) that `reason` falls under.
        fn arm_of(reason: &Refusal) -> &'static str {
            match reason {
                $($variant => stringify!($variant)),+
            }
        }

        /// Each arm with its examples.
        fn examples_by_arm() -> Vec<(&'static str, Vec<Refusal>)> {
            vec![$((stringify!($variant), vec![$($example),+])),+]
        }
    };
}

every_variant! {
    Refusal::LinkMissing => [Refusal::LinkMissing],
    Refusal::LinkDamaged => [Refusal::LinkDamaged],
    Refusal::TokenMalformed => [Refusal::TokenMalformed],
    Refusal::FormNotUnderstood => [Refusal::FormNotUnderstood],
    Refusal::PinMalformed { .. } => [
        Refusal::PinMalformed { min: 4, max: 4 },
        Refusal::PinMalformed { min: 4, max: 8 },
    ],
    Refusal::CodeMalformed => [Refusal::CodeMalformed],
    Refusal::PasswordUnusable => [Refusal::PasswordUnusable],
    Refusal::LinkUnknown => [Refusal::LinkUnknown],
    Refusal::LinkUsed => [Refusal::LinkUsed],
    Refusal::LinkExpired => [Refusal::LinkExpired],
    Refusal::LinkLocked => [Refusal::LinkLocked],
    Refusal::LockedAfterPin => [Refusal::LockedAfterPin],
    Refusal::LockedAfterCode => [Refusal::LockedAfterCode],
    Refusal::LockedAfterPassword => [Refusal::LockedAfterPassword],
    Refusal::WrongPin { .. } => [Refusal::WrongPin { left: 1 }, Refusal::WrongPin { left: 2 }],
    Refusal::WrongCode { .. } => [
        Refusal::WrongCode { left: 2, skew_secs: Some(300) },
        Refusal::WrongCode { left: 1, skew_secs: Some(-30) },
        Refusal::WrongCode { left: 2, skew_secs: None },
    ],
    Refusal::CodeNotAccepted { .. } => [Refusal::CodeNotAccepted { left: 3 }],
    Refusal::PasswordsDiffer => [Refusal::PasswordsDiffer],
    Refusal::PasswordTooShort { .. } => [Refusal::PasswordTooShort { min: 8 }],
    Refusal::PasswordTooLong { .. } => [Refusal::PasswordTooLong { max_bytes: 72 }],
    Refusal::KeystoneRefusedPassword(_) => [Refusal::KeystoneRefusedPassword("Needs a digit.".into())],
    Refusal::ChangedElsewhere => [Refusal::ChangedElsewhere],
    Refusal::AccountDisabled => [Refusal::AccountDisabled],
    Refusal::AccountGone => [Refusal::AccountGone],
    Refusal::PasswordNeeded => [Refusal::PasswordNeeded],
    Refusal::WrongPassword => [Refusal::WrongPassword],
    Refusal::WrongPasswordOrAccount => [Refusal::WrongPasswordOrAccount],
    Refusal::WrongCurrentPassword { .. } => [Refusal::WrongCurrentPassword { left: 1 }, Refusal::WrongCurrentPassword { left: 3 }],
    Refusal::WrongCurrentPasswordOrAccount { .. } => [Refusal::WrongCurrentPasswordOrAccount { left: 2 }],
    Refusal::CurrentPasswordNeeded => [Refusal::CurrentPasswordNeeded],
    Refusal::StageMoved(Stage::Password | Stage::Totp | Stage::Complete) => [
        Refusal::StageMoved(Stage::Password),
        Refusal::StageMoved(Stage::Totp),
        Refusal::StageMoved(Stage::Complete),
    ],
    Refusal::NeedsOperator => [Refusal::NeedsOperator],
    Refusal::Busy => [Refusal::Busy],
    Refusal::Replaced => [Refusal::Replaced],
    Refusal::TotpUnavailable => [Refusal::TotpUnavailable],
    Refusal::NameMissing => [Refusal::NameMissing],
    Refusal::NameUnusable { .. } => [Refusal::NameUnusable { max: 200 }],
    Refusal::EmailMissing => [Refusal::EmailMissing],
    Refusal::EmailMalformed => [Refusal::EmailMalformed],
    Refusal::EmailsDiffer => [Refusal::EmailsDiffer],
    Refusal::UserNameMissing => [Refusal::UserNameMissing],
    Refusal::DomainNotOffered => [Refusal::DomainNotOffered],
    Refusal::SignInRefused => [Refusal::SignInRefused],
    Refusal::AccountLockedByKeystone => [Refusal::AccountLockedByKeystone],
    Refusal::NotOptedIn => [Refusal::NotOptedIn],
    Refusal::SelfEnrollNeedsOperator => [Refusal::SelfEnrollNeedsOperator],
    Refusal::AlreadyEnrolled => [Refusal::AlreadyEnrolled],
    Refusal::EnrollmentUnknown => [Refusal::EnrollmentUnknown],
    Refusal::EnrollmentLocked => [Refusal::EnrollmentLocked],
    Refusal::RecoveryCodeMissing => [Refusal::RecoveryCodeMissing],
    Refusal::WrongRecoveryCode { .. } => [Refusal::WrongRecoveryCode { left: 1 }, Refusal::WrongRecoveryCode { left: 4 }],
    Refusal::RecoveryLocked => [Refusal::RecoveryLocked],
    Refusal::CliSignInRefused => [Refusal::CliSignInRefused],
    Refusal::CliNeedsOperator => [Refusal::CliNeedsOperator],
    Refusal::CliSignInExpired => [Refusal::CliSignInExpired],
    Refusal::NoProjects => [Refusal::NoProjects],
    Refusal::ProjectMissing => [Refusal::ProjectMissing],
    Refusal::ProjectNotYours => [Refusal::ProjectNotYours],
    Refusal::CredentialNameUnusable => [Refusal::CredentialNameUnusable],
    Refusal::CredentialNameTaken => [Refusal::CredentialNameTaken],
    Refusal::ExpiryMalformed => [Refusal::ExpiryMalformed],
    Refusal::ExpiryNotInTheFuture => [Refusal::ExpiryNotInTheFuture],
    Refusal::ExpiryTooLate { .. } => [Refusal::ExpiryTooLate { max_days: 365 }],
    Refusal::NoExpiryNotAllowed { .. } => [Refusal::NoExpiryNotAllowed { max_days: 365 }],
    Refusal::KeystoneRefusedCredential => [Refusal::KeystoneRefusedCredential],
}

/// An example of every variant (and of each `Stage` a `StageMoved` can name).
fn every_refusal() -> Vec<Refusal> {
    examples_by_arm().into_iter().flat_map(|(_, examples)| examples).collect()
}

fn has_hangul(text: &str) -> bool {
    text.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

/// Written in the language: Korean text has Hangul, English text has none.
fn in_language(locale: Locale, text: &str) -> bool {
    !text.trim().is_empty()
        && match locale {
            Locale::Ko => has_hangul(text),
            Locale::En => !has_hangul(text),
        }
}

#[test]
fn every_phrase_is_written_in_every_language() {
    for locale in Locale::ALL {
        for phrase in Phrase::ALL {
            let text = words(locale).phrase(phrase);
            assert!(in_language(locale, text), "{locale:?} {phrase:?}: {text:?}");
        }
    }
    // The list holds every phrase once.
    for (i, phrase) in Phrase::ALL.iter().enumerate() {
        assert!(!Phrase::ALL[i + 1..].contains(phrase), "{phrase:?} listed twice");
    }
}

#[test]
fn each_listed_example_is_of_the_variant_it_is_listed_under() {
    for (arm, examples) in examples_by_arm() {
        for example in examples {
            assert_eq!(arm_of(&example), arm, "{example:?} is listed under the wrong variant");
        }
    }
}

#[test]
fn every_refusal_is_a_whole_sentence_in_every_language() {
    for locale in Locale::ALL {
        for reason in every_refusal() {
            let text = words(locale).refusal(&reason);
            assert!(in_language(locale, &text), "{locale:?} {reason:?}: {text}");
            assert!(text.ends_with('.'), "{locale:?} {reason:?}: {text}");
        }
    }
    assert_eq!(
        words(Locale::En).refusal(&Refusal::WrongPin { left: 1 }),
        "The PIN is not right. 1 attempt left."
    );
    assert_eq!(
        words(Locale::Ko).refusal(&Refusal::WrongPin { left: 1 }),
        "PIN이 올바르지 않습니다. 1번 더 시도할 수 있습니다."
    );
}

#[test]
fn numbers_are_phrased_by_each_language() {
    let (en, ko) = (words(Locale::En), words(Locale::Ko));
    assert_eq!(en.attempts_left(1), "1 attempt left.");
    assert_eq!(en.attempts_left(3), "3 attempts left.");
    assert_eq!(ko.attempts_left(3), "3번 더 시도할 수 있습니다.");
    assert_eq!(en.step_of(1, 2), "Step 1 of 2");
    assert_eq!(ko.step_of(1, 2), "2단계 중 1단계");
    assert_eq!(en.in_words(86_400), "1 day");
    assert_eq!(en.in_words(7 * 86_400), "7 days");
    assert_eq!(en.in_words(36 * 3_600), "1 day and 12 hours");
    assert_eq!(en.in_words(90 * 60), "1 hour and 30 minutes");
    assert_eq!(en.in_words(23 * 3_600), "23 hours");
    assert_eq!(ko.in_words(36 * 3_600), "1일 12시간");
    assert_eq!(ko.in_words(90 * 60), "1시간 30분");
    assert_eq!(ko.in_words(30), "1분");
}

#[test]
fn a_phone_clock_that_is_off_is_named_with_its_direction() {
    let wrong = |locale, secs| words(locale).refusal(&Refusal::WrongCode { left: 2, skew_secs: Some(secs) });
    assert!(wrong(Locale::En, -30).contains("30 seconds behind"), "{}", wrong(Locale::En, -30));
    assert!(wrong(Locale::En, 60).contains("60 seconds ahead"));
    assert!(wrong(Locale::En, 300).contains("about 5 minutes ahead"));
    assert!(wrong(Locale::Ko, 300).contains("약 5분 빠른"));
    assert!(wrong(Locale::Ko, -30).contains("30초 느린"));
    let plain = words(Locale::En).refusal(&Refusal::WrongCode { left: 2, skew_secs: None });
    assert_eq!(plain, "That code is not right. 2 attempts left.");
}

#[test]
fn every_parameterised_sentence_is_written_in_every_language() {
    for locale in Locale::ALL {
        let w = words(locale);
        for text in [
            w.account_setup("Cloud"),
            w.step_of(1, 2),
            w.attempts_left(2),
            w.slow_down(30),
            w.rule_min_chars(8),
            w.rule_max_bytes(72),
            w.mail_subject().to_owned(),
            w.mail_text().to_owned(),
            w.mail_html().to_owned(),
            w.replace_mail_subject().to_owned(),
            w.replace_mail_text().to_owned(),
            w.replace_mail_html().to_owned(),
        ] {
            assert!(in_language(locale, &text), "{locale:?}: {text}");
        }
        for html in [w.mail_html(), w.replace_mail_html()] {
            assert!(html.contains(&format!("<html lang=\"{}\">", locale.tag())));
        }
    }
}
