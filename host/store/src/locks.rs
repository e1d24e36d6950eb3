//! Locks between herald processes sharing a state directory: files under `locks/`, held
//! with the operating system's file locks, which a killed process releases by itself.
//!
//! Each open store holds the lock of an owner id of its own for as long as it lives. An
//! instance names its owner in its row; another process takes it over only once that
//! owner's lock is free, so two live processes never run one instance, and a process that
//! was killed leaves its instances to the next `resume`.

use std::fs::{File, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::PoisonError;

use rusqlite::{OptionalExtension, params};

use super::{StateError, Store};

/// Holds the lock of one connector state key until dropped.
#[derive(Debug)]
pub struct StateLock {
    // Closing the file releases the lock.
    _file: File,
}

/// The lock of a store's owner id, held while the store is open; its file is removed when
/// the store closes.
#[derive(Debug)]
pub(super) struct OwnerLock {
    id: String,
    path: PathBuf,
    _file: File,
}

impl OwnerLock {
    /// Takes the lock of a new owner id in the state directory `root`.
    pub(super) fn take(root: &Path) -> Result<Self, StateError> {
        let id = uuid::Uuid::now_v7().to_string();
        let path = lock_dir(root, &["owners"])?.join(format!("{id}.lock"));
        let file = open(&path)?;
        file.try_lock().map_err(|error| StateError::Io { path: path.clone(), source: error.into() })?;
        Ok(Self { id, path, _file: file })
    }

    /// The owner id instances of this store are marked with.
    pub(super) fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for OwnerLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

impl Store {
    /// Takes the lock of a connector state key, waiting for other runs to release it, so
    /// that loading, sending and saving the state of one key never interleave (two runs
    /// updating the same message, say).
    pub async fn lock_connector_state(&self, connector: &str, key: &str) -> Result<StateLock, StateError> {
        // One file per key; the key is hex-encoded, since it is the designer's text.
        let name: String = key.bytes().map(|b| format!("{b:02x}")).collect();
        let path = lock_dir(self.root(), &["connectors", connector])?.join(format!("{name}.lock"));
        let file = open(&path)?;
        // Waiting on a file lock blocks the thread: keep it off the async workers.
        tokio::task::spawn_blocking(move || file.lock().map(|()| StateLock { _file: file }))
            .await
            .expect("the lock task does not panic")
            .map_err(|source| StateError::Io { path, source })
    }

    /// Makes this process the owner of `instance` unless another live herald process owns
    /// it; false when one does. Instances this store created are its own already.
    pub async fn claim_instance(&self, instance: &str) -> Result<bool, StateError> {
        let id = instance.to_owned();
        let owner: Option<Option<String>> = self.read(|db| {
            db.prepare_cached("SELECT owner FROM instances WHERE id = ?1")?.query_row([&id], |r| r.get(0)).optional()
        })?;
        let Some(owner) = owner else {
            return Err(StateError::UnknownInstance { id });
        };
        match owner {
            Some(owner) if owner == self.owner()? => return Ok(true),
            Some(owner) if self.owner_alive(&owner)? => return Ok(false),
            _ => {}
        }
        // Compare and set: of two processes taking over one instance, one wins.
        let me = self.owner()?.to_owned();
        let taken = self
            .write(move |db| {
                let mut update = db.prepare_cached("UPDATE instances SET owner = ?1 WHERE id = ?2 AND owner IS ?3")?;
                update.execute(params![me, id, owner])
            })
            .await?;
        Ok(taken == 1)
    }

    /// Whether the herald process that owns `owner` still runs: it holds its lock.
    fn owner_alive(&self, owner: &str) -> Result<bool, StateError> {
        // One check at a time in this process: a check holds the owner's lock for a moment,
        // and a second thread checking the same owner meanwhile would take that for a live
        // process and leave its instance behind. A dead owner stays dead: ids are not reused.
        let mut dead = self.shared.dead_owners.lock().unwrap_or_else(PoisonError::into_inner);
        if dead.contains(owner) {
            return Ok(false);
        }
        let path = self.root().join("locks").join("owners").join(format!("{owner}.lock"));
        let file = match File::options().write(true).open(&path) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                dead.insert(owner.to_owned());
                return Ok(false);
            }
            Err(source) => return Err(StateError::Io { path, source }),
        };
        match file.try_lock() {
            Ok(()) => {
                // Its process was killed: the file is left over, and nobody locks it again.
                let _ = std::fs::remove_file(&path);
                dead.insert(owner.to_owned());
                Ok(false)
            }
            Err(TryLockError::WouldBlock) => Ok(true),
            Err(TryLockError::Error(source)) => Err(StateError::Io { path, source }),
        }
    }
}

