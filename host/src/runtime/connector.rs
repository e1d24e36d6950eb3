//! A loaded connector component: compiled once, instantiated afresh for every call.

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use wasmtime::Store;

use super::bindings::{
    ConfigIssue, ConnectionReport, ConnectorError, ConnectorInfo, NotificationConnector,
    NotificationConnectorPre, SendRequest, StepResult,
};
use super::egress::{EgressHooks, EgressPolicy};
use super::error::RuntimeError;
use super::step_state::StepState;
use crate::secrets::Vault;

/// Why a call that reached the component did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The component reported a typed failure.
    #[error("{0:?}")]
    Connector(ConnectorError),
    /// The component tried to reach a host outside the egress allow-list.
    #[error("egress to `{host}` is not allowed (allowed hosts: {})", allowed.join(", "))]
    EgressDenied {
        /// The denied host.
        host: String,
        /// The hosts that are allowed.
        allowed: Vec<String>,
    },
    /// The component crashed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// A connector component ready to be instantiated.
#[derive(Clone)]
pub struct Connector {
    name: String,
    pre: NotificationConnectorPre<StepState>,
    env: Arc<Vec<(String, String)>>,
    policy: Arc<EgressPolicy>,
    vault: Vault,
    info: Arc<ConnectorInfo>,
    defaults: Arc<Map<String, Value>>,
}

/// One fresh instance and what its egress hooks saw.
struct Call {
    store: Store<StepState>,
    bindings: NotificationConnector,
    denied: Arc<Mutex<Option<String>>>,
}

impl Connector {
    /// Wraps a pre-instantiated component and asks it to describe itself.
    pub(super) async fn new(
        name: String,
        pre: NotificationConnectorPre<StepState>,
        env: Vec<(String, String)>,
        policy: Arc<EgressPolicy>,
        vault: Vault,
    ) -> Result<Self, RuntimeError> {
        let placeholder = ConnectorInfo {
            name: name.clone(),
            version: String::new(),
            description: String::new(),
            config_schema: "{}".into(),
            output_schema: "{}".into(),
        };
        let mut connector = Self {
            name,
            pre,
            env: Arc::new(env),
            policy,
            vault,
            info: Arc::new(placeholder),
            defaults: Arc::default(),
        };
        let mut call = connector.instantiate().await?;
        let info = call
            .bindings
            .herald_connector_connector()
            .call_describe(&mut call.store)
            .await
            .map_err(|err| connector.trap(err))?;
        connector.defaults = Arc::new(schema_defaults(&info.config_schema));
        connector.info = Arc::new(info);
        Ok(connector)
    }

    /// The task type this connector serves.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the component said about itself at load.
    pub fn info(&self) -> &ConnectorInfo {
        &self.info
    }

    /// The `default` of each top-level property of the configuration schema.
    pub fn config_defaults(&self) -> &Map<String, Value> {
        &self.defaults
    }

    /// Design-time checks of a step's inputs.
    pub async fn validate(&self, config: &str) -> Result<Vec<ConfigIssue>, RuntimeError> {
        let mut call = self.instantiate().await?;
        call.bindings
            .herald_connector_connector()
            .call_validate(&mut call.store, &config.to_owned())
            .await
            .map_err(|err| self.trap(err))
    }

    /// The key under which a step keeps state across executions, if it keeps any.
    pub async fn state_key(&self, request: &SendRequest) -> Result<Option<String>, CallError> {
        let mut call = self.instantiate().await?;
        let outcome = call
            .bindings
            .herald_connector_connector()
            .call_state_key(&mut call.store, request)
            .await
            .map_err(|err| self.trap(err))?;
        self.settle(&call, outcome)
    }

    /// Executes one attempt of a step.
    pub async fn send(&self, request: &SendRequest) -> Result<StepResult, CallError> {
        let mut call = self.instantiate().await?;
        let outcome = call
            .bindings
            .herald_connector_connector()
            .call_send(&mut call.store, request)
            .await
            .map_err(|err| self.trap(err))?;
        self.settle(&call, outcome)
    }

    /// Proves credentials and destination.
    pub async fn test_connection(&self, config: &str) -> Result<ConnectionReport, CallError> {
        let mut call = self.instantiate().await?;
        let outcome = call
            .bindings
            .herald_connector_connector()
            .call_test_connection(&mut call.store, &config.to_owned())
            .await
            .map_err(|err| self.trap(err))?;
        self.settle(&call, outcome)
    }

    /// A denied request explains any failure of the call that made it.
    fn settle<T>(&self, call: &Call, outcome: Result<T, ConnectorError>) -> Result<T, CallError> {
        let denied = call.denied.lock().unwrap_or_else(|p| p.into_inner()).take();
        match (outcome, denied) {
            (Ok(value), _) => Ok(value),
            (Err(_), Some(host)) => Err(CallError::EgressDenied {
                host,
                allowed: self.policy.allowed().map(str::to_owned).collect(),
            }),
            (Err(err), None) => Err(CallError::Connector(err)),
        }
    }

    async fn instantiate(&self) -> Result<Call, RuntimeError> {
        let denied = Arc::new(Mutex::new(None));
        let hooks = EgressHooks::new(self.policy.clone(), self.vault.clone(), denied.clone());
        let mut store = Store::new(self.pre.engine(), StepState::new(&self.env, hooks));
        let bindings = self.pre.instantiate_async(&mut store).await.map_err(|err| self.trap(err))?;
        Ok(Call { store, bindings, denied })
    }

    fn trap(&self, err: wasmtime::Error) -> RuntimeError {
        RuntimeError::Trap { connector: self.name.clone(), message: format!("{err:#}") }
    }
}

/// Collects `properties.*.default` from a JSON Schema.
fn schema_defaults(schema: &str) -> Map<String, Value> {
    let schema: Value = serde_json::from_str(schema).unwrap_or(Value::Null);
    let properties = schema.get("properties").and_then(Value::as_object);
    properties
        .into_iter()
        .flatten()
        .filter_map(|(name, property)| Some((name.clone(), property.get("default")?.clone())))
        .collect()
}
