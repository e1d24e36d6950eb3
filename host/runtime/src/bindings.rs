//! Host bindings of the `notification-connector` world (wit/connector.wit).

// The generated items are documented in the WIT file.
#![allow(missing_docs)]

wasmtime::component::bindgen!({
    path: "../../wit",
    world: "notification-connector",
    exports: { default: async },
});

pub use herald::connector::types::{
    Check, ConfigIssue, ConnectionReport, ConnectorError, ConnectorInfo, EarlierAttempts, Failure, RateLimit,
    SendFailure, SendRequest, StepResult,
};
