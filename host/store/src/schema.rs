//! The database's tables, and the settings that make every commit survive a crash.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::StateError;

/// The schema version this build writes (`PRAGMA user_version`).
const VERSION: i64 = 3;

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
    owner TEXT,
    started INTEGER NOT NULL DEFAULT 0,
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

/// Opens a connection that never writes, for the commands that only read; `None` when the
/// database is an older herald's, whose tables must be brought up to date first. A
/// database in a directory herald may not write has no shared-memory file to create: it is
/// read as immutable (nobody can be writing it there).
pub(super) fn open_read_only(path: &Path) -> Result<Option<Connection>, StateError> {
    let db_error = |source| StateError::Database { path: path.to_path_buf(), source };
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = Connection::open_with_flags(path, flags).map_err(db_error)?;
    connection.busy_timeout(BUSY_TIMEOUT).map_err(db_error)?;
    let connection = match version(&connection) {
        Ok(_) => connection,
        Err(_) => {
            Connection::open_with_flags(format!("file:{}?immutable=1", uri_path(path)), flags).map_err(db_error)?
        }
    };
    let found = version(&connection).map_err(db_error)?;
    if found > VERSION {
        return Err(StateError::NewerSchema { path: path.to_path_buf(), found, known: VERSION });
    }
    Ok((found == VERSION).then_some(connection))
}

/// An empty database in memory, for a state directory that has none yet (`path` names it
/// in messages): reading it finds no instances, and nothing is written to the directory.
pub(super) fn open_empty(path: &Path) -> Result<Connection, StateError> {
    let empty = || {
        let connection = Connection::open_in_memory()?;
        connection.execute_batch(TABLES)?;
        Ok(connection)
    };
    empty().map_err(|source| StateError::Database { path: path.to_path_buf(), source })
}

/// `path` as the path of a `file:` URI: the characters URIs give a meaning escaped.
fn uri_path(path: &Path) -> String {
    let text = path.to_string_lossy();
    text.chars()
        .map(|c| match c {
            '%' | '?' | '#' => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

fn version(connection: &Connection) -> rusqlite::Result<i64> {
    connection.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Creates the tables of a new database, brings one of an older herald up to date, and
/// refuses one made by a newer herald.
pub(super) fn migrate(connection: &mut Connection, path: &Path) -> Result<(), StateError> {
    let db_error = |source| StateError::Database { path: path.to_path_buf(), source };
    // Up to date, as it is but the first time: nothing to write, so processes opening
    // the directory together do not queue for the write lock.
    if version(connection).map_err(db_error)? == VERSION {
        return Ok(());
    }
    // Immediate: the version is read under the write lock, so of two processes creating
    // the database together one migrates and the other then finds it done. (A deferred
    // transaction that read first could not take the lock once the other committed.)
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate).map_err(db_error)?;
    let found = version(&transaction).map_err(db_error)?;
    if found > VERSION {
        return Err(StateError::NewerSchema { path: path.to_path_buf(), found, known: VERSION });
    }
    let upgrade = || {
        // Version 1 locked each instance with a file of its own; version 2 names its owner.
        if found == 1 {
            transaction.execute_batch("ALTER TABLE instances ADD COLUMN owner TEXT")?;
        }
        // Versions 1 and 2 saved every attempt before making it: none of their instances
        // has an attempt it did not record.
        if (1..=2).contains(&found) {
            transaction.execute_batch("ALTER TABLE instances ADD COLUMN started INTEGER NOT NULL DEFAULT 0")?;
        }
        transaction.execute_batch(TABLES)?;
        transaction.pragma_update(None, "user_version", VERSION)
    };
    upgrade().map_err(db_error)?;
    transaction.commit().map_err(db_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_from_a_newer_herald_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("herald.db");
        let mut connection = open(&path).unwrap();
        migrate(&mut connection, &path).unwrap();
        connection.pragma_update(None, "user_version", VERSION + 1).unwrap();
        let error = migrate(&mut connection, &path).unwrap_err();
        assert!(error.to_string().contains("schema version 4; this herald knows version 3"), "{error}");
    }

    #[test]
    fn older_databases_gain_the_new_columns_and_keep_their_rows() {
        let started = "    started INTEGER NOT NULL DEFAULT 0,\n";
        let version_2 = TABLES.replace(started, "");
        let version_1 = version_2.replace("    owner TEXT,\n", "");
        for (version, tables) in [(1, version_1), (2, version_2)] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("herald.db");
            let mut connection = open(&path).unwrap();
            connection.execute_batch(&tables).unwrap();
            connection.pragma_update(None, "user_version", version).unwrap();
            connection.execute("INSERT INTO flows VALUES ('d', 'flow.bpmn', '<xml/>')", []).unwrap();
            connection
                .execute("INSERT INTO instances (id, flow, process, state, variables, position, created_ms, updated_ms) VALUES ('a', 'd', 'p', 'running', '{}', '{}', 1, 1)", [])
                .unwrap();
            assert!(
                connection.prepare("SELECT started FROM instances").is_err(),
                "version {version} has no started column"
            );
            assert!(
                open_read_only(&path).unwrap().is_none(),
                "version {version} is brought up to date before it is read"
            );
            migrate(&mut connection, &path).unwrap();
            let (id, owner, started): (String, Option<String>, bool) = connection
                .query_row("SELECT id, owner, started FROM instances", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap();
            assert_eq!((id.as_str(), owner, started), ("a", None, false), "from version {version}");
            let now: i64 = connection.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
            assert_eq!(now, VERSION);
            assert!(open_read_only(&path).unwrap().is_some(), "read as it is once up to date");
        }
    }
}
