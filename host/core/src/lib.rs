//! What every herald host shares: the records of process instances and their steps, where
//! an instance's tokens stand, why a step failed, and the clock.

mod clock;
mod instance;
mod position;
mod step_error;

pub use clock::{Clock, now_ms};
pub use instance::{Incident, InstanceRecord, InstanceState, Ledger, StepRecord, StepStatus};
pub use position::{Position, Token};
pub use step_error::{ATTEMPT_PHASE, FailureInfo, InputIssue, StepError};
