//! The process engine: runs one instance of a BPMN process from its start event to an end
//! event, calling connectors for service tasks, with retries and durable records.

mod gateway;
mod inputs;
mod instance;
mod observer;
mod retry;
mod step_error;

pub use inputs::insert_path;
pub use instance::{Incident, InstanceRecord, InstanceState, StepRecord, StepStatus};
pub use observer::{Observer, Silent};
pub use retry::{Backoff, parse_duration};
pub use step_error::{FailureInfo, InputIssue, StepError};

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::bpmn::{Element, ElementKind, Process, ServiceTask};
use crate::runtime::{Connector, SendRequest};
use crate::secrets::Vault;
use crate::state::{StateDir, StateError};

/// A flow that loops longer than this is stopped as an incident.
const MAX_ELEMENT_VISITS: usize = 10_000;

/// Runs process instances against a set of connectors.
pub struct Engine {
    connectors: HashMap<String, Connector>,
    vault: Vault,
    state: StateDir,
}

/// How one service task ended: the record, and the output to store on success.
struct StepOutcome {
    record: StepRecord,
    output: Option<Value>,
}

impl Engine {
    /// An engine with these connectors (by task type), secrets and state directory.
    pub fn new(connectors: HashMap<String, Connector>, vault: Vault, state: StateDir) -> Self {
        Self { connectors, vault, state }
    }

    /// Runs one instance to its end (completed or incident), saving its record at every move.
    pub async fn run(
        &self,
        process: &Process,
        variables: Map<String, Value>,
        observer: &dyn Observer,
    ) -> Result<InstanceRecord, StateError> {
        let mut record = InstanceRecord {
            instance: uuid::Uuid::now_v7().to_string(),
            process: process.id.clone(),
            state: InstanceState::Running,
            variables,
            steps: Vec::new(),
            incident: None,
        };
        self.state.save(&record)?;
        let mut current = process.start;
        for _ in 0..MAX_ELEMENT_VISITS {
            let element = &process.elements[current];
            let next = match &element.kind {
                ElementKind::StartEvent => Ok(element.outgoing[0]),
                ElementKind::EndEvent => {
                    record.state = InstanceState::Completed;
                    self.state.save(&record)?;
                    return Ok(record);
                }
                ElementKind::ExclusiveGateway { default } => {
                    let scope = Value::Object(record.variables.clone());
                    gateway::choose(process, element, *default, &scope).inspect(|&flow| {
                        observer.gateway_taken(element, &process.flows[flow]);
                    })
                }
                ElementKind::ServiceTask(task) => {
                    let outcome = self.run_task(&record.instance, element, task, &record.variables, observer).await;
                    observer.step_finished(element, &outcome.record);
                    let failure = outcome.record.error.as_ref().map(ToString::to_string);
                    record.steps.push(outcome.record);
                    if let (Some(output), Some(name)) = (outcome.output, task.result_variable()) {
                        record.variables.insert(name.to_owned(), output);
                    }
                    failure.map_or(Ok(element.outgoing[0]), Err)
                }
            };
            match next {
                Ok(flow) => current = process.flows[flow].target,
                Err(message) => {
                    record.state = InstanceState::Incident;
                    record.incident = Some(Incident { element: element.id.clone(), message });
                    self.state.save(&record)?;
                    return Ok(record);
                }
            }
            self.state.save(&record)?;
        }
        record.state = InstanceState::Incident;
        record.incident = Some(Incident {
            element: process.elements[current].id.clone(),
            message: format!("the instance visited {MAX_ELEMENT_VISITS} elements without ending; check the flow for an endless loop"),
        });
        self.state.save(&record)?;
        Ok(record)
    }

    /// Runs a service task with up to `retries` attempts.
    async fn run_task(
        &self,
        instance: &str,
        element: &Element,
        task: &ServiceTask,
        variables: &Map<String, Value>,
        observer: &dyn Observer,
    ) -> StepOutcome {
        let mut record = StepRecord {
            id: element.id.clone(),
            task_type: task.task_type.clone(),
            status: StepStatus::Failed,
            attempts: 0,
            output: None,
            error: None,
        };
        let prepared = self.prepare(task, variables);
        let (connector, request) = match prepared {
            Ok(ready) => ready,
            Err(error) => {
                record.error = Some(error);
                return StepOutcome { record, output: None };
            }
        };
        let backoff = match Backoff::from_header(task.headers.get(retry::BACKOFF_HEADER).map(String::as_str)) {
            Ok(backoff) => backoff,
            Err(message) => {
                record.error = Some(StepError::Input { message });
                return StepOutcome { record, output: None };
            }
        };
        let mut request = SendRequest { execution_key: format!("{instance}/{}", element.id), ..request };
        for attempt in 1..=task.retries {
            request.attempt = attempt;
            record.attempts = attempt;
            let error = match connector.send(&request).await {
                Ok(result) => match serde_json::from_str::<Value>(&result.output) {
                    Ok(output) => {
                        record.status = StepStatus::Completed;
                        record.output = Some(output.clone());
                        return StepOutcome { record, output: Some(output) };
                    }
                    Err(err) => StepError::Crashed {
                        message: format!("the {} connector returned output that is not JSON: {err}", task.task_type),
                    },
                },
                Err(err) => StepError::from(err),
            };
            if error.is_retryable() && attempt < task.retries {
                let delay = backoff.delay(attempt, error.retry_after());
                observer.retrying(element, attempt, &error, delay);
                tokio::time::sleep(delay).await;
            } else {
                record.error = Some(error);
                break;
            }
        }
        StepOutcome { record, output: None }
    }

    /// Finds the connector and computes the request of a task.
    fn prepare(&self, task: &ServiceTask, variables: &Map<String, Value>) -> Result<(&Connector, SendRequest), StepError> {
        let connector = self
            .connectors
            .get(&task.task_type)
            .ok_or_else(|| StepError::UnknownConnector { task_type: task.task_type.clone() })?;
        let config = inputs::configuration(&task.inputs, variables, connector.config_defaults(), &self.vault)?;
        let request = SendRequest {
            config: Value::Object(config.inputs).to_string(),
            variables: Value::Object(variables.clone()).to_string(),
            computed: config.computed,
            execution_key: String::new(),
            attempt: 1,
            state: None,
        };
        Ok((connector, request))
    }
}
