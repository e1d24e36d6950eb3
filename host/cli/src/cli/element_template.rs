//! `herald element-template`: the Camunda 8 element template (modeler form) of a task type.

use anyhow::anyhow;
use clap::Args;

use herald::designer::{camunda_slack_template, element_template};
use herald_bpmn::CAMUNDA_SLACK_TYPE;

use super::ConnectorArgs;
use super::exit::Exit;
use super::host::{Host, SandboxUse};

/// Arguments of `herald element-template`.
#[derive(Debug, Args)]
pub struct ElementTemplateArgs {
    /// The task type whose template to print (default: the one --connector, else `slack`;
    /// `io.camunda:slack:1` is Camunda's Slack connector's).
    task_type: Option<String>,
    #[command(flatten)]
    connectors: ConnectorArgs,
}

/// Prints the template as JSON on stdout.
pub async fn element_template_command(args: ElementTemplateArgs) -> Result<(), Exit> {
    if args.task_type.as_deref() == Some(CAMUNDA_SLACK_TYPE) {
        // Camunda's inputs, not a connector's schema: no component to load.
        print(&camunda_slack_template());
        return Ok(());
    }
    let host = Host::start(&args.connectors.connectors, SandboxUse::Never).await?;
    let task_type = match (args.task_type, args.connectors.connectors.as_slice()) {
        (Some(name), _) => name,
        (None, [(name, _)]) => name.clone(),
        (None, _) => "slack".to_owned(),
    };
    let connector = host.connectors.get(&task_type).ok_or_else(|| {
        let known: Vec<&str> = host.connectors.keys().map(String::as_str).chain([CAMUNDA_SLACK_TYPE]).collect();
        Exit::Invalid(anyhow!("no template for task type `{task_type}`; there are templates for {known:?}"))
    })?;
    print(&element_template(&task_type, connector.info()));
    Ok(())
}

fn print(template: &serde_json::Value) {
    println!("{}", serde_json::to_string_pretty(template).expect("templates serialize"));
}
