//! Compiled components kept on disk, so that a component is compiled once per engine
//! configuration rather than at every `herald run`.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Length of the digest that heads every cache entry.
const DIGEST_LEN: usize = 32;

/// Where compiled components are kept; no directory means no caching.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: Option<PathBuf>,
}

impl CompileCache {
    /// The cache in `HERALD_CACHE_DIR`, else in the user's cache directory.
    pub fn from_environment() -> Self {
        let dir = std::env::var_os("HERALD_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::cache_dir().map(|dir| dir.join("herald")))
            .map(|dir| dir.join("components"));
        Self { dir }
    }

    /// The component of `bytes`: from a sound cache entry, else compiled and stored.
    pub fn component(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
        let Some(path) = self.dir.as_ref().map(|dir| dir.join(entry_name(engine, bytes))) else {
            return Component::new(engine, bytes);
        };
        if let Some(component) = load(engine, &path) {
            tracing::debug!(path = %path.display(), "compiled component read from the cache");
            return Ok(component);
        }
        tracing::debug!(path = %path.display(), "compiling the component");
        let compiled = engine.precompile_component(bytes)?;
        if let Err(err) = store(&path, &compiled) {
            // The cache only saves time: a read-only or full disk must not fail the run.
            tracing::debug!(path = %path.display(), %err, "cannot store the compiled component");
        }
        // SAFETY: `compiled` was produced just now by this engine's `precompile_component`.
        unsafe { Component::deserialize(engine, &compiled) }
    }
}

/// The entry of a component for an engine: the digest of the component's bytes and of the
/// engine's compatibility hash, so another wasmtime or configuration never reads it.
fn entry_name(engine: &Engine, bytes: &[u8]) -> String {
    let mut compatibility = std::hash::DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut compatibility);
    let mut digest = Sha256::new();
    digest.update(bytes);
    digest.update(compatibility.finish().to_le_bytes());
    format!("{:x}.cwasm", digest.finalize())
}

/// A cache entry whose digest matches its content; anything else (missing, torn, corrupt,
/// from another engine) is `None`, and the component is compiled afresh.
fn load(engine: &Engine, path: &Path) -> Option<Component> {
    let entry = std::fs::read(path).ok()?;
    let (digest, compiled) = entry.split_at_checked(DIGEST_LEN)?;
    if Sha256::digest(compiled).as_slice() != digest {
        tracing::debug!(path = %path.display(), "corrupt compiled component; compiling again");
        return None;
    }
    // SAFETY: the digest proves these are the bytes `store` wrote, which came from
    // `precompile_component` of an engine with the same compatibility hash (it is part of
    // the entry's name); `deserialize` checks that compatibility again.
    unsafe { Component::deserialize(engine, compiled) }.ok()
}

/// Writes an entry (digest, then the compiled bytes) to a temporary file and renames it into
/// place, so concurrent runs never read a half-written entry.
fn store(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("cache entries live in a folder");
    std::fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut entry = Sha256::digest(compiled).to_vec();
    entry.extend_from_slice(compiled);
    std::fs::write(&tmp, entry)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest component: the preamble alone.
    const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\0\x01\0";

    fn engine(epochs: bool) -> Engine {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(epochs);
        Engine::new(&config).unwrap()
    }

    #[test]
    fn an_entry_compiled_by_an_incompatible_engine_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let cache = CompileCache { dir: Some(dir.path().to_path_buf()) };
        let (ours, other) = (engine(true), engine(false));
        // An entry under our name, sound digest and all, but compiled for another engine.
        let path = dir.path().join(entry_name(&ours, EMPTY_COMPONENT));
        let foreign = other.precompile_component(EMPTY_COMPONENT).unwrap();
        store(&path, &foreign).unwrap();
        assert!(load(&ours, &path).is_none(), "deserialize refuses it");

        cache.component(&ours, EMPTY_COMPONENT).unwrap();
        let rebuilt = std::fs::read(&path).unwrap();
        assert_eq!(&rebuilt[DIGEST_LEN..], ours.precompile_component(EMPTY_COMPONENT).unwrap().as_slice());
        assert!(load(&ours, &path).is_some());
    }
}
