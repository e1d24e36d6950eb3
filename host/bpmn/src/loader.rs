//! Reads BPMN 2.0 XML (as Camunda Modeler and bpmn.io save it) into a [`Process`].
//!
//! Every problem is collected with its line and column, so a designer sees all of them at
//! once. Flow elements herald cannot run are reported, never skipped; what only matters to
//! other tools (diagram interchange, documentation, other tools' extensions) is ignored.
//!
//! A problem is reported once: an element that is reported is left out, and what refers to
//! it (a flow, a boundary event, a default flow) is not reported again; an expression that
//! does not parse stands as `null`, so that its mapping or condition still counts as there.

mod events;
mod mappings;
mod script;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use roxmltree::{Attribute, Document, Node};

use super::camunda;
use super::diagnostic::{Diagnostic, LoadError, Position};
use super::model::{Binding, Element, ElementKind, Process, SequenceFlow, ServiceTask};
use super::suggestion::closest;
use super::text_index::TextIndex;
use herald_feel::{Expression, FeelError};

/// The BPMN 2.0 model namespace.
pub const BPMN_NS: &str = "http://www.omg.org/spec/BPMN/20100524/MODEL";
/// Camunda 8's Zeebe extension namespace.
pub const ZEEBE_NS: &str = "http://camunda.org/schema/zeebe/1.0";

/// Attempts in total when a task definition does not say.
const DEFAULT_RETRIES: u32 = 3;

/// BPMN elements inside a process that carry no behaviour herald must honour.
const IGNORED_IN_PROCESS: &[&str] = &[
    "documentation",
    "extensionElements",
    "laneSet",
    "textAnnotation",
    "association",
    "group",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "property",
];

/// Loads the executable process of a BPMN file.
pub fn load_file(path: &Path) -> Result<Process, LoadError> {
    let text = std::fs::read_to_string(path).map_err(|source| LoadError::Read { path: path.to_path_buf(), source })?;
    load_str(&text, path)
}

/// Loads the executable process from BPMN text; `file` names it in diagnostics.
pub fn load_str(text: &str, file: &Path) -> Result<Process, LoadError> {
    match load_partially(text, file) {
        (Some(process), diagnostics) if diagnostics.is_empty() => Ok(process),
        (_, diagnostics) => Err(LoadError::Invalid(diagnostics)),
    }
}

/// Every problem of a flow, and the process as far as it loads despite them (what is
/// wrong is left out, and its `start` means nothing while there are problems), so that
/// `validate` can check its steps too.
pub fn load_partially(text: &str, file: &Path) -> (Option<Process>, Vec<Diagnostic>) {
    let doc = match Document::parse(text) {
        Ok(doc) => doc,
        Err(err) => {
            let pos = err.pos();
            let diagnostic = Diagnostic {
                file: file.to_path_buf(),
                position: Position { line: pos.row, column: pos.col },
                element: None,
                message: format!("malformed XML: {err}"),
            };
            return (None, vec![diagnostic]);
        }
    };
    let mut loader = Loader {
        doc: &doc,
        index: TextIndex::new(text),
        file: file.to_path_buf(),
        diagnostics: Vec::new(),
        gateway_defaults: HashMap::new(),
        error_codes: HashMap::new(),
        messages: HashMap::new(),
        attachments: HashMap::new(),
        rejected: HashSet::new(),
        current: None,
    };
    let process = loader.process();
    (process, loader.diagnostics)
}

struct Loader<'a, 'input> {
    doc: &'a Document<'input>,
    index: TextIndex<'input>,
    file: PathBuf,
    diagnostics: Vec<Diagnostic>,
    /// Gateway id → the id of its default flow, resolved once all flows are known.
    gateway_defaults: HashMap<String, &'a str>,
    /// `bpmn:error` id → its `errorCode`, from the definitions.
    error_codes: HashMap<&'a str, Option<&'a str>>,
    /// `bpmn:message` id → its `name`, from the definitions.
    messages: HashMap<&'a str, Option<&'a str>>,
    /// Boundary event id → the id of the task it is attached to, resolved once all elements
    /// are known.
    attachments: HashMap<String, &'a str>,
    /// The ids of the flow nodes reported and left out: what refers to them is not
    /// reported again.
    rejected: HashSet<&'a str>,
    /// The id of the element being read, which its diagnostics name.
    current: Option<&'a str>,
}

