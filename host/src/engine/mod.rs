//! The process engine: runs one instance of a BPMN process from its start event to an end
//! event, calling connectors for service tasks, with retries and durable records.

mod gateway;
mod inputs;
mod instance;
mod observer;
mod retry;
mod step_error;

pub use inputs::{Configuration, configuration, insert_path};
pub use instance::{Incident, InstanceRecord, InstanceState, StepRecord, StepStatus};
pub use observer::{Observer, Silent};
pub use retry::{Backoff, parse_duration};
pub use step_error::{FailureInfo, InputIssue, StepError};

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::bpmn::{Element, ElementKind, Process, ServiceTask};
use crate::runtime::{Connector, SendRequest, StepResult};
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
        // Each connector's scratch data for this instance (see `send-request.cache`).
        let mut caches = HashMap::new();
        // Tokens waiting to move, oldest first; branches take turns, one element at a time.
        let mut tokens = VecDeque::from([process.start]);
        // Tokens that have reached each parallel gateway and wait for the others.
        let mut joining: HashMap<usize, usize> = HashMap::new();
        let mut visits = 0;
        while let Some(current) = tokens.pop_front() {
            visits += 1;
            let element = &process.elements[current];
            if visits > MAX_ELEMENT_VISITS {
                let message = format!("the instance visited {MAX_ELEMENT_VISITS} elements without ending; check the flow for an endless loop");
                return self.incident(record, element, message);
            }
            let next: Result<Vec<usize>, String> = match &element.kind {
                ElementKind::StartEvent | ElementKind::IntermediateEvent | ElementKind::ErrorBoundary { .. } => {
                    Ok(vec![element.outgoing[0]])
                }
                ElementKind::EndEvent => Ok(Vec::new()),
                ElementKind::Timer { duration } => {
                    observer.waiting(element, *duration);
                    tokio::time::sleep(*duration).await;
                    Ok(vec![element.outgoing[0]])
                }
                ElementKind::ExclusiveGateway { default } => {
                    let scope = Value::Object(record.variables.clone());
                    gateway::choose(process, element, *default, &scope).map(|flow| {
                        observer.gateway_taken(element, &process.flows[flow]);
                        vec![flow]
                    })
                }
                ElementKind::ParallelGateway => {
                    let arrived = joining.entry(current).or_default();
                    *arrived += 1;
                    if *arrived < element.incoming.max(1) {
                        Ok(Vec::new())
                    } else {
                        joining.remove(&current);
                        Ok(element.outgoing.clone())
                    }
                }
                ElementKind::ServiceTask(task) => {
                    let step = self.run_task(&record.instance, element, task, &record.variables, &mut caches, observer).await;
                    observer.step_finished(element, &step);
                    if let (Some(output), Some(name)) = (&step.output, task.result_variable()) {
                        record.variables.insert(name.to_owned(), output.clone());
                    }
                    let outcome = match &step.error {
                        None => Ok(vec![element.outgoing[0]]),
                        Some(error) => match boundary_for(process, current, error) {
                            // The boundary event takes the token; its flow continues.
                            Some(boundary) => {
                                tokens.push_back(boundary);
                                Ok(Vec::new())
                            }
                            None => Err(error.to_string()),
                        },
                    };
                    record.steps.push(step);
                    outcome
                }
            };
            match next {
                Ok(flows) => tokens.extend(flows.into_iter().map(|flow| process.flows[flow].target)),
                Err(message) => return self.incident(record, element, message),
            }
            self.state.save(&record)?;
        }
        if let Some((&gateway, &arrived)) = joining.iter().next() {
            let element = &process.elements[gateway];
            let message = format!(
                "the parallel gateway waits for {} more of its {} incoming flows, which no token can reach; check the flow",
                element.incoming - arrived,
                element.incoming
            );
            return self.incident(record, element, message);
        }
        record.state = InstanceState::Completed;
        self.state.save(&record)?;
        Ok(record)
    }

    /// Stops an instance with an incident at `element`.
    fn incident(&self, mut record: InstanceRecord, element: &Element, message: String) -> Result<InstanceRecord, StateError> {
        record.state = InstanceState::Incident;
        record.incident = Some(Incident { element: element.id.clone(), message });
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
        caches: &mut HashMap<String, String>,
        observer: &dyn Observer,
    ) -> StepRecord {
        let mut record = StepRecord {
            id: element.id.clone(),
            task_type: task.task_type.clone(),
            status: StepStatus::Failed,
            attempts: 0,
            output: None,
            error: None,
        };
        let execution_key = format!("{instance}/{}", element.id);
        let prepared = self.prepare(task, variables, execution_key, caches).await;
        let (connector, mut request, state_key, backoff) = match prepared {
            Ok(ready) => ready,
            Err(error) => {
                record.error = Some(error);
                return record;
            }
        };
        for attempt in 1..=task.retries {
            request.attempt = attempt;
            record.attempts = attempt;
            let outcome = self.deliver(element, task, connector, &mut request, state_key.as_deref(), caches, observer).await;
            let error = match outcome {
                Ok(output) => {
                    record.status = StepStatus::Completed;
                    record.output = Some(output);
                    return record;
                }
                Err(error) => error,
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
        record
    }

    /// Sends, and while the connector defers delivery (a throttle window), waits for the
    /// time it names and sends again with the state loaded afresh.
    #[allow(clippy::too_many_arguments)] // One step's context, passed through unchanged.
    async fn deliver(
        &self,
        element: &Element,
        task: &ServiceTask,
        connector: &Connector,
        request: &mut SendRequest,
        state_key: Option<&str>,
        caches: &mut HashMap<String, String>,
        observer: &dyn Observer,
    ) -> Result<Value, StepError> {
        request.deferred = false;
        loop {
            // The state of a key is loaded, used and saved under its lock, never across a wait.
            let lock = match state_key {
                Some(key) => {
                    let lock = self.state.lock_connector_state(&task.task_type, key).await?;
                    request.state = self.state.connector_state(&task.task_type, key)?;
                    Some(lock)
                }
                None => None,
            };
            let result = connector.send(request).await?;
            let deliver_at = result.deliver_at;
            let output = self.accept(task, state_key, result, caches)?;
            drop(lock);
            let Some(at) = deliver_at else { return Ok(output) };
            let wait = Duration::from_millis(at.saturating_sub(now_ms()));
            observer.deferred(element, wait);
            tokio::time::sleep(wait).await;
            request.deferred = true;
        }
    }

    /// Takes a successful result: keeps its cache and state, and returns its output.
    fn accept(
        &self,
        task: &ServiceTask,
        state_key: Option<&str>,
        result: StepResult,
        caches: &mut HashMap<String, String>,
    ) -> Result<Value, StepError> {
        let output = serde_json::from_str::<Value>(&result.output).map_err(|err| StepError::Crashed {
            message: format!("the {} connector returned output that is not JSON: {err}", task.task_type),
        })?;
        if let Some(cache) = result.cache {
            caches.insert(task.task_type.clone(), cache);
        }
        if let (Some(key), Some(state)) = (state_key, &result.state) {
            self.state.save_connector_state(&task.task_type, key, state)?;
        }
        Ok(output)
    }

    /// Finds the connector, computes the request of a task and the key of its state.
    async fn prepare(
        &self,
        task: &ServiceTask,
        variables: &Map<String, Value>,
        execution_key: String,
        caches: &HashMap<String, String>,
    ) -> Result<(&Connector, SendRequest, Option<String>, Backoff), StepError> {
        let connector = self
            .connectors
            .get(&task.task_type)
            .ok_or_else(|| StepError::UnknownConnector { task_type: task.task_type.clone() })?;
        let backoff = Backoff::from_header(task.headers.get(retry::BACKOFF_HEADER).map(String::as_str))
            .map_err(|message| StepError::Input { message })?;
        let config = inputs::configuration(&task.inputs, variables, connector.config_defaults(), &self.vault)?;
        let request = SendRequest {
            config: Value::Object(config.inputs).to_string(),
            variables: Value::Object(variables.clone()).to_string(),
            computed: config.computed,
            execution_key,
            attempt: 1,
            state: None,
            cache: caches.get(&task.task_type).cloned(),
            deferred: false,
        };
        let state_key = connector.state_key(&request).await?;
        Ok((connector, request, state_key, backoff))
    }
}

/// The wall-clock time in milliseconds since the Unix epoch, the clock of `deliver-at`.
fn now_ms() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// The error boundary event of `task` that catches `error`: a permanent failure whose code
/// equals the boundary's error code, or any permanent failure for a boundary without one.
fn boundary_for(process: &Process, task: usize, error: &StepError) -> Option<usize> {
    if error.is_retryable() {
        return None;
    }
    process.elements.iter().position(|element| match &element.kind {
        ElementKind::ErrorBoundary { attached_to, error_code } if *attached_to == task => {
            error_code.as_deref().is_none_or(|code| error.code() == Some(code))
        }
        _ => false,
    })
}
