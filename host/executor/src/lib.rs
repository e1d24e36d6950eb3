//! The executor: carries out what the interpreter (herald-engine) decides for each process
//! instance, from its start event to an end event: computes a step's inputs and makes its
//! attempts through the runtime, keeps the ledger of what they delivered, saves every move
//! in the store, and waits out the waits, so that an instance cut short continues where it
//! stood.

mod inputs;
mod observer;
mod secret_use;
mod shared_cache;
mod system_clock;

pub use herald_core::now_ms;
pub use herald_core::{
    FailureInfo, Incident, InputIssue, InstanceRecord, InstanceState, Ledger, Position, StepError, StepRecord,
    StepStatus, Token,
};
pub use herald_engine::{
    MAX_VARIABLE_BYTES, MAX_VARIABLE_DEPTH, VariableLimit, check_variables, feel_context, insert_path,
};
pub use inputs::{Configuration, Secrets, configuration, credential_issue};
pub use observer::{Observer, Silent};
pub use secret_use::{CredentialSecrets, named_secrets};
pub use system_clock::SystemClock;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};

use herald_bpmn::{Element, ElementKind, Process, ServiceTask};
use herald_core::Clock;
use herald_engine::{Command, Event, Instance, Note};
use herald_runtime::{Connector, EarlierAttempts, Prepared, SendFailed, SendRequest, StepResult};
use herald_secrets::Vault;
use herald_store::{FlowSource, NewInstance, StateError, Store};
use shared_cache::{Checkout, SharedCaches};

/// Runs process instances against a set of connectors, saving every move in the store.
pub struct Engine {
    connectors: HashMap<String, Connector>,
    vault: Vault,
    store: Store,
    caches: SharedCaches,
    clock: Arc<dyn Clock>,
}

/// An instance to drive to its end.
pub enum Pending {
    /// Started by [`Engine::start`] of this engine: its own, with its state at hand.
    Started(Box<Started>),
    /// Saved in the store, perhaps by another herald process: claimed and loaded first.
    Saved(String),
}

impl Pending {
    /// The instance's id.
    pub fn id(&self) -> &str {
        match self {
            Pending::Started(started) => &started.0.instance.record.instance,
            Pending::Saved(id) => id,
        }
    }
}

/// An instance [`Engine::start`] has just saved, as it stands.
pub struct Started(Live);

/// An instance while the engine moves it.
struct Live {
    instance: Instance,
    /// The first step changed since the last save: it and the later ones are saved next.
    unsaved_steps: Option<usize>,
    /// How the instance's first attempt is made, if none is made yet.
    first_attempt: FirstAttempt,
}

/// How an attempt is recorded before it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FirstAttempt {
    /// Saved before it is made, as every later attempt is.
    Saved,
    /// Made without a save of its own: the instance is marked started, so a resume takes
    /// an attempt it finds no record of as possibly made. A bulk run saves nothing
    /// between an instance's start and its first attempt's outcome.
    Unsaved,
    /// A run that stopped may have made it without recording it, after it marked the
    /// instance started (at `marked_ms`): it is made as a repeat (one attempt number on),
    /// so the connector looks for what it sent before sending.
    Repeat {
        /// When the instance was marked started (ms since the Unix epoch).
        marked_ms: u64,
    },
}

impl Live {
    /// Notes that step `seq` changed.
    fn step_changed(&mut self, seq: usize) {
        self.unsaved_steps = Some(self.unsaved_steps.map_or(seq, |first| first.min(seq)));
    }
}

impl Engine {
    /// An engine with these connectors (by task type), secrets and store, on the wall clock.
    pub fn new(connectors: HashMap<String, Connector>, vault: Vault, store: Store) -> Self {
        Self { connectors, vault, store, caches: SharedCaches::default(), clock: Arc::new(SystemClock) }
    }

    /// The engine, reading the time from `clock` and waiting out its waits on it.
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// Where instances are kept.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Starts one instance of `process` per variables map, all saved in one transaction
    /// before any runs; returns them in order.
    pub async fn start(
        &self,
        flow: &FlowSource,
        process: &Process,
        inputs: Vec<Map<String, Value>>,
    ) -> Result<Vec<Started>, StateError> {
        let start = &process.elements[process.start].id;
        let instances: Vec<NewInstance> = inputs
            .into_iter()
            .map(|variables| NewInstance {
                id: uuid::Uuid::now_v7().to_string(),
                process: process.id.clone(),
                variables,
                position: Position::at_start(start),
            })
            .collect();
        self.store.create_instances(flow, &instances).await?;
        let started = instances.into_iter().map(|new| {
            let record = InstanceRecord {
                instance: new.id,
                process: new.process,
                state: InstanceState::Running,
                variables: new.variables,
                steps: Vec::new(),
                incident: None,
            };
            let instance = Instance { record, position: new.position };
            Started(Live { instance, unsaved_steps: None, first_attempt: FirstAttempt::Saved })
        });
        Ok(started.collect())
    }