/// A sequence flow before its ends are resolved to element indexes.
struct RawFlow<'a, 'input> {
    node: Node<'a, 'input>,
    id: String,
    source: String,
    target: String,
    condition: Option<Expression>,
}

impl<'a, 'input> Loader<'a, 'input> {
    fn position(&self, byte: usize) -> Position {
        self.index.position(byte)
    }

    /// Reports a problem at `node`, naming the element being read (a part of an element,
    /// such as an event definition, may have an id of its own), else `node`'s id.
    fn report(&mut self, node: Node, message: impl Into<String>) {
        let position = self.position(node.range().start);
        self.report_at(position, self.current.or(node.attribute("id")), message);
    }

    fn report_at(&mut self, position: Position, element: Option<&str>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.clone(),
            position,
            element: element.map(str::to_owned),
            message: message.into(),
        });
    }

    fn process(&mut self) -> Option<Process> {
        let root = self.doc.root_element();
        if !is_bpmn(root, "definitions") {
            self.report(root, "not a BPMN 2.0 file: the root element must be `bpmn:definitions`");
            return None;
        }
        for error in root.children().filter(|n| is_bpmn(*n, "error")) {
            if let Some(id) = error.attribute("id") {
                self.error_codes.insert(id, error.attribute("errorCode"));
            }
        }
        for message in root.children().filter(|n| is_bpmn(*n, "message")) {
            if let Some(id) = message.attribute("id") {
                self.messages.insert(id, message.attribute("name").map(str::trim).filter(|name| !name.is_empty()));
            }
        }
        let processes: Vec<Node> = root.children().filter(|n| is_bpmn(*n, "process")).collect();
        let executable: Vec<Node> =
            processes.iter().copied().filter(|p| p.attribute("isExecutable") == Some("true")).collect();
        let candidates = if executable.is_empty() { processes } else { executable };
        match candidates.as_slice() {
            [process] => self.process_node(*process),
            [] => {
                self.report(root, "the file has no `bpmn:process`");
                None
            }
            [_, second, ..] => {
                self.report(*second, "the file has more than one executable process; herald runs one process per file");
                None
            }
        }
    }

    fn process_node(&mut self, node: Node<'a, 'input>) -> Option<Process> {
        let mut elements = Vec::new();
        let mut raw_flows = Vec::new();
        for child in node.children().filter(Node::is_element) {
            if child.tag_name().namespace() != Some(BPMN_NS) {
                continue;
            }
            let name = child.tag_name().name();
            self.current = child.attribute("id");
            match name {
                "sequenceFlow" => raw_flows.extend(self.sequence_flow(child)),
                _ if IGNORED_IN_PROCESS.contains(&name) => {}
                _ => match self.flow_node(child) {
                    Some(element) => elements.push(element),
                    None => self.rejected.extend(child.attribute("id")),
                },
            }
        }
        self.current = None;
        self.check_unique_ids(&elements, &raw_flows);

        let index: HashMap<String, usize> =
            elements.iter().enumerate().map(|(i, e): (usize, &Element)| (e.id.clone(), i)).collect();
        let mut flows = Vec::new();
        let mut flow_index = HashMap::new();
        // A flow with an end that is not loaded (reported, it or its element) is left out,
        // but still counts as a way out of the element at its other end.
        let mut dropped = HashSet::new();
        let mut dangling: HashMap<usize, usize> = HashMap::new();
        for raw in &raw_flows {
            let source = index.get(raw.source.as_str()).copied();
            let target = index.get(raw.target.as_str()).copied();
            for (end, id, found) in [("sourceRef", &raw.source, source), ("targetRef", &raw.target, target)] {
                if found.is_none() && !self.rejected.contains(id.as_str()) {
                    self.report(raw.node, format!("{end} `{id}` names no supported flow element of this process"));
                }
            }
            let (Some(source), Some(target)) = (source, target) else {
                dropped.insert(raw.id.as_str());
                if let Some(source) = source {
                    *dangling.entry(source).or_default() += 1;
                }
                if let Some(target) = target {
                    elements[target].incoming += 1;
                }
                continue;
            };
            flow_index.insert(raw.id.as_str(), flows.len());
            elements[source].outgoing.push(flows.len());
            elements[target].incoming += 1;
            flows.push(SequenceFlow { id: raw.id.clone(), target, condition: raw.condition.clone() });
        }
        self.resolve_defaults(&mut elements, &flow_index, &dropped);
        self.resolve_attachments(&mut elements, &index);
        self.check_structure(&elements, &flows, &raw_flows, &dangling);
        let start = self.choose_start(node, &elements);
        // Without a start the process still goes to `validate`, which checks its steps.
        Some(Process::new(
            node.attribute("id").unwrap_or("process").to_owned(),
            self.file.clone(),
            elements,
            flows,
            start.unwrap_or_default(),
        ))
    }

    fn flow_node(&mut self, node: Node<'a, 'input>) -> Option<Element> {
        let name = node.tag_name().name();
        let Some(id) = node.attribute("id") else {
            self.report(node, format!("`bpmn:{name}` has no id"));
            return None;
        };
        let kind = match name {
            "startEvent" => self.start_event(node)?,
            "endEvent" => {
                if let Some(definition) = event_definition(node) {
                    self.report(
                        node,
                        format!(
                            "`bpmn:endEvent` with `bpmn:{definition}` is not supported; herald runs none end events"
                        ),
                    );
                    return None;
                }
                ElementKind::EndEvent
            }
            "serviceTask" => ElementKind::ServiceTask(self.service_task(node)?),
            "scriptTask" => ElementKind::ScriptTask(self.script_task(node)?),
            "exclusiveGateway" => {
                if let Some(default) = node.attribute("default") {
                    self.gateway_defaults.insert(id.to_owned(), default);
                }
                ElementKind::ExclusiveGateway { default: None }
            }
            "parallelGateway" => ElementKind::ParallelGateway,
            "intermediateThrowEvent" | "intermediateCatchEvent" => match event_definition(node) {
                None => ElementKind::IntermediateEvent,
                Some("timerEventDefinition") if name == "intermediateCatchEvent" => self.timer(node)?,
                Some(definition) => {
                    self.report(node, format!("`bpmn:{name}` with `bpmn:{definition}` is not supported; herald runs none intermediate events and timer catch events"));
                    return None;
                }
            },
            "boundaryEvent" => self.boundary(node, id)?,
            _ => {
                self.report(node, format!("`bpmn:{name}` is not supported by herald (supported: startEvent (none or message), endEvent, intermediateThrowEvent, intermediateCatchEvent with a timer, boundaryEvent with an error, serviceTask, scriptTask with zeebe:script, exclusiveGateway, parallelGateway, sequenceFlow)"));
                return None;
            }
        };
        Some(Element {
            id: id.to_owned(),
            name: node.attribute("name").map(str::to_owned),
            kind,
            position: self.position(node.range().start),
            outgoing: Vec::new(),
            incoming: 0,
        })
    }

    /// A timer catch event's `timeDuration` (ISO 8601).
    fn timer(&mut self, node: Node<'a, 'input>) -> Option<ElementKind> {
        let duration = node.descendants().find(|n| is_bpmn(*n, "timeDuration")).and_then(|n| n.text()).map(str::trim);
        let Some(text) = duration else {
            self.report(node, "the timer has no `bpmn:timeDuration`; give an ISO 8601 duration such as PT5M (dates and cycles are not supported)");
            return None;
        };
        match crate::parse_duration(text) {
            Ok(duration) => Some(ElementKind::Timer { duration }),
            Err(err) => {
                self.report(
                    node,
                    format!(
                        "the timer's `timeDuration` must be an ISO 8601 duration such as PT5M, not `{text}`: {err}"
                    ),
                );
                None
            }
        }
    }

    /// An interrupting error boundary event; other boundary events are reported.
    fn boundary(&mut self, node: Node<'a, 'input>, id: &str) -> Option<ElementKind> {
        let Some(attached) = node.attribute("attachedToRef") else {
            self.report(node, "the boundary event has no `attachedToRef`");
            return None;
        };
        let Some(error) = node.children().find(|c| is_bpmn(*c, "errorEventDefinition")) else {
            let what = event_definition(node).unwrap_or("no event definition");
            self.report(
                node,
                format!("a boundary event with {what} is not supported; herald runs error boundary events"),
            );
            return None;
        };
        if node.attribute("cancelActivity") == Some("false") {
            self.report(node, "an error boundary event always interrupts its task; remove cancelActivity=\"false\"");
            return None;
        }
        let error_code = match error.attribute("errorRef") {
            None => None,
            Some(reference) => match self.error_codes.get(reference) {
                Some(code) => code.map(str::to_owned),
                None => {
                    self.report(error, format!("errorRef `{reference}` names no `bpmn:error` of this file"));
                    return None;
                }
            },
        };
        self.attachments.insert(id.to_owned(), attached);
        // The task is resolved once every element is known.
        Some(ElementKind::ErrorBoundary { attached_to: usize::MAX, error_code })
    }

    fn resolve_attachments(&mut self, elements: &mut [Element], index: &HashMap<String, usize>) {
        let tasks: Vec<bool> = elements.iter().map(|e| matches!(e.kind, ElementKind::ServiceTask(_))).collect();
        for element in elements.iter_mut() {
            let ElementKind::ErrorBoundary { attached_to, .. } = &mut element.kind else {
                continue;
            };
            let target = self.attachments.get(&element.id).copied().unwrap_or_default();
            match index.get(target) {
                Some(&task) if tasks[task] => *attached_to = task,
                // Its task was reported already.
                None if self.rejected.contains(target) => {}
                _ => {
                    let id = element.id.clone();
                    self.report_at(
                        element.position,
                        Some(&id),
                        format!(
                            "the boundary event is attached to `{target}`, which is not a service task of this process"
                        ),
                    );
                }
            }
        }
    }

    /// Reports a task's loop characteristics, which herald does not run.
    fn refuse_loops(&mut self, node: Node<'a, 'input>) -> Option<()> {
        if let Some(looping) = node
            .children()
            .find(|c| is_bpmn(*c, "multiInstanceLoopCharacteristics") || is_bpmn(*c, "standardLoopCharacteristics"))
        {
            let what = looping.tag_name().name();
            self.report(looping, format!("`bpmn:{what}` is not supported; herald runs each task once"));
            return None;
        }
        Some(())
    }

    fn service_task(&mut self, node: Node<'a, 'input>) -> Option<ServiceTask> {
        self.refuse_loops(node)?;
        let extensions = node.children().find(|c| is_bpmn(*c, "extensionElements"));
        let zeebe = |local: &str| extensions.and_then(|ext| ext.children().find(|c| is_zeebe(*c, local)));
        let Some(definition) = zeebe("taskDefinition") else {
            self.report(node, "the service task has no `zeebe:taskDefinition`; add one with the connector's type, e.g. type=\"slack\"");
            return None;
        };
        let Some(task_type) = definition.attribute("type").filter(|t| !t.trim().is_empty()) else {
            self.report(definition, "`zeebe:taskDefinition` has no `type`; name a connector, e.g. type=\"slack\"");
            return None;
        };
        let retries = match definition.attribute("retries").map(str::trim) {
            None | Some("") => DEFAULT_RETRIES,
            Some(text) => match text.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    self.report(
                        definition,
                        format!("`retries` must be a whole number of attempts, at least 1, not `{text}`"),
                    );
                    DEFAULT_RETRIES
                }
            },
        };
        let (mut inputs, outputs) = self.io_mapping(zeebe("ioMapping"));
        let mut headers = BTreeMap::new();
        let (mut result_expression, mut error_expression) = (None, None);
        if let Some(list) = zeebe("taskHeaders") {
            for header in list.children().filter(|c| is_zeebe(*c, "header")) {
                let Some(key) = header.attribute("key") else {
                    self.report(header, "`zeebe:header` has no `key`");
                    continue;
                };
                let value = header.attribute("value").unwrap_or_default();
                match key {
                    "resultExpression" => result_expression = self.header_expression(header),
                    "errorExpression" => error_expression = self.header_expression(header),
                    _ => {}
                }
                headers.insert(key.to_owned(), value.to_owned());
            }
        }
        let task_type = task_type.trim().to_owned();
        if Binding::of(&task_type) == Binding::CamundaSlack {
            inputs = match camunda::slack_inputs(inputs) {
                Ok(inputs) => inputs,
                Err(problems) => {
                    for (position, message) in problems {
                        self.report_at(position, node.attribute("id"), message);
                    }
                    return None;
                }
            };
        }
        Some(ServiceTask { task_type, retries, inputs, outputs, headers, result_expression, error_expression })
    }

    /// A header whose value is FEEL (`resultExpression`, `errorExpression`), with or
    /// without Camunda's leading `=`.
    fn header_expression(&mut self, header: Node<'a, 'input>) -> Option<Expression> {
        self.attribute_expression(header.attribute_node("value")?)
    }

    /// FEEL written in an attribute, with or without Camunda's leading `=`; `None` when it
    /// is blank or does not parse (reported).
    fn attribute_expression(&mut self, attr: Attribute<'a, 'input>) -> Option<Expression> {
        let raw = attr.value();
        let leading = raw.len() - raw.trim_start().len();
        let (feel, skip) = match raw.trim().strip_prefix('=') {
            Some(rest) => (rest, leading + 1),
            None => (raw.trim(), leading),
        };
        if feel.trim().is_empty() {
            return None;
        }
        let position = self.position(attr.range_value().start);
        self.expression(feel, position, skip)
    }

    fn sequence_flow(&mut self, node: Node<'a, 'input>) -> Option<RawFlow<'a, 'input>> {
        let (Some(id), Some(source), Some(target)) =
            (node.attribute("id"), node.attribute("sourceRef"), node.attribute("targetRef"))
        else {
            self.report(node, "`bpmn:sequenceFlow` needs `id`, `sourceRef` and `targetRef`");
            return None;
        };
        let condition = match node.children().find(|c| is_bpmn(*c, "conditionExpression")) {
            None => None,
            Some(expr) => {
                let text_node = expr.first_child().filter(|c| c.is_text());
                let raw = text_node.and_then(|t| t.text()).unwrap_or_default();
                let start = text_node.map_or(expr.range().start, |t| t.range().start);
                let position = self.position(start);
                // Camunda writes conditions with a leading `=`; bpmn.io may not.
                let leading = raw.len() - raw.trim_start().len();
                let body = raw.trim();
                let (feel, skip) = match body.strip_prefix('=') {
                    Some(rest) => (rest, leading + 1),
                    None => (body, leading),
                };
                if feel.trim().is_empty() {
                    self.report(expr, "the condition is empty");
                    return None;
                }
                Some(self.expression(feel, position, skip).unwrap_or_else(null_expression))
            }
        };
        Some(RawFlow { node, id: id.to_owned(), source: source.to_owned(), target: target.to_owned(), condition })
    }

    /// Parses FEEL found at `start` after `skip` characters; errors point into the text.
    fn expression(&mut self, feel: &str, start: Position, skip: usize) -> Option<Expression> {
        match Expression::parse(feel) {
            Ok(expression) => {
                let unknown = expression.unknown_functions();
                for name in &unknown {
                    let hint = closest(name, herald_feel::builtin_names())
                        .map(|known| format!("; did you mean `{known}`?"))
                        .unwrap_or_default();
                    self.report_at(start, self.current, format!("FEEL: there is no function `{name}`{hint}"));
                }
                unknown.is_empty().then_some(expression)
            }
            Err(FeelError::Syntax { column, message }) => {
                let position = Position { line: start.line, column: start.column + (skip + column - 1) as u32 };
                self.report_at(position, self.current, format!("FEEL syntax error: {message}"));
                None
            }
            Err(other) => {
                self.report_at(start, self.current, other.to_string());
                None
            }
        }
    }

    fn check_unique_ids(&mut self, elements: &[Element], flows: &[RawFlow]) {
        let mut seen = HashMap::new();
        let ids = elements
            .iter()
            .map(|e| (e.id.as_str(), e.position))
            .chain(flows.iter().map(|f| (f.id.as_str(), self.position(f.node.range().start))));
        let mut duplicates = Vec::new();
        for (id, position) in ids {
            if seen.insert(id, position).is_some() {
                duplicates.push((id.to_owned(), position));
            }
        }
        for (id, position) in duplicates {
            self.report_at(position, Some(&id), format!("the id `{id}` is used more than once"));
        }
    }

    /// Resolves each exclusive gateway's default flow; `dropped` are the flows left out
    /// because an element at their end was reported.
    fn resolve_defaults(
        &mut self,
        elements: &mut [Element],
        flow_index: &HashMap<&str, usize>,
        dropped: &HashSet<&str>,
    ) {
        for element in elements.iter_mut() {
            let ElementKind::ExclusiveGateway { default } = &mut element.kind else {
                continue;
            };
            let Some(&name) = self.gateway_defaults.get(&element.id) else {
                continue;
            };
            match flow_index.get(name) {
                Some(&flow) if element.outgoing.contains(&flow) => *default = Some(flow),
                None if dropped.contains(name) => {}
                _ => {
                    let id = element.id.clone();
                    self.report_at(
                        element.position,
                        Some(&id),
                        format!("the default flow `{name}` is not an outgoing flow of this gateway"),
                    );
                }
            }
        }
    }

    /// Checks each element's flows; `dangling` counts, by element, the flows that leave it
    /// for an element that was reported.
    fn check_structure(
        &mut self,
        elements: &[Element],
        flows: &[SequenceFlow],
        raw: &[RawFlow],
        dangling: &HashMap<usize, usize>,
    ) {
        for (i, element) in elements.iter().enumerate() {
            let outgoing = element.outgoing.len() + dangling.get(&i).copied().unwrap_or_default();
            let id = Some(element.id.as_str());
            if matches!(element.kind, ElementKind::StartEvent { .. }) && element.incoming > 0 {
                self.report_at(element.position, id, "a start event cannot have incoming flows");
            }
            match &element.kind {
                ElementKind::EndEvent if outgoing > 0 => {
                    self.report_at(element.position, id, "an end event cannot have outgoing flows");
                }
                ElementKind::EndEvent => {}
                ElementKind::ParallelGateway => {
                    if outgoing == 0 {
                        self.report_at(element.position, id, "the gateway has no outgoing flow");
                    }
                    for &flow in &element.outgoing {
                        if flows[flow].condition.is_some() {
                            let flow_id = flows[flow].id.clone();
                            self.report_at(element.position, id, format!(
                                "the flow `{flow_id}` leaves a parallel gateway, which takes every flow: remove its condition or use an exclusive gateway"
                            ));
                        }
                    }
                }
                ElementKind::ExclusiveGateway { default } => {
                    if outgoing == 0 {
                        self.report_at(element.position, id, "the gateway has no outgoing flow");
                    }
                    // A gateway with one way out only merges: its flow needs no condition.
                    let branches = if outgoing > 1 { element.outgoing.as_slice() } else { &[] };
                    for &flow in branches {
                        if flows[flow].condition.is_none() && *default != Some(flow) {
                            let flow_id = flows[flow].id.clone();
                            self.report_at(element.position, id, format!(
                                "the flow `{flow_id}` leaves an exclusive gateway without a condition; give it a condition or make it the gateway's default flow"
                            ));
                        }
                    }
                }
                _ => {
                    if outgoing == 0 {
                        self.report_at(
                            element.position,
                            id,
                            "the element has no outgoing sequence flow; connect it to the next element or an end event",
                        );
                    } else if outgoing > 1 {
                        self.report_at(element.position, id, format!(
                            "the element has {outgoing} outgoing flows; branch with an exclusive or a parallel gateway"
                        ));
                    }
                    for &flow in &element.outgoing {
                        if flows[flow].condition.is_some() {
                            let node = raw.iter().find(|r| r.id == flows[flow].id).map(|r| r.node);
                            let message = "only flows leaving an exclusive gateway can have a condition";
                            match node {
                                Some(node) => self.report(node, message),
                                None => self.report_at(element.position, id, message),
                            }
                        }
                    }
                }
            }
        }
    }
}

fn is_bpmn(node: Node, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(BPMN_NS) && node.tag_name().name() == local
}

fn is_zeebe(node: Node, local: &str) -> bool {
    node.is_element() && node.tag_name().namespace() == Some(ZEEBE_NS) && node.tag_name().name() == local
}

/// FEEL's `null`: what a mapping without a source maps (as in Camunda), and what stands for
/// an expression that does not parse in a process that has problems, keeping its mapping or
/// condition there so that what depends on it (a connector's check of its inputs, a
/// gateway's conditions) is not reported again.
fn null_expression() -> Expression {
    Expression::parse("null").expect("`null` is FEEL")
}

/// The local name of an event's `bpmn:*EventDefinition` child, if it has one.
fn event_definition<'a>(node: Node<'a, '_>) -> Option<&'a str> {
    event_definition_node(node).map(|definition| definition.tag_name().name())
}

/// An event's `bpmn:*EventDefinition` child, if it has one.
fn event_definition_node<'a, 'input>(node: Node<'a, 'input>) -> Option<Node<'a, 'input>> {
    node.children().find(|c| {
        c.is_element() && c.tag_name().namespace() == Some(BPMN_NS) && c.tag_name().name().ends_with("EventDefinition")
    })
}
