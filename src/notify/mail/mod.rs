//! SMTP: the one-time link to a new user, the notice that an authenticator app was added, and
//! reset requests to the helpdesk.
use super::template::{Escape, Template};
use crate::config::{read_secret, ConfigError, EmailSettings, ResetSettings, SmtpTls};
use crate::domain::{EmailAddress, Locale};
use crate::text::{words, Phrase};
use chrono::{DateTime, SecondsFormat, Utc};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::str::FromStr;

pub const LINK_PLACEHOLDERS: &[&str] =
    &["user_name", "link", "expires_in_words", "expires_at", "cloud_name", "support_contact"];
pub const ADDED_PLACEHOLDERS: &[&str] = &["user_name", "cloud_name", "added_at", "how", "support_contact"];
pub const RESET_PLACEHOLDERS: &[&str] = &["name", "email", "pin_check", "requested_at", "cloud_name"];

const RESET_TEXT: &str = include_str!("../../../templates/reset.txt");

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The link mail, in each language (`Locale::ALL` order).
    link: Vec<(Locale, LinkTemplates)>,
    /// The authenticator-only link's mail (a new app, the password kept): built in, per language.
    replace: Vec<(Locale, LinkTemplates)>,
    /// "An authenticator app was added", in each language (`Locale::ALL` order).
    added: Vec<(Locale, Template, Template)>,
    reset: Option<ResetMail>,
    cloud_name: String,
    support_contact: Option<String>,
}

struct LinkTemplates {
    subject: Template,
    text: Template,
    html: Template,
}

struct ResetMail {
    to: Mailbox,
    subject: Template,
    body: Template,
}

/// The link mail for one user.
pub struct LinkMail<'a> {
    pub user_name: &'a str,
    pub link: &'a str,
    pub lifetime_secs: u64,
    pub expires_at: DateTime<Utc>,
    pub locale: Locale,
    /// The link replaces the user's authenticator app and keeps their password.
    pub authenticator_only: bool,
    /// The one reminder before the link expires: the link mail's subject marked as a reminder,
    /// and its text (plain, no HTML part) below a paragraph saying so.
    pub reminder: bool,
}

/// The notice to a user that an authenticator app was added to their account.
pub struct AddedMail<'a> {
    pub user_name: &'a str,
    pub added_at: DateTime<Utc>,
    /// By recovery (replacing the old one), or a first self-enrollment.
    pub recovered: bool,
    pub locale: Locale,
}

