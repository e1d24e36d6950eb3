//! The database's tables, and the settings that make every commit survive a crash.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use super::StateError;

/// The schema version this build writes (`PRAGMA user_version`).
const VERSION: i64 = 1;

/// Several herald processes may share one state directory; a writer waits this long for
/// another to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS flows (
    digest TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS instances (
    id TEXT PRIMARY KEY,
    flow TEXT NOT NULL REFERENCES flows(digest),
    process TEXT NOT NULL,
    state TEXT NOT NULL,
    variables TEXT NOT NULL,
    position TEXT NOT NULL,
    incident TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS instances_by_state ON instances(state, created_ms);
CREATE TABLE IF NOT EXISTS steps (
    instance TEXT NOT NULL REFERENCES instances(id),
    seq INTEGER NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (instance, seq)
);
CREATE TABLE IF NOT EXISTS connector_state (
    connector TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (connector, key)
);
";

/// Opens a connection with write-ahead logging and a full sync at every commit.
pub(super) fn open(path: &Path) -> rusqlite::Result<Connection> {
    let connection = Connection::open(path)?;
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets `herald instances` read while a run writes; FULL syncs the log at each
    // commit, so a commit that returned survives a crash of the process or the machine.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    Ok(connection)
}

/// Creates the tables of a new database; refuses one made by a newer herald.
pub(super) fn migrate(connection: &Connection, path: &Path) -> Result<(), StateError> {
    let db_error = |source| StateError::Database { path: path.to_path_buf(), source };
    let found: i64 = connection.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(db_error)?;
    if found > VERSION {
        return Err(StateError::NewerSchema { path: path.to_path_buf(), found, known: VERSION });
    }
    connection.execute_batch(TABLES).map_err(db_error)?;
    connection.pragma_update(None, "user_version", VERSION).map_err(db_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_a_newer_herald_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("herald.db");
        let connection = open(&path).unwrap();
        migrate(&connection, &path).unwrap();
        connection.pragma_update(None, "user_version", VERSION + 1).unwrap();
        let error = migrate(&connection, &path).unwrap_err();
        assert!(error.to_string().contains("schema version 2; this herald knows version 1"), "{error}");
    }
}
