//! The interpreter: moves an instance's tokens from what happened to what must be done
//! next. It decides and never waits: it reads no clock (the time comes with each event),
//! makes no ids and calls nothing, so the same events replayed give the same commands.

use serde_json::{Map, Value};

use herald_bpmn::{ElementKind, Process};
use herald_core::{Incident, InstanceRecord, InstanceState, Position, StepError, StepRecord, StepStatus, Token};

use crate::bounds::{self, VariableLimit};
use crate::evaluation::feel_context;
use crate::retry::Backoff;
use crate::{gateway, mapping, outcome, script};

/// An instance that visits more elements than this, plus ten visits per element of its flow,
/// is stopped as an incident: the flow loops without end.
pub const MAX_ELEMENT_VISITS: usize = 10_000;

/// An instance as the interpreter sees it: its record and where its tokens stand.
#[derive(Debug, Clone)]
pub struct Instance {
    /// Its record: variables, steps, state.
    pub record: InstanceRecord,
    /// Its tokens.
    pub position: Position,
}

/// What happened to an instance since the interpreter last decided, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The instance started or was resumed, or the wait it was told to make is over.
    Proceed {
        /// The time now, in milliseconds since the Unix epoch.
        now_ms: u64,
    },
    /// An attempt of the step at index `seq` ended, and its record says how: `Completed`
    /// with its output; `Running` with the attempt's error, for the interpreter to decide
    /// on a retry; or `Failed` when it could not be attempted at all.
    AttemptEnded {
        /// The step's index in the record's steps.
        seq: usize,
        /// The time now, in milliseconds since the Unix epoch.
        now_ms: u64,
        /// Until when what the attempt sent may still land, when its answer was lost: a
        /// repeat waits at least that long.
        in_doubt_until_ms: Option<u64>,
    },
    /// The connector deferred the delivery of step `seq` (a throttle window) until
    /// `until_ms`; its record holds what the connector answered meanwhile.
    Deferred {
        /// The step's index in the record's steps.
        seq: usize,
        /// The time now, in milliseconds since the Unix epoch.
        now_ms: u64,
        /// When the delivery is due, in milliseconds since the Unix epoch.
        until_ms: u64,
    },
    /// Step `seq`'s last attempt was under way when the host stopped, with no outcome on
    /// record: what it sent may still land until `until_ms`, so its repeat waits until
    /// then (and then looks for it).
    InDoubt {
        /// The step's index in the record's steps.
        seq: usize,
        /// The time now, in milliseconds since the Unix epoch.
        now_ms: u64,
        /// When nothing the attempt sent can land any more, in milliseconds since the Unix
        /// epoch.
        until_ms: u64,
    },
}

/// What the interpreter wants done; the instance's record already shows the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Make an attempt of the service task of step `seq` (a new step, a retry, or one under
    /// way when the host stopped), then report [`Event::AttemptEnded`]; or report
    /// [`Event::Deferred`] when the connector deferred it, [`Event::InDoubt`] when the
    /// attempt cut short must settle first.
    RunStep {
        /// The step's index in the record's steps.
        seq: usize,
        /// The task's index in the process's elements.
        element: usize,
    },
    /// Save the instance, wait until `due_ms`, then report [`Event::Proceed`].
    WaitUntil {
        /// When the wait ends, in milliseconds since the Unix epoch.
        due_ms: u64,
        /// The element that waits (a timer), an index in the process's elements.
        element: usize,
    },
    /// The instance reached its end: save it as completed.
    Complete,
    /// The instance stopped with an incident (in its record): save it.
    Incident,
}

/// Something the interpreter decided on its way to a command, for a terminal or a log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// Step `seq` of task `element` ended, its result and error expressions applied.
    StepFinished {
        /// The step's index in the record's steps.
        seq: usize,
        /// The task's index in the process's elements.
        element: usize,
    },
    /// An attempt of step `seq` failed; the next is due at `due_ms`.
    Retrying {
        /// The step's index in the record's steps.
        seq: usize,
        /// The task's index in the process's elements.
        element: usize,
        /// When the next attempt is due, in milliseconds since the Unix epoch.
        due_ms: u64,
    },
    /// Step `seq`'s delivery waits until `due_ms` (a throttle window).
    Deferred {
        /// The step's index in the record's steps.
        seq: usize,
        /// The task's index in the process's elements.
        element: usize,
        /// When the delivery is due, in milliseconds since the Unix epoch.
        due_ms: u64,
    },
    /// Step `seq`'s repeat of an attempt cut short waits until `due_ms`, when nothing the
    /// attempt sent can land any more.
    Settling {
        /// The step's index in the record's steps.
        seq: usize,
        /// The task's index in the process's elements.
        element: usize,
        /// When the repeat is due, in milliseconds since the Unix epoch.
        due_ms: u64,
    },
    /// An exclusive gateway took a flow.
    GatewayTaken {
        /// The gateway's index in the process's elements.
        gateway: usize,
        /// The flow's index in the process's flows.
        flow: usize,
    },
    /// A script task was evaluated and set its variables.
    ScriptEvaluated {
        /// The task's index in the process's elements.
        element: usize,
    },
}

