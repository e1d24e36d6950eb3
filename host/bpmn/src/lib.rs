//! BPMN 2.0 flows: the model herald runs and the loader that reads it from XML.

mod camunda;
mod diagnostic;
mod duration;
mod loader;
mod model;
mod suggestion;
mod text_index;

pub use camunda::CAMUNDA_SLACK_TYPE;
pub use diagnostic::{Diagnostic, LoadError, Position};
pub use duration::{InvalidDuration, parse_duration};
pub use loader::{BPMN_NS, ZEEBE_NS, load_file, load_partially, load_str};
pub use model::{
    Binding, Element, ElementKind, InputMapping, OutputMapping, Process, ScriptTask, SequenceFlow, ServiceTask, Source,
};
pub use suggestion::closest;
