//! The interpreter on its own: flows read from BPMN, events made up by the test (the time
//! included), and connectors faked by writing a step's outcome into its record. Nothing
//! sleeps, spawns or calls out.

use std::path::Path;

use serde_json::{Value, json};

use herald_bpmn::Process;
use herald_core::{FailureInfo, InstanceRecord, InstanceState, Position, StepError, StepStatus};

use crate::{Command, Event, Instance, Note, advance};

/// A process from the body of a `bpmn:process`.
fn process(body: &str) -> Process {
    process_with(body, "")
}

/// A process from the body of a `bpmn:process` and other root elements (errors).
fn process_with(body: &str, roots: &str) -> Process {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
{roots}<bpmn:process id="p" isExecutable="true">{body}</bpmn:process>
</bpmn:definitions>"#
    );
    herald_bpmn::load_str(&xml, Path::new("test.bpmn")).expect("the test flow loads")
}

/// A service task that calls the `fake` connector.
fn task(id: &str, headers: &str) -> String {
    format!(
        r#"<bpmn:serviceTask id="{id}"><bpmn:extensionElements><zeebe:taskDefinition type="fake" /><zeebe:taskHeaders>{headers}</zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>"#
    )
}

fn flow(id: &str, from: &str, to: &str) -> String {
    format!(r#"<bpmn:sequenceFlow id="{id}" sourceRef="{from}" targetRef="{to}" />"#)
}

fn conditional(id: &str, from: &str, to: &str, condition: &str) -> String {
    format!(
        r#"<bpmn:sequenceFlow id="{id}" sourceRef="{from}" targetRef="{to}"><bpmn:conditionExpression>{condition}</bpmn:conditionExpression></bpmn:sequenceFlow>"#
    )
}

fn instance(process: &Process, variables: Value) -> Instance {
    let Value::Object(variables) = variables else { panic!("variables are an object") };
    Instance {
        record: InstanceRecord {
            instance: "i-1".into(),
            process: process.id.clone(),
            state: InstanceState::Running,
            variables,
            steps: Vec::new(),
            incident: None,
        },
        position: Position::at_start(&process.elements[process.start].id),
    }
}

/// The id of the element a command is about.
fn element_of(process: &Process, command: &Command) -> String {
    match command {
        Command::RunStep { element, .. } | Command::WaitUntil { element, .. } => process.elements[*element].id.clone(),
        other => panic!("{other:?} is about no element"),
    }
}

/// Plays a connector: step `seq` succeeds with `output`.
fn succeed(instance: &mut Instance, seq: usize, output: Value) {
    let step = &mut instance.record.steps[seq];
    step.attempts += 1;
    step.status = StepStatus::Completed;
    step.output = Some(output);
}

/// Plays a connector: an attempt of step `seq` fails with `error`; whether it is retried
/// is the interpreter's to decide.
fn fail(instance: &mut Instance, seq: usize, error: StepError) {
    let step = &mut instance.record.steps[seq];
    step.attempts += 1;
    step.error = Some(error);
}

/// An attempt of step `seq` ended at `now_ms`, its answer heard.
fn ended(seq: usize, now_ms: u64) -> Event {
    Event::AttemptEnded { seq, now_ms, in_doubt_until_ms: None }
}

fn not_found(code: &str) -> StepError {
    StepError::NotFound(FailureInfo { code: code.into(), message: format!("Slack said {code}"), hint: String::new() })
}

/// Runs every step it is asked to run with `output`, never waiting, and returns the ids
/// of the elements it ran, in order, and the last command.
fn run_all(process: &Process, instance: &mut Instance, output: &Value) -> (Vec<String>, Command) {
    let mut ran = Vec::new();
    let mut event = Event::Proceed { now_ms: 0 };
    loop {
        let command = advance(process, instance, event).command;
        match command {
            Command::RunStep { seq, .. } => {
                ran.push(element_of(process, &command));
                succeed(instance, seq, output.clone());
                event = ended(seq, 0);
            }
            other => return (ran, other),
        }
    }
}

#[test]
fn a_linear_flow_runs_its_steps_in_order_then_completes() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "a"),
            task("a", r#"<zeebe:header key="resultVariable" value="first" />"#),
            flow("f2", "a", "b"),
            task("b", ""),
            flow("f3", "b", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    let mut i = instance(&p, json!({}));
    let (ran, last) = run_all(&p, &mut i, &json!({"ts": "1.2"}));
    assert_eq!(ran, ["a", "b"]);
    assert_eq!(last, Command::Complete);
    assert_eq!(i.record.state, InstanceState::Completed);
    assert_eq!(i.record.variables.get("first"), Some(&json!({"ts": "1.2"})), "the result variable is kept");
    assert!(i.position.tokens.is_empty());
}

#[test]
fn an_exclusive_gateway_takes_the_first_true_condition_else_the_default_else_stops() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "gw"),
            r#"<bpmn:exclusiveGateway id="gw" default="small" />"#.to_owned(),
            conditional("big", "gw", "notify_big", "=amount &gt; 1000"),
            conditional("huge", "gw", "notify_huge", "=amount &gt; 100000"),
            flow("small", "gw", "notify_small"),
            task("notify_big", ""),
            task("notify_huge", ""),
            task("notify_small", ""),
            flow("e1", "notify_big", "end"),
            flow("e2", "notify_huge", "end"),
            flow("e3", "notify_small", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    for (amount, expected) in [(json!(5000), "notify_big"), (json!(500_000), "notify_big"), (json!(10), "notify_small")]
    {
        let mut i = instance(&p, json!({ "amount": amount }));
        let decision = advance(&p, &mut i, Event::Proceed { now_ms: 0 });
        assert_eq!(element_of(&p, &decision.command), expected, "amount {amount}");
        let gateway = p.element_index("gw").unwrap();
        let [Note::GatewayTaken { gateway: noted, flow }] = decision.notes[..] else {
            panic!("one gateway note, not {:?}", decision.notes)
        };
        assert_eq!((noted, p.flows[flow].target), (gateway, p.element_index(expected).unwrap()));
    }

    let no_default = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "gw"),
            r#"<bpmn:exclusiveGateway id="gw" />"#.to_owned(),
            conditional("big", "gw", "end", "=amount &gt; 1000"),
            conditional("small", "gw", "end", "=amount &lt; 10"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    let mut i = instance(&no_default, json!({"amount": 500}));
    assert_eq!(advance(&no_default, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Incident);
    let incident = i.record.incident.as_ref().unwrap();
    assert_eq!(incident.element, "gw");
    assert!(incident.message.contains("no outgoing condition"), "{}", incident.message);
    assert_eq!(i.position.tokens[0].at, "gw", "the token stays where it stopped");
}

#[test]
fn a_parallel_fork_runs_both_branches_and_the_join_waits_for_both() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "fork"),
            r#"<bpmn:parallelGateway id="fork" />"#.to_owned(),
            flow("f2", "fork", "left"),
            flow("f3", "fork", "right"),
            task("left", ""),
            task("right", ""),
            flow("f4", "left", "join"),
            flow("f5", "right", "join"),
            r#"<bpmn:parallelGateway id="join" />"#.to_owned(),
            flow("f6", "join", "after"),
            task("after", ""),
            flow("f7", "after", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    let mut i = instance(&p, json!({}));
    let first = advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command;
    assert_eq!(element_of(&p, &first), "left");
    let Command::RunStep { seq, .. } = first else { unreachable!() };
    succeed(&mut i, seq, json!({}));
    let second = advance(&p, &mut i, ended(seq, 0)).command;
    assert_eq!(element_of(&p, &second), "right", "the join does not pass one token on its own");
    let waiting: Vec<&str> = i.position.tokens.iter().map(|t| t.at.as_str()).collect();
    assert_eq!(waiting, ["right", "join"], "the left branch's token waits its turn at the join");
    let Command::RunStep { seq, .. } = second else { unreachable!() };
    succeed(&mut i, seq, json!({}));
    let third = advance(&p, &mut i, ended(seq, 0)).command;
    assert_eq!(element_of(&p, &third), "after");
    assert!(i.position.joining.is_empty());
    let (ran, last) = {
        let Command::RunStep { seq, .. } = third else { unreachable!() };
        succeed(&mut i, seq, json!({}));
        let last = advance(&p, &mut i, ended(seq, 0)).command;
        (i.record.steps.iter().map(|s| s.id.clone()).collect::<Vec<_>>(), last)
    };
    assert_eq!(ran, ["left", "right", "after"]);
    assert_eq!(last, Command::Complete);
}

