//! The helpdesk reset-request form, and the page every request gets afterwards.
use super::{layout, Chrome};
use maud::{html, Markup};

/// What the person typed, shown again after a mistake (never the PIN).
#[derive(Default)]
pub struct ResetValues<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub confirm_email: &'a str,
}

pub fn reset_form(cloud_name: &str, values: &ResetValues<'_>, error: Option<&str>) -> Markup {
    let body = html! {
        @if let Some(text) = error { p.error role="alert" { (text) } }
        p { "Forgot your password, or lost your authenticator app? Send a request to the helpdesk. They check it and contact you at your email address." }
        form method="post" action="/reset" {
            label for="name" { "Your name" }
            input #name type="text" name="name" autocomplete="name" maxlength="200" value=(values.name) required;
            label for="email" { "Email address" }
            input #email type="email" name="email" autocomplete="email" maxlength="254" value=(values.email) required;
            p.hint { "The address your account was registered with." }
            label for="confirm_email" { "Email address, again" }
            input #confirm_email type="email" name="confirm_email" autocomplete="email" maxlength="254" value=(values.confirm_email) required;
            label for="pin" { "PIN" }
            input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" required;
            p.hint { "The PIN you chose when you registered." }
            button type="submit" { "Send request" }
        }
    };
    layout(&Chrome { cloud_name, step: None }, "Reset your password", body)
}

/// The same page for every accepted request, whether or not an account matches.
pub fn reset_sent(cloud_name: &str) -> Markup {
    let body = html! {
        p { "Thank you. Your request has been passed on to the helpdesk." }
        p { "If the details match an account, the helpdesk will contact you at the email address you gave. You can close this page." }
    };
    layout(&Chrome { cloud_name, step: None }, "Request received", body)
}
