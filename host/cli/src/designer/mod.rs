//! What helps a process designer before a run: the modeler form (an element template) made
//! from a connector's schema.

mod element_template;
mod template;

pub use element_template::element_template;
