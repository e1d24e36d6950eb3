//! What one connector call may use — memory, CPU time (measured by epoch interruption),
//! time on outgoing HTTP — and the record of what stopped a call, so a step's error names
//! the limit (or the denied destination) instead of the component's own complaint.

use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use wasmtime::ResourceLimiter;

use super::error::RuntimeError;

/// How often the engine's epoch advances: the granularity of the CPU limit.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The resources of one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Linear memory per instance (`HERALD_MEMORY_LIMIT_MB`, default 128).
    pub memory_bytes: usize,
    /// Time running WebAssembly per call (`HERALD_CPU_LIMIT_MS`, default 5,000); each wait on
    /// the host, an HTTP request say, counts one epoch tick.
    pub cpu: Duration,
    /// Connecting to a server (`HERALD_CONNECT_TIMEOUT_MS`, default 10,000).
    pub connect: Duration,
    /// From sending a request to the first byte of its reply
    /// (`HERALD_FIRST_BYTE_TIMEOUT_MS`, default 30,000).
    pub first_byte: Duration,
    /// Between two parts of a reply (`HERALD_BETWEEN_BYTES_TIMEOUT_MS`, default 30,000).
    pub between_bytes: Duration,
    /// A whole attempt, wall-clock (`HERALD_ATTEMPT_TIMEOUT_MS`, default 60,000): the
    /// request timeouts bound each wait, but a server that trickles a byte just inside
    /// them would hold a step for hours. It is also how long a repeat waits after an
    /// attempt that got no answer, so that nothing the earlier one sent can still land.
    pub attempt: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            memory_bytes: 128 << 20,
            cpu: Duration::from_secs(5),
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(30),
            between_bytes: Duration::from_secs(30),
            attempt: Duration::from_secs(60),
        }
    }
}

impl Limits {
    /// The defaults, with the environment's overrides; a value out of its range is refused.
    pub fn from_environment() -> Result<Self, RuntimeError> {
        Self::from_variables(|name| std::env::var(name).ok())
    }

    /// The defaults, with the overrides `variable` finds by name, by the rules of
    /// [`Limits::from_environment`].
    fn from_variables(variable: impl Fn(&str) -> Option<String>) -> Result<Self, RuntimeError> {
        let mut limits = Self::default();
        let number = |name, range| number(name, variable(name), range);
        // Below 16 MiB a component hardly instantiates; 4 GiB is all a 32-bit memory holds.
        if let Some(mb) = number("HERALD_MEMORY_LIMIT_MB", 16..=4096)? {
            limits.memory_bytes = usize::try_from(mb << 20).expect("at most 4 GiB");
        }
        // Up to an hour; the CPU limit is counted in ticks, so at least one.
        let millis = |name, least| number(name, least..=MAX_MILLIS).map(|n| n.map(Duration::from_millis));
        let tick = EPOCH_TICK.as_millis() as u64;
        limits.cpu = millis("HERALD_CPU_LIMIT_MS", tick)?.unwrap_or(limits.cpu);
        limits.connect = millis("HERALD_CONNECT_TIMEOUT_MS", 1)?.unwrap_or(limits.connect);
        limits.first_byte = millis("HERALD_FIRST_BYTE_TIMEOUT_MS", 1)?.unwrap_or(limits.first_byte);
        limits.between_bytes = millis("HERALD_BETWEEN_BYTES_TIMEOUT_MS", 1)?.unwrap_or(limits.between_bytes);
        limits.attempt = millis("HERALD_ATTEMPT_TIMEOUT_MS", 1)?.unwrap_or(limits.attempt);
        Ok(limits)
    }

    /// The CPU limit in epoch ticks.
    pub fn cpu_ticks(&self) -> u64 {
        (self.cpu.as_millis() / EPOCH_TICK.as_millis()).max(1) as u64
    }
}

/// The longest any time limit may be set to: an hour.
const MAX_MILLIS: u64 = 3_600_000;

/// The whole number in `range` that the variable `name` holds, if it is set.
fn number(name: &'static str, value: Option<String>, range: RangeInclusive<u64>) -> Result<Option<u64>, RuntimeError> {
    match value {
        None => Ok(None),
        Some(text) => match text.trim().parse::<u64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(RuntimeError::Limit { name, value: text, min: *range.start(), max: *range.end() }),
        },
    }
}

/// What stopped a call short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// It tried to reach a destination outside the egress policy.
    Egress {
        /// The host (or `address:port` of a raw socket).
        host: String,
    },
    /// It asked for more memory than its limit.
    Memory {
        /// The limit in bytes.
        limit_bytes: usize,
    },
    /// It ran longer than its CPU limit.
    Cpu {
        /// The limit.
        limit: Duration,
    },
    /// The attempt ran past its wall-clock deadline.
    Deadline {
        /// The deadline.
        after: Duration,
    },
    /// A server did not answer in time.
    Timeout {
        /// Which wait: `connect`, `first byte` or `between bytes`.
        phase: &'static str,
        /// The server.
        host: String,
        /// The limit.
        after: Duration,
    },
}

