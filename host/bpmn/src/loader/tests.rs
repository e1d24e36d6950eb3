//! The loader on strings: what loads, and the one diagnostic each problem gives.

use std::path::Path;

use super::load_partially;
use crate::model::{ElementKind, Process, Source};
use crate::{Diagnostic, load_str};

/// A file with `roots` (messages, errors) and a process of `body`.
fn xml(body: &str, roots: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
{roots}
<bpmn:process id="p" isExecutable="true">
{body}
</bpmn:process>
</bpmn:definitions>"#
    )
}

fn load(body: &str, roots: &str) -> Process {
    load_str(&xml(body, roots), Path::new("flow.bpmn")).unwrap_or_else(|err| panic!("the flow loads: {err}"))
}

fn problems(body: &str, roots: &str) -> Vec<Diagnostic> {
    load_partially(&xml(body, roots), Path::new("flow.bpmn")).1
}

/// The diagnostics as `[element] message`, for asserting on.
fn messages(diagnostics: &[Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| format!("[{}] {}", d.element.as_deref().unwrap_or("-"), d.message)).collect()
}

fn flow(id: &str, from: &str, to: &str) -> String {
    format!(r#"<bpmn:sequenceFlow id="{id}" sourceRef="{from}" targetRef="{to}" />"#)
}

fn service_task(id: &str, io: &str) -> String {
    format!(
        r#"<bpmn:serviceTask id="{id}"><bpmn:extensionElements><zeebe:taskDefinition type="slack" /><zeebe:ioMapping>{io}</zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>"#
    )
}

const ORDER_PLACED: &str = r#"<bpmn:message id="m1" name="order-placed"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>
<bpmn:message id="m2" name="order-cancelled" />"#;

fn message_start(id: &str, message: &str) -> String {
    format!(
        r#"<bpmn:startEvent id="{id}"><bpmn:outgoing>f_{id}</bpmn:outgoing><bpmn:messageEventDefinition id="def_{id}" messageRef="{message}" /></bpmn:startEvent>"#
    )
}

#[test]
fn a_message_start_event_alone_is_where_a_run_starts() {
    let p = load(
        &[message_start("placed", "m1"), flow("f_placed", "placed", "end"), r#"<bpmn:endEvent id="end" />"#.into()]
            .concat(),
        ORDER_PLACED,
    );
    let start = &p.elements[p.start];
    assert_eq!(start.id, "placed");
    let ElementKind::StartEvent { message, outputs } = &start.kind else { panic!("{:?}", start.kind) };
    assert_eq!(message.as_deref(), Some("order-placed"));
    assert!(outputs.is_empty());
}

#[test]
fn the_none_start_event_wins_over_message_start_events() {
    let p = load(
        &[
            message_start("placed", "m1"),
            flow("f_placed", "placed", "end"),
            r#"<bpmn:startEvent id="start" />"#.into(),
            flow("f1", "start", "end"),
            r#"<bpmn:endEvent id="end" />"#.into(),
        ]
        .concat(),
        ORDER_PLACED,
    );
    assert_eq!(p.elements[p.start].id, "start");
}

#[test]
fn several_message_start_events_without_a_none_start_event_are_one_problem_naming_them() {
    let found = problems(
        &[
            message_start("placed", "m1"),
            flow("f_placed", "placed", "end"),
            message_start("cancelled", "m2"),
            flow("f_cancelled", "cancelled", "end"),
            r#"<bpmn:endEvent id="end" />"#.into(),
        ]
        .concat(),
        ORDER_PLACED,
    );
    assert_eq!(
        messages(&found),
        [
            "[cancelled] the process has several message start events, `placed` (message `order-placed`), `cancelled` (message `order-cancelled`), and no none start event; a run starts at one: keep one message start event, or add the none start event runs start at"
        ]
    );
}

#[test]
fn a_message_start_event_needs_a_named_message_and_other_start_events_are_refused() {
    let end = r#"<bpmn:endEvent id="end" />"#;
    let unknown = problems(&[message_start("s", "nowhere"), flow("f_s", "s", "end"), end.into()].concat(), "");
    assert_eq!(messages(&unknown), ["[s] messageRef `nowhere` names no `bpmn:message` of this file"]);
    let unnamed = problems(
        &[message_start("s", "m"), flow("f_s", "s", "end"), end.into()].concat(),
        r#"<bpmn:message id="m" />"#,
    );
    assert_eq!(messages(&unnamed), ["[s] the message `m` has no name; give it one"]);
    let timer = problems(
        &[
            r#"<bpmn:startEvent id="s"><bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"#.into(),
            flow("f_s", "s", "end"),
            end.into(),
        ]
        .concat(),
        "",
    );
    // One problem: neither the flow leaving it nor the missing start is reported again.
    assert_eq!(
        messages(&timer),
        [
            "[s] `bpmn:startEvent` with `bpmn:timerEventDefinition` is not supported; herald runs none and message start events"
        ]
    );
    let position = unknown[0].position;
    assert_eq!((position.line, position.column), (5, 59), "the event definition's line and column");
}

#[test]
fn a_message_start_event_may_map_its_variables_and_a_none_start_event_may_not() {
    let outputs = r#"<bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=order.id" target="orderId" /></zeebe:ioMapping></bpmn:extensionElements>"#;
    let with_message = format!(
        r#"<bpmn:startEvent id="s">{outputs}<bpmn:messageEventDefinition messageRef="m1" /></bpmn:startEvent>"#
    );
    let p = load(&[with_message, flow("f", "s", "end"), r#"<bpmn:endEvent id="end" />"#.into()].concat(), ORDER_PLACED);
    let ElementKind::StartEvent { outputs, .. } = &p.elements[p.start].kind else { panic!("a start event") };
    assert_eq!(outputs[0].target, "orderId");

    let none = format!(
        r#"<bpmn:startEvent id="s">{outputs}</bpmn:startEvent>"#,
        outputs = r#"<bpmn:extensionElements><zeebe:ioMapping><zeebe:output source="=x" target="y" /></zeebe:ioMapping></bpmn:extensionElements>"#
    );
    let found = problems(&[none, flow("f", "s", "end"), r#"<bpmn:endEvent id="end" />"#.into()].concat(), "");
    assert_eq!(
        messages(&found),
        ["[s] output mappings on a none start event are not supported; map the variables in a later task"]
    );
}

#[test]
fn a_start_event_cannot_be_arrived_at() {
    let found = problems(
        &[
            r#"<bpmn:startEvent id="start" />"#.into(),
            flow("f1", "start", "gw"),
            r#"<bpmn:exclusiveGateway id="gw" default="out" />"#.into(),
            flow("out", "gw", "end"),
            r#"<bpmn:sequenceFlow id="back" sourceRef="gw" targetRef="start"><bpmn:conditionExpression>=again</bpmn:conditionExpression></bpmn:sequenceFlow>"#.into(),
            r#"<bpmn:endEvent id="end" />"#.into(),
        ]
        .concat(),
        "",
    );
    assert_eq!(messages(&found), ["[start] a start event cannot have incoming flows"]);
}

#[test]
fn a_feel_script_task_loads_with_its_mappings() {
    let p = load(
        &[
            r#"<bpmn:startEvent id="start" />"#.into(),
            flow("f1", "start", "sum"),
            r#"<bpmn:scriptTask id="sum" name="Sum"><bpmn:extensionElements>
                <zeebe:script expression="= sum(items.price) * rate" resultVariable="total" />
                <zeebe:ioMapping><zeebe:input source="=1.2" target="rate" /><zeebe:output source="=total" target="invoice.total" /></zeebe:ioMapping>
            </bpmn:extensionElements></bpmn:scriptTask>"#
                .into(),
            flow("f2", "sum", "end"),
            r#"<bpmn:endEvent id="end" />"#.into(),
        ]
        .concat(),
        "",
    );
    let ElementKind::ScriptTask(script) = &p.elements[p.element_index("sum").unwrap()].kind else {
        panic!("a script task")
    };
    assert_eq!(script.result_variable, "total");
    let scope = serde_json::json!({"items": [{"price": 10}, {"price": 5}], "rate": 2});
    assert_eq!(script.expression.evaluate(&scope).unwrap(), serde_json::json!(30));
    assert_eq!(script.inputs[0].target, "rate");
    assert_eq!(script.outputs[0].target, "invoice.total");
    assert!(matches!(script.outputs[0].source, Source::Expression(_)));
}

#[test]
fn a_script_task_that_is_not_feel_is_one_problem() {
    let around = |task: &str| {
        problems(
            &[
                r#"<bpmn:startEvent id="start" />"#.into(),
                flow("f1", "start", "calc"),
                task.to_owned(),
                flow("f2", "calc", "end"),
                r#"<bpmn:endEvent id="end" />"#.into(),
            ]
            .concat(),
            "",
        )
    };
    let groovy = around(
        r#"<bpmn:scriptTask id="calc" scriptFormat="groovy"><bpmn:script>println 'hi'</bpmn:script></bpmn:scriptTask>"#,
    );
    assert_eq!(groovy.len(), 1, "{groovy:?}");
    assert!(groovy[0].message.starts_with("a script in groovy (`bpmn:script`) is not supported"), "{groovy:?}");
    assert_eq!(groovy[0].element.as_deref(), Some("calc"));

    let worker = around(
        r#"<bpmn:scriptTask id="calc"><bpmn:extensionElements><zeebe:taskDefinition type="script" /></bpmn:extensionElements></bpmn:scriptTask>"#,
    );
    assert_eq!(worker.len(), 1, "{worker:?}");
    assert!(worker[0].message.starts_with("a script task run by a job worker (type `script`)"), "{worker:?}");

    let bare = around(r#"<bpmn:scriptTask id="calc" />"#);
    assert_eq!(
        messages(&bare),
        [
            "[calc] the script task has no `zeebe:script`; give it `<zeebe:script expression=\"=…\" resultVariable=\"…\" />`"
        ]
    );

    let nameless = around(
        r#"<bpmn:scriptTask id="calc"><bpmn:extensionElements><zeebe:script expression="=1" /></bpmn:extensionElements></bpmn:scriptTask>"#,
    );
    assert_eq!(
        messages(&nameless),
        ["[calc] `zeebe:script` has no `resultVariable`; name the variable that takes its value"]
    );
}

#[test]
fn output_mappings_load_and_a_target_must_be_a_name_or_a_path() {
    let body = |io: &str| {
        [
            r#"<bpmn:startEvent id="start" />"#.into(),
            flow("f1", "start", "notify"),
            service_task("notify", io),
            flow("f2", "notify", "end"),
            r#"<bpmn:endEvent id="end" />"#.into(),
        ]
        .concat()
    };
    let p = load(
        &body(
            r#"<zeebe:input source="ops" target="channel" /><zeebe:output source="=response.ts" target="post.ts" /><zeebe:output source="sent" target="status" /><zeebe:output target="cleared" />"#,
        ),
        "",
    );
    let ElementKind::ServiceTask(task) = &p.elements[p.element_index("notify").unwrap()].kind else {
        panic!("a service task")
    };
    let targets: Vec<&str> = task.outputs.iter().map(|o| o.target.as_str()).collect();
    assert_eq!(targets, ["post.ts", "status", "cleared"]);
    assert!(matches!(&task.outputs[1].source, Source::Literal(text) if text == "sent"));
    let Source::Expression(cleared) = &task.outputs[2].source else { panic!("a missing source maps null") };
    assert_eq!(cleared.evaluate(&serde_json::json!({})).unwrap(), serde_json::Value::Null);

    let found = problems(&body(r#"<zeebe:output source="=1" target="post..ts" /><zeebe:output source="=1" />"#), "");
    assert_eq!(
        messages(&found),
        [
            "[notify] the output target `post..ts` is neither a variable name nor a path such as `order.status`",
            "[notify] `zeebe:output` has no `target`; name the process variable it sets",
        ]
    );
}

#[test]
fn each_unsupported_element_is_one_problem_with_its_kind_and_line() {
    let body = [
        r#"<bpmn:startEvent id="start" />"#.into(),
        flow("f1", "start", "choice"),
        r#"<bpmn:eventBasedGateway id="choice" />"#.into(),
        flow("f2", "choice", "paid"),
        r#"<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition id="md" messageRef="m1" /></bpmn:intermediateCatchEvent>"#.into(),
        flow("f3", "paid", "fulfil"),
        r#"<bpmn:subProcess id="fulfil"><bpmn:startEvent id="inner_start" /><bpmn:sequenceFlow id="inner" sourceRef="inner_start" targetRef="inner_end" /><bpmn:endEvent id="inner_end" /></bpmn:subProcess>"#.into(),
        flow("f4", "fulfil", "review"),
        r#"<bpmn:userTask id="review" />"#.into(),
        r#"<bpmn:boundaryEvent id="rejected" attachedToRef="review"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>"#.into(),
        flow("f5", "rejected", "end"),
        flow("f6", "review", "end"),
        r#"<bpmn:endEvent id="end" />"#.into(),
    ]
    .join("\n");
    let found = problems(&body, ORDER_PLACED);
    let expected = [
        ("choice", 8, "`bpmn:eventBasedGateway` is not supported by herald"),
        ("paid", 10, "`bpmn:intermediateCatchEvent` with `bpmn:messageEventDefinition` is not supported"),
        ("fulfil", 12, "`bpmn:subProcess` is not supported by herald"),
        ("review", 14, "`bpmn:userTask` is not supported by herald"),
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (diagnostic, (element, line, start)) in found.iter().zip(expected) {
        assert_eq!((diagnostic.element.as_deref(), diagnostic.position.line), (Some(element), line));
        assert!(diagnostic.message.starts_with(start), "{diagnostic}");
    }
}

#[test]
fn a_structural_problem_leaves_the_steps_for_their_own_checks() {
    let body = [
        r#"<bpmn:startEvent id="start" />"#.into(),
        r#"<bpmn:startEvent id="again" />"#.into(),
        flow("f1", "start", "notify"),
        flow("f2", "again", "notify"),
        service_task(
            "notify",
            r#"<zeebe:input source="ops" target="channel" /><zeebe:input source="=total +" target="text" />"#,
        ),
        flow("f3", "notify", "end"),
        r#"<bpmn:endEvent id="end" />"#.into(),
    ]
    .concat();
    let (process, found) = load_partially(&xml(&body, ""), Path::new("flow.bpmn"));
    assert_eq!(
        messages(&found),
        [
            "[notify] FEEL syntax error: unexpected end of expression",
            "[again] the process has more than one none start event; herald starts at exactly one",
        ]
    );
    let process = process.expect("the process loads as far as it can");
    let ElementKind::ServiceTask(task) = &process.elements[process.element_index("notify").unwrap()].kind else {
        panic!("the task is kept for its connector's check")
    };
    let targets: Vec<&str> = task.inputs.iter().map(|i| i.target.as_str()).collect();
    assert_eq!(targets, ["channel", "text"], "an input that does not parse still counts as given");
}

#[test]
fn a_condition_that_does_not_parse_is_reported_once() {
    let found = problems(
        &[
            r#"<bpmn:startEvent id="start" />"#.into(),
            flow("f1", "start", "gw"),
            r#"<bpmn:exclusiveGateway id="gw" />"#.into(),
            r#"<bpmn:sequenceFlow id="big" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>=amount &gt;</bpmn:conditionExpression></bpmn:sequenceFlow>"#.into(),
            r#"<bpmn:sequenceFlow id="small" sourceRef="gw" targetRef="end"><bpmn:conditionExpression>=amount &lt; 10</bpmn:conditionExpression></bpmn:sequenceFlow>"#.into(),
            r#"<bpmn:endEvent id="end" />"#.into(),
        ]
        .concat(),
        "",
    );
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].element.as_deref(), Some("big"));
    assert!(found[0].message.starts_with("FEEL syntax error"), "{found:?}");
}