#[test]
fn a_join_no_token_can_reach_is_an_incident() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "gw"),
            r#"<bpmn:exclusiveGateway id="gw" />"#.to_owned(),
            conditional("yes", "gw", "join", "=true"),
            conditional("no", "gw", "join", "=false"),
            r#"<bpmn:parallelGateway id="join" />"#.to_owned(),
            flow("f2", "join", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    let mut i = instance(&p, json!({}));
    assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Incident);
    let incident = i.record.incident.unwrap();
    assert_eq!(incident.element, "join");
    assert!(incident.message.contains("waits for 1 more of its 2 incoming flows"), "{}", incident.message);
}

fn timer_flow() -> Process {
    process(&[
        r#"<bpmn:startEvent id="start" />"#.to_owned(),
        flow("f1", "start", "wait"),
        r#"<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>PT8S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"#.to_owned(),
        flow("f2", "wait", "after"),
        task("after", ""),
        flow("f3", "after", "end"),
        r#"<bpmn:endEvent id="end" />"#.to_owned(),
    ]
    .concat())
}

#[test]
fn a_timer_fixes_its_due_time_on_arrival_and_a_resume_waits_only_for_what_is_left() {
    let p = timer_flow();
    let mut i = instance(&p, json!({}));
    let arrived = advance(&p, &mut i, Event::Proceed { now_ms: 100_000 }).command;
    assert_eq!(arrived, Command::WaitUntil { due_ms: 108_000, element: p.element_index("wait").unwrap() });
    assert_eq!(i.position.tokens[0].due_ms, Some(108_000), "the due time is in the saved position");

    // The host stops at second 4 and resumes at once: the due time stands.
    let mut resumed = i.clone();
    let early = advance(&p, &mut resumed, Event::Proceed { now_ms: 104_000 }).command;
    assert_eq!(early, Command::WaitUntil { due_ms: 108_000, element: p.element_index("wait").unwrap() });

    let due = advance(&p, &mut resumed, Event::Proceed { now_ms: 108_000 }).command;
    assert_eq!(element_of(&p, &due), "after");
}