/// Where the hooks and limiters of one call record the first thing that stopped it.
#[derive(Debug, Clone, Default)]
pub struct Tripwire(Arc<Mutex<Option<Stop>>>);

impl Tripwire {
    /// Records `stop`, unless something stopped the call already.
    pub fn trip(&self, stop: Stop) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(stop);
    }

    /// What stopped the call, if anything did.
    pub fn take(&self) -> Option<Stop> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }
}

/// Refuses memory growth past the limit, recording it.
pub struct MemoryLimiter {
    limit_bytes: usize,
    tripwire: Tripwire,
}

impl MemoryLimiter {
    /// A limiter of `limit_bytes` recording to `tripwire`.
    pub fn new(limit_bytes: usize, tripwire: Tripwire) -> Self {
        Self { limit_bytes, tripwire }
    }
}

impl ResourceLimiter for MemoryLimiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.limit_bytes {
            self.tripwire.trip(Stop::Memory { limit_bytes: self.limit_bytes });
            // A failed grow, not a trap: the component may still fail gracefully.
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        // Table elements are pointers; hold tables to the same budget.
        Ok(desired.saturating_mul(size_of::<usize>()) <= self.limit_bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_stop_is_the_one_reported() {
        let tripwire = Tripwire::default();
        tripwire.trip(Stop::Cpu { limit: Duration::from_secs(1) });
        tripwire.trip(Stop::Memory { limit_bytes: 1 });
        assert_eq!(tripwire.take(), Some(Stop::Cpu { limit: Duration::from_secs(1) }));
        assert_eq!(tripwire.take(), None);
    }

    fn limits(variables: &[(&str, &str)]) -> Result<Limits, RuntimeError> {
        Limits::from_variables(|name| variables.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned()))
    }

    #[test]
    fn variables_set_each_limit_within_its_range_and_a_value_outside_is_refused_by_name() {
        assert_eq!(limits(&[]).unwrap(), Limits::default());
        let set = limits(&[
            ("HERALD_MEMORY_LIMIT_MB", " 16 "),
            ("HERALD_CPU_LIMIT_MS", "10"),
            ("HERALD_CONNECT_TIMEOUT_MS", "1"),
            ("HERALD_FIRST_BYTE_TIMEOUT_MS", "2"),
            ("HERALD_BETWEEN_BYTES_TIMEOUT_MS", "3"),
            ("HERALD_ATTEMPT_TIMEOUT_MS", "3600000"),
        ])
        .unwrap();
        let expected = Limits {
            memory_bytes: 16 << 20,
            cpu: Duration::from_millis(10),
            connect: Duration::from_millis(1),
            first_byte: Duration::from_millis(2),
            between_bytes: Duration::from_millis(3),
            attempt: Duration::from_secs(3600),
        };
        assert_eq!(set, expected);
        assert_eq!(limits(&[("HERALD_MEMORY_LIMIT_MB", "4096")]).unwrap().memory_bytes, 4096 << 20);
        for (name, value, least, most) in [
            ("HERALD_MEMORY_LIMIT_MB", "15", 16, 4096),
            ("HERALD_MEMORY_LIMIT_MB", "4097", 16, 4096),
            ("HERALD_CPU_LIMIT_MS", "9", 10, MAX_MILLIS),
            ("HERALD_ATTEMPT_TIMEOUT_MS", "0", 1, MAX_MILLIS),
            ("HERALD_ATTEMPT_TIMEOUT_MS", "3600001", 1, MAX_MILLIS),
            ("HERALD_CONNECT_TIMEOUT_MS", "ten", 1, MAX_MILLIS),
        ] {
            let error = limits(&[(name, value)]).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("{name} must be a whole number from {least} to {most}, not `{value}`")
            );
        }
    }

    #[test]
    fn the_cpu_limit_counts_whole_epoch_ticks_and_at_least_one() {
        let ticks = |millis| Limits { cpu: Duration::from_millis(millis), ..Limits::default() }.cpu_ticks();
        assert_eq!(ticks(5_000), 500);
        assert_eq!(ticks(25), 2);
        assert_eq!(ticks(3), 1);
    }

    #[test]
    fn tables_are_held_to_the_memory_limit_at_a_pointer_an_element() {
        let mut limiter = MemoryLimiter::new(1 << 20, Tripwire::default());
        let most = (1 << 20) / size_of::<usize>();
        assert!(limiter.table_growing(0, most, None).unwrap());
        assert!(!limiter.table_growing(0, most + 1, None).unwrap());
    }

    #[test]
    fn memory_past_the_limit_is_refused_and_recorded() {
        let tripwire = Tripwire::default();
        let mut limiter = MemoryLimiter::new(1 << 20, tripwire.clone());
        assert!(limiter.memory_growing(0, 1 << 20, None).unwrap());
        assert!(tripwire.take().is_none());
        assert!(!limiter.memory_growing(1 << 20, 2 << 20, None).unwrap());
        assert_eq!(tripwire.take(), Some(Stop::Memory { limit_bytes: 1 << 20 }));
    }
}
