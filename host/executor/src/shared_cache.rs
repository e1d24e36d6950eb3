//! The connectors' scratch data (`send-request.cache`), shared by every step that calls
//! the same connector with the same credentials, across instances: a bulk run of 10,000
//! notifications to `#billing` resolves the name once, not 10,000 times against a method
//! Slack allows about 20 times a minute.
//!
//! A cache is a shortcut, never a record: it lives in memory, for at most [`LIFETIME`],
//! and one larger than [`MAX_BYTES`] is not kept. A key's calls wait for its first one to
//! end, so that its findings reach the others instead of each looking the same thing up
//! at once; after that they run side by side.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;

/// How long a cache is used before it is dropped and built afresh: a renamed channel's
/// old id goes out of use within this time even when nothing fails.
pub const LIFETIME: Duration = Duration::from_secs(10 * 60);

/// The largest cache kept.
pub const MAX_BYTES: usize = 1 << 20;

/// Every key's cache.
#[derive(Default)]
pub struct SharedCaches {
    entries: Mutex<HashMap<String, Arc<Entry>>>,
}

/// One key's cache, and the turn its calls take until the first one ends.
#[derive(Default)]
struct Entry {
    turn: Arc<tokio::sync::Mutex<()>>,
    /// A call of the key has ended: the others no longer wait.
    settled: AtomicBool,
    cached: Mutex<Option<(String, Instant)>>,
}

impl Entry {
    /// The cache, unless it has outlived [`LIFETIME`] (then it is dropped).
    fn current(&self) -> Option<String> {
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if cached.as_ref().is_some_and(|(_, since)| since.elapsed() > LIFETIME) {
            *cached = None;
        }
        cached.as_ref().map(|(json, _)| json.clone())
    }
}

/// One call's use of a key's cache: what it starts with and, while the key's first call
/// has not ended, its turn.
pub struct Checkout {
    entry: Arc<Entry>,
    turn: Option<OwnedMutexGuard<()>>,
    /// The cache to hand the connector.
    pub cache: Option<String>,
}

impl SharedCaches {
    /// The cache of `key` for one call; until a call of the key has ended, waits for the
    /// calls before it.
    pub async fn checkout(&self, key: &str) -> Checkout {
        let entry = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(entries.entry(key.to_owned()).or_default())
        };
        let mut turn = None;
        if !entry.settled.load(Ordering::Acquire) {
            turn = Some(Arc::clone(&entry.turn).lock_owned().await);
            // The call before may have ended meanwhile.
            if entry.settled.load(Ordering::Acquire) {
                turn = None;
            }
        }
        let cache = entry.current();
        Checkout { entry, turn, cache }
    }
}

impl Checkout {
    /// Keeps what the connector handed back (it replaces the key's cache) and ends this
    /// call's turn, and with it the key's turns.
    pub fn keep(&mut self, cache: Option<String>) {
        if let Some(json) = cache.filter(|json| json.len() <= MAX_BYTES) {
            self.cache = Some(json.clone());
            let mut cached = self.entry.cached.lock().unwrap_or_else(PoisonError::into_inner);
            let since = cached.as_ref().map_or_else(Instant::now, |(_, since)| *since);
            *cached = Some((json, since));
        }
        self.entry.settled.store(true, Ordering::Release);
        self.turn = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_call_of_a_key_goes_alone_and_the_next_ones_share_its_findings() {
        let caches = Arc::new(SharedCaches::default());
        let mut first = caches.checkout("slack\ttoken-a").await;
        assert_eq!(first.cache, None);
        let waiting = tokio::spawn({
            let caches = Arc::clone(&caches);
            async move { caches.checkout("slack\ttoken-a").await.cache }
        });
        // Another key does not wait.
        assert_eq!(caches.checkout("slack\ttoken-b").await.cache, None);
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "a second call went before the first one ended");
        first.keep(Some(r#"{"channels":{"billing":"C1"}}"#.into()));
        assert_eq!(waiting.await.unwrap().as_deref(), Some(r#"{"channels":{"billing":"C1"}}"#));
        // With a cache, calls no longer take turns.
        let _held = caches.checkout("slack\ttoken-a").await;
        assert!(caches.checkout("slack\ttoken-a").await.cache.is_some());
    }

    #[tokio::test]
    async fn once_a_call_ended_calls_run_side_by_side_even_with_nothing_cached() {
        let caches = SharedCaches::default();
        let mut first = caches.checkout("k").await;
        first.keep(None);
        let second = caches.checkout("k").await;
        assert_eq!(second.cache, None);
        // The second still runs: the third does not wait for it.
        let third = tokio::time::timeout(Duration::from_secs(5), caches.checkout("k")).await;
        assert!(third.is_ok(), "a call waited although the key's first call had ended");
        let oversized = "x".repeat(MAX_BYTES + 1);
        let mut fourth = caches.checkout("k").await;
        fourth.keep(Some(oversized));
        assert_eq!(caches.checkout("k").await.cache, None, "an oversized cache was kept");
    }
}
