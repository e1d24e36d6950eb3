//! `herald preview`: runs a flow on a private Slack sandbox, so every Slack step's message
//! (text and Block Kit) is shown as Slack would show it and every gateway's path is printed,
//! while nothing reaches Slack and no state is kept.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use herald_bpmn as bpmn;
use herald_executor::InstanceState;
use herald_store::FlowSource;

use super::exit::Exit;
use super::host::{Host, SandboxUse};
use super::report::{Progress, shown, summary};
use super::validate::check_flow;
use super::variables::VariableArgs;

/// Arguments of `herald preview`.
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The BPMN file.
    flow: PathBuf,
    #[command(flatten)]
    variables: VariableArgs,
}

/// Previews the flow; exit 0 when it would complete, 1 on an incident, 2 on invalid input.
pub async fn preview(args: PreviewArgs) -> Result<(), Exit> {
    let text = std::fs::read_to_string(&args.flow)
        .map_err(|e| Exit::Invalid(anyhow::anyhow!("cannot read the flow {}: {e}", args.flow.display())))?;
    let process = bpmn::load_str(&text, &args.flow).map_err(|e| Exit::Invalid(e.into()))?;
    // With --vars-jsonl, the first line stands for them all.
    let variables = args.variables.load().map_err(Exit::Invalid)?.into_iter().next().unwrap_or_default();
    let host = Host::start(&[], SandboxUse::Always(Arc::new(|text: String| println!("{text}")))).await?;
    let problems = check_flow(&process, &host.connectors).await;
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(Exit::Invalid(anyhow::anyhow!("{}", list.join("\n"))));
    }
    let state = tempfile::tempdir().map_err(|e| Exit::Failed(Some(e.into())))?;
    let engine = host.engine(Some(state.path()))?;
    let progress = Progress { enabled: true };
    let flow = FlowSource::new(args.flow.display().to_string(), text);
    let record = engine.run(&flow, &process, variables, &progress).await.map_err(|e| Exit::Failed(Some(e.into())))?;
    println!("{}", shown(&summary(&record)));
    println!("preview: nothing was sent to Slack");
    match record.state {
        InstanceState::Completed => Ok(()),
        _ => Err(Exit::Failed(None)),
    }
}
