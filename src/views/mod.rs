//! Server-rendered pages (maud): the layout, each stage's page, and error pages. No rules here.
mod pages;
mod qr;
mod reset;

pub use pages::{error_page, stage_page, Message, PageContext};
pub use qr::qr_svg;
pub use reset::{reset_form, reset_sent, ResetValues};

use maud::{html, Markup, DOCTYPE};

pub const STYLESHEET: &str = include_str!("../../static/style.css");

/// Everything the layout needs from config.
pub struct Chrome<'a> {
    pub cloud_name: &'a str,
    /// `(step, of)` for the step indicator.
    pub step: Option<(u8, u8)>,
}

pub fn layout(chrome: &Chrome<'_>, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex";
                title { (title) " · " (chrome.cloud_name) }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header { p { (chrome.cloud_name) " account setup" } }
                main {
                    @if let Some((step, of)) = chrome.step {
                        p.step { "Step " (step) " of " (of) }
                    }
                    h1 { (title) }
                    div.card { (body) }
                }
            }
        }
    }
}
