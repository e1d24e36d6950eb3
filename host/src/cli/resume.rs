//! `herald resume`: continues every unfinished instance of a state directory.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use clap::Args;

use herald::bpmn::{self, Process};
use herald::engine::Pending;

use super::batch::{self, RunningArgs};
use super::exit::Exit;
use super::host::{Host, SandboxUse};
use super::run::printer;

/// Arguments of `herald resume`.
#[derive(Debug, Args)]
pub struct ResumeArgs {
    #[command(flatten)]
    running: RunningArgs,
}

/// Runs every unfinished instance to its end, from the flow it started with; exit 0 when
/// all complete.
pub async fn resume(args: ResumeArgs) -> Result<(), Exit> {
    let host = Host::start(&args.running.connectors.connectors, SandboxUse::WhenUnconfigured(printer(args.running.json))).await?;
    let engine = host.engine(args.running.state.state.as_deref())?;
    let failed = |e: herald::state::StateError| Exit::Failed(Some(e.into()));
    let store = engine.store().clone();
    let mut flows: HashMap<String, Arc<Process>> = HashMap::new();
    let mut work = Vec::new();
    // Each instance is loaded once, when it is driven; here only its flow is needed.
    for (id, digest) in store.unfinished().map_err(failed)? {
        let process = match flows.get(&digest) {
            Some(process) => Arc::clone(process),
            None => {
                let source = store.flow(&digest).map_err(failed)?;
                let process = bpmn::load_str(&source.text, Path::new(&source.path))
                    .map_err(|e| Exit::Failed(Some(anyhow::anyhow!("instance {id}: its saved flow no longer loads: {e}"))))?;
                let process = Arc::new(process);
                flows.insert(digest, Arc::clone(&process));
                process
            }
        };
        work.push((process, Pending::Saved(id)));
    }
    if work.is_empty() {
        eprintln!("herald: nothing to resume in {}", store.root().display());
        return Ok(());
    }
    let tally = batch::drive_all(Arc::new(engine), work, args.running.concurrency.into()).await.map_err(failed)?;
    batch::report(&tally, args.running.json)
}