/// What the interpreter decided: what it noted on the way, and what must be done now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// What it decided on the way, in order.
    pub notes: Vec<Note>,
    /// What must be done now.
    pub command: Command,
}

/// Applies `event` to `instance` and moves its tokens until something must be done.
pub fn advance(process: &Process, instance: &mut Instance, event: Event) -> Decision {
    let mut notes = Vec::new();
    let command = decide(process, instance, event, &mut notes);
    Decision { notes, command }
}

fn decide(process: &Process, instance: &mut Instance, event: Event, notes: &mut Vec<Note>) -> Command {
    let now_ms = match event {
        Event::Proceed { now_ms } => now_ms,
        Event::AttemptEnded { seq, now_ms, in_doubt_until_ms } => {
            if let Some(command) = attempt_ended(process, instance, seq, now_ms, in_doubt_until_ms, notes) {
                return command;
            }
            now_ms
        }
        Event::Deferred { seq, now_ms, until_ms } => {
            if let Some(command) = hold(process, instance, seq, until_ms, Hold::Deferred, notes) {
                return command;
            }
            now_ms
        }
        Event::InDoubt { seq, now_ms, until_ms } => {
            if let Some(command) = hold(process, instance, seq, until_ms, Hold::Settling, notes) {
                return command;
            }
            now_ms
        }
    };
    if instance.record.state != InstanceState::Running {
        return ended(instance);
    }
    while let Some(token) = instance.position.tokens.front() {
        let Some(current) = process.element_index(&token.at) else {
            let message = format!("the saved token is at `{}`, which is not in the flow", token.at);
            let at = token.at.clone();
            return incident(instance, &at, message);
        };
        let element = &process.elements[current];
        let most_visits = MAX_ELEMENT_VISITS + 10 * process.elements.len();
        if instance.position.visits >= most_visits {
            let message = format!(
                "the instance visited {most_visits} elements without ending; check the flow for an endless loop"
            );
            return incident(instance, &element.id, message);
        }
        let next = match &element.kind {
            ElementKind::StartEvent { outputs, .. } => {
                if !outputs.is_empty() {
                    let context = feel_context(&evaluation_key(instance, &element.id), now_ms);
                    // The message's variables are the event's local scope: only what its
                    // outputs map from them stays.
                    let mapped = change_variables(instance, &element.id, |variables| {
                        let message = std::mem::take(variables);
                        mapping::map_outputs(outputs, message, variables, &context).map_err(|err| err.to_string())
                    });
                    if let Err(command) = mapped {
                        return command;
                    }
                }
                element.outgoing.clone()
            }
            ElementKind::IntermediateEvent | ElementKind::ErrorBoundary { .. } => element.outgoing.clone(),
            ElementKind::ScriptTask(task) => {
                let context = feel_context(&evaluation_key(instance, &element.id), now_ms);
                let evaluated = change_variables(instance, &element.id, |variables| {
                    script::evaluate(task, variables, &context).map_err(|err| err.to_string())
                });
                if let Err(command) = evaluated {
                    return command;
                }
                notes.push(Note::ScriptEvaluated { element: current });
                element.outgoing.clone()
            }
            ElementKind::EndEvent => Vec::new(),
            ElementKind::Timer { duration } => {
                let due_ms = *instance.position.tokens[0].due_ms.get_or_insert_with(|| {
                    now_ms.saturating_add(u64::try_from(duration.as_millis()).unwrap_or(u64::MAX))
                });
                if now_ms < due_ms {
                    return Command::WaitUntil { due_ms, element: current };
                }
                element.outgoing.clone()
            }
            ElementKind::ExclusiveGateway { default } => {
                let scope = Value::Object(instance.record.variables.clone());
                let context = feel_context(&evaluation_key(instance, &element.id), now_ms);
                match gateway::choose(process, element, *default, &scope, &context) {
                    Ok(flow) => {
                        notes.push(Note::GatewayTaken { gateway: current, flow });
                        vec![flow]
                    }
                    Err(err) => return incident(instance, &element.id, err.to_string()),
                }
            }
            ElementKind::ParallelGateway => {
                let arrived = instance.position.joining.entry(element.id.clone()).or_default();
                *arrived += 1;
                if *arrived < element.incoming.max(1) {
                    Vec::new()
                } else {
                    instance.position.joining.remove(&element.id);
                    element.outgoing.clone()
                }
            }
            ElementKind::ServiceTask(task) => {
                let seq = step_seq(&mut instance.record.steps, &element.id, &task.task_type);
                let step = &mut instance.record.steps[seq];
                if let Some(due_ms) = step.not_before_ms.filter(|&due| now_ms < due) {
                    return Command::WaitUntil { due_ms, element: current };
                }
                step.not_before_ms = None;
                match Backoff::of(task) {
                    Ok(_) => return Command::RunStep { seq, element: current },
                    // Refused before any attempt, as any input that cannot be computed.
                    Err(err) => {
                        step.status = StepStatus::Failed;
                        step.error = Some(StepError::Input { message: err.to_string() });
                        if let Some(command) = step_ended(process, instance, seq, now_ms, notes) {
                            return command;
                        }
                        continue;
                    }
                }
            }
        };
        let targets: Vec<usize> = next.iter().map(|&flow| process.flows[flow].target).collect();
        move_on(process, &mut instance.position, &targets);
    }
    if let Some((gateway, &arrived)) = instance.position.joining.iter().next() {
        let incoming = process.element_index(gateway).map_or(0, |g| process.elements[g].incoming);
        let message = format!(
            "the parallel gateway waits for {} more of its {incoming} incoming flows, which no token can reach; check the flow",
            incoming.saturating_sub(arrived),
        );
        let gateway = gateway.clone();
        return incident(instance, &gateway, message);
    }
    instance.record.state = InstanceState::Completed;
    Command::Complete
}

