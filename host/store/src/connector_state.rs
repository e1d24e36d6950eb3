//! What connectors keep between runs, per key (the channel and ts of a message to update).

use rusqlite::{OptionalExtension, params};

use herald_core::now_ms;

use super::{StateError, Store};

impl Store {
    /// The state a connector saved under `key`, if any.
    pub fn connector_state(&self, connector: &str, key: &str) -> Result<Option<String>, StateError> {
        self.read(|db| {
            db.query_row(
                "SELECT state FROM connector_state WHERE connector = ?1 AND key = ?2",
                params![connector, key],
                |row| row.get(0),
            )
            .optional()
        })
    }

    /// Saves a connector's state under `key`, replacing what was there.
    pub async fn save_connector_state(&self, connector: &str, key: &str, state: &str) -> Result<(), StateError> {
        let (connector, key, state) = (connector.to_owned(), key.to_owned(), state.to_owned());
        self.write(move |db| {
            db.execute(
                "INSERT INTO connector_state (connector, key, state, updated_ms) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (connector, key) DO UPDATE SET state = excluded.state, updated_ms = excluded.updated_ms",
                params![connector, key, state, now_ms() as i64],
            )
            .map(|_| ())
        })
        .await
    }
}
