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

    /// Writes an instance record: to a temporary file first, then renamed over the old one.
    pub fn save(&self, record: &InstanceRecord) -> Result<(), StateError> {
        let path = self.instance_path(&record.instance);
        let tmp = path.with_extension("json.tmp");
        let io = |source| StateError::Io { path: tmp.clone(), source };
        let json = serde_json::to_vec_pretty(record).expect("instance records serialize");
        let mut file = std::fs::File::create(&tmp).map_err(io)?;
        file.write_all(&json).and_then(|()| file.sync_data()).map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(|source| StateError::Io { path: path.clone(), source })
    }
}
