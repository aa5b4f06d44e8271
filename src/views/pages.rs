//! One page per stage (an authenticator-only link's step 1: "Confirm it's you"), and the page
//! for a link that cannot be used.
use super::{field_state, layout, qr_svg, Chrome, ERROR_ID};
use crate::domain::Field;
use crate::onboarding::{TotpView, View};
use crate::text::{Phrase, Words};
use maud::{html, Markup, PreEscaped};

/// What the page says above the form after a failed submission; `field`: the one to correct.
pub enum Message<'a> {
    Error { text: &'a str, field: Option<Field> },
    Notice(&'a str),
}

/// What step 1 says a password needs, before the user types one.
pub struct PasswordRules {
    pub min_chars: usize,
    /// 0: no limit.
    pub max_bytes: usize,
}

pub struct PageContext<'a> {
    pub chrome: Chrome<'a>,
    pub totp_enabled: bool,
    /// The done page offers command-line access (`[cli]` on).
    pub cli_enabled: bool,
    pub dashboard_url: Option<&'a str>,
    /// The form's action: the same link, token included.
    pub action: &'a str,
    pub rules: PasswordRules,
}

/// The message above a form (an error is an alert the field it names points to), and that field.
pub(super) fn message_parts(message: Option<Message<'_>>) -> (Markup, Option<Field>) {
    let error_on = match &message {
        Some(Message::Error { field, .. }) => *field,
        _ => None,
    };
    let markup = html! {
        @match message {
            Some(Message::Error { text, .. }) => p.error #(ERROR_ID) role="alert" { (text) },
            Some(Message::Notice(text)) => p.notice role="status" { (text) },
            None => {},
        }
    };
    (markup, error_on)
}

/// `aria-describedby` from the ids that apply.
pub(super) fn described_by(ids: &[Option<&str>]) -> Option<String> {
    let ids: Vec<&str> = ids.iter().flatten().copied().collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

pub fn stage_page(ctx: &PageContext<'_>, view: &View, message: Option<Message<'_>>) -> Markup {
    let w = ctx.chrome.words();
    let steps = if ctx.totp_enabled { 2 } else { 1 };
    let (message, error_on) = message_parts(message);
    match view {
        View::Password { attempts_left, account, rules } => layout(
            &ctx.chrome,
            Some((1, steps)),
            w.phrase(Phrase::TitlePassword),
            password_form(ctx, *attempts_left, account, rules.as_deref(), message, error_on),
        ),
        View::Confirm { attempts_left, account } => layout(
            &ctx.chrome,
            Some((1, 2)),
            w.phrase(Phrase::TitleConfirm),
            confirm_form(ctx, *attempts_left, account, message, error_on),
        ),
        View::Totp(totp) => layout(
            &ctx.chrome,
            Some((2, 2)),
            w.phrase(Phrase::TitleTotp),
            totp_form(ctx, totp, message, error_on),
        ),
        View::NeedsOperator { authenticator_only } => {
            let (described, invalid) = field_state(Field::Password, error_on);
            let (said, resume) = match authenticator_only {
                true => (Phrase::NeedsOperatorReplace, Phrase::ResumeLabelCurrent),
                false => (Phrase::NeedsOperatorSet, Phrase::ResumeLabel),
            };
            layout(
                &ctx.chrome,
                None,
                w.phrase(Phrase::TitleAlmostDone),
                html! {
                    (message)
                    p { (w.phrase(said)) }
                    p { (w.phrase(Phrase::NeedsOperatorContact)) }
                    form method="post" action=(ctx.action) {
                        input type="hidden" name="resume" value="1";
                        label for="password" { (w.phrase(resume)) }
                        input #password type="password" name="password" autocomplete="current-password" required
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")] autofocus[invalid];
                        button type="submit" { (w.phrase(Phrase::ContinueButton)) }
                    }
                },
            )
        }
        View::Complete { recovery_codes, authenticator_only } => layout(
            &ctx.chrome,
            None,
            w.phrase(Phrase::TitleAllSet),
            html! {
                @if ctx.totp_enabled {
                    p { (w.phrase(Phrase::DoneTotpReady)) }
                    @if *authenticator_only {
                        p { (w.phrase(Phrase::DoneReplacedHowTo)) }
                    } @else {
                        p { (w.phrase(Phrase::DoneTotpHowTo)) }
                    }
                } @else {
                    p { (w.phrase(Phrase::DonePasswordOnly)) }
                }
                @if !recovery_codes.is_empty() {
                    (super::recovery_codes(&ctx.chrome, recovery_codes))
                }
                @if ctx.cli_enabled && ctx.totp_enabled {
                    (super::cli_link(&ctx.chrome))
                }
                @if let Some(url) = ctx.dashboard_url {
                    p { a href=(url) { (w.phrase(Phrase::GoToDashboard)) } }
                }
                p.hint { (w.phrase(Phrase::LinkUsedUp)) }
            },
        ),
    }
}

fn password_form(
    ctx: &PageContext<'_>,
    attempts_left: u32,
    account: &str,
    from_cloud: Option<&str>,
    message: Markup,
    error_on: Option<Field>,
) -> Markup {
    let w = ctx.chrome.words();
    let (pin_error, pin_invalid) = field_state(Field::Pin, error_on);
    let (password_error, password_invalid) = field_state(Field::Password, error_on);
    let (confirm_error, confirm_invalid) = field_state(Field::Confirm, error_on);
    let rules = &ctx.rules;
    html! {
        (message)
        p { (w.phrase(Phrase::PasswordIntro)) }
        form method="post" action=(ctx.action) {
            // Not submitted (no name): tells a password manager whose password this is.
            input type="text" autocomplete="username" value=(account) hidden readonly;
            label for="pin" { (w.phrase(Phrase::PinLabel)) }
            input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" required
                aria-describedby=[described_by(&[pin_error, Some("pin-attempts")])]
                aria-invalid=[pin_invalid.then_some("true")] autofocus[pin_invalid];
            p.hint #pin-attempts { (w.attempts_left(attempts_left)) }
            label for="password" { (w.phrase(Phrase::NewPasswordLabel)) }
            input #password type="password" name="password" autocomplete="new-password" required
                aria-describedby=[described_by(&[password_error, Some("password-rules")])]
                aria-invalid=[password_invalid.then_some("true")] autofocus[password_invalid];
            div.hint #password-rules {
                p { (w.phrase(Phrase::RulesHeading)) }
                ul {
                    li { (w.rule_min_chars(rules.min_chars)) }
                    @if rules.max_bytes > 0 { li { (w.rule_max_bytes(rules.max_bytes)) } }
                    // Keystone's own description, in the operator's words.
                    @if let Some(text) = from_cloud {
                        li { (w.phrase(Phrase::RuleFromCloud)) " " (text) }
                    }
                }
            }
            label for="confirm_password" { (w.phrase(Phrase::NewPasswordAgainLabel)) }
            input #confirm_password type="password" name="confirm_password" autocomplete="new-password" required
                aria-describedby=[confirm_error] aria-invalid=[confirm_invalid.then_some("true")]
                autofocus[confirm_invalid];
            button type="submit" { (w.phrase(Phrase::SetPasswordButton)) }
        }
    }
}