#[test]
fn an_error_boundary_catches_its_code_and_other_failures_are_incidents() {
    let p = process_with(&[
        r#"<bpmn:startEvent id="start" />"#.to_owned(),
        flow("f1", "start", "notify"),
        task("notify", ""),
        flow("f2", "notify", "end"),
        r#"<bpmn:boundaryEvent id="missing" attachedToRef="notify"><bpmn:errorEventDefinition errorRef="err" /></bpmn:boundaryEvent>"#.to_owned(),
        flow("f3", "missing", "fallback"),
        task("fallback", ""),
        flow("f4", "fallback", "end"),
        r#"<bpmn:endEvent id="end" />"#.to_owned(),
    ]
    .concat(), r#"<bpmn:error id="err" errorCode="channel_not_found" />"#);
    // Every attempt fails with `error`, until the interpreter stops retrying.
    let run_failing = |error: StepError| {
        let mut i = instance(&p, json!({}));
        let Command::RunStep { seq, .. } = advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command else {
            panic!("the task runs first")
        };
        loop {
            fail(&mut i, seq, error.clone());
            match advance(&p, &mut i, ended(seq, 0)).command {
                Command::WaitUntil { due_ms, .. } => {
                    let again = advance(&p, &mut i, Event::Proceed { now_ms: due_ms }).command;
                    assert!(matches!(again, Command::RunStep { .. }), "{again:?}");
                }
                command => return (i, command),
            }
        }
    };

    let (_, caught) = run_failing(not_found("channel_not_found"));
    assert_eq!(element_of(&p, &caught), "fallback", "the boundary takes the token");

    let (i, other) = run_failing(not_found("user_not_found"));
    assert_eq!(other, Command::Incident);
    assert_eq!(i.record.incident.as_ref().unwrap().element, "notify");

    let retryable = StepError::Timeout { phase: "connect".into(), host: "slack.com:443".into(), after_ms: 10 };
    let (i, timed_out) = run_failing(retryable);
    assert_eq!(timed_out, Command::Incident, "a failure that may pass is never caught by a boundary");
    assert_eq!(i.record.steps[0].attempts, 3, "the default of three attempts");
}

#[test]
fn a_step_that_leaves_variables_past_their_bounds_stops_its_instance_and_keeps_the_old_ones() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "notify"),
            task("notify", r#"<zeebe:header key="resultVariable" value="reply" />"#),
            flow("f2", "notify", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    let mut i = instance(&p, json!({"kept": 1}));
    let Command::RunStep { seq, .. } = advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command else {
        panic!("the task runs first")
    };
    let mut deep = json!(1);
    for _ in 0..crate::MAX_VARIABLE_DEPTH {
        deep = json!([deep]);
    }
    succeed(&mut i, seq, deep);
    assert_eq!(advance(&p, &mut i, ended(seq, 0)).command, Command::Incident);
    assert_eq!(Value::Object(i.record.variables.clone()), json!({"kept": 1}));
    assert_eq!(i.record.steps[seq].output, None, "an output past the bounds is not kept");
}

#[test]
fn an_endless_loop_is_stopped_after_its_visits() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "gw"),
            r#"<bpmn:exclusiveGateway id="gw" />"#.to_owned(),
            conditional("again", "gw", "pass", "=true"),
            r#"<bpmn:intermediateThrowEvent id="pass" />"#.to_owned(),
            flow("back", "pass", "gw"),
        ]
        .concat(),
    );
    let mut i = instance(&p, json!({}));
    assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Incident);
    let incident = i.record.incident.unwrap();
    assert!(incident.message.contains("endless loop"), "{}", incident.message);
    assert_eq!(i.position.visits, crate::MAX_ELEMENT_VISITS + 10 * p.elements.len());
}

