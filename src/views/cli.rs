//! Command-line access's pages after the sign-in (`/cli`): the choice of project, name and
//! expiry, and the new credential with its two files to download (no JavaScript: `data:` links).
use super::enroll::action;
use super::pages::{described_by, message_parts};
use super::recovery_codes::percent_encode;
use super::{field_state, layout, Chrome, Message};
use crate::domain::Field;
use crate::onboarding::CliAccess;
use crate::onboarding::Project;
use crate::text::Phrase;
use chrono::{DateTime, Utc};
use maud::{html, Markup};
use secrecy::ExposeSecret;
use zeroize::Zeroizing;

/// What the choice form offers and what was chosen before.
pub struct CliChoiceValues<'a> {
    /// The sealed sign-in the form carries to the next step.
    pub sign_in: &'a str,
    pub projects: &'a [Project],
    pub project_id: Option<&'a str>,
    pub name: &'a str,
    /// `YYYY-MM-DD`.
    pub expires_at: &'a str,
    /// The latest date allowed, `YYYY-MM-DD`, and in days.
    pub latest: &'a str,
    pub max_days: i64,
    pub allow_no_expiry: bool,
}

pub fn cli_choice_page(
    chrome: &Chrome<'_>,
    values: &CliChoiceValues<'_>,
    message: Option<Message<'_>>,
) -> Markup {
    let w = chrome.words();
    let (message, error_on) = message_parts(message);
    let (project_error, project_invalid) = field_state(Field::Project, error_on);
    let (name_error, name_invalid) = field_state(Field::CredentialName, error_on);
    let (expiry_error, expiry_invalid) = field_state(Field::Expiry, error_on);
    let chosen = values.project_id.or(values.projects.first().map(|p| p.id.as_str()));
    let body = html! {
        (message)
        p { (w.phrase(Phrase::CliChooseIntro)) }
        form method="post" action=(action(chrome, "/cli/create")) {
            input type="hidden" name="sign_in" value=(values.sign_in);
            label for="project_id" { (w.phrase(Phrase::ProjectLabel)) }
            select #project_id name="project_id" aria-describedby=[project_error]
                aria-invalid=[project_invalid.then_some("true")] autofocus[project_invalid] {
                @for project in values.projects {
                    option value=(project.id) selected[Some(project.id.as_str()) == chosen] { (project.name) }
                }
            }
            label for="credential_name" { (w.phrase(Phrase::CredentialNameLabel)) }
            input #credential_name type="text" name="name" maxlength="255" value=(values.name) required
                autocomplete="off" aria-describedby=[described_by(&[name_error, Some("name-hint")])]
                aria-invalid=[name_invalid.then_some("true")] autofocus[name_invalid];
            p.hint #name-hint { (w.phrase(Phrase::CredentialNameHint)) }
            label for="expires_at" { (w.phrase(Phrase::ExpiryLabel)) }
            input #expires_at type="date" name="expires_at" value=(values.expires_at) max=(values.latest)
                aria-describedby=[described_by(&[expiry_error, Some("expiry-hint")])]
                aria-invalid=[expiry_invalid.then_some("true")] autofocus[expiry_invalid];
            p.hint #expiry-hint { (w.expiry_hint(values.max_days)) }
            @if values.allow_no_expiry {
                p.check {
                    input #no_expiry type="checkbox" name="no_expiry" value="on";
                    " "
                    label for="no_expiry" { (w.phrase(Phrase::NoExpiryLabel)) }
                }
            }
            button type="submit" { (w.phrase(Phrase::CreateButton)) }
        }
    };
    layout(chrome, Some((2, 2)), w.phrase(Phrase::TitleCli), body)
}

fn data_url(text: &str) -> Zeroizing<String> {
    Zeroizing::new(format!("data:text/plain;charset=utf-8,{}", percent_encode(text)))
}

fn day(at: Option<DateTime<Utc>>, never: &str) -> String {
    at.map_or_else(|| never.to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

/// The credential, shown once, and the files.
pub fn cli_done_page(chrome: &Chrome<'_>, access: &CliAccess) -> Markup {
    let w = chrome.words();
    let clouds = data_url(&access.clouds_yaml);
    let openrc = data_url(&access.openrc);
    let body = html! {
        p { (w.phrase(Phrase::CliSecretIntro)) }
        dl.credential {
            dt { (w.phrase(Phrase::ProjectLabel)) } dd { (access.project_name) }
            dt { (w.phrase(Phrase::CredentialNameLabel)) } dd { (access.name) }
            dt { (w.phrase(Phrase::ExpiryLabel)) } dd { (day(access.expires_at, w.phrase(Phrase::NeverExpires))) }
            dt { (w.phrase(Phrase::CliIdLabel)) } dd { code { (access.credential_id) } }
            dt { (w.phrase(Phrase::CliSecretLabel)) } dd { code.secret { (access.secret.expose_secret()) } }
        }
        p { a href=(clouds.as_str()) download="clouds.yaml" { (w.phrase(Phrase::CliDownloadClouds)) } }
        p { a href=(openrc.as_str()) download="openrc.sh" { (w.phrase(Phrase::CliDownloadOpenrc)) } }
        p { (w.phrase(Phrase::CliHowToClouds)) }
        pre { code { "openstack --os-cloud " (access.cloud_name) " token issue" } }
        p { (w.phrase(Phrase::CliHowToOpenrc)) }
        pre { code { "source openrc.sh\nopenstack token issue" } }
        p.hint { (w.phrase(Phrase::EnrollDoneClose)) }
    };
    layout(chrome, None, w.phrase(Phrase::TitleCliReady), body)
}

/// The done pages' way to command-line access, when `[cli]` is on.
pub fn cli_link(chrome: &Chrome<'_>) -> Markup {
    html! { p { a href=(action(chrome, "/cli")) { (chrome.words().phrase(Phrase::CliSetUpLink)) } } }
}
