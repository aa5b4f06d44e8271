//! Where each mail's templates come from: the operator's files where set, else the built-in
//! ones of the language; each checked once, at startup.
use super::{LinkTemplates, LINK_PLACEHOLDERS};
use crate::config::ConfigError;
use crate::domain::Locale;
use crate::notify::template::Template;
use crate::text::words;
use std::path::Path;

/// One language's link mail: the operator's subject and files where set, else the built-in ones.
pub(super) fn link_templates(
    email: &crate::config::EmailSettings,
    locale: Locale,
) -> Result<LinkTemplates, ConfigError> {
    let language = words(locale);
    let own = email.locales.iter().find(|(tag, _)| Locale::parse(tag) == Some(locale)).map(|(_, mail)| mail);
    let (key, subject, text, html) = match (locale, own) {
        (_, Some(own)) => (
            format!("email.locales.{}.", locale.tag()),
            own.subject.as_deref(),
            own.text_template.as_deref(),
            own.html_template.as_deref(),
        ),
        (Locale::En, None) => (
            "email.".to_owned(),
            email.subject.as_deref(),
            email.text_template.as_deref(),
            email.html_template.as_deref(),
        ),
        (_, None) => (String::new(), None, None, None),
    };
    let subject_text = subject.unwrap_or(language.mail_subject());
    Ok(LinkTemplates {
        subject: template(&format!("{key}subject"), None, subject_text, LINK_PLACEHOLDERS)?,
        text: template(&format!("{key}text_template"), text, language.mail_text(), LINK_PLACEHOLDERS)?,
        html: template(&format!("{key}html_template"), html, language.mail_html(), LINK_PLACEHOLDERS)?,
    })
}

/// One language's authenticator-only link mail. Built in: the operator's templates are written
/// for a link that sets a password.
pub(super) fn replace_templates(locale: Locale) -> Result<LinkTemplates, ConfigError> {
    let language = words(locale);
    Ok(LinkTemplates {
        subject: template("email.subject", None, language.replace_mail_subject(), LINK_PLACEHOLDERS)?,
        text: template("email.text_template", None, language.replace_mail_text(), LINK_PLACEHOLDERS)?,
        html: template("email.html_template", None, language.replace_mail_html(), LINK_PLACEHOLDERS)?,
    })
}

/// A template from the operator's file, or the built-in one; refused with the file and line.
pub(super) fn template(
    key: &str,
    path: Option<&Path>,
    built_in: &str,
    known: &[&'static str],
) -> Result<Template, ConfigError> {
    let (text, origin) = match path {
        Some(path) => (
            std::fs::read_to_string(path)
                .map_err(|err| ConfigError::new(key, format!("cannot read {}: {err}", path.display())))?,
            path.display().to_string(),
        ),
        None => (built_in.to_owned(), "the built-in template".to_owned()),
    };
    Template::parse(&text, known).map_err(|err| ConfigError::new(key, format!("{origin}, {err}")))
}