/// Step 1 of an authenticator-only link: the PIN and the current password, nothing to choose.
fn confirm_form(
    ctx: &PageContext<'_>,
    attempts_left: u32,
    account: &str,
    message: Markup,
    error_on: Option<Field>,
) -> Markup {
    let w = ctx.chrome.words();
    let (pin_error, pin_invalid) = field_state(Field::Pin, error_on);
    let (password_error, password_invalid) = field_state(Field::Password, error_on);
    html! {
        (message)
        p { (w.phrase(Phrase::ConfirmIntro)) }
        form method="post" action=(ctx.action) {
            // Not submitted (no name): tells a password manager whose password this is.
            input type="text" autocomplete="username" value=(account) hidden readonly;
            label for="pin" { (w.phrase(Phrase::PinLabel)) }
            input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" required
                aria-describedby=[described_by(&[pin_error, Some("pin-attempts")])]
                aria-invalid=[pin_invalid.then_some("true")] autofocus[pin_invalid];
            p.hint #pin-attempts { (w.attempts_left(attempts_left)) }
            label for="password" { (w.phrase(Phrase::CurrentPasswordLabel)) }
            input #password type="password" name="password" autocomplete="current-password" required
                aria-describedby=[password_error] aria-invalid=[password_invalid.then_some("true")]
                autofocus[password_invalid];
            button type="submit" { (w.phrase(Phrase::ContinueButton)) }
        }
    }
}

fn totp_form(ctx: &PageContext<'_>, totp: &TotpView, message: Markup, error_on: Option<Field>) -> Markup {
    let w = ctx.chrome.words();
    let (code_error, code_invalid) = field_state(Field::Code, error_on);
    let (password_error, password_invalid) = field_state(Field::Password, error_on);
    let (intro, label, hint) = match totp.authenticator_only {
        true => (Phrase::TotpIntroReplace, Phrase::PasswordLabel, Phrase::SessionExpiredCurrentHint),
        false => (Phrase::TotpIntro, Phrase::YourNewPasswordLabel, Phrase::SessionExpiredHint),
    };
    html! {
        (message)
        p { (w.phrase(intro)) }
        (qr_and_key(w, totp))
        form method="post" action=(ctx.action) {
            label for="code" { (w.phrase(Phrase::CodeLabel)) }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="7" required
                aria-describedby=[code_error] aria-invalid=[code_invalid.then_some("true")] autofocus[code_invalid];
            @if totp.needs_password {
                label for="password" { (w.phrase(label)) }
                input #password type="password" name="password" autocomplete="current-password" required
                    aria-describedby=[described_by(&[password_error, Some("password-hint")])]
                    aria-invalid=[password_invalid.then_some("true")] autofocus[password_invalid];
                p.hint #password-hint { (w.phrase(hint)) }
            }
            button type="submit" { (w.phrase(Phrase::ConfirmButton)) }
        }
    }
}

/// The QR code, and under "Can't scan it?" the key to type by hand.
pub(super) fn qr_and_key(w: &dyn Words, totp: &TotpView) -> Markup {
    html! {
        @if let Some(svg) = qr_svg(&totp.otpauth_uri, w.phrase(Phrase::QrLabel)) { (PreEscaped(svg)) }
        details {
            summary { (w.phrase(Phrase::CantScan)) }
            p { (w.phrase(Phrase::AccountLabel)) " " strong { (totp.account) } }
            p.secret { (totp.secret.grouped()) }
            p.hint { (w.phrase(Phrase::TotpKind)) }
            p.uri { (totp.otpauth_uri) }
        }
    }
}

/// A link that cannot be used (unknown, expired, locked) or a failure the user cannot fix.
pub fn error_page(chrome: &Chrome<'_>, title: &str, message: &str) -> Markup {
    layout(chrome, None, title, html! { p { (message) } })
}