#[test]
fn a_step_under_way_when_the_host_stopped_is_run_again_not_anew() {
    let p = timer_flow();
    let mut i = instance(&p, json!({}));
    advance(&p, &mut i, Event::Proceed { now_ms: 0 });
    let Command::RunStep { seq, .. } = advance(&p, &mut i, Event::Proceed { now_ms: 8_000 }).command else {
        panic!("the task runs after the timer")
    };
    i.record.steps[seq].attempts = 1;
    // Resumed with the step still running: the same step, its attempts kept.
    let again = advance(&p, &mut i, Event::Proceed { now_ms: 9_000 }).command;
    assert_eq!(again, Command::RunStep { seq, element: p.element_index("after").unwrap() });
    assert_eq!(i.record.steps.len(), 1);
    assert_eq!(i.record.steps[0].attempts, 1);
}

#[test]
fn the_repeat_of_an_attempt_cut_short_waits_until_it_can_no_longer_land_even_across_a_resume() {
    let p = timer_flow();
    let mut i = instance(&p, json!({}));
    advance(&p, &mut i, Event::Proceed { now_ms: 0 });
    let Command::RunStep { seq, element } = advance(&p, &mut i, Event::Proceed { now_ms: 8_000 }).command else {
        panic!("the task runs after the timer")
    };
    i.record.steps[seq].attempts = 1;
    // Resumed at 9 s; the attempt under way may land until 12 s.
    let decision = advance(&p, &mut i, Event::InDoubt { seq, now_ms: 9_000, until_ms: 12_000 });
    assert_eq!(decision.command, Command::WaitUntil { due_ms: 12_000, element });
    assert_eq!(decision.notes, vec![Note::Settling { seq, element, due_ms: 12_000 }]);
    assert_eq!(i.record.steps[seq].not_before_ms, Some(12_000));
    assert!(!i.record.steps[seq].deferred, "settling is no deferred delivery");
    // Stopped again and resumed at 11 s: the saved due time stands.
    let again = advance(&p, &mut i, Event::Proceed { now_ms: 11_000 }).command;
    assert_eq!(again, Command::WaitUntil { due_ms: 12_000, element });
    let due = advance(&p, &mut i, Event::Proceed { now_ms: 12_000 }).command;
    assert_eq!(due, Command::RunStep { seq, element });
    assert_eq!((i.record.steps.len(), i.record.steps[seq].attempts), (1, 1));
}

