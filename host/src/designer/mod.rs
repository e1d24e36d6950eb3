//! What helps a process designer before a run: the modeler form (an element template) made
//! from a connector's schema, and suggestions for mistyped names.

mod element_template;
mod suggestion;

pub use element_template::element_template;
pub use suggestion::closest;
