//! Everything a command needs to run flows: secrets, egress policy, connectors, and the
//! built-in Slack sandbox when no Slack workspace is configured.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use herald::SLACK_COMPONENT;
use herald_bpmn::{ElementKind, Process, Source};
use herald_executor::{Engine, named_secrets};
use herald_runtime::{Connector, EgressPolicy, Limits, Runtime};
use herald_sandbox::{Activity, PostedMessage, SlackSandbox, render_activity, render_message};
use herald_secrets::Vault;
use herald_store::Store;

use super::exit::Exit;
use super::report::shown;

/// The token the sandbox accepts; it is a secret like any other, so it is never printed.
const SANDBOX_TOKEN: &str = "xoxb-herald-sandbox";

/// The secrets that hold a Slack token: herald's default, and Camunda's template's.
const TOKEN_SECRETS: [&str; 2] = ["SLACK_BOT_TOKEN", "SLACK_TOKEN"];

/// The secret a Slack step without a `token` input takes its token from.
const DEFAULT_TOKEN: &str = "SLACK_BOT_TOKEN";

/// Receives each sandbox message, rendered as Slack would show it.
pub type Printer = Arc<dyn Fn(String) + Send + Sync>;

/// Whether the built-in Slack sandbox may stand in for Slack.
pub enum SandboxUse {
    /// Never: the command sends nothing (e.g. `validate`).
    Never,
    /// When no `SLACK_API_URL` is set and none of the secrets the flows take their Slack
    /// token from is ([`token_secrets`]); messages go to the printer.
    WhenNoToken {
        /// Where sandbox messages go.
        print: Printer,
        /// The secrets that would hold the token; `None` when a flow gives one outright.
        tokens: Option<Vec<String>>,
    },
    /// Always, whatever is configured (a preview); messages go to the printer.
    Always(Printer),
}

/// A ready host: connectors by task type, secrets, and the sandbox if one was started.
pub struct Host {
    /// The connectors, by task type.
    pub connectors: HashMap<String, Connector>,
    /// The secrets steps may name.
    pub vault: Vault,
    /// Kept alive while the host runs.
    _sandbox: Option<SlackSandbox>,
}

impl Host {
    /// Loads the built-in Slack connector and the `--connector` ones, starting the sandbox
    /// as `sandbox_use` says.
    pub async fn start(extra: &[(String, PathBuf)], sandbox_use: SandboxUse) -> Result<Host, Exit> {
        let vault = Vault::from_environment();
        // Settings are checked before anything starts: a bad one is reported once, not at
        // every step.
        let limits = Limits::from_environment().map_err(|e| Exit::Invalid(e.into()))?;
        let mut api_url = std::env::var("SLACK_API_URL").ok().filter(|u| !u.is_empty());
        if let Some(url) = &api_url {
            check_api_url(url).map_err(Exit::Invalid)?;
        }
        let mut sandbox = None;
        let (print, tokens) = match sandbox_use {
            SandboxUse::WhenNoToken { print, tokens: Some(tokens) }
                if api_url.is_none() && !tokens.iter().any(|name| vault.contains(name)) =>
            {
                let names = tokens.join(", ");
                eprintln!(
                    "herald: no Slack token is set (looked for {names}) and no SLACK_API_URL; posting to the built-in Slack sandbox"
                );
                (Some(print), tokens)
            }
            SandboxUse::Always(print) => (Some(print), TOKEN_SECRETS.map(str::to_owned).to_vec()),
            _ => (None, Vec::new()),
        };
        if let Some(print) = print {
            let started = SlackSandbox::start()
                .await
                .context("cannot start the built-in Slack sandbox")
                .map_err(|e| Exit::Failed(Some(e)))?;
            let print_activity = Arc::clone(&print);
            started.on_message(move |message: &PostedMessage| print(shown(&render_message(message))));
            started.on_activity(move |activity: &Activity| print_activity(shown(&render_activity(activity))));
            api_url = Some(started.api_url());
            for name in &tokens {
                vault.insert(name, SANDBOX_TOKEN);
            }
            sandbox = Some(started);
        }
        let policy = EgressPolicy::configured(api_url.as_slice());
        let runtime = Runtime::new(policy, vault.clone(), limits).map_err(|e| Exit::Failed(Some(e.into())))?;

        let mut connectors = HashMap::new();
        let slack_env: Vec<(String, String)> =
            api_url.iter().map(|url| ("SLACK_API_URL".to_owned(), url.clone())).collect();
        let slack = runtime
            .load("slack", SLACK_COMPONENT, "the built-in Slack connector", slack_env)
            .await
            .map_err(|e| Exit::Failed(Some(e.into())))?;
        connectors.insert("slack".to_owned(), slack);
        for (name, path) in extra {
            connectors.insert(name.clone(), load_file(&runtime, name, path).await?);
        }
        Ok(Host { connectors, vault, _sandbox: sandbox })
    }

