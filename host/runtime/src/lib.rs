//! The wasmtime runtime: one engine and linker, connector components compiled once and
//! instantiated per call with WASI, `wasi:http` behind the egress policy, and nothing else.

mod bindings;
mod compile_cache;
mod connector;
mod egress;
mod error;
mod http_client;
mod limits;
mod step_error;
mod step_state;

pub use bindings::{
    Check, ConfigIssue, ConnectionReport, ConnectorError, ConnectorInfo, EarlierAttempts, Failure, RateLimit,
    SendRequest, StepResult,
};
pub use connector::{CallError, Connector, Credential, Prepared, SendFailed};
pub use egress::{EgressPolicy, Origin};
pub use error::RuntimeError;
pub use limits::{Limits, Stop};

use std::sync::Arc;

use wasmtime::component::Linker;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use bindings::NotificationConnectorPre;
use compile_cache::CompileCache;
use herald_secrets::Vault;
use http_client::HttpClient;
use step_state::StepState;

/// The most component instances alive at once: every call in flight holds one, so this is
/// also the most instances a run drives concurrently.
pub const MAX_CONCURRENT_CALLS: u32 = 1000;

/// The version of the WIT package connectors must export.
pub const WIT_INTERFACE: &str = "herald:connector/connector@0.4.0";

/// Compiles and links connector components.
pub struct Runtime {
    engine: Engine,
    cache: CompileCache,
    linker: Linker<StepState>,
    policy: Arc<EgressPolicy>,
    vault: Vault,
    limits: Limits,
    client: HttpClient,
}

impl Runtime {
    /// A runtime whose components may call the hosts `policy` allows, with `vault`'s
    /// secrets, each call held to `limits`.
    pub fn new(policy: EgressPolicy, vault: Vault, limits: Limits) -> Result<Self, RuntimeError> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        // Instances come from a pool of slots reserved once: instantiation is a few
        // microseconds, not a round of mmaps and page faults. Each slot keeps the default
        // 4 GiB reservation (address space only): every 32-bit address then lands in the
        // slot or its guard, so compiled code needs no bounds check per memory access.
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool(&limits)));
        let engine = Engine::new(&config).map_err(RuntimeError::Engine)?;
        start_epoch_ticker(&engine)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .and_then(|()| wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker))
            .map_err(RuntimeError::Engine)?;
        let client = HttpClient::new(limits.connect);
        Ok(Self {
            engine,
            cache: CompileCache::from_environment(),
            linker,
            policy: Arc::new(policy),
            vault,
            limits,
            client,
        })
    }

    /// Compiles a component, checks it fits the connector world, and asks it to describe
    /// itself. `env` becomes its WASI environment.
    pub async fn load(
        &self,
        name: &str,
        bytes: &[u8],
        origin: &str,
        env: Vec<(String, String)>,
    ) -> Result<Connector, RuntimeError> {
        const MAGIC: &[u8] = b"\0asm";
        if !bytes.starts_with(MAGIC) {
            return Err(RuntimeError::NotWasm { origin: origin.to_owned() });
        }
        // Byte 6 of the preamble is the layer: 0 for core modules, 1 for components.
        if bytes.get(6) == Some(&0) {
            return Err(RuntimeError::CoreModule { origin: origin.to_owned() });
        }
        let not_a_connector = |reason: String| RuntimeError::NotAConnector { origin: origin.to_owned(), reason };
        let component = self
            .cache
            .component(&self.engine, bytes)
            .map_err(|e| not_a_connector(format!("it does not compile: {e:#}")))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| not_a_connector(format!("it imports something herald does not provide: {e:#}")))?;
        let pre = NotificationConnectorPre::new(pre)
            .map_err(|e| not_a_connector(format!("it does not export `{WIT_INTERFACE}`: {e:#}")))?;
        Connector::new(
            name.to_owned(),
            pre,
            env,
            self.policy.clone(),
            self.vault.clone(),
            self.limits,
            self.client.clone(),
        )
        .await
    }
}

/// Bytes of each memory and table that stay resident between instances.
const KEEP_RESIDENT: usize = 16 << 20;

/// The instance pool: room for `MAX_CONCURRENT_CALLS` components of a few core modules
/// each (a Rust component has its module, the WASI adapter and shims).
fn pool(limits: &Limits) -> PoolingAllocationConfig {
    let mut pool = PoolingAllocationConfig::new();
    pool.total_component_instances(MAX_CONCURRENT_CALLS)
        .total_core_instances(MAX_CONCURRENT_CALLS * 8)
        .total_memories(MAX_CONCURRENT_CALLS * 2)
        .total_tables(MAX_CONCURRENT_CALLS * 4)
        .total_stacks(MAX_CONCURRENT_CALLS)
        .max_memory_size(limits.memory_bytes)
        // What a call touches is reset in place for the next one, not given back to the
        // kernel: no page faults and TLB flushes at every instantiation. Where the kernel
        // has PAGEMAP_SCAN, only the pages the call dirtied are reset.
        .linear_memory_keep_resident(KEEP_RESIDENT)
        .table_keep_resident(KEEP_RESIDENT)
        .pagemap_scan(wasmtime::Enabled::Auto);
    pool
}

/// Advances the engine's epoch every tick, for the CPU limit, for as long as the process
/// runs. The thread holds only a weak handle: it ends with the engine.
fn start_epoch_ticker(engine: &Engine) -> Result<(), RuntimeError> {
    let weak = engine.weak();
    std::thread::Builder::new()
        .name("herald-epoch".into())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(limits::EPOCH_TICK);
            }
        })
        .map(drop)
        .map_err(RuntimeError::EpochThread)
}
