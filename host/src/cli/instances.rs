//! `herald instances` and `herald show ID`: what the state directory holds.

use clap::Args;
use serde::Serialize;

use herald::engine::{InstanceRecord, StepStatus};
use herald::state::Store;

use super::exit::Exit;
use super::report::shown;
use super::run::StateArgs;

/// Arguments of `herald instances`.
#[derive(Debug, Args)]
pub struct InstancesArgs {
    /// Prints the list as JSON on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    state: StateArgs,
}

/// Arguments of `herald show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The instance id (as `herald instances` lists it).
    id: String,
    /// Prints the instance as JSON on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    state: StateArgs,
}

fn open(state: &StateArgs) -> Result<Store, Exit> {
    Store::open(state.state.as_deref()).map_err(|e| Exit::Invalid(e.into()))
}

/// Lists every instance with its state, oldest first.
pub fn instances(args: InstancesArgs) -> Result<(), Exit> {
    let list = open(&args.state)?.list_instances().map_err(|e| Exit::Failed(Some(e.into())))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list).expect("summaries serialize"));
        return Ok(());
    }
    if list.is_empty() {
        println!("no instances");
    }
    for summary in &list {
        let line = format!("{}  {:<9}  {:>3} steps  {}  ({})", summary.instance, state_name(&summary.state), summary.steps, summary.process, summary.flow);
        println!("{}", shown(&line));
    }
    Ok(())
}

/// An instance as `show --json` prints it: the record of `run --json`, its flow, and where
/// its tokens wait.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    record: &'a InstanceRecord,
    flow: String,
    tokens: Vec<String>,
}

/// Prints one instance with its history.
pub fn show(args: ShowArgs) -> Result<(), Exit> {
    let store = open(&args.state)?;
    let failed = |e: herald::state::StateError| Exit::Failed(Some(e.into()));
    let stored = store.load_instance(&args.id).map_err(failed)?.ok_or_else(|| {
        Exit::Invalid(herald::state::StateError::UnknownInstance { id: args.id.clone() }.into())
    })?;
    let flow = store.flow(&stored.flow).map_err(failed)?.path;
    let tokens = stored.position.tokens.iter().map(|t| t.at.clone()).collect();
    let record = &stored.record;
    if args.json {
        let text = serde_json::to_string_pretty(&Shown { record, flow, tokens }).expect("instances serialize");
        println!("{}", shown(&text));
        return Ok(());
    }
    let mut text = format!("instance {}\n  process   {} ({flow})\n  state     {}\n", record.instance, record.process, state_name(&record.state));
    if let Some(incident) = &record.incident {
        text += &format!("  incident  at {}: {}\n", incident.element, incident.message);
    }
    if !tokens.is_empty() && record.state == herald::engine::InstanceState::Running {
        text += &format!("  waiting   at {}\n", tokens.join(", "));
    }
    text += "  steps\n";
    for step in &record.steps {
        let mark = match step.status {
            StepStatus::Completed => "✓",
            StepStatus::Failed => "✗",
            StepStatus::Running => "…",
        };
        text += &format!("    {mark} {} ({}), {} attempt(s)", step.id, step.task_type, step.attempts);
        if let Some(output) = &step.output {
            text += &format!(": {output}");
        }
        if let Some(error) = &step.error {
            text += &format!(": {error}");
        }
        text.push('\n');
    }
    let variables = serde_json::to_string_pretty(&record.variables).expect("variables serialize");
    text += &format!("  variables {}", variables.replace('\n', "\n  "));
    println!("{}", shown(&text));
    Ok(())
}

fn state_name(state: &herald::engine::InstanceState) -> String {
    serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
