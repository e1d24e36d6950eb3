//! `herald run`: one process instance from start to end, or one per line of
//! `--vars-jsonl`, run concurrently.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use herald_bpmn::{self as bpmn, Process};
use herald_executor::{InstanceState, Pending};
use herald_store::FlowSource;

use super::batch::{self, RunningArgs};
use super::exit::Exit;
use super::host::{Host, Printer, SandboxUse, token_secrets};
use super::report::{Progress, shown, summary};
use super::validate::check_flow;
use super::variables::VariableArgs;

/// Arguments of `herald run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The BPMN file.
    flow: PathBuf,
    #[command(flatten)]
    variables: VariableArgs,
    #[command(flatten)]
    running: RunningArgs,
}

/// Where herald keeps its state.
#[derive(Debug, Args)]
pub struct StateArgs {
    /// Where herald keeps its state (default: the user's data directory).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
}

/// Runs the flow; exit 0 when every instance completes, 1 on an incident, 2 on invalid input.
pub async fn run(args: RunArgs) -> Result<(), Exit> {
    let (flow, process) = read_flow(&args.flow)?;
    let inputs = args.variables.load().map_err(Exit::Invalid)?;
    let sandbox_use = SandboxUse::WhenNoToken { print: printer(args.running.json), tokens: token_secrets([&process]) };
    let host = Host::start(&args.running.connectors.connectors, sandbox_use).await?;
    let problems = check_flow(&process, &host.connectors).await;
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(Exit::Invalid(anyhow::anyhow!("{}", list.join("\n"))));
    }
    let engine = host.engine(args.running.state.state.as_deref())?;
    if args.variables.is_bulk() {
        let started = engine.start(&flow, &process, inputs).await?;
        let process = Arc::new(process);
        let work =
            started.into_iter().map(|started| (Arc::clone(&process), Pending::Started(Box::new(started)))).collect();
        let tally = batch::drive_all(Arc::new(engine), work, Vec::new(), args.running.concurrency.into()).await?;
        return batch::report(&tally, args.running.json);
    }
    let variables = inputs.into_iter().next().unwrap_or_default();
    let progress = Progress { enabled: !args.running.json };
    let record = engine.run(&flow, &process, variables, &progress).await?;
    if args.running.json {
        let text = serde_json::to_string_pretty(&record).expect("instance records serialize");
        println!("{}", shown(&text));
    } else {
        println!("{}", shown(&summary(&record)));
    }
    match record.state {
        InstanceState::Completed => Ok(()),
        _ => Err(Exit::Failed(None)),
    }
}

/// Reads and loads a flow, keeping its text for the state database.
fn read_flow(path: &Path) -> Result<(FlowSource, Process), Exit> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the flow {}", path.display()))
        .map_err(Exit::Invalid)?;
    let process = bpmn::load_str(&text, path).map_err(|e| Exit::Invalid(e.into()))?;
    Ok((FlowSource::new(path.display().to_string(), text), process))
}

/// Where sandbox messages go: stdout with the progress, or stderr under `--json`.
pub fn printer(json: bool) -> Printer {
    Arc::new(move |text: String| if json { eprintln!("{text}") } else { println!("{text}") })
}