#[test]
fn the_same_events_give_the_same_commands() {
    let p = timer_flow();
    let play = || {
        let mut i = instance(&p, json!({"n": 1}));
        let mut commands = vec![advance(&p, &mut i, Event::Proceed { now_ms: 5 }).command];
        commands.push(advance(&p, &mut i, Event::Proceed { now_ms: 8_005 }).command);
        let Command::RunStep { seq, .. } = commands[1] else { panic!("the task runs") };
        succeed(&mut i, seq, json!({"ok": true}));
        commands.push(advance(&p, &mut i, ended(seq, 8_010)).command);
        (commands, serde_json::to_string(&i.record).unwrap(), i.position)
    };
    assert_eq!(play(), play());
}

#[test]
fn an_instance_that_ended_stays_ended() {
    let p = timer_flow();
    let mut i = instance(&p, json!({}));
    i.record.state = InstanceState::Incident;
    assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Incident);
    i.record.state = InstanceState::Completed;
    assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Complete);
    assert!(i.record.steps.is_empty(), "nothing ran");
}

fn retried_flow(headers: &str, retries: u32) -> Process {
    let task = task("notify", headers).replace(r#"type="fake""#, &format!(r#"type="fake" retries="{retries}""#));
    process_with(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "notify"),
            task,
            flow("f2", "notify", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
            r#"<bpmn:boundaryEvent id="caught" attachedToRef="notify"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>"#
                .to_owned(),
            flow("f3", "caught", "end"),
        ]
        .concat(),
        "",
    )
}

fn server_error() -> StepError {
    StepError::Transient(FailureInfo { code: "http_500".into(), message: "internal error".into(), hint: String::new() })
}

/// Starts the flow at `now_ms` and returns the first step's index.
fn first_attempt(p: &Process, i: &mut Instance, now_ms: u64) -> usize {
    match advance(p, i, Event::Proceed { now_ms }).command {
        Command::RunStep { seq, .. } => seq,
        other => panic!("the task runs first, not {other:?}"),
    }
}

