//! herald's benchmark: `cargo run --release -p herald-bench`. Against one Slack sandbox on
//! loopback it sends the same N one-step notifications through herald (`run --vars-jsonl
//! --concurrency C`, durable state on), through a plain native Rust client (the floor) and
//! through Python's official `slack_sdk` `WebClient`, each in a process of its own, and
//! prints throughput, p50/p99 latency, CPU time per message and peak memory of each, with
//! the ratios; then herald's per-step instantiation time and the wall time of a warm
//! one-step `herald run`.

mod measure;
mod native;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use serde_json::Value;

use herald::SLACK_COMPONENT;
use herald_runtime::{EgressPolicy, Limits, Runtime};
use herald_sandbox::SlackSandbox;
use herald_secrets::Vault;

use measure::{Finished, percentile};

/// The token every client sends; the sandbox accepts any bot token.
const TOKEN: &str = "xoxb-herald-bench";

#[derive(Parser)]
#[command(about = "Benchmarks herald against a native Rust client and slack_sdk on one loopback Slack")]
struct Args {
    #[command(subcommand)]
    client: Option<Client>,
    /// Messages each client sends.
    #[arg(long, default_value_t = 10_000)]
    messages: usize,
    /// Messages in flight at once, for every client.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
}

#[derive(Subcommand)]
enum Client {
    /// The native client, run by the benchmark in a process of its own.
    Native { api_url: String, channel: String, messages: usize, concurrency: usize },
}

/// One client's line of the table.
struct Row {
    name: &'static str,
    throughput: f64,
    p50: Duration,
    p99: Duration,
    /// CPU time the client spent per message.
    cpu_per_message: Duration,
    peak_rss: u64,
}

