//! The `herald` commands: argument parsing, exit codes and output.

mod batch;
mod element_template;
mod exit;
mod host;
mod instances;
mod preview;
mod report;
mod resume;
mod run;
mod test_connection;
mod validate;
mod variables;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

pub use exit::EXIT_FAILED;
use exit::Exit;

/// Runs BPMN process flows whose notification steps are WebAssembly connector components.
#[derive(Debug, Parser)]
#[command(name = "herald", version, about)]
pub struct Cli {
    /// Reads environment variables (secrets, SLACK_API_URL, limits) from this file; the
    /// environment wins. No `.env` is read unless named here.
    #[arg(long, global = true, value_name = "FILE")]
    env_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    /// Adds the variables of `--env-file` to the environment (it must run before any thread
    /// starts). A `.env` in the working directory is never read by itself: a cloned flow
    /// repository could otherwise point `SLACK_API_URL`, and the user's token, elsewhere.
    pub fn load_env_file(&self) -> Result<(), ExitCode> {
        match &self.env_file {
            Some(path) => dotenvy::from_path(path).map_err(|err| {
                Exit::Invalid(anyhow::anyhow!("cannot read the --env-file {}: {err}", path.display())).report()
            }),
            None => {
                if std::path::Path::new(".env").exists() {
                    eprintln!("herald: ./.env is not read; pass --env-file .env to use it");
                }
                Ok(())
            }
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs one process instance to its end (or one per line of --vars-jsonl).
    Run(run::RunArgs),
    /// Continues every unfinished instance in the state directory.
    Resume(resume::ResumeArgs),
    /// Lists the instances in the state directory with their state.
    Instances(instances::InstancesArgs),
    /// Prints one instance with its steps and variables.
    Show(instances::ShowArgs),
    /// Checks a flow and every connector step's inputs; reports every problem at once.
    Validate(validate::ValidateArgs),
    /// Proves token, scopes and destination of every connector step, sending nothing.
    TestConnection(test_connection::TestConnectionArgs),
    /// Shows every Slack step's message and every gateway's path, sending nothing.
    Preview(preview::PreviewArgs),
    /// Prints the Camunda 8 element template (modeler form) of a connector.
    ElementTemplate(element_template::ElementTemplateArgs),
}

/// Options shared by the commands that load connectors.
#[derive(Debug, Args)]
struct ConnectorArgs {
    /// Loads another connector component under a task type: NAME=PATH.wasm (repeatable).
    #[arg(long = "connector", value_name = "NAME=PATH.wasm", value_parser = parse_connector)]
    connectors: Vec<(String, PathBuf)>,
}

/// A `--connector` value that is not `NAME=PATH.wasm`.
#[derive(Debug, thiserror::Error)]
#[error("expected NAME=PATH.wasm, got `{0}`")]
struct NotAConnectorArg(String);

fn parse_connector(text: &str) -> Result<(String, PathBuf), NotAConnectorArg> {
    match text.split_once('=') {
        Some((name, path)) if !name.is_empty() && !path.is_empty() => Ok((name.to_owned(), path.into())),
        _ => Err(NotAConnectorArg(text.to_owned())),
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default: warnings).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

/// Runs a parsed command line and maps its outcome to herald's exit codes.
pub async fn main(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        Command::Run(args) => run::run(args).await,
        Command::Resume(args) => resume::resume(args).await,
        Command::Instances(args) => instances::instances(args),
        Command::Show(args) => instances::show(args),
        Command::Validate(args) => validate::validate(args).await,
        Command::TestConnection(args) => test_connection::test_connection(args).await,
        Command::Preview(args) => preview::preview(args).await,
        Command::ElementTemplate(args) => element_template::element_template_command(args).await,
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(exit) => exit.report(),
    }
}
