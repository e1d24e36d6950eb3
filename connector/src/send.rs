//! `send`: renders the message from the step's templates and posts it with
//! `chat.postMessage`.

use serde_json::{Value, json};

use crate::config::{Blocks, Config, Issue, missing_token};
use crate::slack::client::SlackClient;
use crate::slack::errors::SlackError;
use crate::slack::message::{self, BlocksError, PostMessage, Posted};
use crate::template::{self, Escaping};

/// Why a send failed.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The step's inputs are wrong, or do not render over the process variables.
    #[error("the step's inputs are invalid")]
    InvalidConfig(Vec<Issue>),
    /// Slack or the way to it failed.
    #[error(transparent)]
    Slack(#[from] SlackError),
}

/// Renders and posts the message the step configuration describes.
///
/// Inputs named in `computed` hold data an expression computed: they are escaped as data,
/// never rendered as templates, so nothing in the process data can act as a template.
pub async fn send(config: &str, variables: &str, computed: &[String]) -> Result<Posted, SendError> {
    let config = Config::parse(config).map_err(SendError::InvalidConfig)?;
    let variables =
        parse_variables(variables).map_err(|issue| SendError::InvalidConfig(vec![issue]))?;
    match (config.token.as_deref(), render_message(&config, &variables, computed)) {
        (Some(token), Ok(message)) => Ok(SlackClient::from_env(token)
            .call("chat.postMessage", &message)
            .await?),
        (token, message) => {
            let mut issues = message.err().unwrap_or_default();
            if token.is_none() {
                issues.push(missing_token());
            }
            Err(SendError::InvalidConfig(issues))
        }
    }
}

/// The step's output for a posted message, as JSON text: `{ok, channel, ts}`.
pub fn output_json(posted: &Posted) -> String {
    json!({ "ok": true, "channel": posted.channel, "ts": posted.ts }).to_string()
}

/// The process variables; none at all counts as an empty object.
fn parse_variables(variables: &str) -> Result<Value, Issue> {
    if variables.trim().is_empty() {
        return Ok(json!({}));
    }
    match serde_json::from_str(variables) {
        Ok(object @ Value::Object(_)) => Ok(object),
        Ok(_) => Err(Issue::new(
            "variables",
            "the process variables must be a JSON object",
        )),
        Err(error) => Err(Issue::new(
            "variables",
            format!("the process variables are not valid JSON: {error}"),
        )),
    }
}

/// Renders every template of the step, listing every input that fails.
fn render_message(
    config: &Config,
    variables: &Value,
    computed: &[String],
) -> Result<PostMessage, Vec<Issue>> {
    let mut issues = Vec::new();
    let render = |input: &str, source: &str, escaping| {
        if computed.iter().any(|name| name == input) {
            return Ok(template::data(source, escaping));
        }
        template::render(input, source, escaping, variables).map_err(Issue::from)
    };
    let channel = keep(
        &mut issues,
        render("channel", &config.channel, Escaping::Verbatim).and_then(|channel| {
            let channel = channel.trim().to_owned();
            if channel.is_empty() {
                Err(Issue::new(
                    "channel",
                    "`channel` renders to nothing: it must name a channel",
                ))
            } else {
                Ok(channel)
            }
        }),
    );
    let text = config
        .text
        .as_deref()
        .and_then(|source| keep(&mut issues, render("text", source, Escaping::Mrkdwn)))
        .filter(|text| !text.trim().is_empty());
    let thread_ts = config
        .thread
        .as_deref()
        .and_then(|source| keep(&mut issues, render("thread", source, Escaping::Verbatim)))
        .map(|ts| ts.trim().to_owned())
        .filter(|ts| !ts.is_empty());
    let blocks = match &config.blocks {
        None => None,
        Some(Blocks::Template(source)) => keep(
            &mut issues,
            render("blocks", source, Escaping::BlockKitJson)
                .and_then(|json| message::parse_blocks(&json).map_err(blocks_issue)),
        ),
        Some(Blocks::Built(value)) => keep(
            &mut issues,
            message::blocks_from_value(value.clone()).map_err(blocks_issue),
        ),
    };
    match channel {
        Some(channel) if issues.is_empty() => {
            Ok(PostMessage::new(channel, text, blocks, thread_ts))
        }
        _ => Err(issues),
    }
}

/// The value of a result, or `None` with its issue recorded.
fn keep<T>(issues: &mut Vec<Issue>, result: Result<T, Issue>) -> Option<T> {
    result.map_err(|issue| issues.push(issue)).ok()
}

fn blocks_issue(error: BlocksError) -> Issue {
    Issue::new("blocks", format!("`blocks` {error}"))
}
