//! Loading the encryption key for secrets at rest: from config, from a file, or generated once.
use super::{ConfigError, SecretsSettings};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

const GENERATED_NAME: &str = "setpass.key";

/// Returns the 32-byte key. With neither `secrets.key` nor `secrets.key_file`, a key file is
/// created beside the database (mode 0600) and a warning is logged when that happens.
/// `database`: the SQLite file, beside which a missing key is generated; `None` for a shared
/// database, where a missing key is an error (a key generated per replica would make the
/// others' records unreadable).
pub fn load_or_create_key(
    secrets: &SecretsSettings,
    database: Option<&Path>,
) -> Result<Zeroizing<[u8; 32]>, ConfigError> {
    if let Some(value) = &secrets.key {
        return decode("secrets.key", value);
    }
    if let Some(path) = &secrets.key_file {
        return read_key_file("secrets.key_file", path);
    }
    let Some(database) = database else { return Err(shared_needs_key()) };
    let path = generated_path(database);
    if path.exists() {
        return read_key_file("secrets.key_file", &path);
    }
    let key = crate::crypto::random_bytes(32);
    let text = Zeroizing::new(STANDARD.encode(key.as_slice()) + "\n");
    write_private(&path, text.as_bytes()).map_err(|err| {
        ConfigError::new(
            "secrets.key_file",
            format!("cannot create {}: {err}; set secrets.key_file to a writable path", path.display()),
        )
    })?;
    log::warn!(
        "generated an encryption key at {}; keep it with the database (losing it makes pending links unusable) or set secrets.key_file",
        path.display()
    );
    decode("secrets.key_file", &text)
}

fn shared_needs_key() -> ConfigError {
    ConfigError::new(
        "secrets.key_file",
        "is required with a shared database (database.url): give every replica the same key (or secrets.key)",
    )
}

/// For `setpass doctor`: where the key comes from, read and checked, creating nothing.
pub fn check_key(secrets: &SecretsSettings, database: Option<&Path>) -> Result<String, ConfigError> {
    if let Some(value) = &secrets.key {
        decode("secrets.key", value)?;
        return Ok("secrets.key is set".into());
    }
    let database = match (database, &secrets.key_file) {
        (None, None) => return Err(shared_needs_key()),
        (Some(database), _) => database,
        (None, Some(_)) => Path::new(""),
    };
    let (key, path) = match &secrets.key_file {
        Some(path) => ("secrets.key_file", path.clone()),
        None => ("secrets.key_file", generated_path(database)),
    };
    if secrets.key_file.is_none() && !path.exists() {
        return Ok(format!("none yet: one is generated at {} at first start", path.display()));
    }
    read_key_file(key, &path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777).unwrap_or(0);
        if mode & 0o077 != 0 {
            return Err(ConfigError::new(key, format!("{} is {mode:o}; chmod 600 it", path.display())));
        }
    }
    Ok(format!("{} is readable and private", path.display()))
}

fn generated_path(database: &Path) -> PathBuf {
    match database.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(GENERATED_NAME),
        _ => PathBuf::from(GENERATED_NAME),
    }
}

fn read_key_file(key: &str, path: &Path) -> Result<Zeroizing<[u8; 32]>, ConfigError> {
    let text = super::read_secret("secrets.key", None, key, Some(path))?.unwrap_or_default();
    decode(key, &text)
}

fn decode(key: &str, text: &str) -> Result<Zeroizing<[u8; 32]>, ConfigError> {
    let bad = || {
        ConfigError::new(
            key,
            "must be base64 of exactly 32 bytes; make one with `head -c 32 /dev/urandom | base64`",
        )
    };
    let bytes = Zeroizing::new(STANDARD.decode(text.trim()).map_err(|_| bad())?);
    let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| bad())?;
    Ok(Zeroizing::new(array))
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_is_generated_beside_the_database_with_mode_0600() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("setpass.db");
        let first = load_or_create_key(&SecretsSettings::default(), Some(&db)).unwrap();
        let second = load_or_create_key(&SecretsSettings::default(), Some(&db)).unwrap();
        assert_eq!(*first, *second);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(GENERATED_NAME)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_short_key_is_refused_with_a_hint() {
        let settings = SecretsSettings { key: Some(STANDARD.encode([1u8; 16])), key_file: None };
        let err = load_or_create_key(&settings, Some(Path::new("x.db"))).unwrap_err();
        assert_eq!(err.key, "secrets.key");
        assert!(err.to_string().contains("32 bytes"));
    }

    #[test]
    fn a_shared_database_without_a_key_is_refused_and_the_check_value_follows_the_key() {
        let err = load_or_create_key(&SecretsSettings::default(), None).unwrap_err();
        assert_eq!(err.key, "secrets.key_file");
        assert!(err.to_string().contains("same key"), "{err}");
        use crate::crypto::key_check_value;
        assert_eq!(key_check_value(&[1; 32]), key_check_value(&[1; 32]));
        assert_ne!(key_check_value(&[1; 32]), key_check_value(&[2; 32]));
    }
}
