//! The wall clock, waited on with tokio's timer.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use herald_core::{Clock, now_ms};

/// The wall clock: the time of the system, and waits on tokio's timer.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        now_ms()
    }

    fn wait_until(&self, due_ms: u64) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(Duration::from_millis(due_ms.saturating_sub(now_ms()))))
    }
}
