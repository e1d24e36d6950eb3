//! ISO 8601 durations, as BPMN timers and Camunda's `retryBackoff` header write them.

use std::time::Duration;

/// Parses an ISO 8601 duration (`PT5M`, `P1DT2H`, `PT0.5S`).
pub fn parse_duration(text: &str) -> Result<Duration, InvalidDuration> {
    // The whole text: `iso8601::duration` takes a valid start and drops the rest, so
    // `PT-5S` would be a zero wait.
    match iso8601::parsers::parse_duration(text.as_bytes()) {
        Ok(([], duration)) => Ok(duration.into()),
        _ => Err(InvalidDuration),
    }
}

/// A text that is not an ISO 8601 duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("expected P[nY][nM][nW][nD][T[nH][nM][nS]], no part negative")]
pub struct InvalidDuration;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duration_is_the_whole_text_and_never_negative() {
        assert_eq!(parse_duration("PT5S"), Ok(Duration::from_secs(5)));
        assert_eq!(parse_duration("P1DT0.5S"), Ok(Duration::from_millis(86_400_500)));
        for bad in ["PT-5S", "-PT5S", "PT5S later", "P-1D"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
