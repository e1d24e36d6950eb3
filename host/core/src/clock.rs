//! The clock: where a host reads the time and how it waits for a due time. The interpreter
//! takes the time from its events; the host that drives it reads it here, so a test can
//! drive a day-long flow with a clock it moves by hand.

use std::future::Future;
use std::pin::Pin;

/// Where a host reads the time and how it waits until a wait is due.
pub trait Clock: Send + Sync {
    /// The time now, in milliseconds since the Unix epoch.
    fn now_ms(&self) -> u64;

    /// Resolves once `due_ms` (milliseconds since the Unix epoch) has come.
    fn wait_until(&self, due_ms: u64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The wall-clock time in milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}
