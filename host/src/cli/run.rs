//! `herald run`: one process instance from start to end.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;

use herald::bpmn;
use herald::engine::InstanceState;

use super::exit::Exit;
use super::host::{Host, Printer, SandboxUse};
use super::report::{Progress, summary};
use super::validate::check_flow;
use super::ConnectorArgs;
use super::variables::VariableArgs;

/// Arguments of `herald run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The BPMN file.
    flow: PathBuf,
    #[command(flatten)]
    variables: VariableArgs,
    /// Prints the instance record as JSON on stdout instead of progress lines.
    #[arg(long)]
    json: bool,
    /// Where herald keeps its state (default: the user's data directory).
    #[arg(long, value_name = "DIR")]
    state: Option<PathBuf>,
    #[command(flatten)]
    connectors: ConnectorArgs,
}

/// Runs the flow; exit 0 when the instance completes, 1 on an incident, 2 on invalid input.
pub async fn run(args: RunArgs) -> Result<(), Exit> {
    let process = bpmn::load_file(&args.flow).map_err(|e| Exit::Invalid(e.into()))?;
    let variables = args.variables.load().map_err(Exit::Invalid)?;
    // Sandbox messages go to stdout with the progress, or to stderr under --json.
    let json = args.json;
    let print: Printer = Arc::new(move |text: String| {
        if json { eprintln!("{text}") } else { println!("{text}") }
    });
    let host = Host::start(&args.connectors.connectors, SandboxUse::WhenUnconfigured(print)).await?;
    if host.sandbox.is_some() {
        eprintln!("herald: SLACK_BOT_TOKEN and SLACK_API_URL are not set; posting to the built-in Slack sandbox");
    }
    let problems = check_flow(&process, &host.connectors).await;
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(Exit::Invalid(anyhow::anyhow!("{}", list.join("\n"))));
    }
    let progress = Progress { vault: host.vault.clone(), enabled: !args.json };
    let engine = host.engine(args.state.as_deref())?;
    let record = engine
        .run(&process, variables, &progress)
        .await
        .map_err(|e| Exit::Failed(Some(e.into())))?;
    if args.json {
        let text = serde_json::to_string_pretty(&record).expect("instance records serialize");
        println!("{}", host.vault.redact(&text));
    } else {
        println!("{}", host.vault.redact(&summary(&record)));
    }
    match record.state {
        InstanceState::Completed => Ok(()),
        _ => Err(Exit::Failed(None)),
    }
}
