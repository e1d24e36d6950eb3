//! Errors of loading and calling connector components.

/// Why a connector component could not be loaded or called.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// The file is not WebAssembly at all.
    #[error("{origin} is not a WebAssembly component (no `\\0asm` header)")]
    NotWasm {
        /// Where the bytes came from (a path or `built-in slack`).
        origin: String,
    },
    /// The file is a core WebAssembly module; herald needs a component.
    #[error(
        "{origin} is a core WebAssembly module, not a component; build it for wasm32-wasip2 or wrap it with `wasm-tools component new`"
    )]
    CoreModule {
        /// Where the bytes came from.
        origin: String,
    },
    /// The component does not fit the `notification-connector` world.
    #[error("{origin} is not a herald connector: {reason}")]
    NotAConnector {
        /// Where the bytes came from.
        origin: String,
        /// What is wrong.
        reason: String,
    },
    /// The component trapped or could not be instantiated during a call.
    #[error("the {connector} connector crashed: {source:#}")]
    Trap {
        /// The connector's task type.
        connector: String,
        /// The trap, with its backtrace.
        source: wasmtime::Error,
    },
    /// The component's `describe()` failed.
    #[error("the {connector} connector crashed: describe() failed: {source}")]
    Describe {
        /// The connector's task type.
        connector: String,
        /// Why it failed.
        source: Box<crate::CallError>,
    },
    /// The component's `describe()` answered something herald cannot use.
    #[error("the {connector} connector's describe() {problem}")]
    Description {
        /// The connector's task type.
        connector: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A limit set in the environment is not a whole number in its range.
    #[error("{name} must be a whole number from {min} to {max}, not `{value}`")]
    Limit {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// The least it may be.
        min: u64,
        /// The most it may be.
        max: u64,
    },
    /// The engine could not be configured.
    #[error("cannot set up the WebAssembly engine: {0:#}")]
    Engine(#[source] wasmtime::Error),
    /// The thread that counts CPU time could not start.
    #[error("cannot start the epoch thread: {0}")]
    EpochThread(#[source] std::io::Error),
}
