//! Numbered SQL migrations, embedded in the binary and tracked with `PRAGMA user_version`.
use super::StoreError;
use rusqlite::Connection;

/// In order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_init.sql"),
    include_str!("../../../migrations/sqlite/0002_flow.sql"),
    include_str!("../../../migrations/sqlite/0003_notify.sql"),
    include_str!("../../../migrations/sqlite/0004_locale.sql"),
    include_str!("../../../migrations/sqlite/0005_meta.sql"),
    include_str!("../../../migrations/sqlite/0006_outbox.sql"),
    include_str!("../../../migrations/sqlite/0007_enrollments.sql"),
    include_str!("../../../migrations/sqlite/0008_authenticator_only.sql"),
    include_str!("../../../migrations/sqlite/0009_list_and_reminders.sql"),
];

pub fn latest() -> i64 {
    MIGRATIONS.len() as i64
}

/// Applies each missing migration in its own transaction; refuses a database from a newer binary.
pub fn apply(conn: &mut Connection) -> Result<(), StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > latest() {
        return Err(StoreError::TooNew { found: current, known: latest() });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        log::info!("database migrated to schema version {version}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_from_an_empty_database_and_only_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply(&mut conn).unwrap();
        apply(&mut conn).unwrap();
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, latest());
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'onboarding'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn a_database_newer_than_the_binary_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1).unwrap();
        let err = apply(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::TooNew { .. }));
        assert!(err.to_string().contains("newer"));
    }
}
