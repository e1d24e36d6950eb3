//! herald: runs BPMN process flows whose notification steps are WebAssembly connector
//! components, such as the built-in Slack connector.

pub mod bpmn;
pub mod designer;
pub mod engine;
pub mod feel;
pub mod runtime;
pub mod sandbox;
pub mod secrets;
pub mod state;
