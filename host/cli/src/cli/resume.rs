//! `herald resume`: continues every unfinished instance of a state directory.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use clap::Args;

use herald_bpmn::{self as bpmn, LoadError, Process};
use herald_executor::Pending;
use herald_store::Store;

use super::batch::{self, RunningArgs, Unreadable};
use super::exit::Exit;
use super::host::{Host, SandboxUse, token_secrets};
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
    let store = Store::open(args.running.state.state.as_deref())?;
    // Each flow once: the process, or why its saved text no longer loads.
    let mut flows: HashMap<String, Result<Arc<Process>, Arc<LoadError>>> = HashMap::new();
    let mut work = Vec::new();
    let mut unreadable = Vec::new();
    // Each instance is loaded once, when it is driven; here only its flow is needed.
    for (id, digest) in store.unfinished()? {
        let process = match flows.get(&digest) {
            Some(process) => process.clone(),
            None => {
                let source = store.flow(&digest)?;
                // The text is the one saved when the instance started, so its problems are
                // reported against the database, not the file it once came from.
                let saved = format!("the flow saved in {} (from {})", store.database().display(), source.path);
                let process = bpmn::load_str(&source.text, Path::new(&saved)).map(Arc::new).map_err(Arc::new);
                flows.insert(digest, process.clone());
                process
            }
        };
        match process {
            Ok(process) => work.push((process, Pending::Saved(id))),
            Err(error) => unreadable
                .push(Unreadable { instance: id, message: format!("its saved flow no longer loads: {error}") }),
        }
    }
    if work.is_empty() && unreadable.is_empty() {
        eprintln!("herald: nothing to resume in {}", store.root().display());
        return Ok(());
    }
    // The sandbox stands in when no flow to resume finds its token, as for `run`.
    let tokens = token_secrets(flows.values().filter_map(|process| process.as_deref().ok()));
    let sandbox_use = SandboxUse::WhenNoToken { print: printer(args.running.json), tokens };
    let host = Host::start(&args.running.connectors.connectors, sandbox_use).await?;
    let engine = host.engine_over(store);
    let tally = batch::drive_all(Arc::new(engine), work, unreadable, args.running.concurrency.into()).await?;
    batch::report(&tally, args.running.json)
}
