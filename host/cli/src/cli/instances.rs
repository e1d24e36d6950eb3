//! `herald instances` and `herald show ID`: what the state directory holds.

use clap::Args;
use serde::Serialize;

use herald_executor::{InstanceRecord, StepStatus};
use herald_store::Store;

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

/// These commands only read: they neither create the directory nor need to write it.
fn open(state: &StateArgs) -> Result<Store, Exit> {
    Ok(Store::open_read_only(state.state.as_deref())?)
}

/// Lists every instance with its state, oldest first; one that cannot be read is reported
/// on stderr (exit 1) after the others are listed.
pub fn instances(args: InstancesArgs) -> Result<(), Exit> {
    let mut list = Vec::new();
    let mut unreadable = Vec::new();
    for row in open(&args.state)?.list_instances()? {
        match row {
            Ok(summary) => list.push(summary),
            Err(error) => unreadable.push(error),
        }
    }
    let report = || {
        for error in &unreadable {
            eprintln!("herald: {error}");
        }
        if unreadable.is_empty() { Ok(()) } else { Err(Exit::Failed(None)) }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&list).expect("summaries serialize"));
        return report();
    }
    if list.is_empty() && unreadable.is_empty() {
        println!("no instances");
    }
    for summary in &list {
        let line = format!(
            "{}  {:<9}  {:>3} steps  {}  ({})",
            summary.instance,
            state_name(&summary.state),
            summary.steps,
            summary.process,
            summary.flow
        );
        println!("{}", shown(&line));
    }
    report()
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
    let stored = store
        .load_instance(&args.id)?
        .ok_or_else(|| herald_store::StateError::UnknownInstance { id: args.id.clone() })?;
    let flow = store.flow(&stored.flow)?.path;
    let tokens = stored.position.tokens.iter().map(|t| t.at.clone()).collect();
    let record = &stored.record;
    if args.json {
        let text = serde_json::to_string_pretty(&Shown { record, flow, tokens }).expect("instances serialize");
        println!("{}", shown(&text));
        return Ok(());
    }
    let mut text = format!(
        "instance {}\n  process   {} ({flow})\n  state     {}\n",
        record.instance,
        record.process,
        state_name(&record.state)
    );
    if let Some(incident) = &record.incident {
        text += &format!("  incident  at {}: {}\n", incident.element, incident.message);
    }
    if !tokens.is_empty() && record.state == herald_executor::InstanceState::Running {
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

fn state_name(state: &herald_executor::InstanceState) -> String {
    serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}
