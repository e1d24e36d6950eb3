//! The components herald's tests load, built for `wasm32-wasip2` by this crate's build
//! script; a dev-dependency only, so `cargo run` and `cargo build` never build them.

/// The path of the hostile component, which misbehaves on request.
pub const HOSTILE: &str = env!("HERALD_HOSTILE_WASM");
