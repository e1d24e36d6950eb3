//! A loaded connector component: compiled once, instantiated afresh for every call.

use std::sync::Arc;

use serde_json::{Map, Value};
use wasmtime::{Store, UpdateDeadline};

use super::bindings::{
    ConfigIssue, ConnectionReport, ConnectorError, ConnectorInfo, NotificationConnector, NotificationConnectorPre,
    SendFailure, SendRequest, StepResult,
};
use super::egress::{EgressHooks, EgressPolicy};
use super::error::RuntimeError;
use super::http_client::HttpClient;
use super::limits::{Limits, MemoryLimiter, Stop, Tripwire};
use super::step_state::StepState;
use herald_secrets::Vault;

/// Why a call that reached the component did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The component reported a typed failure.
    #[error("{0:?}")]
    Connector(ConnectorError),
    /// The component tried to reach a host outside the egress allow-list.
    #[error("egress to `{host}` is not allowed (allowed: {})", allowed.join(", "))]
    EgressDenied {
        /// The denied destination.
        host: String,
        /// The destinations that are allowed.
        allowed: Vec<String>,
    },
    /// A limit stopped the call: memory, CPU time or an HTTP timeout.
    #[error("{0:?}")]
    Limit(Stop),
    /// The component crashed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
}

/// A failed `send`, with what the connector delivered all the same.
#[derive(Debug)]
pub struct SendFailed {
    /// Why it failed.
    pub error: CallError,
    /// What the execution is known to have delivered, as the connector reported it; none
    /// when the component gave no answer.
    pub progress: Option<String>,
    /// Whether it may have delivered more than `progress` says: the connector said so, or
    /// gave no answer at all (a limit, the deadline or a crash cut it short).
    pub in_doubt: bool,
    /// The cache the connector handed back.
    pub cache: Option<String>,
}

impl From<RuntimeError> for SendFailed {
    fn from(error: RuntimeError) -> Self {
        // Nothing ran: the instance could not be made.
        SendFailed { error: error.into(), progress: None, in_doubt: false, cache: None }
    }
}

/// A connector component ready to be instantiated.
#[derive(Clone)]
pub struct Connector {
    name: String,
    pre: NotificationConnectorPre<StepState>,
    env: Arc<Vec<(String, String)>>,
    policy: Arc<EgressPolicy>,
    vault: Vault,
    limits: Limits,
    client: HttpClient,
    info: Arc<ConnectorInfo>,
    defaults: Arc<Map<String, Value>>,
    credentials: Arc<Vec<Credential>>,
}

/// An input that carries a credential (`writeOnly` in the configuration schema): the one
/// kind of input where a step may name a secret.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The input's name.
    pub name: String,
    /// The schema's `pattern`: the shape a value must have when it is not a secret.
    pattern: Option<(String, regex_automata::meta::Regex)>,
}

impl Credential {
    /// The credential input `name`, its values held to `pattern` when there is one.
    pub fn new(name: &str, pattern: Option<&str>) -> Result<Self, Box<regex_automata::meta::BuildError>> {
        let pattern = match pattern {
            Some(text) => Some((text.to_owned(), regex_automata::meta::Regex::new(text).map_err(Box::new)?)),
            None => None,
        };
        Ok(Self { name: name.to_owned(), pattern })
    }

    /// Whether `value` has the shape the connector declares (any value, when it declares
    /// none). As in JSON Schema, a pattern matches anywhere unless it is anchored.
    pub fn fits(&self, value: &str) -> bool {
        self.pattern.as_ref().is_none_or(|(_, pattern)| pattern.is_match(value))
    }

    /// The declared pattern, for messages.
    pub fn pattern(&self) -> Option<&str> {
        self.pattern.as_ref().map(|(text, _)| text.as_str())
    }
}

/// A component instance that answered `state-key`, kept for the step's first `send`, so
/// that one step instantiates the component once.
pub struct Prepared(Call);

/// One fresh instance and what stopped it, if anything.
struct Call {
    store: Store<StepState>,
    bindings: NotificationConnector,
    tripwire: Tripwire,
}

