//! `herald validate`: every problem of a flow at once, with file:line:column.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::anyhow;
use clap::Args;
use serde_json::{Map, Value};

use herald_bpmn::closest;
use herald_bpmn::{self as bpmn, CAMUNDA_SLACK_TYPE, Diagnostic, ElementKind, LoadError, Process, Source};
use herald_executor::{CredentialSecrets, credential_issue, insert_path};
use herald_runtime::Connector;

use super::ConnectorArgs;
use super::exit::Exit;
use super::host::{Host, SandboxUse};
use super::report::shown;

/// Arguments of `herald validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The BPMN file.
    flow: PathBuf,
    #[command(flatten)]
    connectors: ConnectorArgs,
}

/// Checks the flow; exit 0 when it is valid, 2 otherwise.
pub async fn validate(args: ValidateArgs) -> Result<(), Exit> {
    let text = std::fs::read_to_string(&args.flow)
        .map_err(|source| Exit::Invalid(LoadError::Read { path: args.flow.clone(), source }.into()))?;
    let (process, mut problems) = bpmn::load_partially(&text, &args.flow);
    let host = Host::start(&args.connectors.connectors, SandboxUse::Never).await?;
    if let Some(process) = &process {
        problems.extend(check_flow(process, &host.connectors).await);
    }
    let Some(process) = process.filter(|_| problems.is_empty()) else {
        return Err(invalid(&problems));
    };
    let tasks = process.elements.iter().filter(|e| matches!(e.kind, ElementKind::ServiceTask(_))).count();
    println!(
        "{}",
        shown(&format!(
            "{}: valid ({} elements, {tasks} connector steps)",
            args.flow.display(),
            process.elements.len()
        ))
    );
    Ok(())
}

fn invalid(diagnostics: &[Diagnostic]) -> Exit {
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    Exit::Invalid(anyhow!("{} problem(s):\n{}", diagnostics.len(), lines.join("\n")))
}

/// Asks each step's connector to validate its inputs. Inputs computed by FEEL at run time
/// are passed as `null`: only their presence is known before the run.
pub async fn check_flow(process: &Process, connectors: &HashMap<String, Connector>) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    let credential_secrets = CredentialSecrets::of(process, connectors);
    for element in &process.elements {
        let ElementKind::ServiceTask(task) = &element.kind else {
            continue;
        };
        let diagnostic = |position, message: String| Diagnostic {
            file: process.file.clone(),
            position,
            element: Some(element.id.clone()),
            message,
        };
        let Some(connector) = connectors.get(task.connector()) else {
            let known = connectors.keys().map(String::as_str).chain([CAMUNDA_SLACK_TYPE]);
            let hint = match closest(&task.task_type, known) {
                Some(name) => format!("did you mean `{name}`? Or load a connector"),
                None => "use `slack` or load a connector".to_owned(),
            };
            problems.push(diagnostic(
                element.position,
                format!(
                    "no connector for task type `{}`; {hint} with --connector {}=PATH.wasm",
                    task.task_type, task.task_type
                ),
            ));
            continue;
        };
        for input in &task.inputs {
            if let Some(message) = credential_issue(input, connector.credentials(), &credential_secrets) {
                problems.push(diagnostic(input.position, message));
            }
        }
        let mut config = Map::new();
        for input in &task.inputs {
            let value = match &input.source {
                Source::Literal(text) => Value::String(text.clone()),
                Source::Expression(_) => Value::Null,
            };
            insert_path(&mut config, &input.target, value);
        }
        task.binding().adapt(&mut config);
        match connector.validate(&Value::Object(config).to_string()).await {
            Ok(issues) => problems.extend(issues.into_iter().map(|issue| {
                let top = issue.field.split('.').next().unwrap_or_default();
                let position = task
                    .inputs
                    .iter()
                    .find(|i| i.target == issue.field || i.target.split('.').next() == Some(top))
                    .map_or(element.position, |i| i.position);
                diagnostic(position, format!("input `{}`: {}", issue.field, issue.message))
            })),
            Err(err) => problems.push(diagnostic(element.position, err.to_string())),
        }
    }
    problems
}
