//! Self-enrollment's and recovery's pages (`/enroll`, `/recover`): the sign-in forms, the QR
//! code with its code form, and the page once the authenticator is the user's.
use super::pages::{described_by, message_parts, qr_and_key};
use super::{field_state, layout, Chrome, Message};
use crate::domain::Field;
use crate::onboarding::TotpView;
use crate::text::Phrase;
use maud::{html, Markup};
use zeroize::Zeroizing;

/// What the sign-in form offers and what the person typed (never the password).
pub struct SignInValues<'a> {
    pub user_name: &'a str,
    /// The domains offered; a choice only when there are several.
    pub domains: &'a [String],
    /// The one chosen before (the first otherwise).
    pub domain: Option<&'a str>,
}

/// Which sign-in form: self-enrollment's, or recovery's (with the recovery-code field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInForm {
    /// `/enroll`; `recovery`: offer the way to `/recover` too.
    Enroll { recovery: bool },
    /// `/recover`: the password and one of the recovery codes.
    Recover,
    /// `/cli`: the password and a current code from the authenticator app.
    Cli,
}

impl SignInForm {
    /// The form's own address (it posts there).
    pub fn path(self) -> &'static str {
        match self {
            SignInForm::Enroll { .. } => "/enroll",
            SignInForm::Recover => "/recover",
            SignInForm::Cli => "/cli",
        }
    }
}

/// The forms post in the page's language (the address carries it, never the enrollment).
pub(super) fn action(chrome: &Chrome<'_>, path: &str) -> String {
    format!("{path}?lang={}", chrome.locale.tag())
}

pub fn sign_in_page(
    chrome: &Chrome<'_>,
    form: SignInForm,
    values: &SignInValues<'_>,
    message: Option<Message<'_>>,
) -> Markup {
    let w = chrome.words();
    let (message, error_on) = message_parts(message);
    let (name_error, name_invalid) = field_state(Field::UserName, error_on);
    let (password_error, password_invalid) = field_state(Field::Password, error_on);
    let (title, intro) = match form {
        SignInForm::Enroll { .. } => (Phrase::TitleEnrollSignIn, Phrase::EnrollIntro),
        SignInForm::Recover => (Phrase::TitleRecover, Phrase::RecoverIntro),
        SignInForm::Cli => (Phrase::TitleCli, Phrase::CliIntro),
    };
    let chosen = values.domain.or(values.domains.first().map(String::as_str));
    let body = html! {
        (message)
        p { (w.phrase(intro)) }
        form method="post" action=(action(chrome, form.path())) {
            label for="user_name" { (w.phrase(Phrase::UserNameLabel)) }
            input #user_name type="text" name="user_name" autocomplete="username" autocapitalize="none"
                spellcheck="false" maxlength="255" value=(values.user_name) required
                aria-describedby=[name_error] aria-invalid=[name_invalid.then_some("true")] autofocus[name_invalid];
            @if values.domains.len() > 1 {
                label for="domain" { (w.phrase(Phrase::DomainLabel)) }
                select #domain name="domain" {
                    @for domain in values.domains {
                        option value=(domain) selected[Some(domain.as_str()) == chosen] { (domain) }
                    }
                }
            }
            label for="password" { (w.phrase(Phrase::PasswordLabel)) }
            input #password type="password" name="password" autocomplete="current-password" required
                aria-describedby=[described_by(&[password_error, Some("password-note")])]
                aria-invalid=[password_invalid.then_some("true")] autofocus[password_invalid];
            p.hint #password-note { (w.phrase(Phrase::EnrollPasswordNote)) }
            @if form == SignInForm::Recover {
                (recovery_code_field(chrome, error_on))
            }
            @if form == SignInForm::Cli {
                (code_field(chrome, error_on))
            }
            button type="submit" { (w.phrase(Phrase::SignInButton)) }
        }
        @if form == (SignInForm::Enroll { recovery: true }) {
            p { a href=(action(chrome, SignInForm::Recover.path())) { (w.phrase(Phrase::LostPhoneLink)) } }
        }
    };
    layout(chrome, Some((1, 2)), w.phrase(title), body)
}

/// Never filled in again: a page answering a mistake does not echo the code.
fn recovery_code_field(chrome: &Chrome<'_>, error_on: Option<Field>) -> Markup {
    let w = chrome.words();
    let (error, invalid) = field_state(Field::RecoveryCode, error_on);
    html! {
        label for="recovery_code" { (w.phrase(Phrase::RecoveryCodeLabel)) }
        input #recovery_code type="text" name="recovery_code" autocomplete="off" autocapitalize="none"
            spellcheck="false" maxlength="64" required
            aria-describedby=[described_by(&[error, Some("recovery-code-hint")])]
            aria-invalid=[invalid.then_some("true")] autofocus[invalid];
        p.hint #recovery-code-hint { (w.phrase(Phrase::RecoveryCodeHint)) }
    }
}