/// The folder `locks/<folders…>` of the state directory, made if needed.
fn lock_dir(root: &Path, folders: &[&str]) -> Result<PathBuf, StateError> {
    let mut dir = root.join("locks");
    dir.extend(folders);
    std::fs::create_dir_all(&dir).map_err(|source| StateError::Io { path: dir.clone(), source })?;
    Ok(dir)
}

fn open(path: &Path) -> Result<File, StateError> {
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|source| StateError::Io { path: path.to_path_buf(), source })
}

#[cfg(test)]
mod tests {
    use serde_json::Map;

    use super::*;
    use crate::{FlowSource, NewInstance};
    use herald_core::Position;

    #[tokio::test]
    async fn an_instance_is_taken_over_only_once_its_owner_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let flow = FlowSource::new("flow.bpmn".into(), "<xml/>".into());
        let new = NewInstance {
            id: "a".into(),
            process: "p".into(),
            variables: Map::new(),
            position: Position::at_start("start"),
        };
        let first = Store::open(Some(dir.path())).unwrap();
        first.create_instances(&flow, &[new]).await.unwrap();
        let second = Store::open(Some(dir.path())).unwrap();
        assert!(first.claim_instance("a").await.unwrap(), "an instance is its creator's");
        assert!(!second.claim_instance("a").await.unwrap(), "its owner still runs");

        // A killed process leaves its lock file behind, unlocked.
        let left = dir.path().join("locks").join("owners").join(format!("{}.lock", first.owner().unwrap()));
        drop(first);
        std::fs::write(&left, "").unwrap();
        assert!(second.claim_instance("a").await.unwrap(), "the owner is gone");
        assert!(!left.exists(), "the dead owner's file is cleaned up");
        let third = Store::open(Some(dir.path())).unwrap();
        assert!(!third.claim_instance("a").await.unwrap(), "the new owner runs");
        assert!(matches!(third.claim_instance("b").await, Err(StateError::UnknownInstance { .. })));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_resume_takes_over_every_instance_of_a_killed_owner_even_all_at_once() {
        // The race it guards against lasts microseconds: try it many times.
        for _ in 0..100 {
            every_instance_of_a_killed_owner_is_taken_over_at_once().await;
        }
    }

    async fn every_instance_of_a_killed_owner_is_taken_over_at_once() {
        const INSTANCES: usize = 16;
        let dir = tempfile::tempdir().unwrap();
        let flow = FlowSource::new("flow.bpmn".into(), "<xml/>".into());
        let new: Vec<NewInstance> = (0..INSTANCES)
            .map(|n| NewInstance {
                id: n.to_string(),
                process: "p".into(),
                variables: Map::new(),
                position: Position::at_start("start"),
            })
            .collect();
        let killed = Store::open(Some(dir.path())).unwrap();
        killed.create_instances(&flow, &new).await.unwrap();
        let left = dir.path().join("locks").join("owners").join(format!("{}.lock", killed.owner().unwrap()));
        drop(killed);
        std::fs::write(&left, "").unwrap();
        // A resume claims them side by side, as `--concurrency` does.
        let resume = Store::open(Some(dir.path())).unwrap();
        let claims: Vec<_> = (0..INSTANCES)
            .map(|n| {
                let resume = resume.clone();
                tokio::spawn(async move { resume.claim_instance(&n.to_string()).await.unwrap() })
            })
            .collect();
        for (n, claim) in claims.into_iter().enumerate() {
            assert!(claim.await.unwrap(), "instance {n} was left to an owner that is gone");
        }
    }

    #[test]
    fn a_store_that_only_reads_takes_no_owner_lock() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(Some(dir.path())).unwrap();
        assert!(store.list_instances().unwrap().is_empty());
        assert!(!dir.path().join("locks").join("owners").exists());
    }
}
