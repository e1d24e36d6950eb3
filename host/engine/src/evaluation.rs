//! What FEEL may know beyond the variables: the time the event brought, and a seed that
//! names the evaluation, so that `now()`, `uuid()` and `random number()` give the same
//! values when the same events are replayed.

use herald_feel::Context;

/// The context of the FEEL evaluations made for `key` (what identifies them: an
/// instance's element and visit, a step's execution key) at `now_ms`, read in UTC.
pub fn feel_context(key: &str, now_ms: u64) -> Context {
    Context { now_millis: i64::try_from(now_ms).unwrap_or(i64::MAX), offset_seconds: 0, seed: fnv1a(key) }
}

/// FNV-1a, written out because std's hasher may change between Rust releases, and a replay
/// on a newer build must draw the same values.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_is_fixed_by_the_key_and_differs_between_keys() {
        // FNV-1a's published value for "a".
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(feel_context("i/task", 5).seed, feel_context("i/task", 9).seed);
        assert_ne!(feel_context("i/task", 5).seed, feel_context("i/task/2", 5).seed);
        assert_eq!(feel_context("i/task", 5).now_millis, 5);
    }
}
