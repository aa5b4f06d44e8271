//! The SQLite store: the pool, pragmas, migrations, and one blocking closure per unit of work.
mod cache;
mod enrollments;
mod flow;
mod migrations;
mod notices;
mod outbox;
mod records;
mod recovery;
mod reminders;

use super::{sql, FlowRecord, Health, KeyCheck, StoreError};
use async_trait::async_trait;

use r2d2::Pool;
use r2d2_sqlite::SqliteConnectionManager;
use std::path::Path;
use std::time::Duration;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

fn is_busy(err: &rusqlite::Error) -> bool {
    matches!(
        err.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

#[derive(Clone)]
pub struct SqliteStore {
    pool: Pool<SqliteConnectionManager>,
    cache: std::sync::Arc<cache::RecordCache>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path, pool_size: u32) -> Result<Self, StoreError> {
        create_private(path)?;
        let manager = SqliteConnectionManager::file(path).with_init(|conn| {
            conn.execute_batch(
                // busy_timeout first: the pool opens connections at once, and switching to WAL
                // takes a lock the others must wait for.
                "PRAGMA busy_timeout = 5000;
                 PRAGMA journal_mode = WAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA synchronous = NORMAL;",
            )
        });
        let pool =
            Pool::builder().max_size(pool_size).connection_timeout(Duration::from_secs(10)).build(manager)?;
        let mut conn = pool.get()?;
        migrations::apply(&mut conn)?;
        Ok(Self { pool, cache: Default::default() })
    }

    /// Runs one unit of work on the blocking pool, never on the async threads. Any unit may
    /// write, so the record cache is emptied once it is done, inside the blocking task so that
    /// this happens even if the caller stopped waiting.
    pub(super) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let cache = self.cache.clone();
        tokio::task::spawn_blocking(move || {
            let result = pool.get().map_err(StoreError::from).and_then(|mut conn| work(&mut conn));
            cache.invalidate();
            result
        })
        .await?
    }

    /// Releases every lease; only at startup, before any request runs: one process owns a
    /// SQLite database, so leases left by a crashed run are stale.
    pub fn clear_leases_blocking(&self) -> Result<usize, StoreError> {
        let conn = self.pool.get()?;
        let cleared =
            conn.execute("UPDATE onboarding SET busy_until = NULL WHERE busy_until IS NOT NULL", [])?;
        self.cache.invalidate();
        Ok(cleared)
    }

    /// A point read that must never wait: tried on the calling thread with a free connection and
    /// no busy timeout, and handed to the blocking pool only when no connection is free or
    /// SQLite is busy. In WAL mode a reader does not wait for writers, so the fast path is a
    /// lookup in the page cache; the hop to the blocking pool cost more than the query itself
    /// (two context switches, 60% of the link page's time on 2 cores).
    pub(super) async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&mut rusqlite::Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if let Some(mut conn) = self.pool.try_get() {
            conn.busy_timeout(Duration::ZERO)?;
            let result = work(&mut conn);
            conn.busy_timeout(BUSY_TIMEOUT)?;
            match result {
                Err(StoreError::Sqlite(err)) if is_busy(&err) => {}
                other => return other,
            }
        }
        self.run(move |conn| work(conn)).await
    }
}

#[async_trait]
impl Health for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        self.run(|conn| Ok(conn.query_row(sql::PING, [], |row| row.get::<_, i64>(0)).map(|_| ())?)).await
    }

    async fn check_key(&self, check: Vec<u8>) -> Result<KeyCheck, StoreError> {
        self.run(move |conn| {
            if conn.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('key_check', ?1)", [&check])?
                == 1
            {
                return Ok(KeyCheck::Stored);
            }
            let stored: Vec<u8> = conn.query_row(sql::READ_KEY_CHECK, [], |row| row.get(0))?;
            Ok(if stored == check { KeyCheck::Matches } else { KeyCheck::Differs })
        })
        .await
    }
}

/// A new database file is created mode 0600 before SQLite opens it: it holds PIN hashes, and
/// SQLite gives its `-wal` and `-shm` files the database file's mode.
fn create_private(path: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path) {
            Ok(_) => {}
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(err) => return Err(StoreError::Io(err)),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// What `setpass doctor` reads of a database without changing it.
pub struct Inspection {
    /// `None`: no database file yet.
    pub version: Option<i64>,
    pub latest: i64,
    /// The database file and its `-wal`/`-shm` files, with their permission bits.
    pub modes: Vec<(std::path::PathBuf, u32)>,
}

pub fn inspect(path: &Path) -> Result<Inspection, StoreError> {
    let latest = migrations::latest();
    if !path.exists() {
        return Ok(Inspection { version: None, latest, modes: Vec::new() });
    }
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let mut modes = Vec::new();
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if let Ok(meta) = std::fs::metadata(&file) {
            modes.push((file, meta.permissions().mode() & 0o777));
        }
    }
    Ok(Inspection { version: Some(version), latest, modes })
}

#[cfg(all(test, unix))]
#[tokio::test]
async fn the_database_and_its_wal_and_shm_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (dir, store) = open_temp();
    store.ping().await.unwrap();
    store.run(|conn| Ok(conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")?)).await.unwrap();
    for name in ["test.db", "test.db-wal", "test.db-shm"] {
        let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name}");
    }
}

#[cfg(test)]
pub(crate) fn open_temp() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("test.db"), 2).unwrap();
    (dir, store)
}
