//! herald's Slack connector: a WebAssembly component exporting the `notification-connector`
//! world. This file is only the glue between the WIT exports and the connector's modules.

mod config;
mod connection;
mod documents;
mod operation;
mod render;
mod schema;
mod send;
mod slack;
mod template;
mod update;
mod validate;
mod values;
mod wasi_http;

use exports::herald::connector::connector::Guest;
use herald::connector::types::{
    Check, ConfigIssue, ConnectionReport, ConnectorError, ConnectorInfo, Failure, RateLimit, SendFailure, SendRequest,
    StepResult,
};
use slack::errors::{FailureKind, SlackError};

wit_bindgen::generate!({ path: "../wit", world: "notification-connector" });

/// The component's export.
struct SlackConnector;

impl Guest for SlackConnector {
    fn describe() -> ConnectorInfo {
        ConnectorInfo {
            name: schema::NAME.to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            description: schema::DESCRIPTION.to_owned(),
            config_schema: schema::config_schema().to_string(),
            output_schema: schema::output_schema().to_string(),
            hosts: schema::HOSTS.map(str::to_owned).to_vec(),
            url_fields: schema::URL_FIELDS.map(str::to_owned).to_vec(),
        }
    }

    fn validate(config: String) -> Vec<ConfigIssue> {
        validate::validate(&config).into_iter().map(ConfigIssue::from).collect()
    }

    fn state_key(request: SendRequest) -> Result<Option<String>, ConnectorError> {
        Ok(send::state_key(&request.config, &request.variables, &request.computed)?)
    }

    fn send(request: SendRequest) -> Result<StepResult, SendFailure> {
        let earlier = request.earlier.as_ref().map(|earlier| send::Earlier {
            window_ms: (earlier.since, earlier.until),
            progress: earlier.progress.as_deref(),
            in_doubt: earlier.in_doubt,
        });
        let sent = send::send(&send::Request {
            config: &request.config,
            variables: &request.variables,
            computed: &request.computed,
            execution_key: &request.execution_key,
            state: request.state.as_deref(),
            cache: request.cache.as_deref(),
            deferred: request.deferred,
            earlier,
        })?;
        Ok(StepResult {
            output: sent.output.to_string(),
            state: sent.state,
            cache: Some(sent.cache),
            deliver_at: sent.deliver_at,
        })
    }

    fn test_connection(config: String) -> Result<ConnectionReport, ConnectorError> {
        let checks = connection::test_connection(&config)?;
        Ok(ConnectionReport { checks: checks.into_iter().map(Check::from).collect() })
    }
}

// Only the WebAssembly build exports the world: a native build (tests, fuzzing) links the
// crate as a library, where these symbol names are not valid.
#[cfg(target_arch = "wasm32")]
export!(SlackConnector);

/// The entry points of the fuzz targets in `fuzz/`, compiled only under cargo-fuzz.
#[cfg(fuzzing)]
pub mod fuzzing {
    /// Renders a step's message from its inputs and the process variables, as `send` does
    /// before it sends; errors are expected, panics are bugs.
    pub fn render(config: &str, variables: &str, computed: &[String]) {
        let Ok(config) = crate::config::Config::parse(config) else {
            return;
        };
        if let Ok(renderer) = crate::render::Renderer::new(variables, computed) {
            let _ = renderer.message(&config);
        }
    }
}

impl From<config::Issue> for ConfigIssue {
    fn from(issue: config::Issue) -> Self {
        ConfigIssue { field: issue.field, message: issue.message }
    }
}

impl From<connection::Check> for Check {
    fn from(check: connection::Check) -> Self {
        Check { name: check.name.to_owned(), ok: check.ok, detail: check.detail, fix: check.fix }
    }
}

impl From<Box<send::Failed>> for SendFailure {
    fn from(failed: Box<send::Failed>) -> Self {
        SendFailure {
            error: failed.error.into(),
            progress: failed.progress,
            in_doubt: failed.in_doubt,
            cache: Some(failed.cache),
        }
    }
}

impl From<send::SendError> for ConnectorError {
    fn from(error: send::SendError) -> Self {
        match error {
            send::SendError::InvalidConfig(issues) => {
                ConnectorError::InvalidConfig(issues.into_iter().map(ConfigIssue::from).collect())
            }
            send::SendError::Slack(error) => error.into(),
        }
    }
}

impl From<SlackError> for ConnectorError {
    fn from(error: SlackError) -> Self {
        let failure = || Failure { code: error.code(), message: error.to_string(), hint: error.hint() };
        match error.kind() {
            FailureKind::RateLimited => ConnectorError::RateLimited(RateLimit {
                retry_after_seconds: error.retry_after_seconds(),
                message: error.to_string(),
            }),
            FailureKind::Transient => ConnectorError::Transient(failure()),
            FailureKind::Unauthorized => ConnectorError::Unauthorized(failure()),
            FailureKind::NotFound => ConnectorError::NotFound(failure()),
            FailureKind::Rejected => ConnectorError::Rejected(failure()),
        }
    }
}
