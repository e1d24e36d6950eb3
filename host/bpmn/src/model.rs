//! The executable part of a BPMN process, as the engine runs it.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::diagnostic::Position;
use herald_feel::Expression;

/// One executable process loaded from a BPMN file.
#[derive(Debug, Clone)]
pub struct Process {
    /// The process id (`bpmn:process/@id`).
    pub id: String,
    /// The file it was loaded from.
    pub file: PathBuf,
    /// The flow nodes, in document order.
    pub elements: Vec<Element>,
    /// The sequence flows, in document order.
    pub flows: Vec<SequenceFlow>,
    /// Index into `elements` of the start event a run starts at: the none start event, else
    /// the only message start event.
    pub start: usize,
    /// Element id → index into `elements`.
    index: HashMap<String, usize>,
}

impl Process {
    /// A process of these elements and flows, starting at `elements[start]`.
    pub fn new(id: String, file: PathBuf, elements: Vec<Element>, flows: Vec<SequenceFlow>, start: usize) -> Self {
        let index = elements.iter().enumerate().map(|(i, element)| (element.id.clone(), i)).collect();
        Self { id, file, elements, flows, start, index }
    }

    /// The index in `elements` of the element with this id.
    pub fn element_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }
}

/// A flow node: event, task or gateway.
#[derive(Debug, Clone)]
pub struct Element {
    /// The element id.
    pub id: String,
    /// The designer's label, if any.
    pub name: Option<String>,
    /// What the element does.
    pub kind: ElementKind,
    /// Where it is declared.
    pub position: Position,
    /// Indexes into `Process::flows` of the flows leaving this element, in document order.
    pub outgoing: Vec<usize>,
    /// How many sequence flows arrive here (a parallel gateway joins that many tokens).
    pub incoming: usize,
}

/// The kinds of flow nodes herald runs.
#[derive(Debug, Clone)]
pub enum ElementKind {
    /// A start event: a none start event, or a message start event whose message's
    /// variables are the ones the instance starts with.
    StartEvent {
        /// The name of the message (`bpmn:message/@name`) of a message start event.
        message: Option<String>,
        /// A message start event's output mappings: when there are any, only what they map
        /// from the message's variables becomes process variables.
        outputs: Vec<OutputMapping>,
    },
    /// A none end event.
    EndEvent,
    /// A task executed by a connector component.
    ServiceTask(ServiceTask),
    /// A task whose FEEL expression the engine evaluates.
    ScriptTask(ScriptTask),
    /// Takes the first outgoing flow whose condition is true, else the default flow; with
    /// several incoming flows it also merges, passing each token on.
    ExclusiveGateway {
        /// Index into `Process::flows` of the default flow.
        default: Option<usize>,
    },
    /// Forks a token onto every outgoing flow, and joins: it waits for a token on every
    /// incoming flow before going on.
    ParallelGateway,
    /// An intermediate event without a definition: the token passes.
    IntermediateEvent,
    /// A timer intermediate catch event: the token waits this long.
    Timer {
        /// The `timeDuration`.
        duration: std::time::Duration,
    },
    /// An error boundary event on a service task; the token comes here when the task fails
    /// with a matching error.
    ErrorBoundary {
        /// Index into `Process::elements` of the task it is attached to.
        attached_to: usize,
        /// The error code it catches (`bpmn:error/@errorCode`); `None` catches every error.
        error_code: Option<String>,
    },
}

/// A service task bound to a connector through the Zeebe extension elements.
#[derive(Debug, Clone)]
pub struct ServiceTask {
    /// The connector's task type (`zeebe:taskDefinition/@type`), e.g. `slack`.
    pub task_type: String,
    /// Attempts in total (`zeebe:taskDefinition/@retries`, default 3).
    pub retries: u32,
    /// The inputs (`zeebe:ioMapping/zeebe:input`), in document order.
    pub inputs: Vec<InputMapping>,
    /// The output mappings (`zeebe:ioMapping/zeebe:output`), in document order: when there
    /// are any, they decide what of the step's results becomes process variables.
    pub outputs: Vec<OutputMapping>,
    /// The task headers (`zeebe:taskHeaders/zeebe:header`), e.g. `resultVariable`.
    pub headers: BTreeMap<String, String>,
    /// The `resultExpression` header: a context over `response` merged into the variables.
    pub result_expression: Option<Expression>,
    /// The `errorExpression` header: raises a BPMN error from `error` or `response`.
    pub error_expression: Option<Expression>,
}

impl ServiceTask {
    /// The name of the connector that runs the task.
    pub fn connector(&self) -> &str {
        match self.binding() {
            Binding::Herald => &self.task_type,
            Binding::CamundaSlack => "slack",
        }
    }

    /// Whose template the task was drawn with, as its task type says.
    pub fn binding(&self) -> Binding {
        Binding::of(&self.task_type)
    }

    /// The variable that receives the step's output, if the designer named one.
    pub fn result_variable(&self) -> Option<&str> {
        self.headers.get("resultVariable").map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// A script task evaluated by the engine (`zeebe:script`), as Camunda 8 runs one.
#[derive(Debug, Clone)]
pub struct ScriptTask {
    /// The FEEL expression (`zeebe:script/@expression`).
    pub expression: Expression,
    /// The variable that receives its value (`zeebe:script/@resultVariable`).
    pub result_variable: String,
    /// The inputs: local variables the expression sees, in document order.
    pub inputs: Vec<InputMapping>,
    /// The output mappings: when there are any, they decide what of the task's local scope
    /// (its inputs and result variable) becomes process variables.
    pub outputs: Vec<OutputMapping>,
}

/// Whose template a service task follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// herald's own: the task type names the connector, inputs are its inputs.
    Herald,
    /// Camunda's Slack connector template (`io.camunda:slack:1`), read as herald's Slack
    /// step (see `camunda.rs`).
    CamundaSlack,
}

/// One `zeebe:input`: a target input name and where its value comes from.
#[derive(Debug, Clone)]
pub struct InputMapping {
    /// The input's name; dots make nested objects (`data.channel`).
    pub target: String,
    /// The value.
    pub source: Source,
    /// Where the source is written.
    pub position: Position,
}

/// One `zeebe:output`: where a value of a task's local scope goes among the process
/// variables.
#[derive(Debug, Clone)]
pub struct OutputMapping {
    /// The process variable it sets; dots set one property of a variable (`order.status`),
    /// keeping the others.
    pub target: String,
    /// The value, evaluated in the task's local scope.
    pub source: Source,
    /// Where the source is written.
    pub position: Position,
}

/// The source of an input or output value.
#[derive(Debug, Clone)]
pub enum Source {
    /// A FEEL expression (the source started with `=`), evaluated by the engine.
    Expression(Expression),
    /// Literal text: a connector's input passes it as is (the connector may render it as a
    /// template); anywhere else it is a string.
    Literal(String),
}

/// A sequence flow between two elements.
#[derive(Debug, Clone)]
pub struct SequenceFlow {
    /// The flow id.
    pub id: String,
    /// Index into `Process::elements` of the target.
    pub target: usize,
    /// The FEEL condition, if any.
    pub condition: Option<Expression>,
}