    /// An engine over these connectors keeping its state in `state`.
    pub fn engine(&self, state: Option<&Path>) -> Result<Engine, Exit> {
        Ok(self.engine_over(Store::open(state)?))
    }

    /// An engine over these connectors keeping its state in `store`.
    pub fn engine_over(&self, store: Store) -> Engine {
        Engine::new(self.connectors.clone(), self.vault.clone(), store)
    }
}

/// The secrets the Slack steps of `processes` take their token from: those their `token`
/// inputs name, `SLACK_BOT_TOKEN` for a step without one, herald's and Camunda's usual
/// names for a token an expression computes. `None` when a step gives a token outright.
pub fn token_secrets<'a>(processes: impl IntoIterator<Item = &'a Process>) -> Option<Vec<String>> {
    let tasks = processes.into_iter().flat_map(|process| &process.elements).filter_map(|element| match &element.kind {
        ElementKind::ServiceTask(task) if task.connector() == "slack" => Some(task),
        _ => None,
    });
    let mut names = Vec::new();
    for task in tasks {
        match task.inputs.iter().find(|input| input.target == "token").map(|input| &input.source) {
            None => names.push(DEFAULT_TOKEN.to_owned()),
            Some(source) => {
                let named = named_secrets(source);
                match source {
                    Source::Literal(text) if named.is_empty() && !text.trim().is_empty() => return None,
                    Source::Expression(_) if named.is_empty() => names.extend(TOKEN_SECRETS.map(str::to_owned)),
                    _ => names.extend(named),
                }
            }
        }
    }
    if names.is_empty() {
        names.extend(TOKEN_SECRETS.map(str::to_owned));
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// Refuses a `SLACK_API_URL` that is not an absolute http(s) URL with a host.
fn check_api_url(url: &str) -> anyhow::Result<()> {
    let uri: http::Uri = url.parse().map_err(|_| bad_api_url(url))?;
    let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
    if !scheme_ok || uri.host().is_none_or(str::is_empty) {
        return Err(bad_api_url(url));
    }
    Ok(())
}

fn bad_api_url(url: &str) -> anyhow::Error {
    anyhow::anyhow!("SLACK_API_URL must be an http:// or https:// URL such as https://slack.com/api/, not `{url}`")
}

/// Loads a `--connector` component; anything wrong with the file is invalid input.
async fn load_file(runtime: &Runtime, name: &str, path: &Path) -> Result<Connector, Exit> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("cannot read the connector component {}", path.display()))
        .map_err(Exit::Invalid)?;
    let env_name = format!("{}_API_URL", name.to_ascii_uppercase().replace('-', "_"));
    let env: Vec<(String, String)> = std::env::var(&env_name).map(|url| vec![(env_name, url)]).unwrap_or_default();
    runtime.load(name, &bytes, &path.display().to_string(), env).await.map_err(|e| Exit::Invalid(e.into()))
}
