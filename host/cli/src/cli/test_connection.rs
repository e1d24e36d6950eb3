//! `herald test-connection`: proves token, scopes and destination of every connector step,
//! without sending a message.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;
use serde_json::Value;

use herald_bpmn::{self as bpmn, ElementKind};
use herald_executor::{CredentialSecrets, Secrets, configuration, feel_context, now_ms};

use super::ConnectorArgs;
use super::exit::Exit;
use super::host::{Host, SandboxUse};
use super::report::shown;
use super::variables::VariableArgs;

/// Arguments of `herald test-connection`.
#[derive(Debug, Args)]
pub struct TestConnectionArgs {
    /// The BPMN file.
    flow: PathBuf,
    /// Variables for inputs computed by expressions (e.g. a channel from a variable).
    #[command(flatten)]
    variables: VariableArgs,
    #[command(flatten)]
    connectors: ConnectorArgs,
}

/// Runs every step's connection test and prints each check; exit 0 when all pass, 1 otherwise.
pub async fn test_connection(args: TestConnectionArgs) -> Result<(), Exit> {
    let process = bpmn::load_file(&args.flow).map_err(|e| Exit::Invalid(e.into()))?;
    // With --vars-jsonl, the first line stands for them all.
    let variables = args.variables.load().map_err(Exit::Invalid)?.into_iter().next().unwrap_or_default();
    // A test against the built-in sandbox would prove nothing about Slack: without a token
    // the token check fails and says how to set one.
    let host = Host::start(&args.connectors.connectors, SandboxUse::Never).await?;
    let mut failed = 0;
    let credential_secrets = CredentialSecrets::of(&process, &host.connectors);
    for element in &process.elements {
        let ElementKind::ServiceTask(task) = &element.kind else {
            continue;
        };
        println!("{}", shown(&format!("{} ({})", element.id, task.task_type)));
        let Some(connector) = host.connectors.get(task.connector()) else {
            return Err(Exit::Invalid(anyhow!("no connector for task type `{}`", task.task_type)));
        };
        let mut config = match configuration(
            &task.inputs,
            &variables,
            connector.config_defaults(),
            connector.credentials(),
            &Secrets { vault: &host.vault, credentials: &credential_secrets },
            &feel_context(&element.id, now_ms()),
        ) {
            Ok(config) => config,
            Err(err) => {
                println!("  ✗ inputs: {}", shown(&err.to_string()));
                failed += 1;
                continue;
            }
        };
        task.binding().adapt(&mut config.inputs);
        match connector.test_connection(&Value::Object(config.inputs).to_string()).await {
            Ok(report) => {
                for check in report.checks {
                    let mark = if check.ok { "✓" } else { "✗" };
                    let fix = check.fix.map(|fix| format!("\n      fix: {fix}")).unwrap_or_default();
                    println!("  {mark} {}: {}{}", check.name, shown(&check.detail), shown(&fix));
                    failed += usize::from(!check.ok);
                }
            }
            Err(err) => {
                println!("  ✗ {}", shown(&herald_executor::StepError::from(err).to_string()));
                failed += 1;
            }
        }
    }
    if failed == 0 {
        println!("all checks passed");
        Ok(())
    } else {
        Err(Exit::Failed(Some(anyhow!("{failed} check(s) failed"))))
    }
}
