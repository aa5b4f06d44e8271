//! The mail templates: the built-in ones parse, an operator's bad one is refused with its place.
use super::*;
use std::path::Path;

#[test]
fn the_built_in_templates_parse() {
    for locale in Locale::ALL {
        let language = words(locale);
        for (text, known) in [
            (language.mail_text(), LINK_PLACEHOLDERS),
            (language.mail_html(), LINK_PLACEHOLDERS),
            (language.mail_subject(), LINK_PLACEHOLDERS),
            (language.replace_mail_text(), LINK_PLACEHOLDERS),
            (language.replace_mail_html(), LINK_PLACEHOLDERS),
            (language.replace_mail_subject(), LINK_PLACEHOLDERS),
            (RESET_TEXT, RESET_PLACEHOLDERS),
            (language.added_mail_subject(), ADDED_PLACEHOLDERS),
            (language.added_mail_text(), ADDED_PLACEHOLDERS),
        ] {
            Template::parse(text, known).unwrap();
        }
    }
}

#[test]
fn a_bad_template_file_is_refused_naming_the_key_the_file_and_the_line() {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, b"Hi {{user_name}}\nopen {{url}}\n").unwrap();
    let err = template("email.text_template", Some(file.path()), "", LINK_PLACEHOLDERS).unwrap_err();
    assert_eq!(err.key, "email.text_template");
    let text = err.to_string();
    assert!(text.contains(&file.path().display().to_string()) && text.contains("line 2"), "{text}");
    assert!(text.contains("{{url}}"), "{text}");
}

#[test]
fn a_missing_template_file_is_refused() {
    let err = template("email.html_template", Some(Path::new("/nonexistent/x.html")), "", LINK_PLACEHOLDERS)
        .unwrap_err();
    assert!(err.to_string().contains("cannot read /nonexistent/x.html"), "{err}");
}

#[test]
fn subjects_stay_on_one_line() {
    assert_eq!(one_line("Set up\r\nBcc: x"), "Set up Bcc: x");
}
