//! What a component instance owns while it runs one call: its WASI context, its HTTP
//! context and the egress hooks. One per call, dropped with the store.

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use super::egress::EgressHooks;

/// The `T` of `Store<T>` for connector calls.
pub struct StepState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: EgressHooks,
}

impl StepState {
    /// A fresh state with the given environment variables and egress hooks, and nothing else:
    /// no files, no sockets, no inherited stdio.
    pub fn new(env: &[(String, String)], hooks: EgressHooks) -> Self {
        let mut wasi = WasiCtx::builder();
        wasi.envs(env);
        Self { wasi: wasi.build(), http: WasiHttpCtx::new(), table: ResourceTable::new(), hooks }
    }
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