/// What the reset form collected, and what setpass found out about the PIN.
pub struct ResetRequest {
    pub name: String,
    pub email: EmailAddress,
    pub pin_check: String,
    pub requested_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the mail library refused the address or message: {0}")]
    Build(String),
    #[error("sending failed")]
    Smtp(#[from] lettre::transport::smtp::Error),
}

impl MailError {
    /// Why the mail was not sent, for the admin's answer: no server text, no internals.
    pub fn reason(&self) -> String {
        let MailError::Smtp(err) = self else {
            return "the address could not be used in a message".into();
        };
        let code = err.status().map(|code| format!(" ({code})")).unwrap_or_default();
        if err.is_timeout() {
            "the mail server did not answer in time".into()
        } else if err.is_tls() {
            "the TLS connection to the mail server failed".into()
        } else if err.is_permanent() {
            format!("the mail server refused the message{code}; see the service log")
        } else if err.is_transient() {
            format!("the mail server deferred the message{code}; renew the link to try again")
        } else {
            "the mail server could not be reached; see the service log".into()
        }
    }
}

impl Mailer {
    /// `None` when `[email]` is off. Reads and checks every template and secret file now.
    /// `reset`: the helpdesk's requests; `cloud_name`: what the mails call the cloud.
    pub fn new(
        email: &EmailSettings,
        reset: &ResetSettings,
        cloud_name: &str,
    ) -> Result<Option<Self>, ConfigError> {
        if !email.enabled {
            return Ok(None);
        }
        let host = email.host.as_deref().unwrap_or("").trim().trim_start_matches('[').trim_end_matches(']');
        let builder = match email.tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host),
            SmtpTls::Implicit => AsyncSmtpTransport::<Tokio1Executor>::relay(host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)),
        }
        .map_err(|err| ConfigError::new("email.host", format!("cannot use `{host}` for TLS: {err}")))?;
        let mut builder = builder.port(email.port()).timeout(Some(email.timeout.as_std()));
        if let Some(username) = &email.username {
            let password = read_secret(
                "email.password",
                email.password.as_deref(),
                "email.password_file",
                email.password_file.as_deref(),
            )?
            .ok_or_else(|| ConfigError::new("email.password", "is missing"))?;
            builder = builder.credentials(Credentials::new(username.clone(), password.to_string()));
        }
        let reset = match reset {
            reset if reset.enabled => Some(ResetMail {
                to: mailbox("reset.helpdesk", reset.helpdesk.as_deref().unwrap_or(""))?,
                subject: template("reset.subject", None, &reset.subject, RESET_PLACEHOLDERS)?,
                body: template("reset.template", reset.template.as_deref(), RESET_TEXT, RESET_PLACEHOLDERS)?,
            }),
            _ => None,
        };
        Ok(Some(Self {
            transport: builder.build(),
            from: mailbox("email.from", email.from.as_deref().unwrap_or(""))?,
            link: Locale::ALL
                .into_iter()
                .map(|locale| Ok((locale, link_templates(email, locale)?)))
                .collect::<Result<_, ConfigError>>()?,
            replace: Locale::ALL
                .into_iter()
                .map(|locale| Ok((locale, replace_templates(locale)?)))
                .collect::<Result<_, ConfigError>>()?,
            added: Locale::ALL
                .into_iter()
                .map(|locale| {
                    let language = words(locale);
                    let subject =
                        template("email.added", None, language.added_mail_subject(), ADDED_PLACEHOLDERS)?;
                    let text = template("email.added", None, language.added_mail_text(), ADDED_PLACEHOLDERS)?;
                    Ok((locale, subject, text))
                })
                .collect::<Result<_, ConfigError>>()?,
            reset,
            cloud_name: cloud_name.to_owned(),
            support_contact: email.support_contact.clone(),
        }))
    }

    /// For `setpass doctor`: the SMTP server answers (and takes the credentials, when set).
    pub async fn check(&self) -> Result<(), lettre::transport::smtp::Error> {
        self.transport.test_connection().await.map(|_| ())
    }

    pub async fn send_link(&self, to: &EmailAddress, mail: &LinkMail<'_>) -> Result<(), MailError> {
        let language = words(mail.locale);
        let kind = if mail.authenticator_only { &self.replace } else { &self.link };
        let Some((_, templates)) = kind.iter().find(|(locale, _)| *locale == mail.locale) else {
            return Err(MailError::Build(format!("no link mail for {:?}", mail.locale)));
        };
        let support_contact = self.support_contact(mail.locale);
        let expires_at = mail.expires_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let value = |name: &str| -> String {
            match name {
                "user_name" => mail.user_name.to_owned(),
                "link" => mail.link.to_owned(),
                "expires_in_words" => language.in_words(mail.lifetime_secs),
                "expires_at" => expires_at.clone(),
                "cloud_name" => self.cloud_name.clone(),
                "support_contact" => support_contact.clone(),
                _ => String::new(),
            }
        };
        let subject = one_line(&templates.subject.render(value, Escape::None));
        let text = templates.text.render(value, Escape::None);
        let builder =
            Message::builder().message_id(None).from(self.from.clone()).to(Mailbox::new(None, address(to)?));
        let message = if mail.reminder {
            let intro = language.reminder_intro(&language.in_words(mail.lifetime_secs));
            builder
                .subject(one_line(&language.reminder_subject(&subject)))
                .singlepart(SinglePart::plain(format!("{intro}\n\n{text}")))
        } else {
            builder.subject(subject).multipart(MultiPart::alternative_plain_html(
                text,
                templates.html.render(value, Escape::Html),
            ))
        }
        .map_err(|err| MailError::Build(err.to_string()))?;
        self.transport.send(message).await?;
        Ok(())
    }

    pub async fn send_added(&self, to: &EmailAddress, mail: &AddedMail<'_>) -> Result<(), MailError> {
        let language = words(mail.locale);
        let Some((_, subject, text)) = self.added.iter().find(|(locale, ..)| *locale == mail.locale) else {
            return Err(MailError::Build(format!("no added mail for {:?}", mail.locale)));
        };
        let added_at = mail.added_at.format("%Y-%m-%d %H:%M UTC").to_string();
        let value = |name: &str| -> String {
            match name {
                "user_name" => mail.user_name.to_owned(),
                "cloud_name" => self.cloud_name.clone(),
                "added_at" => added_at.clone(),
                "how" => language.added_how(mail.recovered).to_owned(),
                "support_contact" => self.support_contact(mail.locale),
                _ => String::new(),
            }
        };
        let message = Message::builder()
            .message_id(None)
            .from(self.from.clone())
            .to(Mailbox::new(None, address(to)?))
            .subject(one_line(&subject.render(value, Escape::None)))
            .singlepart(SinglePart::plain(text.render(value, Escape::None)))
            .map_err(|err| MailError::Build(err.to_string()))?;
        self.transport.send(message).await?;
        Ok(())
    }

    fn support_contact(&self, locale: Locale) -> String {
        self.support_contact
            .clone()
            .unwrap_or_else(|| words(locale).phrase(Phrase::YourAdministrator).to_owned())
    }

    /// `false` when the reset form is off (nothing to send).
    pub fn takes_reset_requests(&self) -> bool {
        self.reset.is_some()
    }

    pub async fn send_reset(&self, request: &ResetRequest) -> Result<(), MailError> {
        let Some(reset) = &self.reset else { return Ok(()) };
        let requested_at = request.requested_at.to_rfc3339_opts(SecondsFormat::Secs, true);
        let value = |name: &str| -> String {
            match name {
                "name" => request.name.clone(),
                "email" => request.email.to_string(),
                "pin_check" => request.pin_check.clone(),
                "requested_at" => requested_at.clone(),
                "cloud_name" => self.cloud_name.clone(),
                _ => String::new(),
            }
        };
        let requester = Mailbox::new(None, address(&request.email)?);
        let message = Message::builder()
            .message_id(None)
            .from(self.from.clone())
            .reply_to(requester)
            .to(reset.to.clone())
            .subject(one_line(&reset.subject.render(value, Escape::None)))
            .singlepart(SinglePart::plain(reset.body.render(value, Escape::None)))
            .map_err(|err| MailError::Build(err.to_string()))?;
        self.transport.send(message).await?;
        Ok(())
    }
}

fn address(email: &EmailAddress) -> Result<Address, MailError> {
    Address::from_str(email.as_str()).map_err(|err| MailError::Build(err.to_string()))
}

/// A subject is one line, whatever a value brought in.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_control()).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ")
}

fn mailbox(key: &str, value: &str) -> Result<Mailbox, ConfigError> {
    Mailbox::from_str(value.trim())
        .map_err(|_| ConfigError::new(key, format!("`{value}` is not an email address")))
}

mod templates;
#[cfg(test)]
mod tests;

use templates::{link_templates, replace_templates, template};
