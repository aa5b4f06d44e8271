//! Server-rendered pages (maud): the layout, each stage's page, and error pages. No rules and no
//! sentences here: the words come from `text/` in the page's language.
mod cli;
mod enroll;
mod pages;
mod qr;
mod recovery_codes;
mod reset;

pub use cli::{cli_choice_page, cli_done_page, cli_link, CliChoiceValues};
pub use enroll::{enroll_done, enroll_totp, sign_in_page, SignInForm, SignInValues};
pub use pages::{error_page, stage_page, Message, PageContext, PasswordRules};
pub use qr::qr_svg;
pub use recovery_codes::recovery_codes;
pub use reset::{reset_form, reset_sent, ResetValues};

use crate::domain::{Field, Locale};
use crate::text::{words, Phrase, Words};
use maud::{html, Markup, DOCTYPE};

pub const STYLESHEET: &str = include_str!("../../static/style.css");

/// Everything the layout needs: the cloud's name, the language and where the others are.
pub struct Chrome<'a> {
    pub cloud_name: &'a str,
    pub locale: Locale,
    /// The other languages, each with the address of this page in it.
    pub switch: &'a [(Locale, String)],
}

impl Chrome<'_> {
    pub fn words(&self) -> &'static dyn Words {
        words(self.locale)
    }
}

/// `step`: `(step, of)` for the step indicator.
pub fn layout(chrome: &Chrome<'_>, step: Option<(u8, u8)>, title: &str, body: Markup) -> Markup {
    let w = chrome.words();
    html! {
        (DOCTYPE)
        html lang=(chrome.locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex";
                title { (title) " · " (chrome.cloud_name) }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header {
                    p { (w.account_setup(chrome.cloud_name)) }
                    @if !chrome.switch.is_empty() {
                        nav aria-label=(w.phrase(Phrase::LanguageNav)) {
                            @for (other, href) in chrome.switch {
                                a href=(href) lang=(other.tag()) hreflang=(other.tag()) { (other.own_name()) }
                            }
                        }
                    }
                }
                main {
                    @if let Some((step, of)) = step {
                        p.step { (w.step_of(step, of)) }
                    }
                    h1 { (title) }
                    div.card { (body) }
                }
            }
        }
    }
}

/// The id of the error message above a form, which the field it is about points to.
pub const ERROR_ID: &str = "form-error";

/// A form field's attributes when the error is about it: described by the message, marked
/// invalid, and focused when the page loads (no JavaScript needed).
pub fn field_state(field: Field, error_on: Option<Field>) -> (Option<&'static str>, bool) {
    if error_on == Some(field) {
        (Some(ERROR_ID), true)
    } else {
        (None, false)
    }
}
