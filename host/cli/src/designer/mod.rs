//! What helps a process designer before a run: the modeler forms (element templates) of
//! herald's connectors, made from their schemas, and of Camunda's Slack connector task type.

mod camunda_slack;
mod element_template;
mod template;

pub use camunda_slack::camunda_slack_template;
pub use element_template::element_template;