    /// Marks instances this engine started as under way, in one durable write, so that
    /// each makes its first attempt without a save of its own; a resume after a crash then
    /// makes an attempt it finds no record of as a repeat. Saved instances are left alone.
    pub async fn mark_started<'a>(&self, pending: impl IntoIterator<Item = &'a mut Pending>) -> Result<(), StateError> {
        let started = pending.into_iter().filter_map(|pending| match pending {
            Pending::Started(started) => Some(&mut started.0),
            Pending::Saved(_) => None,
        });
        self.mark(started.collect()).await
    }

    async fn mark(&self, mut started: Vec<&mut Live>) -> Result<(), StateError> {
        if started.is_empty() {
            return Ok(());
        }
        self.store.mark_started(started.iter().map(|live| live.instance.record.instance.clone()).collect()).await?;
        for live in &mut started {
            live.first_attempt = FirstAttempt::Unsaved;
        }
        Ok(())
    }

    /// Starts one instance and runs it to its end (completed or incident), durably saved.
    pub async fn run(
        &self,
        flow: &FlowSource,
        process: &Process,
        variables: Map<String, Value>,
        observer: &dyn Observer,
    ) -> Result<InstanceRecord, StateError> {
        let Some(Started(mut live)) = self.start(flow, process, vec![variables]).await?.pop() else {
            unreachable!("one variables map starts one instance")
        };
        self.mark(vec![&mut live]).await?;
        self.advance(process, &mut live, observer).await?;
        self.store.sync().await?;
        Ok(live.instance.record)
    }

    /// Runs an instance of `process` from where it stands to its end; a step that was
    /// under way is attempted again with the same execution key. `None` when another herald
    /// process is running the instance. The last save is queued, not awaited: a bulk run
    /// shares its sync with the others' ([`Store::sync`] waits for it), and a resume after
    /// a crash before then attempts the step again, which finds the message it sent.
    pub async fn drive(
        &self,
        process: &Process,
        pending: Pending,
        observer: &dyn Observer,
    ) -> Result<Option<InstanceRecord>, StateError> {
        let mut live = match pending {
            Pending::Started(started) => started.0,
            Pending::Saved(id) => {
                if !self.store.claim_instance(&id).await? {
                    return Ok(None);
                }
                let stored = self.store.load_instance(&id)?.ok_or(StateError::UnknownInstance { id })?;
                let unrecorded = stored.record.steps.iter().all(|step| step.attempts == 0);
                let first_attempt = match stored.started_ms {
                    Some(marked_ms) if unrecorded => FirstAttempt::Repeat { marked_ms },
                    _ => FirstAttempt::Saved,
                };
                let instance = Instance { record: stored.record, position: stored.position };
                Live { instance, unsaved_steps: None, first_attempt }
            }
        };
        if live.instance.record.state == InstanceState::Running {
            self.advance(process, &mut live, observer).await?;
        }
        Ok(Some(live.instance.record))
    }

    /// Carries out what the interpreter decides until the instance ends (completed or an
    /// incident): runs its steps, waits out its timers, saves it.
    async fn advance(&self, process: &Process, live: &mut Live, observer: &dyn Observer) -> Result<(), StateError> {
        let mut event = Event::Proceed { now_ms: self.clock.now_ms() };
        loop {
            let decision = herald_engine::advance(process, &mut live.instance, event);
            for note in decision.notes {
                match note {
                    Note::StepFinished { seq, element } => {
                        live.step_changed(seq);
                        observer.step_finished(&process.elements[element], &live.instance.record.steps[seq]);
                    }
                    Note::Retrying { seq, element, due_ms } => {
                        live.step_changed(seq);
                        let step = &live.instance.record.steps[seq];
                        let error = step.error.as_ref().expect("a retry follows a failed attempt");
                        let delay = self.until(due_ms);
                        observer.retrying(&process.elements[element], step.attempts, error, delay);
                    }
                    Note::Deferred { seq, element, due_ms } => {
                        live.step_changed(seq);
                        observer.deferred(&process.elements[element], self.until(due_ms));
                    }
                    Note::Settling { seq, element, due_ms } => {
                        live.step_changed(seq);
                        observer.settling(&process.elements[element], self.until(due_ms));
                    }
                    Note::GatewayTaken { gateway, flow } => {
                        observer.gateway_taken(&process.elements[gateway], &process.flows[flow]);
                    }
                    Note::ScriptEvaluated { element } => {
                        observer.script_evaluated(&process.elements[element], &live.instance.record.variables);
                    }
                }
            }
            event = match decision.command {
                Command::RunStep { seq, element } => {
                    let element = &process.elements[element];
                    let ElementKind::ServiceTask(task) = &element.kind else {
                        unreachable!("the interpreter runs steps of service tasks only")
                    };
                    let started = std::time::Instant::now();
                    let event = self.attempt(process, live, seq, element, task).await?;
                    let step = &mut live.instance.record.steps[seq];
                    step.duration_us = step
                        .duration_us
                        .saturating_add(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
                    live.step_changed(seq);
                    event
                }
                Command::WaitUntil { due_ms, element } => {
                    // Saved first: a resume waits only for what is left.
                    self.save(live).await?;
                    observer.waiting(&process.elements[element], self.until(due_ms));
                    self.clock.wait_until(due_ms).await;
                    Event::Proceed { now_ms: self.clock.now_ms() }
                }
                Command::Incident => return self.save(live).await,
                Command::Complete => {
                    let instance = &live.instance;
                    return self.store.queue_instance(&instance.record, &instance.position, live.unsaved_steps.take());
                }
            };
        }
    }

    /// How long until `due_ms`, by the engine's clock.
    fn until(&self, due_ms: u64) -> Duration {
        Duration::from_millis(due_ms.saturating_sub(self.clock.now_ms()))
    }

    /// Saves the instance with the steps changed since the last save; returns once durable.
    async fn save(&self, live: &mut Live) -> Result<(), StateError> {
        self.store.save_instance(&live.instance.record, &live.instance.position, live.unsaved_steps.take()).await
    }

    /// Makes one attempt of step `seq`'s service task (or the send its connector deferred)
    /// and records how it ended; returns the event that tells the interpreter. The attempt
    /// is saved before it is made, but for an instance's first attempt once it is marked
    /// started.
    async fn attempt(
        &self,
        process: &Process,
        live: &mut Live,
        seq: usize,
        element: &Element,
        task: &ServiceTask,
    ) -> Result<Event, StateError> {
        // Later visits of one element (a loop) are other steps, with keys of their own.
        let visit = live.instance.record.steps[..seq].iter().filter(|s| s.id == element.id).count() + 1;
        let mut execution_key = format!("{}/{}", live.instance.record.instance, element.id);
        if visit > 1 {
            execution_key = format!("{execution_key}/{visit}");
        }
        let credential_secrets = CredentialSecrets::of(process, &self.connectors);
        let prepared = self.prepare(task, &credential_secrets, &live.instance.record.variables, execution_key).await;
        let mut ready = match prepared {
            Ok(ready) => ready,
            Err(error) => {
                let step = &mut live.instance.record.steps[seq];
                step.status = StepStatus::Failed;
                step.error = Some(error);
                return Ok(Event::AttemptEnded { seq, now_ms: self.clock.now_ms(), in_doubt_until_ms: None });
            }
        };
        if live.instance.record.steps[seq].deferred {
            return Ok(self.send_deferred(live, seq, task, &mut ready).await);
        }
        let deadline = ready.connector.attempt_deadline();
        let now = self.clock.now_ms();
        if let Some(ledger) = interrupted(&mut live.instance.record.steps[seq], live.first_attempt, now) {
            let until_ms = ledger.attempt_ms.saturating_add(millis(deadline));
            if now < until_ms {
                // A wait of its own, saved with the step: a resume waits only what is left.
                live.step_changed(seq);
                return Ok(Event::InDoubt { seq, now_ms: now, until_ms });
            }
        }
        // An attempt cut short by a stop is made again, even if it was the last.
        let repeat = matches!(live.first_attempt, FirstAttempt::Repeat { .. });
        let mut cache = self.caches.checkout(&ready.cache_key).await;
        let now = self.clock.now_ms();
        let step = &mut live.instance.record.steps[seq];
        let attempt = step.attempts + 1 + u32::from(repeat);
        step.attempts = attempt;
        // Under way: no outcome on record, so a resume takes it as cut short.
        step.error = None;
        ready.request.attempt = attempt;
        ready.request.earlier = step.ledger.as_ref().map(|ledger| EarlierAttempts {
            since: ledger.in_doubt_since_ms.unwrap_or(ledger.attempt_ms),
            until: ledger.attempt_ms.saturating_add(millis(deadline)),
            progress: ledger.progress.clone(),
            in_doubt: ledger.in_doubt_since_ms.is_some(),
        });
        step.ledger.get_or_insert(Ledger { attempt_ms: now, progress: None, in_doubt_since_ms: None }).attempt_ms = now;
        live.step_changed(seq);
        if live.first_attempt != FirstAttempt::Unsaved {
            self.save(live).await?;
        }
        live.first_attempt = FirstAttempt::Saved;
        let outcome = self.deliver(task, &mut ready, &mut cache).await;
        let step = &mut live.instance.record.steps[seq];
        let failed = match outcome {
            Ok((output, deliver_at)) => return Ok(delivered(step, seq, output, deliver_at, self.clock.now_ms())),
            Err(failed) => failed,
        };
        let ledger = step.ledger.as_mut().expect("set before the attempt");
        // The connector reports all the execution delivered, earlier attempts included.
        if failed.progress.is_some() {
            ledger.progress = failed.progress;
        }
        ledger.in_doubt_since_ms =
            if failed.in_doubt { ledger.in_doubt_since_ms.or(Some(ledger.attempt_ms)) } else { None };
        let in_doubt_until = ledger.in_doubt_since_ms.map(|_| ledger.attempt_ms.saturating_add(millis(deadline)));
        step.error = Some(failed.error);
        Ok(Event::AttemptEnded { seq, now_ms: self.clock.now_ms(), in_doubt_until_ms: in_doubt_until })
    }

    /// Makes the send a connector deferred: the latest content, from the state it kept.
    /// It is no new attempt and repeats nothing: a deferred send updates a message in
    /// place, so doing it again after a stop is harmless.
    async fn send_deferred(&self, live: &mut Live, seq: usize, task: &ServiceTask, ready: &mut Ready<'_>) -> Event {
        let mut cache = self.caches.checkout(&ready.cache_key).await;
        let step = &mut live.instance.record.steps[seq];
        step.error = None;
        ready.request.attempt = step.attempts;
        ready.request.deferred = true;
        match self.deliver(task, ready, &mut cache).await {
            Ok((output, deliver_at)) => delivered(step, seq, output, deliver_at, self.clock.now_ms()),
            Err(failed) => {
                // A send that failed counts against the task's attempts, so that a send
                // that keeps failing ends.
                step.attempts += 1;
                step.error = Some(failed.error);
                Event::AttemptEnded { seq, now_ms: self.clock.now_ms(), in_doubt_until_ms: None }
            }
        }
    }

    /// Sends (on the instance that gave the state key, if it is still unused); returns the
    /// output and, when the connector deferred delivery (a throttle window), when it is due.
    async fn deliver(
        &self,
        task: &ServiceTask,
        ready: &mut Ready<'_>,
        cache: &mut Checkout,
    ) -> Result<(Value, Option<u64>), Failed> {
        // The state of a key is loaded, used and saved under its lock, never across a wait.
        let _lock = match &ready.state_key {
            Some(key) => {
                let lock = self.store.lock_connector_state(task.connector(), key).await.map_err(Failed::before)?;
                ready.request.state = self.store.connector_state(task.connector(), key).map_err(Failed::before)?;
                Some(lock)
            }
            None => None,
        };
        ready.request.cache.clone_from(&cache.cache);
        let result = match ready.connector.send(&ready.request, ready.instance.take()).await {
            Ok(result) => result,
            Err(failed) => {
                cache.keep(failed.cache.clone());
                return Err(failed.into());
            }
        };
        cache.keep(result.cache.clone());
        let deliver_at = result.deliver_at;
        // What went wrong after a success leaves a delivery unrecorded.
        let output =
            self.accept(task, &ready.request, ready.state_key.as_deref(), result).await.map_err(Failed::after)?;
        Ok((output, deliver_at))
    }

    /// Takes a successful result: keeps its state, and returns its output (in the shape
    /// of the task's binding).
    async fn accept(
        &self,
        task: &ServiceTask,
        request: &SendRequest,
        state_key: Option<&str>,
        result: StepResult,
    ) -> Result<Value, StepError> {
        let output = serde_json::from_str::<Value>(&result.output).map_err(|err| StepError::Crashed {
            message: format!("the {} connector returned output that is not JSON: {err}", task.connector()),
        })?;
        if let (Some(key), Some(state)) = (state_key, &result.state) {
            self.store.save_connector_state(task.connector(), key, state).await?;
        }
        Ok(task.binding().response(output, &request.config))
    }

    /// Finds the connector, computes the request of a task and the key of its state, and
    /// keeps the instance that computed the key.
    async fn prepare(
        &self,
        task: &ServiceTask,
        credential_secrets: &CredentialSecrets,
        variables: &Map<String, Value>,
        execution_key: String,
    ) -> Result<Ready<'_>, StepError> {
        let connector = self
            .connectors
            .get(task.connector())
            .ok_or_else(|| StepError::UnknownConnector { task_type: task.task_type.clone() })?;
        let mut config = inputs::configuration(
            &task.inputs,
            variables,
            connector.config_defaults(),
            connector.credentials(),
            &Secrets { vault: &self.vault, credentials: credential_secrets },
            &herald_engine::feel_context(&execution_key, self.clock.now_ms()),
        )?;
        task.binding().adapt(&mut config.inputs);
        // Steps share a cache when they call one connector with the same credentials (one
        // workspace, one token); the credentials are placeholders here, never values.
        let cache_key = connector.credentials().iter().fold(task.connector().to_owned(), |key, credential| {
            format!("{key}\t{}", config.inputs.get(&credential.name).map(Value::to_string).unwrap_or_default())
        });
        let request = SendRequest {
            config: Value::Object(config.inputs).to_string(),
            variables: serde_json::to_string(variables).expect("variables serialize"),
            computed: config.computed,
            execution_key,
            attempt: 1,
            state: None,
            cache: None,
            deferred: false,
            earlier: None,
        };
        let (state_key, instance) = connector.state_key(&request).await?;
        Ok(Ready { connector, request, state_key, instance: Some(instance), cache_key })
    }
}

