//! When the database is unreachable or will not serve (a Galera node outside the Primary
//! component, a server gone): which errors mean that, and the one log line at the start and at
//! the end of an outage, however many requests and pool reconnects meet it.
use crate::store::StoreError;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Whether `err` says the database cannot serve now (try again shortly), not that the request
/// or the data is wrong: no connection within the pool's timeout, a connection that broke,
/// `1047` (a Galera node not in the Primary component, or not synced), `1053` (shutting down),
/// `1927` (connection killed), `2006`/`2013` (server gone, lost during a query).
pub fn is_unavailable(err: &StoreError) -> bool {
    match err {
        StoreError::Pool(_) => true,
        StoreError::Mysql(err) => mysql_unavailable(err),
        _ => false,
    }
}

fn mysql_unavailable(err: &mysql::Error) -> bool {
    use mysql::DriverError;
    match err {
        mysql::Error::MySqlError(e) => matches!(e.code, 1047 | 1053 | 1927 | 2006 | 2013),
        mysql::Error::IoError(_) => true,
        mysql::Error::DriverError(DriverError::CouldNotConnect(_) | DriverError::PacketOutOfSync) => true,
        _ => false,
    }
}

/// The outage in progress, if any: since when, and how many answers it cost.
#[derive(Default)]
pub struct Outage {
    since: Mutex<Option<Instant>>,
    refused: AtomicU64,
}

impl Outage {
    /// A unit of work met the outage: the first one logs it, with its cause.
    pub fn down(&self, cause: &dyn std::fmt::Display) {
        self.refused.fetch_add(1, Ordering::Relaxed);
        self.begin(cause);
    }

    /// The pool failed to connect in the background (no request waits on it).
    pub fn reconnect_failed(&self, cause: &dyn std::fmt::Display) {
        self.begin(cause);
    }

    fn begin(&self, cause: &dyn std::fmt::Display) {
        let mut since = self.since.lock().unwrap_or_else(|p| p.into_inner());
        if since.is_none() {
            *since = Some(Instant::now());
            log::error!(
                "the database is unavailable ({cause}); requests that need it are answered 503 \
                 with Retry-After until it is back (logged once)"
            );
        }
    }

    /// Whether an outage is in progress (requests then wait less for a connection).
    pub fn is_down(&self) -> bool {
        self.since.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    /// A unit of work succeeded: an outage in progress ends, and says what it cost.
    pub fn up(&self) {
        let mut since = self.since.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(started) = since.take() {
            let refused = self.refused.swap(0, Ordering::Relaxed);
            log::warn!(
                "the database is available again after {:.1} s; {refused} unit(s) of work were answered 503 meanwhile",
                started.elapsed().as_secs_f64()
            );
        }
    }
}

/// r2d2's background reconnects report here rather than logging each failure.
pub struct PoolErrors(pub std::sync::Arc<Outage>);

impl std::fmt::Debug for PoolErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoolErrors")
    }
}

impl r2d2::HandleError<mysql::Error> for PoolErrors {
    fn handle_error(&self, error: mysql::Error) {
        if mysql_unavailable(&error) {
            self.0.reconnect_failed(&error);
        } else {
            log::error!("database connection failed: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_unavailable;
    use crate::store::mariadb::tests::error as server_error;
    use crate::store::StoreError;

    #[test]
    fn a_node_outside_the_primary_component_and_a_lost_server_are_unavailable() {
        assert!(is_unavailable(&server_error(1047)));
        assert!(is_unavailable(&server_error(2013)));
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert!(is_unavailable(&StoreError::Mysql(mysql::Error::IoError(io))));
    }

    #[test]
    fn a_bad_statement_or_a_missing_table_is_not_an_outage() {
        assert!(!is_unavailable(&server_error(1146)));
        assert!(!is_unavailable(&server_error(1064)));
        assert!(!is_unavailable(&StoreError::Contended { tries: 5 }));
    }
}