/// The authenticator's current code, never filled in again.
fn code_field(chrome: &Chrome<'_>, error_on: Option<Field>) -> Markup {
    let w = chrome.words();
    let (error, invalid) = field_state(Field::Code, error_on);
    html! {
        label for="code" { (w.phrase(Phrase::CodeLabel)) }
        input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*"
            maxlength="7" required aria-describedby=[error] aria-invalid=[invalid.then_some("true")] autofocus[invalid];
    }
}

/// The QR code and the code form; `enrollment` travels in the form, not in the address.
pub fn enroll_totp(
    chrome: &Chrome<'_>,
    enrollment: &str,
    totp: &TotpView,
    message: Option<Message<'_>>,
) -> Markup {
    let w = chrome.words();
    let (message, error_on) = message_parts(message);
    let (code_error, code_invalid) = field_state(Field::Code, error_on);
    let body = html! {
        (message)
        p { (w.phrase(Phrase::EnrollScanIntro)) }
        (qr_and_key(w, totp))
        form method="post" action=(action(chrome, "/enroll/totp")) {
            input type="hidden" name="enrollment" value=(enrollment);
            label for="code" { (w.phrase(Phrase::CodeLabel)) }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="7" required
                aria-describedby=[code_error] aria-invalid=[code_invalid.then_some("true")] autofocus[code_invalid];
            button type="submit" { (w.phrase(Phrase::ConfirmButton)) }
        }
    };
    layout(chrome, Some((2, 2)), w.phrase(Phrase::TitleTotp), body)
}

/// `recovery_codes`: the new set, shown this once (empty when codes are off).
pub fn enroll_done(
    chrome: &Chrome<'_>,
    recovery_codes: &[Zeroizing<String>],
    dashboard_url: Option<&str>,
    cli_enabled: bool,
) -> Markup {
    let w = chrome.words();
    let body = html! {
        p { (w.phrase(Phrase::EnrollDone)) }
        @if !recovery_codes.is_empty() {
            (super::recovery_codes(chrome, recovery_codes))
        }
        @if cli_enabled {
            (super::cli_link(chrome))
        }
        @if let Some(url) = dashboard_url {
            p { a href=(url) { (w.phrase(Phrase::GoToDashboard)) } }
        }
        p.hint { (w.phrase(Phrase::EnrollDoneClose)) }
    };
    layout(chrome, None, w.phrase(Phrase::TitleAllSet), body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Locale;

    fn sign_in(domains: &[String], domain: Option<&str>) -> String {
        let chrome = Chrome { cloud_name: "Cloud", locale: Locale::En, switch: &[] };
        let values = SignInValues { user_name: "ada", domains, domain };
        sign_in_page(&chrome, SignInForm::Enroll { recovery: false }, &values, None).into_string()
    }

    #[test]
    fn a_domain_is_chosen_only_when_several_are_offered() {
        let one = ["Default".to_owned()];
        assert!(!sign_in(&one, None).contains("<select"));
        let two = ["Default".to_owned(), "Students".to_owned()];
        let html = sign_in(&two, Some("Students"));
        assert!(
            html.contains(r#"<label for="domain">Domain</label><select id="domain" name="domain">"#),
            "{html}"
        );
        assert!(html.contains(r#"<option value="Students" selected>"#), "{html}");
        assert!(html.contains(r#"<option value="Default">"#), "{html}");
        assert!(sign_in(&two, None).contains(r#"<option value="Default" selected>"#));
    }

    #[test]
    fn the_recovery_form_ties_a_wrong_code_to_its_field_and_links_from_the_enroll_form() {
        let chrome = Chrome { cloud_name: "Cloud", locale: Locale::En, switch: &[] };
        let one = ["Default".to_owned()];
        let values = SignInValues { user_name: "ada", domains: &one, domain: None };
        let wrong = Message::Error { text: "Wrong.", field: Some(Field::RecoveryCode) };
        let html = sign_in_page(&chrome, SignInForm::Recover, &values, Some(wrong)).into_string();
        assert!(html.contains(r#"action="/recover?lang=en""#), "{html}");
        assert!(
            html.contains(
                r#"<input id="recovery_code" type="text" name="recovery_code" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="64" required aria-describedby="form-error recovery-code-hint" aria-invalid="true" autofocus>"#
            ),
            "{html}"
        );
        assert!(!html.contains(r#"href="/recover"#), "{html}");
        let form = SignInForm::Enroll { recovery: true };
        assert!(sign_in_page(&chrome, form, &values, None)
            .into_string()
            .contains(r#"href="/recover?lang=en""#));
        let form = SignInForm::Enroll { recovery: false };
        let html = sign_in_page(&chrome, form, &values, None).into_string();
        assert!(!html.contains("/recover") && !html.contains("recovery_code"), "{html}");
    }
}
