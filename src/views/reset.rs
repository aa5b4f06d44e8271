//! The helpdesk reset-request form, and the page every request gets afterwards.
use super::{field_state, layout, Chrome, ERROR_ID};
use crate::domain::Field;
use crate::text::Phrase;
use maud::{html, Markup};

/// What the person typed, shown again after a mistake (never the PIN).
#[derive(Default)]
pub struct ResetValues<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub confirm_email: &'a str,
}

/// `error`: the message, and the field it is about.
pub fn reset_form(
    chrome: &Chrome<'_>,
    values: &ResetValues<'_>,
    error: Option<(&str, Option<Field>)>,
) -> Markup {
    let w = chrome.words();
    let error_on = error.and_then(|(_, field)| field);
    let (name_error, name_invalid) = field_state(Field::Name, error_on);
    let (email_error, email_invalid) = field_state(Field::Email, error_on);
    let (confirm_error, confirm_invalid) = field_state(Field::ConfirmEmail, error_on);
    let (pin_error, pin_invalid) = field_state(Field::Pin, error_on);
    let described =
        |error: Option<&str>, hint: &str| Some(error.map_or(hint.to_owned(), |e| format!("{e} {hint}")));
    let body = html! {
        @if let Some((text, _)) = error { p.error #(ERROR_ID) role="alert" { (text) } }
        p { (w.phrase(Phrase::ResetIntro)) }
        form method="post" action=(chrome_action(chrome)) {
            label for="name" { (w.phrase(Phrase::NameLabel)) }
            input #name type="text" name="name" autocomplete="name" maxlength="200" value=(values.name) required
                aria-describedby=[name_error] aria-invalid=[name_invalid.then_some("true")] autofocus[name_invalid];
            label for="email" { (w.phrase(Phrase::EmailLabel)) }
            input #email type="email" name="email" autocomplete="email" maxlength="254" value=(values.email) required
                aria-describedby=[described(email_error, "email-hint")]
                aria-invalid=[email_invalid.then_some("true")] autofocus[email_invalid];
            p.hint #email-hint { (w.phrase(Phrase::EmailHint)) }
            label for="confirm_email" { (w.phrase(Phrase::EmailAgainLabel)) }
            input #confirm_email type="email" name="confirm_email" autocomplete="email" maxlength="254" value=(values.confirm_email) required
                aria-describedby=[confirm_error] aria-invalid=[confirm_invalid.then_some("true")] autofocus[confirm_invalid];
            label for="pin" { (w.phrase(Phrase::PinLabel)) }
            input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" required
                aria-describedby=[described(pin_error, "pin-hint")]
                aria-invalid=[pin_invalid.then_some("true")] autofocus[pin_invalid];
            p.hint #pin-hint { (w.phrase(Phrase::ResetPinHint)) }
            button type="submit" { (w.phrase(Phrase::SendRequestButton)) }
        }
    };
    layout(chrome, None, w.phrase(Phrase::TitleReset), body)
}

/// The form posts back to `/reset` in the page's language.
fn chrome_action(chrome: &Chrome<'_>) -> String {
    format!("/reset?lang={}", chrome.locale.tag())
}

/// The same page for every accepted request, whether or not an account matches.
pub fn reset_sent(chrome: &Chrome<'_>) -> Markup {
    let w = chrome.words();
    let body = html! {
        p { (w.phrase(Phrase::ResetSentThanks)) }
        p { (w.phrase(Phrase::ResetSentNext)) }
    };
    layout(chrome, None, w.phrase(Phrase::TitleRequestReceived), body)
}
