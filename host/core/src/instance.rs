//! The record of one process instance: what `--json`, `herald show` and the summary show.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::step_error::StepError;

/// Where an instance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InstanceState {
    /// Still running.
    Running,
    /// Reached an end event.
    Completed,
    /// Stopped on a failure that needs a person.
    Incident,
}

/// The outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// An attempt is under way (or was, when the host stopped: `resume` attempts it again).
    Running,
    /// The connector delivered.
    Completed,
    /// Every attempt failed, or the failure was permanent.
    Failed,
}

/// One executed service task.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StepRecord {
    /// The task's element id.
    pub id: String,
    /// The connector task type.
    #[serde(rename = "type")]
    pub task_type: String,
    /// How it ended.
    pub status: StepStatus,
    /// Attempts made.
    pub attempts: u32,
    /// The connector's output, when it succeeded.
    pub output: Option<Value>,
    /// The last attempt's error, when it failed (while the step waits to retry, too); none
    /// while an attempt is under way.
    pub error: Option<StepError>,
    /// How long the step took, in microseconds: its inputs, every attempt and the waits
    /// between them (after a resume, the part since the resume).
    #[serde(default)]
    pub duration_us: u64,
    /// What its attempts are known to have delivered, once one was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ledger: Option<Ledger>,
    /// When its next attempt is due (ms since the Unix epoch), while it waits to retry: saved,
    /// so that a resume waits only for what is left of the backoff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before_ms: Option<u64>,
    /// The connector deferred its delivery (a throttle window) until `not_before_ms`: the
    /// send then due delivers the latest content, and is not a new attempt.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferred: bool,
}

impl StepRecord {
    /// A step of task `id` (of connector type `task_type`) that has just begun: running, no
    /// attempt made.
    pub fn begun(id: &str, task_type: &str) -> Self {
        Self {
            id: id.to_owned(),
            task_type: task_type.to_owned(),
            status: StepStatus::Running,
            attempts: 0,
            output: None,
            error: None,
            duration_us: 0,
            ledger: None,
            not_before_ms: None,
            deferred: false,
        }
    }
}

/// herald's ledger of a step's attempts: saved before each attempt and with its outcome,
/// so that a repeat delivers only what is missing, and waits and looks for what an
/// attempt may have delivered only when its answer was lost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// When the latest attempt started (ms since the Unix epoch).
    pub attempt_ms: u64,
    /// What the attempts delivered, as the connector reported it (e.g. Slack's channel
    /// and message `ts` of each part).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<String>,
    /// Since when an attempt may have delivered more than `progress` says: the start of
    /// the earliest attempt that got no answer or was under way when the host stopped;
    /// none while nothing is in doubt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_doubt_since_ms: Option<u64>,
}

/// Why an instance stopped short of an end event.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Incident {
    /// The element where it stopped.
    pub element: String,
    /// What went wrong, for a person.
    pub message: String,
}

/// One process instance.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceRecord {
    /// The instance id.
    pub instance: String,
    /// The process id.
    pub process: String,
    /// Where it stands.
    pub state: InstanceState,
    /// The process variables.
    pub variables: Map<String, Value>,
    /// The steps, in execution order.
    pub steps: Vec<StepRecord>,
    /// Why it stopped, when it is an incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incident: Option<Incident>,
}
