//! herald's state directory: one JSON record per process instance, replaced atomically at
//! every token move so an interrupted run leaves a readable record behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::engine::InstanceRecord;

/// Why the state directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// No directory was given and the platform has no user data directory.
    #[error("no user data directory is known on this system; pass --state DIR")]
    NoDefault,
    /// Reading or writing failed.
    #[error("state directory {}: {source}", path.display())]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// A state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    root: PathBuf,
}

impl StateDir {
    /// Opens (creating if needed) `dir`, or the user's data directory's `herald` folder.
    pub fn open(dir: Option<&Path>) -> Result<Self, StateError> {
        let root = match dir {
            Some(dir) => dir.to_path_buf(),
            None => dirs::data_dir().ok_or(StateError::NoDefault)?.join("herald"),
        };
        let instances = root.join("instances");
        std::fs::create_dir_all(&instances).map_err(|source| StateError::Io { path: instances, source })?;
        Ok(Self { root })
    }

    /// Where the record of `instance` lives.
    pub fn instance_path(&self, instance: &str) -> PathBuf {
        self.root.join("instances").join(format!("{instance}.json"))
    }

    /// Writes an instance record.
    pub fn save(&self, record: &InstanceRecord) -> Result<(), StateError> {
        let json = serde_json::to_vec_pretty(record).expect("instance records serialize");
        write_atomically(&self.instance_path(&record.instance), &json)
    }

    /// The state a connector saved under `key`, if any.
    pub fn connector_state(&self, connector: &str, key: &str) -> Result<Option<String>, StateError> {
        let path = self.connector_state_path(connector, key);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(Some(text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(StateError::Io { path, source }),
        }
    }

    /// Saves a connector's state under `key`, replacing what was there.
    pub fn save_connector_state(&self, connector: &str, key: &str, state: &str) -> Result<(), StateError> {
        let path = self.connector_state_path(connector, key);
        let dir = path.parent().expect("state files live in a folder");
        std::fs::create_dir_all(dir).map_err(|source| StateError::Io { path: dir.to_path_buf(), source })?;
        write_atomically(&path, state.as_bytes())
    }

    /// Takes the lock of a connector state key, waiting for other herald processes to
    /// release it, so that loading, sending and saving the state of one key never
    /// interleave (two runs updating the same message, say).
    pub async fn lock_connector_state(&self, connector: &str, key: &str) -> Result<StateLock, StateError> {
        let path = self.connector_state_path(connector, key).with_extension("lock");
        let dir = path.parent().expect("state files live in a folder").to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|source| StateError::Io { path: dir, source })?;
        let file = std::fs::File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StateError::Io { path: path.clone(), source })?;
        // Waiting on a file lock blocks the thread: keep it off the async workers.
        tokio::task::spawn_blocking(move || file.lock().map(|()| StateLock { _file: file }))
            .await
            .expect("the lock task does not panic")
            .map_err(|source| StateError::Io { path, source })
    }

    /// One file per key; the key is hex-encoded, since it is the designer's text.
    fn connector_state_path(&self, connector: &str, key: &str) -> PathBuf {
        let name: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        self.root.join("connectors").join(connector).join(format!("{name}.json"))
    }
}

/// Holds the lock of one connector state key until dropped.
#[derive(Debug)]
pub struct StateLock {
    // Closing the file releases the lock.
    _file: std::fs::File,
}

/// Writes to a temporary file, syncs it, then renames it over `path`, so a crash leaves
/// either the old or the new content, never a torn file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StateError> {
    let tmp = path.with_extension("json.tmp");
    let io = |source| StateError::Io { path: tmp.clone(), source };
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(bytes).and_then(|()| file.sync_data()).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(|source| StateError::Io { path: path.to_path_buf(), source })
}