/// Takes an attempt's end: a success or a permanent failure ends the step; a failure that
/// may pass is retried after the task's backoff (and the service's `Retry-After`, and until
/// what the attempt sent can no longer land) while the task has attempts left.
fn attempt_ended(
    process: &Process,
    instance: &mut Instance,
    seq: usize,
    now_ms: u64,
    in_doubt_until_ms: Option<u64>,
    notes: &mut Vec<Note>,
) -> Option<Command> {
    let current = moving(process, instance)?;
    let ElementKind::ServiceTask(task) = &process.elements[current].kind else {
        return None;
    };
    let step = instance.record.steps.get_mut(seq)?;
    if step.status == StepStatus::Running {
        match &step.error {
            Some(error) if error.is_retryable() && step.attempts < task.retries => {
                // A task whose header does not parse never gets to a first attempt.
                let backoff = Backoff::of(task).unwrap_or_default();
                let delay = backoff.delay(step.attempts, error.retry_after());
                let mut due_ms = now_ms.saturating_add(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
                due_ms = due_ms.max(in_doubt_until_ms.unwrap_or(0));
                step.not_before_ms = Some(due_ms);
                notes.push(Note::Retrying { seq, element: current, due_ms });
                return Some(Command::WaitUntil { due_ms, element: current });
            }
            Some(_) => step.status = StepStatus::Failed,
            None => step.status = StepStatus::Completed,
        }
    }
    step_ended(process, instance, seq, now_ms, notes)
}

/// Why a step waits before its next send.
#[derive(Clone, Copy)]
enum Hold {
    /// Its delivery is deferred (a throttle window).
    Deferred,
    /// The attempt cut short may still land.
    Settling,
}

/// Holds step `seq` until its next send is due at `due_ms`; the due time is saved with the
/// step, so a resume waits only for what is left.
fn hold(
    process: &Process,
    instance: &mut Instance,
    seq: usize,
    due_ms: u64,
    hold: Hold,
    notes: &mut Vec<Note>,
) -> Option<Command> {
    let current = moving(process, instance)?;
    let step = instance.record.steps.get_mut(seq)?;
    let note = match hold {
        Hold::Deferred => {
            step.deferred = true;
            Note::Deferred { seq, element: current, due_ms }
        }
        Hold::Settling => Note::Settling { seq, element: current, due_ms },
    };
    step.not_before_ms = Some(due_ms);
    notes.push(note);
    Some(Command::WaitUntil { due_ms, element: current })
}

/// Takes a step's end: its result and error expressions, the variables' bounds, then the
/// way on (the task's outgoing flows, or the boundary event that catches its error).
/// Returns a command when the instance stops there.
fn step_ended(
    process: &Process,
    instance: &mut Instance,
    seq: usize,
    now_ms: u64,
    notes: &mut Vec<Note>,
) -> Option<Command> {
    let current = moving(process, instance)?;
    let element = &process.elements[current];
    let ElementKind::ServiceTask(task) = &element.kind else {
        return None;
    };
    let context = feel_context(&evaluation_key(instance, &element.id), now_ms);
    let step = instance.record.steps.get_mut(seq)?;
    let before = instance.record.variables.clone();
    outcome::apply(task, step, &mut instance.record.variables, &context);
    if let Err(limit) = bounded(step, &mut instance.record.variables, before) {
        return Some(incident(instance, &element.id, limit.to_string()));
    }
    notes.push(Note::StepFinished { seq, element: current });
    let step = &instance.record.steps[seq];
    let targets = match &step.error {
        None => element.outgoing.iter().map(|&flow| process.flows[flow].target).collect(),
        // The boundary event takes the token; its flow continues.
        Some(error) => match boundary_for(process, current, error) {
            Some(boundary) => vec![boundary],
            None => {
                let message = error.to_string();
                return Some(incident(instance, &element.id, message));
            }
        },
    };
    move_on(process, &mut instance.position, &targets);
    None
}

/// What names the FEEL evaluations at `element` now: the instance, the element and how many
/// elements the instance has visited, which a replay repeats.
fn evaluation_key(instance: &Instance, element: &str) -> String {
    format!("{}/{element}/{}", instance.record.instance, instance.position.visits)
}

/// The element the moving token (the first) is at, as an index in the process's elements.
fn moving(process: &Process, instance: &Instance) -> Option<usize> {
    process.element_index(&instance.position.tokens.front()?.at)
}

/// Moves the first token on to `targets` (none: it is consumed).
fn move_on(process: &Process, position: &mut Position, targets: &[usize]) {
    position.tokens.pop_front();
    position.tokens.extend(targets.iter().map(|&t| Token { at: process.elements[t].id.clone(), due_ms: None }));
    position.visits += 1;
}

/// Holds a step's output and the variables it left to their bounds; past them, the
/// variables go back to `before` and an output past them is dropped, so the instance's
/// saved record stays readable and small.
fn bounded(
    step: &mut StepRecord,
    variables: &mut Map<String, Value>,
    before: Map<String, Value>,
) -> Result<(), VariableLimit> {
    let output = step.output.as_ref().map_or(Ok(()), bounds::check_output);
    if output.is_err() {
        step.output = None;
    }
    let outcome = output.and_then(|()| bounds::check_variables(variables));
    if outcome.is_err() {
        *variables = before;
    }
    outcome
}

/// Changes the variables with `change`, held to their bounds. When it fails or leaves them
/// past their bounds, they stay as they were and the instance stops with an incident at
/// `element`: the command returned.
fn change_variables(
    instance: &mut Instance,
    element: &str,
    change: impl FnOnce(&mut Map<String, Value>) -> Result<(), String>,
) -> Result<(), Command> {
    let before = instance.record.variables.clone();
    let changed = change(&mut instance.record.variables)
        .and_then(|()| bounds::check_variables(&instance.record.variables).map_err(|limit| limit.to_string()));
    changed.map_err(|message| {
        instance.record.variables = before;
        incident(instance, element, message)
    })
}

/// Stops the instance with an incident at `element`; its token stays there.
fn incident(instance: &mut Instance, element: &str, message: String) -> Command {
    instance.record.state = InstanceState::Incident;
    instance.record.incident = Some(Incident { element: element.to_owned(), message });
    Command::Incident
}

/// The command for an instance that has already ended.
fn ended(instance: &Instance) -> Command {
    match instance.record.state {
        InstanceState::Incident => Command::Incident,
        InstanceState::Completed | InstanceState::Running => Command::Complete,
    }
}

/// The index in `steps` of the step `element` runs now: the last one, when it was under
/// way as the host stopped, else a new one.
fn step_seq(steps: &mut Vec<StepRecord>, element: &str, task_type: &str) -> usize {
    if let Some(last) = steps.iter().rposition(|s| s.id == element)
        && steps[last].status == StepStatus::Running
    {
        return last;
    }
    steps.push(StepRecord::begun(element, task_type));
    steps.len() - 1
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