impl Connector {
    /// Wraps a pre-instantiated component and asks it to describe itself.
    pub(super) async fn new(
        name: String,
        pre: NotificationConnectorPre<StepState>,
        env: Vec<(String, String)>,
        policy: Arc<EgressPolicy>,
        vault: Vault,
        limits: Limits,
        client: HttpClient,
    ) -> Result<Self, RuntimeError> {
        let placeholder = ConnectorInfo {
            name: name.clone(),
            version: String::new(),
            description: String::new(),
            config_schema: "{}".into(),
            output_schema: "{}".into(),
            hosts: Vec::new(),
            url_fields: Vec::new(),
        };
        let mut connector = Self {
            name,
            pre,
            env: Arc::new(env),
            policy,
            vault,
            limits,
            client,
            info: Arc::new(placeholder),
            defaults: Arc::default(),
            credentials: Arc::default(),
        };
        let mut call = connector.instantiate().await?;
        let outcome = call.bindings.herald_connector_connector().call_describe(&mut call.store).await;
        let info = connector
            .finish(&call, outcome.map(Ok))
            .map_err(|err| RuntimeError::Describe { connector: connector.name.clone(), source: Box::new(err) })?;
        let problem = |problem: String| RuntimeError::Description { connector: connector.name.clone(), problem };
        connector.defaults = Arc::new(schema_defaults(&info.config_schema));
        connector.credentials = Arc::new(
            schema_credentials(&info.config_schema)
                .map_err(|err| problem(format!("declares a credential pattern that does not compile: {err}")))?,
        );
        let policy = connector
            .policy
            .with_hosts(&info.hosts)
            .ok_or_else(|| problem(format!("declares hosts that are not bare host names: {:?}", info.hosts)))?
            .with_url_fields(&info.url_fields);
        connector.policy = Arc::new(policy);
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

    /// The inputs that carry credentials (`writeOnly` in the schema): the only ones where a
    /// step may name a secret.
    pub fn credentials(&self) -> &[Credential] {
        &self.credentials
    }

    /// The wall-clock deadline of one `send`.
    pub fn attempt_deadline(&self) -> std::time::Duration {
        self.limits.attempt
    }

    /// Instantiates the component once, without calling it, and returns how long that took:
    /// the per-call cost the benchmark measures.
    pub async fn time_instantiation(&self) -> Result<std::time::Duration, RuntimeError> {
        let started = std::time::Instant::now();
        let call = self.instantiate().await?;
        let took = started.elapsed();
        drop(call);
        Ok(took)
    }

    /// Design-time checks of a step's inputs.
    pub async fn validate(&self, config: &str) -> Result<Vec<ConfigIssue>, CallError> {
        let mut call = self.instantiate().await?;
        let outcome =
            call.bindings.herald_connector_connector().call_validate(&mut call.store, &config.to_owned()).await;
        self.finish(&call, outcome.map(Ok))
    }

    /// The key under which a step keeps state across executions, if it keeps any, and the
    /// instance that answered, for the step's first `send`.
    pub async fn state_key(&self, request: &SendRequest) -> Result<(Option<String>, Prepared), CallError> {
        let mut call = self.instantiate().await?;
        let outcome = call.bindings.herald_connector_connector().call_state_key(&mut call.store, request).await;
        let key = self.finish(&call, outcome)?;
        Ok((key, Prepared(call)))
    }

    /// Executes one attempt of a step, on the instance `state_key` left when given one
    /// (it shares that call's CPU budget), else on a fresh one, within the attempt's
    /// wall-clock deadline.
    pub async fn send(&self, request: &SendRequest, prepared: Option<Prepared>) -> Result<StepResult, SendFailed> {
        let mut call = match prepared {
            Some(Prepared(call)) => call,
            None => self.instantiate().await?,
        };
        let deadline = self.limits.attempt;
        let sending = call.bindings.herald_connector_connector().call_send(&mut call.store, request);
        // Dropping the call at the deadline stops it where it waits: every host call of
        // the component is asynchronous, and its WebAssembly yields at each epoch tick.
        let outcome = match tokio::time::timeout(deadline, sending).await {
            Ok(outcome) => outcome,
            Err(_) => {
                call.tripwire.trip(Stop::Deadline { after: deadline });
                Err(wasmtime::Error::msg("the attempt's deadline passed"))
            }
        };
        let (outcome, answered) = match outcome {
            Ok(Err(SendFailure { error, progress, in_doubt, cache })) => {
                (Ok(Err(error)), Some((progress, in_doubt, cache)))
            }
            Ok(Ok(result)) => (Ok(Ok(result)), None),
            Err(trap) => (Err(trap), None),
        };
        self.finish(&call, outcome).map_err(|error| match answered {
            Some((progress, in_doubt, cache)) => SendFailed { error, progress, in_doubt, cache },
            None => SendFailed { error, progress: None, in_doubt: true, cache: None },
        })
    }

    /// Proves credentials and destination.
    pub async fn test_connection(&self, config: &str) -> Result<ConnectionReport, CallError> {
        let mut call = self.instantiate().await?;
        let outcome =
            call.bindings.herald_connector_connector().call_test_connection(&mut call.store, &config.to_owned()).await;
        self.finish(&call, outcome)
    }

    /// What a call came to: what stopped it (a denied destination, a limit) explains any
    /// failure, a trap included; otherwise the component's own answer.
    fn finish<T>(&self, call: &Call, outcome: wasmtime::Result<Result<T, ConnectorError>>) -> Result<T, CallError> {
        match (outcome, call.tripwire.take()) {
            (Ok(Ok(value)), _) => Ok(value),
            (_, Some(Stop::Egress { host })) => {
                Err(CallError::EgressDenied { host, allowed: self.policy.allowed().collect() })
            }
            (_, Some(stop)) => Err(CallError::Limit(stop)),
            (Ok(Err(err)), None) => Err(CallError::Connector(err)),
            (Err(trap), None) => Err(CallError::Runtime(self.trap(trap))),
        }
    }

    async fn instantiate(&self) -> Result<Call, RuntimeError> {
        let tripwire = Tripwire::default();
        let hooks = EgressHooks::new(
            self.policy.clone(),
            self.vault.clone(),
            tripwire.clone(),
            self.limits,
            self.client.clone(),
        );
        let limiter = MemoryLimiter::new(self.limits.memory_bytes, tripwire.clone());
        let state = StepState::new(&self.env, hooks, limiter, tripwire.clone());
        let mut store = Store::new(self.pre.engine(), state);
        store.limiter(|state| &mut state.limiter);
        // Each epoch tick that finds the component running uses one tick of its CPU time;
        // between ticks it yields, so other instances go on.
        let (budget, limit, cpu_tripwire) = (self.limits.cpu_ticks(), self.limits.cpu, tripwire.clone());
        let mut used = 0;
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            used += 1;
            if used > budget {
                cpu_tripwire.trip(Stop::Cpu { limit });
                return Ok(UpdateDeadline::Interrupt);
            }
            Ok(UpdateDeadline::Yield(1))
        });
        let bindings = self.pre.instantiate_async(&mut store).await.map_err(|err| self.trap(err))?;
        Ok(Call { store, bindings, tripwire })
    }

    fn trap(&self, err: wasmtime::Error) -> RuntimeError {
        RuntimeError::Trap { connector: self.name.clone(), source: err }
    }
}

/// The top-level properties of a JSON Schema.
fn schema_properties(schema: &str) -> Map<String, Value> {
    let schema: Value = serde_json::from_str(schema).unwrap_or(Value::Null);
    schema.get("properties").and_then(Value::as_object).cloned().unwrap_or_default()
}

/// Collects `properties.*.default` from a JSON Schema.
fn schema_defaults(schema: &str) -> Map<String, Value> {
    schema_properties(schema)
        .into_iter()
        .filter_map(|(name, property)| Some((name, property.get("default")?.clone())))
        .collect()
}

/// The properties a JSON Schema marks `writeOnly`, with their `pattern`s.
fn schema_credentials(schema: &str) -> Result<Vec<Credential>, Box<regex_automata::meta::BuildError>> {
    schema_properties(schema)
        .into_iter()
        .filter(|(_, property)| property.get("writeOnly") == Some(&Value::Bool(true)))
        .map(|(name, property)| Credential::new(&name, property.get("pattern").and_then(Value::as_str)))
        .collect()
}
