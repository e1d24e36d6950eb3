//! herald's BPMN interpreter: given a process, an instance and what happened to it, it
//! moves the instance's tokens and returns what must be done next (run a step, wait until
//! a time, save it as completed or as an incident). It never waits, reads no clock and
//! makes no ids, so a host drives it however it runs: a CLI process, a server, a workflow
//! replayed on another machine.

mod bounds;
mod evaluation;
mod gateway;
mod interpreter;
mod mapping;
mod outcome;
mod retry;
mod script;

pub use bounds::{MAX_VARIABLE_BYTES, MAX_VARIABLE_DEPTH, VariableLimit, check_variables};
pub use evaluation::feel_context;
pub use gateway::GatewayError;
pub use interpreter::{Command, Decision, Event, Instance, MAX_ELEMENT_VISITS, Note, advance};
pub use mapping::{MappingError, insert_path};
pub use retry::{BACKOFF_HEADER, Backoff, InvalidBackoff};
pub use script::ScriptError;

#[cfg(test)]
mod tests;
