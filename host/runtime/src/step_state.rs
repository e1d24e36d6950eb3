//! What a component instance owns while it runs one call: its WASI context, its HTTP
//! context, the egress hooks and the memory limiter. One per call, dropped with the store.

use std::net::SocketAddr;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::egress::EgressHooks;
use super::limits::{MemoryLimiter, Stop, Tripwire};

/// The `T` of `Store<T>` for connector calls.
pub struct StepState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: EgressHooks,
    /// Holds the instance to its memory limit.
    pub limiter: MemoryLimiter,
}

impl StepState {
    /// A fresh state with the given environment variables, egress hooks and memory limiter,
    /// and nothing else: no files, no inherited stdio, no name lookups, no UDP, and TCP
    /// sockets that connect nowhere (an attempt is recorded in `tripwire`).
    pub fn new(env: &[(String, String)], hooks: EgressHooks, limiter: MemoryLimiter, tripwire: Tripwire) -> Self {
        let mut wasi = WasiCtx::builder();
        wasi.envs(env);
        // TCP is on only so that the check below sees, denies and names each address.
        wasi.allow_tcp(true);
        wasi.socket_addr_check(move |address, usage| {
            let allowed = implicit_bind(address, usage);
            if !allowed {
                tracing::warn!(%address, ?usage, "raw socket denied");
                tripwire.trip(Stop::Egress { host: format!("{address} (a raw tcp socket)") });
            }
            Box::pin(async move { allowed })
        });
        Self { wasi: wasi.build(), http: WasiHttpCtx::new(), table: ResourceTable::new(), hooks, limiter }
    }
}

/// The operating system's own bind of a socket before it connects: harmless, and refusing it
/// would hide the address the component was after.
fn implicit_bind(address: SocketAddr, usage: SocketAddrUse) -> bool {
    matches!(usage, SocketAddrUse::TcpBind | SocketAddrUse::UdpBind)
        && address.ip().is_unspecified()
        && address.port() == 0
}

impl WasiView for StepState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for StepState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}