impl Row {
    fn new(name: &'static str, run: &Finished, messages: usize, mut latencies: Vec<Duration>) -> Self {
        let throughput = messages as f64 / run.wall.as_secs_f64();
        let (p50, p99) = (percentile(&mut latencies, 50.0), percentile(&mut latencies, 99.0));
        let cpu_per_message = run.cpu / u32::try_from(messages).unwrap_or(u32::MAX).max(1);
        Row { name, throughput, p50, p99, cpu_per_message, peak_rss: run.peak_rss }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(Client::Native { api_url, channel, messages, concurrency }) = args.client {
        return native::run(&api_url, TOKEN, &channel, messages, concurrency).await;
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("bench/ is in the workspace").to_path_buf();
    let herald = build_herald(&workspace)?;
    let python = slack_sdk_python(&workspace)?;
    let sandbox = SlackSandbox::start().await?;
    let api = sandbox.api_url();
    let channel = sandbox.create_channel("bench").context("the sandbox makes a channel")?;
    let work = tempfile::tempdir()?;
    // herald's flow names the channel, as designers write flows: the name is resolved
    // once and shared by every instance. The other clients are given the id.
    let flow = write_flow(work.path(), "#bench")?;
    let (n, c) = (args.messages, args.concurrency);
    eprintln!("herald-bench: {n} messages, {c} at a time, to {api}");

    let herald_env = |command: &mut Command| {
        command
            .env("SLACK_API_URL", &api)
            .env("SLACK_BOT_TOKEN", TOKEN)
            .env("HERALD_CACHE_DIR", work.path().join("cache"));
        command.env_remove("RUST_LOG");
    };
    // Startup: the first run compiles the component into the cache; the others only load it.
    let one_step = |state: &str| {
        let mut command = Command::new(&herald);
        command.args(["run", flow.to_str().unwrap(), "--var", "n=0", "--json", "--state"]).arg(work.path().join(state));
        herald_env(&mut command);
        command
    };
    measure::run(one_step("warmup"))?;
    let mut starts = Vec::new();
    for _ in 0..11 {
        starts.push(
            tokio::task::spawn_blocking({
                let command = one_step("warm");
                move || measure::run(command)
            })
            .await??
            .wall,
        );
    }
    let warm_run = percentile(&mut starts, 50.0);

    let instantiation = instantiation_times(&api, 10_000).await?;

    let before = sandbox.messages().len();
    let jsonl = work.path().join("messages.jsonl");
    std::fs::write(&jsonl, (0..n).map(|i| format!("{{\"n\": {i}}}\n")).collect::<String>())?;
    let mut command = Command::new(&herald);
    command.args([
        "run",
        flow.to_str().unwrap(),
        "--vars-jsonl",
        jsonl.to_str().unwrap(),
        "--concurrency",
        &c.to_string(),
        "--json",
        "--state",
    ]);
    let state = work.path().join("bulk");
    command.arg(&state);
    herald_env(&mut command);
    let run = tokio::task::spawn_blocking(move || measure::run(command)).await??;
    let tally: Value = serde_json::from_str(&run.stdout)?;
    if tally["completed"] != n {
        bail!("herald completed {} of {n} instances: {tally}", tally["completed"]);
    }
    let herald_row = Row::new("herald", &run, n, step_durations(&state)?);
    check_posted(&sandbox, before, n, "herald")?;

    let before = sandbox.messages().len();
    let mut command = Command::new(std::env::current_exe()?);
    command.args(["native", &api, &channel, &n.to_string(), &c.to_string()]);
    let run = tokio::task::spawn_blocking(move || measure::run(command)).await??;
    let native_row = Row::new("native Rust (hyper)", &run, n, latencies(&run.stdout)?);
    check_posted(&sandbox, before, n, "the native client")?;

    let before = sandbox.messages().len();
    let mut command = Command::new(&python);
    command.arg(workspace.join("bench/slack_sdk_client.py")).args([
        &api,
        TOKEN,
        &channel,
        &n.to_string(),
        &c.to_string(),
    ]);
    let run = tokio::task::spawn_blocking(move || measure::run(command)).await??;
    let sdk_row = Row::new("Python slack_sdk", &run, n, latencies(&run.stdout)?);
    check_posted(&sandbox, before, n, "slack_sdk")?;

    print_report(&[&herald_row, &native_row, &sdk_row], n, c, instantiation, warm_run);
    Ok(())
}

/// Builds the release `herald` binary (the benchmark's own build made its library) and
/// returns its path.
fn build_herald(workspace: &Path) -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut build = Command::new(cargo);
    build.current_dir(workspace).args(["build", "--release", "--locked", "-p", "herald", "--bin", "herald"]);
    // `cargo run` describes the benchmark's own package in CARGO_* variables; build scripts
    // that watch them would run again, and rebuild half of herald each time.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if (name.starts_with("CARGO_") && name != "CARGO_HOME") || name == "OUT_DIR" {
            build.env_remove(name.as_ref());
        }
    }
    let status = build.status()?;
    if !status.success() {
        bail!("building herald failed");
    }
    Ok(workspace.join("target/release/herald"))
}

/// A Python with slack_sdk: a virtual environment under `target/bench`, made on first use.
fn slack_sdk_python(workspace: &Path) -> anyhow::Result<PathBuf> {
    let venv = workspace.join("target/bench/venv");
    let python = venv.join("bin/python");
    let has_sdk = |python: &Path| {
        Command::new(python).args(["-c", "import slack_sdk"]).output().is_ok_and(|o| o.status.success())
    };
    if has_sdk(&python) {
        return Ok(python);
    }
    let made = Command::new("python3")
        .arg("-m")
        .arg("venv")
        .arg(&venv)
        .status()
        .context("python3 is needed for the slack_sdk client")?;
    let installed = Command::new(venv.join("bin/pip")).args(["install", "--quiet", "slack_sdk"]).status()?;
    if !made.success() || !installed.success() || !has_sdk(&python) {
        bail!("cannot install slack_sdk into {}", venv.display());
    }
    Ok(python)
}

