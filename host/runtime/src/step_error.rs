//! How a failed call reads as a step error, the engine's typed view of a failure.

use herald_core::{ATTEMPT_PHASE, FailureInfo, InputIssue, StepError};

use crate::{CallError, ConnectorError, Failure, Stop};

impl From<Failure> for FailureInfo {
    fn from(f: Failure) -> Self {
        FailureInfo { code: f.code, message: f.message, hint: f.hint }
    }
}

impl From<CallError> for StepError {
    fn from(err: CallError) -> Self {
        match err {
            CallError::Connector(err) => match err {
                ConnectorError::RateLimited(r) => {
                    StepError::RateLimited { retry_after_seconds: r.retry_after_seconds, message: r.message }
                }
                ConnectorError::Transient(f) => StepError::Transient(f.into()),
                ConnectorError::InvalidConfig(issues) => StepError::InvalidConfig {
                    issues: issues.into_iter().map(|i| InputIssue { field: i.field, message: i.message }).collect(),
                },
                ConnectorError::Unauthorized(f) => StepError::Unauthorized(f.into()),
                ConnectorError::NotFound(f) => StepError::NotFound(f.into()),
                ConnectorError::Rejected(f) => StepError::Rejected(f.into()),
            },
            CallError::EgressDenied { host, allowed } => StepError::EgressDenied { host, allowed },
            CallError::Limit(stop) => match stop {
                Stop::Timeout { phase, host, after } => StepError::Timeout {
                    phase: phase.to_owned(),
                    host,
                    after_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                },
                Stop::Memory { limit_bytes } => StepError::LimitExceeded {
                    limit: "memory".into(),
                    value: format!("{} MiB", limit_bytes >> 20),
                    setting: "HERALD_MEMORY_LIMIT_MB".into(),
                },
                Stop::Cpu { limit } => StepError::LimitExceeded {
                    limit: "cpu".into(),
                    value: format!("{} ms", limit.as_millis()),
                    setting: "HERALD_CPU_LIMIT_MS".into(),
                },
                Stop::Egress { host } => StepError::EgressDenied { host, allowed: Vec::new() },
                Stop::Deadline { after } => StepError::Timeout {
                    phase: ATTEMPT_PHASE.to_owned(),
                    host: String::new(),
                    after_ms: u64::try_from(after.as_millis()).unwrap_or(u64::MAX),
                },
            },
            CallError::Runtime(err) => StepError::Crashed { message: err.to_string() },
        }
    }
}
