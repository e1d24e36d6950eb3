//! What the engine reports while it runs, for a terminal or a log.

use std::time::Duration;

use serde_json::{Map, Value};

use herald_bpmn::{Element, SequenceFlow};
use herald_core::StepError;
use herald_core::StepRecord;

/// Receives progress events; every method does nothing by default.
pub trait Observer: Send + Sync {
    /// An attempt failed and another one follows after `delay`.
    fn retrying(&self, _task: &Element, _attempt: u32, _error: &StepError, _delay: Duration) {}
    /// An attempt under way when the host stopped may have delivered without hearing
    /// back; its repeat waits `wait`, until nothing it sent can still land, then looks.
    fn settling(&self, _task: &Element, _wait: Duration) {}
    /// A connector deferred delivery (e.g. a throttle window); the step waits `wait`.
    fn deferred(&self, _task: &Element, _wait: Duration) {}
    /// A token waits `duration` at an element: a timer, or a task until its next send.
    fn waiting(&self, _timer: &Element, _duration: Duration) {}
    /// A step ended, well or not.
    fn step_finished(&self, _task: &Element, _record: &StepRecord) {}
    /// An exclusive gateway took a flow.
    fn gateway_taken(&self, _gateway: &Element, _flow: &SequenceFlow) {}
    /// A script task was evaluated; `variables` are the instance's, with what it set.
    fn script_evaluated(&self, _script: &Element, _variables: &Map<String, Value>) {}
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {}