/// A one-step flow posting to `channel`.
fn write_flow(dir: &Path, channel: &str) -> anyhow::Result<PathBuf> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench">
  <bpmn:process id="bench" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to_notify" sourceRef="start" targetRef="notify" />
    <bpmn:serviceTask id="notify">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="slack" />
        <zeebe:ioMapping>
          <zeebe:input source="{channel}" target="channel" />
          <zeebe:input source="herald message {{{{ n }}}}" target="text" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#
    );
    let path = dir.join("one-step.bpmn");
    std::fs::write(&path, xml)?;
    Ok(path)
}

/// The time herald took for each step, from its state database.
fn step_durations(state: &Path) -> anyhow::Result<Vec<Duration>> {
    let db = rusqlite::Connection::open(state.join("herald.db"))?;
    let mut query = db.prepare("SELECT record FROM steps")?;
    let records: Vec<String> = query.query_map([], |row| row.get(0))?.collect::<Result<_, _>>()?;
    records
        .iter()
        .map(|text| {
            let record: Value = serde_json::from_str(text)?;
            let us = record["duration_us"].as_u64().context("a step record has its duration")?;
            Ok(Duration::from_micros(us))
        })
        .collect()
}

/// The latencies a client printed, in seconds.
fn latencies(stdout: &str) -> anyhow::Result<Vec<Duration>> {
    let report: Value = serde_json::from_str(stdout).with_context(|| format!("not a client report: {stdout}"))?;
    let list = report["latencies"].as_array().context("the report lists latencies")?;
    Ok(list.iter().filter_map(Value::as_f64).map(Duration::from_secs_f64).collect())
}

/// Fails unless the sandbox holds exactly `n` more messages than `before`.
fn check_posted(sandbox: &SlackSandbox, before: usize, n: usize, client: &str) -> anyhow::Result<()> {
    let posted = sandbox.messages().len() - before;
    if posted != n {
        bail!("{client} posted {posted} messages, not {n}");
    }
    Ok(())
}

/// Instantiates the Slack component `count` times, one after another: p50 and p99.
async fn instantiation_times(api: &str, count: usize) -> anyhow::Result<(Duration, Duration)> {
    let runtime = Runtime::new(
        EgressPolicy::configured(&[api.to_owned()]),
        Vault::with_values(Default::default()),
        Limits::default(),
    )?;
    let connector = runtime.load("slack", SLACK_COMPONENT, "the built-in Slack connector", Vec::new()).await?;
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        times.push(connector.time_instantiation().await?);
    }
    Ok((percentile(&mut times, 50.0), percentile(&mut times, 99.0)))
}

fn print_report(rows: &[&Row], n: usize, c: usize, instantiation: (Duration, Duration), warm_run: Duration) {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    println!("{n} one-step notifications, {c} in flight, one Slack sandbox on loopback; {cores} cores, {cpu}\n");
    println!("| client | messages/s | p50 latency | p99 latency | CPU per message | peak memory |");
    println!("|---|---:|---:|---:|---:|---:|");
    let ms = |d: Duration| format!("{:.2} ms", d.as_secs_f64() * 1000.0);
    for row in rows {
        let cpu = format!("{:.0} µs", row.cpu_per_message.as_secs_f64() * 1e6);
        println!(
            "| {} | {:.0} | {} | {} | {cpu} | {:.0} MB |",
            row.name,
            row.throughput,
            ms(row.p50),
            ms(row.p99),
            row.peak_rss as f64 / 1e6
        );
    }
    let (herald, native, sdk) = (rows[0], rows[1], rows[2]);
    println!();
    println!("herald / native throughput: {:.2}× (target ≥ 0.5×)", herald.throughput / native.throughput);
    println!("herald / slack_sdk throughput: {:.2}× (target ≥ 5×)", herald.throughput / sdk.throughput);
    println!(
        "per-step instantiation: p50 {:.1} µs, p99 {:.1} µs (target p50 ≤ 50 µs)",
        instantiation.0.as_secs_f64() * 1e6,
        instantiation.1.as_secs_f64() * 1e6
    );
    println!("warm one-step `herald run`: {} wall, median of 11 (target < 100 ms)", ms(warm_run));
    println!("herald peak memory with {n} instances: {:.0} MB (target < 200 MB)", herald.peak_rss as f64 / 1e6);
}