#[test]
fn failed_attempts_are_retried_after_a_doubling_backoff_until_the_retries_run_out() {
    let p = retried_flow(r#"<zeebe:header key="retryBackoff" value="PT2S" />"#, 3);
    let notify = p.element_index("notify").unwrap();
    let mut i = instance(&p, json!({}));
    let seq = first_attempt(&p, &mut i, 1_000);
    let mut dues = Vec::new();
    let mut now = 1_000;
    for _ in 0..2 {
        fail(&mut i, seq, server_error());
        let decision = advance(&p, &mut i, ended(seq, now + 100));
        let Command::WaitUntil { due_ms, element } = decision.command else {
            panic!("a retry waits, not {:?}", decision.command)
        };
        assert_eq!(element, notify);
        assert_eq!(decision.notes, [Note::Retrying { seq, element: notify, due_ms }]);
        assert_eq!(i.record.steps[seq].not_before_ms, Some(due_ms), "the due time is saved with the step");
        assert_eq!(i.record.steps[seq].status, StepStatus::Running);
        dues.push(due_ms - (now + 100));
        now = due_ms;
        let again = advance(&p, &mut i, Event::Proceed { now_ms: now }).command;
        assert_eq!(again, Command::RunStep { seq, element: notify });
        assert_eq!(i.record.steps[seq].not_before_ms, None);
    }
    assert_eq!(dues, [2_000, 4_000], "PT2S, then twice that");
    fail(&mut i, seq, server_error());
    let last = advance(&p, &mut i, ended(seq, now + 100)).command;
    assert_eq!(last, Command::Incident, "after its third attempt the task fails; a retryable failure is not caught");
    assert_eq!(i.record.steps[seq].status, StepStatus::Failed);
    assert_eq!(i.record.steps[seq].attempts, 3);
}

#[test]
fn a_retry_waits_at_least_as_long_as_retry_after_and_until_a_lost_attempt_can_no_longer_land() {
    let p = retried_flow("", 3);
    let mut i = instance(&p, json!({}));
    let seq = first_attempt(&p, &mut i, 0);
    fail(&mut i, seq, StepError::RateLimited { retry_after_seconds: 30, message: "ratelimited".into() });
    let Command::WaitUntil { due_ms, .. } = advance(&p, &mut i, ended(seq, 10_000)).command else {
        panic!("a rate limit waits")
    };
    assert_eq!(due_ms, 40_000, "Retry-After 30 s, more than the default backoff of 1 s");

    advance(&p, &mut i, Event::Proceed { now_ms: 40_000 });
    fail(
        &mut i,
        seq,
        StepError::Timeout { phase: "first byte".into(), host: "slack.com:443".into(), after_ms: 30_000 },
    );
    let lost = Event::AttemptEnded { seq, now_ms: 70_000, in_doubt_until_ms: Some(100_000) };
    let Command::WaitUntil { due_ms, .. } = advance(&p, &mut i, lost).command else { panic!("a timeout waits") };
    assert_eq!(due_ms, 100_000, "not before the lost attempt's deadline, though the backoff is 2 s");
}

#[test]
fn a_resume_during_a_backoff_waits_only_for_what_is_left() {
    let p = retried_flow(r#"<zeebe:header key="retryBackoff" value="PT4M" />"#, 2);
    let mut i = instance(&p, json!({}));
    let seq = first_attempt(&p, &mut i, 0);
    fail(&mut i, seq, server_error());
    let Command::WaitUntil { due_ms, .. } = advance(&p, &mut i, ended(seq, 0)).command else { panic!("a retry waits") };
    assert_eq!(due_ms, 240_000);
    // Killed at minute 3, resumed at once from the saved record.
    let mut resumed = Instance { record: i.record.clone(), position: i.position.clone() };
    let waiting = advance(&p, &mut resumed, Event::Proceed { now_ms: 180_000 }).command;
    assert_eq!(waiting, Command::WaitUntil { due_ms: 240_000, element: p.element_index("notify").unwrap() });
    assert_eq!(resumed.record.steps[seq].attempts, 1, "no attempt is made early");
    assert!(matches!(advance(&p, &mut resumed, Event::Proceed { now_ms: 240_000 }).command, Command::RunStep { .. }));
}

#[test]
fn a_permanent_failure_is_not_retried_and_a_boundary_catches_it() {
    let p = retried_flow("", 5);
    let mut i = instance(&p, json!({}));
    let seq = first_attempt(&p, &mut i, 0);
    fail(&mut i, seq, not_found("channel_not_found"));
    let command = advance(&p, &mut i, ended(seq, 0)).command;
    assert_eq!(command, Command::Complete, "the boundary without a code takes the token to the end");
    assert_eq!(i.record.steps[seq].attempts, 1);
    assert_eq!(i.record.steps[seq].status, StepStatus::Failed);
}

#[test]
fn a_backoff_header_that_does_not_parse_fails_the_step_before_any_attempt() {
    let p = retried_flow(r#"<zeebe:header key="retryBackoff" value="five seconds" />"#, 3);
    let mut i = instance(&p, json!({}));
    let command = advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command;
    assert_eq!(command, Command::Complete, "the failure is permanent, so the boundary catches it");
    let step = &i.record.steps[0];
    assert_eq!((step.attempts, step.status), (0, StepStatus::Failed));
    assert!(step.error.as_ref().unwrap().to_string().contains("retryBackoff"), "{:?}", step.error);
}

#[test]
fn a_deferred_delivery_waits_for_its_window_and_is_no_new_attempt() {
    let p = retried_flow("", 3);
    let notify = p.element_index("notify").unwrap();
    let mut i = instance(&p, json!({}));
    let seq = first_attempt(&p, &mut i, 0);
    // The connector answered that the update waits for its throttle window.
    i.record.steps[seq].attempts = 1;
    i.record.steps[seq].output = Some(json!({"ok": true, "deferred": true}));
    let decision = advance(&p, &mut i, Event::Deferred { seq, now_ms: 1_000, until_ms: 30_000 });
    assert_eq!(decision.command, Command::WaitUntil { due_ms: 30_000, element: notify });
    assert_eq!(decision.notes, [Note::Deferred { seq, element: notify, due_ms: 30_000 }]);
    let step = &i.record.steps[seq];
    assert!(step.deferred && step.not_before_ms == Some(30_000) && step.status == StepStatus::Running);

    // Resumed inside the window: it waits for the rest of it.
    let early = advance(&p, &mut i, Event::Proceed { now_ms: 20_000 }).command;
    assert_eq!(early, Command::WaitUntil { due_ms: 30_000, element: notify });
    assert_eq!(
        advance(&p, &mut i, Event::Proceed { now_ms: 30_000 }).command,
        Command::RunStep { seq, element: notify }
    );
    assert!(i.record.steps[seq].deferred, "the send then due delivers the deferred content");
    succeed(&mut i, seq, json!({"ok": true, "updated": true}));
    assert_eq!(advance(&p, &mut i, ended(seq, 30_100)).command, Command::Complete);
    assert_eq!(i.record.steps[seq].status, StepStatus::Completed);
}

#[test]
fn now_and_uuid_come_from_the_event_and_the_instance_so_a_replay_gives_the_same_values() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "notify"),
            task("notify", r#"<zeebe:header key="resultExpression" value="={at: string(now()), id: uuid()}" />"#),
            flow("f2", "notify", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    let run = |id: &str, now_ms: u64| {
        let mut i = instance(&p, json!({}));
        i.record.instance = id.into();
        let Command::RunStep { seq, .. } = advance(&p, &mut i, Event::Proceed { now_ms }).command else {
            panic!("the task runs")
        };
        succeed(&mut i, seq, json!({"ok": true}));
        assert_eq!(advance(&p, &mut i, ended(seq, now_ms)).command, Command::Complete);
        i.record.variables
    };
    // 2023-11-14T22:13:20Z
    let first = run("i-1", 1_700_000_000_000);
    assert!(first["at"].as_str().unwrap().starts_with("2023-11-14T22:13:20"), "{first:?}");
    assert_eq!(first, run("i-1", 1_700_000_000_000), "a replay gives the same values");
    assert_ne!(first["id"], run("i-2", 1_700_000_000_000)["id"], "another instance, another uuid");
}

/// A flow start → `script` → end, with this script task's extension elements.
fn script_flow(extensions: &str) -> Process {
    process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "compute"),
            format!(r#"<bpmn:scriptTask id="compute"><bpmn:extensionElements>{extensions}</bpmn:extensionElements></bpmn:scriptTask>"#),
            flow("f2", "compute", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    )
}

#[test]
fn a_script_task_sets_its_result_variable_and_the_flow_goes_on() {
    let p = script_flow(
        r#"<zeebe:script expression="=sum(for item in items return item.price * item.qty)" resultVariable="total" />"#,
    );
    let mut i = instance(&p, json!({"items": [{"price": 5, "qty": 2}, {"price": 1.5, "qty": 4}]}));
    let decision = advance(&p, &mut i, Event::Proceed { now_ms: 0 });
    assert_eq!(decision.command, Command::Complete);
    assert_eq!(decision.notes, [Note::ScriptEvaluated { element: p.element_index("compute").unwrap() }]);
    assert_eq!(i.record.variables["total"], json!(16));
    assert!(i.record.steps.is_empty(), "a script is no connector step");
}

#[test]
fn a_script_task_reads_its_inputs_and_maps_its_outputs() {
    let p = script_flow(
        r#"<zeebe:script expression="=base * factor" resultVariable="product" />
        <zeebe:ioMapping>
          <zeebe:input source="=3" target="factor" />
          <zeebe:output source="=product" target="result.value" />
          <zeebe:output source="=factor" target="result.factor" />
        </zeebe:ioMapping>"#,
    );
    let mut i = instance(&p, json!({"base": 7, "result": {"kept": "yes"}}));
    assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Complete);
    assert_eq!(
        Value::Object(i.record.variables),
        json!({"base": 7, "result": {"kept": "yes", "value": 21, "factor": 3}}),
        "neither the input nor the result variable leaks out of the task"
    );
}

#[test]
fn a_script_that_fails_is_an_incident_at_the_task_and_changes_nothing() {
    let p = script_flow(
        r#"<zeebe:script expression="=assert(amount, amount &gt; 0)" resultVariable="checked" />
        <zeebe:ioMapping><zeebe:output source="=checked" target="ok" /></zeebe:ioMapping>"#,
    );
    let mut i = instance(&p, json!({"amount": -1}));
    assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Incident);
    let incident = i.record.incident.as_ref().unwrap();
    assert_eq!(incident.element, "compute");
    assert!(incident.message.starts_with("the script failed: "), "{}", incident.message);
    assert_eq!(i.position.tokens[0].at, "compute", "the token stays where it stopped");
    assert_eq!(Value::Object(i.record.variables), json!({"amount": -1}));
}

#[test]
fn a_scripts_now_and_uuid_come_from_the_event_and_the_instance() {
    let p = script_flow(r#"<zeebe:script expression="={at: string(now()), id: uuid()}" resultVariable="stamp" />"#);
    let run = |id: &str, now_ms: u64| {
        let mut i = instance(&p, json!({}));
        i.record.instance = id.into();
        assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms }).command, Command::Complete);
        i.record.variables["stamp"].clone()
    };
    let first = run("i-1", 1_700_000_000_000);
    assert!(first["at"].as_str().unwrap().starts_with("2023-11-14T22:13:20"), "{first}");
    assert_eq!(first, run("i-1", 1_700_000_000_000), "a replay gives the same values");
    assert_ne!(first["id"], run("i-2", 1_700_000_000_000)["id"], "another instance, another uuid");
}

