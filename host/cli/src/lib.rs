//! herald: runs BPMN process flows whose notification steps are WebAssembly connector
//! components, such as the built-in Slack connector.

pub mod designer;

/// The Slack connector built with this binary.
pub const SLACK_COMPONENT: &[u8] = include_bytes!(env!("HERALD_SLACK_WASM"));
