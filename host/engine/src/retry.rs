//! How long to wait before the next attempt of a failed step.

use std::time::Duration;

use herald_bpmn::{InvalidDuration, ServiceTask, parse_duration};

/// The task header that sets the first backoff (ISO 8601 duration, as in Camunda).
pub const BACKOFF_HEADER: &str = "retryBackoff";

/// The first backoff when the task does not set one.
const DEFAULT_BACKOFF: Duration = Duration::from_secs(1);
/// No wait grows past this.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// A `retryBackoff` header that is not a duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("`{BACKOFF_HEADER}` must be an ISO 8601 duration such as PT5S: {0}")]
pub struct InvalidBackoff(InvalidDuration);

/// Exponential backoff that honours the service's `Retry-After`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    first: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { first: DEFAULT_BACKOFF }
    }
}

impl Backoff {
    /// The backoff of `task`, from its `retryBackoff` header if it has one.
    pub fn of(task: &ServiceTask) -> Result<Self, InvalidBackoff> {
        Self::from_header(task.headers.get(BACKOFF_HEADER).map(String::as_str))
    }

    /// A backoff from a `retryBackoff` header, if any.
    pub fn from_header(header: Option<&str>) -> Result<Self, InvalidBackoff> {
        let first = match header.map(str::trim).filter(|h| !h.is_empty()) {
            None => DEFAULT_BACKOFF,
            Some(text) => parse_duration(text).map_err(InvalidBackoff)?,
        };
        Ok(Self { first })
    }

    /// The wait after failed attempt number `attempt` (1-based): first, 2×first, 4×first, …,
    /// but never less than what the service asked for.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1));
        let backoff = self.first.saturating_mul(factor).min(MAX_BACKOFF);
        retry_after.map_or(backoff, |asked| asked.max(backoff))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_and_honours_retry_after() {
        let backoff = Backoff::from_header(Some("PT0.5S")).unwrap();
        assert_eq!(backoff.delay(1, None), Duration::from_millis(500));
        assert_eq!(backoff.delay(3, None), Duration::from_secs(2));
        assert_eq!(backoff.delay(1, Some(Duration::from_secs(2))), Duration::from_secs(2));
        assert_eq!(backoff.delay(40, None), MAX_BACKOFF);
    }

    #[test]
    fn default_and_bad_headers() {
        assert_eq!(Backoff::from_header(None).unwrap().delay(1, None), DEFAULT_BACKOFF);
        assert!(Backoff::from_header(Some("five seconds")).unwrap_err().to_string().contains("ISO 8601"));
    }
}