#[test]
fn a_message_start_event_keeps_only_what_its_outputs_map() {
    let p = process_with(
        &[
            r#"<bpmn:startEvent id="placed"><bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=order.id" target="orderId" /></zeebe:ioMapping></bpmn:extensionElements><bpmn:messageEventDefinition messageRef="m" /></bpmn:startEvent>"#.to_owned(),
            flow("f1", "placed", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
        r#"<bpmn:message id="m" name="order-placed" />"#,
    );
    let mut i = instance(&p, json!({"order": {"id": "A-1", "lines": 3}, "noise": true}));
    assert_eq!(advance(&p, &mut i, Event::Proceed { now_ms: 0 }).command, Command::Complete);
    assert_eq!(Value::Object(i.record.variables), json!({"orderId": "A-1"}));
}

#[test]
fn a_service_tasks_outputs_decide_what_its_results_leave() {
    let p = process(
        &[
            r#"<bpmn:startEvent id="start" />"#.to_owned(),
            flow("f1", "start", "notify"),
            r#"<bpmn:serviceTask id="notify"><bpmn:extensionElements><zeebe:taskDefinition type="fake" /><zeebe:ioMapping><zeebe:input source="=channel" target="data.channel" /><zeebe:output source="=reply.ts" target="messageTs" /></zeebe:ioMapping><zeebe:taskHeaders><zeebe:header key="resultVariable" value="reply" /></zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>"#.to_owned(),
            flow("f2", "notify", "end"),
            r#"<bpmn:endEvent id="end" />"#.to_owned(),
        ]
        .concat(),
    );
    let mut i = instance(&p, json!({"channel": "#ops"}));
    let (ran, last) = run_all(&p, &mut i, &json!({"ts": "1.2"}));
    assert_eq!((ran.as_slice(), last), (["notify".to_owned()].as_slice(), Command::Complete));
    assert_eq!(Value::Object(i.record.variables), json!({"channel": "#ops", "messageTs": "1.2"}));
}
