//! `herald element-template`: the Camunda 8 element template (modeler form) of a connector.

use anyhow::anyhow;
use clap::Args;

use herald::designer::element_template;

use super::ConnectorArgs;
use super::exit::Exit;
use super::host::{Host, SandboxUse};

/// Arguments of `herald element-template`.
#[derive(Debug, Args)]
pub struct ElementTemplateArgs {
    /// The task type whose template to print (default: the one --connector, else `slack`).
    task_type: Option<String>,
    #[command(flatten)]
    connectors: ConnectorArgs,
}

/// Prints the template as JSON on stdout.
pub async fn element_template_command(args: ElementTemplateArgs) -> Result<(), Exit> {
    let host = Host::start(&args.connectors.connectors, SandboxUse::Never).await?;
    let task_type = match (args.task_type, args.connectors.connectors.as_slice()) {
        (Some(name), _) => name,
        (None, [(name, _)]) => name.clone(),
        (None, _) => "slack".to_owned(),
    };
    let connector = host.connectors.get(&task_type).ok_or_else(|| {
        let known: Vec<&String> = host.connectors.keys().collect();
        Exit::Invalid(anyhow!("no connector for task type `{task_type}`; loaded: {known:?}"))
    })?;
    let template = element_template(&task_type, connector.info());
    println!("{}", serde_json::to_string_pretty(&template).expect("templates serialize"));
    Ok(())
}
