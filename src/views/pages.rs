//! One page per stage, and the page for a link that cannot be used.
use super::{layout, qr_svg, Chrome};
use crate::onboarding::{TotpView, View};
use maud::{html, Markup, PreEscaped};

/// What the page says above the form after a failed submission.
pub enum Message<'a> {
    Error(&'a str),
    Notice(&'a str),
}

pub struct PageContext<'a> {
    pub cloud_name: &'a str,
    pub totp_enabled: bool,
    pub dashboard_url: Option<&'a str>,
    /// The form's action: the same link, token included.
    pub action: &'a str,
}

pub fn stage_page(ctx: &PageContext<'_>, view: &View, message: Option<Message<'_>>) -> Markup {
    let steps = if ctx.totp_enabled { 2 } else { 1 };
    let chrome = |step| Chrome { cloud_name: ctx.cloud_name, step };
    let message = html! {
        @match message {
            Some(Message::Error(text)) => p.error role="alert" { (text) },
            Some(Message::Notice(text)) => p.notice role="status" { (text) },
            None => {},
        }
    };
    match view {
        View::Password { attempts_left, account } => layout(
            &chrome(Some((1, steps))),
            "Choose your password",
            password_form(ctx, *attempts_left, account, message),
        ),
        View::Totp(totp) => {
            layout(&chrome(Some((2, 2))), "Set up your authenticator app", totp_form(ctx, totp, message))
        }
        View::NeedsOperator => layout(
            &chrome(None),
            "Almost done",
            html! {
                (message)
                p { "Your new password is set. Setting up your authenticator app needs a step by your administrator." }
                p { "Please contact support and mention that your account already has multi-factor rules. You can open this same link again afterwards." }
                form method="post" action=(ctx.action) {
                    input type="hidden" name="resume" value="1";
                    label for="password" { "Your administrator says it is ready? Type your new password to continue." }
                    input #password type="password" name="password" autocomplete="current-password" required;
                    button type="submit" { "Continue" }
                }
            },
        ),
        View::Complete => layout(
            &chrome(None),
            "You're all set",
            html! {
                @if ctx.totp_enabled {
                    p { "Your password and your authenticator app are ready." }
                    p { "To log in, use your username, your new password, and the 6-digit code your authenticator app shows at that moment." }
                } @else {
                    p { "Your new password is set. Log in with your username and your new password." }
                }
                @if let Some(url) = ctx.dashboard_url {
                    p { a href=(url) { "Go to the dashboard" } }
                }
                p.hint { "This link has now been used up; you can close this page." }
            },
        ),
    }
}

fn password_form(ctx: &PageContext<'_>, attempts_left: u32, account: &str, message: Markup) -> Markup {
    html! {
        (message)
        p { "Enter the PIN you chose when you registered, then choose a new password for your account." }
        form method="post" action=(ctx.action) {
            // Not submitted (no name): tells a password manager whose password this is.
            input type="text" autocomplete="username" value=(account) hidden readonly;
            label for="pin" { "PIN" }
            input #pin type="password" name="pin" inputmode="numeric" autocomplete="off" required;
            p.hint { "You have " (attempts_left) " attempt" @if attempts_left != 1 { "s" } " left." }
            label for="password" { "New password" }
            input #password type="password" name="password" autocomplete="new-password" required;
            label for="confirm_password" { "New password, again" }
            input #confirm_password type="password" name="confirm_password" autocomplete="new-password" required;
            button type="submit" { "Set password" }
        }
    }
}

fn totp_form(ctx: &PageContext<'_>, totp: &TotpView, message: Markup) -> Markup {
    html! {
        (message)
        p { "Your password is set. Now scan this code with an authenticator app on your phone (for example FreeOTP, Google Authenticator or Microsoft Authenticator)." }
        @if let Some(svg) = qr_svg(&totp.otpauth_uri) { (PreEscaped(svg)) }
        details {
            summary { "Can't scan it? Type this key instead" }
            p { "Account: " strong { (totp.account) } }
            p.secret { (totp.secret.grouped()) }
            p.hint { "Time-based, 6 digits, every 30 seconds." }
            p.uri { (totp.otpauth_uri) }
        }
        form method="post" action=(ctx.action) {
            label for="code" { "6-digit code from the app" }
            input #code type="text" name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]*" maxlength="7" required;
            @if totp.needs_password {
                label for="password" { "Your new password" }
                input #password type="password" name="password" autocomplete="current-password" required;
                p.hint { "Your session has expired, so we need your new password once more." }
            }
            button type="submit" { "Confirm" }
        }
    }
}

/// A link that cannot be used (unknown, expired, locked) or a failure the user cannot fix.
pub fn error_page(cloud_name: &str, title: &str, message: &str) -> Markup {
    layout(&Chrome { cloud_name, step: None }, title, html! { p { (message) } })
}
