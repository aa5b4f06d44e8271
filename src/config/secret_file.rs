//! The one reader of secret settings that may come from a file (`*_file`): the same rule for all.
use super::ConfigError;
use std::path::Path;
use zeroize::Zeroizing;

/// The secret from `value` (the setting `key`) or from the file `file` (the setting `file_key`),
/// `None` when neither is set. A file's trailing line breaks are dropped (editors add one);
/// everything else, spaces included, is the secret.
pub fn read_secret(
    key: &str,
    value: Option<&str>,
    file_key: &str,
    file: Option<&Path>,
) -> Result<Option<Zeroizing<String>>, ConfigError> {
    match (value, file) {
        (Some(_), Some(_)) => Err(ConfigError::new(key, format!("set either {key} or {file_key}, not both"))),
        (Some(value), None) => Ok(Some(Zeroizing::new(value.to_owned()))),
        (None, Some(path)) => {
            let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|err| {
                ConfigError::new(file_key, format!("cannot read {}: {err}", path.display()))
            })?);
            Ok(Some(Zeroizing::new(text.trim_end_matches(['\r', '\n']).to_owned())))
        }
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::read_secret;

    #[test]
    fn a_secret_file_loses_its_trailing_line_break_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        std::fs::write(&path, " pass word \r\n").unwrap();
        let secret = read_secret("a.secret", None, "a.secret_file", Some(&path)).unwrap().unwrap();
        assert_eq!(secret.as_str(), " pass word ");
    }

    #[test]
    fn both_or_neither_and_a_missing_file_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        assert!(read_secret("a.secret", None, "a.secret_file", None).unwrap().is_none());
        let both = read_secret("a.secret", Some("x"), "a.secret_file", Some(&missing)).unwrap_err();
        assert_eq!(both.key, "a.secret");
        let unreadable = read_secret("a.secret", None, "a.secret_file", Some(&missing)).unwrap_err();
        assert_eq!(unreadable.key, "a.secret_file");
    }
}
