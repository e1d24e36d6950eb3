//! Locks between herald processes sharing a state directory: files under `locks/`, held
//! with the operating system's file locks, which a killed process releases by itself.

use std::fs::{File, TryLockError};
use std::path::PathBuf;

use super::{StateError, Store};

/// Holds the lock of one connector state key until dropped.
#[derive(Debug)]
pub struct StateLock {
    // Closing the file releases the lock.
    _file: File,
}

/// The right to run one instance, held by one herald process at a time; dropped when the
/// process ends or lets the instance go.
#[derive(Debug)]
pub struct InstanceClaim {
    file: File,
    path: PathBuf,
}

impl InstanceClaim {
    /// Lets go of a finished instance and removes its lock file. Anyone who opened the file
    /// meanwhile and locks it afterwards reads the instance as finished and leaves it.
    pub fn release_finished(self) {
        let _ = std::fs::remove_file(&self.path);
        drop(self.file);
    }
}

impl Store {
    /// Takes the lock of a connector state key, waiting for other runs to release it, so
    /// that loading, sending and saving the state of one key never interleave (two runs
    /// updating the same message, say).
    pub async fn lock_connector_state(&self, connector: &str, key: &str) -> Result<StateLock, StateError> {
        // One file per key; the key is hex-encoded, since it is the designer's text.
        let name: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        let path = self.lock_path(&["connectors", connector], &name)?;
        let file = open(&path)?;
        // Waiting on a file lock blocks the thread: keep it off the async workers.
        tokio::task::spawn_blocking(move || file.lock().map(|()| StateLock { _file: file }))
            .await
            .expect("the lock task does not panic")
            .map_err(|source| StateError::Io { path, source })
    }

    /// Claims `instance` for this process, or `None` when another process runs it.
    pub fn claim_instance(&self, instance: &str) -> Result<Option<InstanceClaim>, StateError> {
        let path = self.lock_path(&["instances"], instance)?;
        let file = open(&path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(InstanceClaim { file, path })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(source)) => Err(StateError::Io { path, source }),
        }
    }

    fn lock_path(&self, folders: &[&str], name: &str) -> Result<PathBuf, StateError> {
        let mut dir = self.root().join("locks");
        dir.extend(folders);
        std::fs::create_dir_all(&dir).map_err(|source| StateError::Io { path: dir.clone(), source })?;
        Ok(dir.join(format!("{name}.lock")))
    }
}

fn open(path: &PathBuf) -> Result<File, StateError> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| StateError::Io { path: path.clone(), source })
}
