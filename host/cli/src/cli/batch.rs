//! Many instances at once (`run --vars-jsonl`, `resume`): driven concurrently, with a
//! progress bar on a terminal and a summary at the end.

use std::collections::VecDeque;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tokio::task::JoinSet;

use herald_bpmn::Process;
use herald_executor::{Engine, Incident, InstanceRecord, InstanceState, Pending, Silent};
use herald_runtime::MAX_CONCURRENT_CALLS;
use herald_store::StateError;

use super::report::shown;

/// How many instances run at once unless `--concurrency` says.
const DEFAULT_CONCURRENCY: u16 = 8;

/// The options of the commands that run instances (`run`, `resume`).
#[derive(Debug, clap::Args)]
pub struct RunningArgs {
    /// How many instances run at once (at most 1000).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY, value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_CONCURRENT_CALLS)))]
    pub concurrency: u16,
    /// Prints JSON on stdout instead of progress lines: the instance record of a single run,
    /// or the summary of many.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub state: super::run::StateArgs,
    #[command(flatten)]
    pub connectors: super::ConnectorArgs,
}

/// How a batch ended.
#[derive(Debug, Default, Serialize)]
pub struct Tally {
    /// Instances driven.
    pub instances: usize,
    /// Those that completed.
    pub completed: usize,
    /// Those that stopped with an incident, and why.
    pub incidents: Vec<IncidentLine>,
    /// Those another herald process was running, left to it.
    pub skipped: usize,
    /// Those whose saved record or flow could not be read, left as they are.
    pub unreadable: Vec<Unreadable>,
}

/// An instance left alone because its saved record or flow does not load.
#[derive(Debug, Serialize)]
pub struct Unreadable {
    /// The instance id.
    pub instance: String,
    /// Why it cannot be read.
    pub message: String,
}

/// One instance that stopped with an incident.
#[derive(Debug, Serialize)]
pub struct IncidentLine {
    /// The instance id.
    pub instance: String,
    /// Where and why.
    #[serde(flatten)]
    pub incident: Incident,
}

impl Tally {
    /// Whether every instance completed.
    pub fn all_completed(&self) -> bool {
        self.incidents.is_empty() && self.unreadable.is_empty() && self.completed + self.skipped == self.instances
    }

    fn count(&mut self, record: Option<InstanceRecord>) {
        match record {
            None => self.skipped += 1,
            Some(record) => match (record.state, record.incident) {
                (InstanceState::Completed, _) => self.completed += 1,
                (_, Some(incident)) => self.incidents.push(IncidentLine { instance: record.instance, incident }),
                // Not reachable: `drive` returns finished instances.
                (state, None) => tracing::warn!(instance = %record.instance, ?state, "an instance ended unfinished"),
            },
        }
    }

    /// The closing lines for a person, as printed.
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} instance{}: {} completed, {} incident{}",
            self.instances,
            if self.instances == 1 { "" } else { "s" },
            self.completed,
            self.incidents.len(),
            if self.incidents.len() == 1 { "" } else { "s" },
        );
        if self.skipped > 0 {
            text += &format!(", {} left to the herald process running them", self.skipped);
        }
        if !self.unreadable.is_empty() {
            text += &format!(", {} unreadable", self.unreadable.len());
        }
        for line in &self.incidents {
            text += &format!("\n  {} at {}: {}", line.instance, line.incident.element, line.incident.message);
        }
        for line in &self.unreadable {
            text += &format!("\n  {} is unreadable: {}", line.instance, line.message);
        }
        shown(&text)
    }
}

/// Prints a batch's summary (JSON with `--json`); exit 0 when every instance completed.
pub fn report(tally: &Tally, json: bool) -> Result<(), super::exit::Exit> {
    if json {
        let text = serde_json::to_string_pretty(tally).expect("tallies serialize");
        println!("{}", shown(&text));
    } else {
        println!("{}", tally.summary());
    }
    if tally.all_completed() { Ok(()) } else { Err(super::exit::Exit::Failed(None)) }
}

/// Drives each `(process, instance)` to its end, `concurrency` at a time; `unreadable`
/// are instances already found unreadable, counted with those whose record does not load.
pub async fn drive_all(
    engine: Arc<Engine>,
    work: Vec<(Arc<Process>, Pending)>,
    unreadable: Vec<Unreadable>,
    concurrency: usize,
) -> Result<Tally, StateError> {
    // On a worker thread, not the main thread's `block_on`: each instance that ends wakes
    // this loop, and waking a worker is cheaper than waking a parked thread.
    tokio::spawn(drive_each(engine, work, unreadable, concurrency)).await.expect("the batch task does not panic")
}

async fn drive_each(
    engine: Arc<Engine>,
    work: Vec<(Arc<Process>, Pending)>,
    unreadable: Vec<Unreadable>,
    concurrency: usize,
) -> Result<Tally, StateError> {
    let bar = ProgressBar::new(work.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} instances  {msg}  {elapsed_precise}")
            .expect("the progress template is valid"),
    );
    let mut tally = Tally { instances: work.len() + unreadable.len(), unreadable, ..Tally::default() };
    let concurrency = concurrency.max(1);
    let mut queue = work.into_iter();
    // Instances are marked started `concurrency` at a time, one write per batch, just
    // before they run: after a crash, a resume makes the first attempt of each marked one
    // with no attempt on record as a repeat, needlessly for fewer than one batch.
    let mut marked = VecDeque::new();
    let mut running = JoinSet::new();
    loop {
        while running.len() < concurrency {
            if marked.is_empty() {
                marked.extend(queue.by_ref().take(concurrency));
                engine.mark_started(marked.iter_mut().map(|(_, pending)| pending)).await?;
            }
            let Some((process, pending)) = marked.pop_front() else {
                break;
            };
            let engine = Arc::clone(&engine);
            let id = pending.id().to_owned();
            running.spawn(async move { (id, engine.drive(&process, pending, &Silent).await) });
        }
        let Some(done) = running.join_next().await else { break };
        match done.expect("an instance task does not panic") {
            (_, Ok(record)) => tally.count(record),
            // One instance's record that does not parse stops only that instance.
            (instance, Err(error @ StateError::Corrupt { .. })) => {
                tally.unreadable.push(Unreadable { instance, message: error.to_string() })
            }
            (_, Err(error)) => return Err(error),
        }
        bar.set_message(format!("{} completed, {} incidents", tally.completed, tally.incidents.len()));
        bar.inc(1);
    }
    bar.finish_and_clear();
    engine.store().sync().await?;
    Ok(tally)
}
