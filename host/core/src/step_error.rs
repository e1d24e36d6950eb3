//! Why a step failed, typed so retries are decided by kind and never by strings.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The `phase` of a [`StepError::Timeout`] that the attempt's deadline stopped.
pub const ATTEMPT_PHASE: &str = "attempt";

/// A failure reported by a remote service or a connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureInfo {
    /// Machine-readable code, e.g. Slack's `not_in_channel`.
    pub code: String,
    /// What happened.
    pub message: String,
    /// What the designer can do.
    pub hint: String,
}

/// One input problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputIssue {
    /// The input, e.g. `channel`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why one attempt of a step failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StepError {
    /// The service asked to slow down.
    RateLimited {
        /// Seconds to wait.
        retry_after_seconds: u32,
        /// What was limited.
        message: String,
    },
    /// A temporary failure; a retry may succeed.
    Transient(FailureInfo),
    /// The step's inputs are wrong.
    InvalidConfig {
        /// Every problem.
        issues: Vec<InputIssue>,
    },
    /// Credentials missing, invalid or lacking a scope.
    Unauthorized(FailureInfo),
    /// The destination does not exist.
    NotFound(FailureInfo),
    /// Refused for another reason.
    Rejected(FailureInfo),
    /// The component tried to reach a destination outside the allow-list.
    EgressDenied {
        /// The denied destination (`scheme://host:port`, or a raw socket's address).
        host: String,
        /// The allowed destinations.
        allowed: Vec<String>,
    },
    /// A server did not answer within herald's timeout, or the whole attempt ran past its
    /// deadline; a retry may succeed.
    Timeout {
        /// `connect`, `first byte`, `between bytes`, or `attempt` for the deadline.
        phase: String,
        /// The server.
        host: String,
        /// The limit in milliseconds.
        after_ms: u64,
    },
    /// The component used more than its share: `memory` or `cpu`.
    LimitExceeded {
        /// Which limit.
        limit: String,
        /// The limit, for a person (`128 MiB`, `5 s`).
        value: String,
        /// The environment variable that sets it.
        setting: String,
    },
    /// The inputs could not be computed (FEEL evaluation, a missing secret).
    Input {
        /// What went wrong.
        message: String,
    },
    /// The component crashed or could not be instantiated.
    Crashed {
        /// The trap.
        message: String,
    },
    /// herald could not read or write its state directory.
    State {
        /// The I/O problem.
        message: String,
    },
    /// The task's `errorExpression` raised a BPMN error (Camunda's `bpmnError`), which an
    /// error boundary event with this code catches.
    BpmnError {
        /// The error code.
        code: String,
        /// What happened.
        message: String,
    },
    /// The task's `errorExpression` failed the job (Camunda's `jobError`).
    JobError {
        /// What happened.
        message: String,
    },
    /// No connector is loaded for the task type.
    UnknownConnector {
        /// The task type.
        task_type: String,
    },
}

impl StepError {
    /// Whether another attempt may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StepError::RateLimited { .. } | StepError::Transient(_) | StepError::Timeout { .. })
    }

    /// The service's or connector's error code (e.g. `channel_not_found`), when it has one.
    pub fn code(&self) -> Option<&str> {
        match self {
            StepError::Transient(info)
            | StepError::Unauthorized(info)
            | StepError::NotFound(info)
            | StepError::Rejected(info) => Some(&info.code),
            StepError::BpmnError { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The least time to wait before the next attempt, when the service said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            StepError::RateLimited { retry_after_seconds, .. } => {
                Some(Duration::from_secs((*retry_after_seconds).into()))
            }
            _ => None,
        }
    }
}

impl fmt::Display for StepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Connector messages usually name the code already; say it once.
        let failure = |f: &mut fmt::Formatter<'_>, info: &FailureInfo| {
            f.write_str(&info.message)?;
            if !info.message.contains(&info.code) {
                write!(f, " (`{}`)", info.code)?;
            }
            if !info.hint.is_empty() {
                write!(f, ". Fix: {}", info.hint)?;
            }
            Ok(())
        };
        match self {
            StepError::RateLimited { retry_after_seconds, message } => {
                write!(f, "rate limited, retry after {retry_after_seconds} s: {message}")
            }
            StepError::Transient(info) => failure(f, info),
            StepError::InvalidConfig { issues } => {
                let list: Vec<String> = issues.iter().map(|i| format!("`{}`: {}", i.field, i.message)).collect();
                write!(f, "invalid inputs: {}", list.join("; "))
            }
            StepError::Unauthorized(info) => failure(f, info),
            StepError::NotFound(info) => failure(f, info),
            StepError::Rejected(info) => failure(f, info),
            StepError::EgressDenied { host, allowed } => write!(
                f,
                "the connector tried to reach `{host}`, which is not allowed (allowed: {}); a connector reaches only its service's hosts and the origin of the API URL the host was given",
                allowed.join(", ")
            ),
            StepError::Timeout { phase, after_ms, .. } if phase == ATTEMPT_PHASE => write!(
                f,
                "the attempt did not finish within its deadline of {after_ms} ms, so it was stopped (HERALD_ATTEMPT_TIMEOUT_MS sets it)"
            ),
            StepError::Timeout { phase, host, after_ms } => {
                let setting = match phase.as_str() {
                    "connect" => "HERALD_CONNECT_TIMEOUT_MS",
                    "first byte" => "HERALD_FIRST_BYTE_TIMEOUT_MS",
                    _ => "HERALD_BETWEEN_BYTES_TIMEOUT_MS",
                };
                write!(
                    f,
                    "`{host}` did not answer in time: the {phase} timeout of {after_ms} ms stopped the request ({setting} sets it)"
                )
            }
            StepError::LimitExceeded { limit, value, setting } => {
                let what = if limit == "cpu" { "CPU time" } else { "memory" };
                write!(f, "the connector was stopped by its {what} limit of {value} ({setting} sets it)")
            }
            StepError::Input { message } => write!(f, "cannot compute the inputs: {message}"),
            StepError::Crashed { message } => f.write_str(message),
            StepError::State { message } => write!(f, "herald's state directory failed: {message}"),
            StepError::BpmnError { code, message } => {
                write!(f, "the error expression raised BPMN error `{code}`: {message}")
            }
            StepError::JobError { message } => write!(f, "the error expression failed the step: {message}"),
            StepError::UnknownConnector { task_type } => {
                write!(f, "no connector for task type `{task_type}`; load one with --connector {task_type}=PATH.wasm")
            }
        }
    }
}