/// A step's request, ready to send.
struct Ready<'a> {
    connector: &'a Connector,
    request: SendRequest,
    state_key: Option<String>,
    /// The instance that computed the state key, for the first send.
    instance: Option<Prepared>,
    /// Which shared cache the step uses.
    cache_key: String,
}

/// A failed delivery, with what the connector delivered all the same.
struct Failed {
    error: StepError,
    progress: Option<String>,
    in_doubt: bool,
}

impl Failed {
    /// A failure before anything was sent.
    fn before(error: impl Into<StepError>) -> Self {
        Failed { error: error.into(), progress: None, in_doubt: false }
    }

    /// A failure after a delivery, which is then not on record.
    fn after(error: StepError) -> Self {
        Failed { error, progress: None, in_doubt: true }
    }
}

impl From<SendFailed> for Failed {
    fn from(failed: SendFailed) -> Self {
        Failed { error: failed.error.into(), progress: failed.progress, in_doubt: failed.in_doubt }
    }
}

/// The ledger of a step whose attempt was under way when the host stopped (made, with no
/// outcome on record), now in doubt:
/// that attempt may have delivered without anyone hearing back, so its repeat waits until
/// its requests can no longer land, and the connector looks for what it delivered.
fn interrupted(step: &mut StepRecord, first_attempt: FirstAttempt, now: u64) -> Option<&mut Ledger> {
    // An attempt whose outcome is on record (a failure, now retried) was not cut short; a
    // deferred delivery never comes here.
    let ledger = if step.attempts > 0 && step.error.is_none() {
        // A step saved before herald kept ledgers: when its attempt started is unknown.
        step.ledger.get_or_insert(Ledger { attempt_ms: now, progress: None, in_doubt_since_ms: Some(0) })
    } else if let FirstAttempt::Repeat { marked_ms } = first_attempt {
        // An attempt with no record started after its instance was marked, and before the
        // first resume that found it (kept in the ledger from then on).
        step.ledger.get_or_insert(Ledger { attempt_ms: now, progress: None, in_doubt_since_ms: Some(marked_ms) })
    } else {
        return None;
    };
    ledger.in_doubt_since_ms.get_or_insert(ledger.attempt_ms);
    Some(ledger)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Records a delivery: complete, or deferred by the connector until `deliver_at` (the
/// step keeps what the connector answered meanwhile).
fn delivered(step: &mut StepRecord, seq: usize, output: Value, deliver_at: Option<u64>, now_ms: u64) -> Event {
    step.output = Some(output);
    match deliver_at {
        Some(until_ms) => Event::Deferred { seq, now_ms, until_ms },
        None => {
            step.status = StepStatus::Completed;
            step.deferred = false;
            // Nothing repeats a completed step.
            step.ledger = None;
            Event::AttemptEnded { seq, now_ms, in_doubt_until_ms: None }
        }
    }
}

#[cfg(test)]
mod tests;
