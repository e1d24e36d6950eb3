//! Camunda's Slack connector template (`io.camunda:slack:1`) read as herald's Slack step:
//! its inputs renamed to the Slack component's, what herald does not run refused at load,
//! and the step's output shaped as the `response` Camunda's result and error expressions see.

use serde_json::{Map, Value, json};

use super::diagnostic::Position;
use super::model::{Binding, InputMapping, Source};
use crate::closest;

/// The task type of Camunda's Slack outbound connector.
pub const CAMUNDA_SLACK_TYPE: &str = "io.camunda:slack:1";

/// Camunda's input → herald's Slack input.
const RENAMED: &[(&str, &str)] = &[
    ("token", "token"),
    ("data.channel", "channel"),
    ("data.text", "text"),
    ("data.blockContent", "blocks"),
    ("data.thread", "thread"),
];

/// The template's document inputs: accepted only when they attach nothing.
const DOCUMENTS: &str = "data.documents";
const DOCUMENT_MODE: &str = "data.data_documents_documentMode";
const DOCUMENT_DETAILS: &str = "data.data_documents_";

/// Translates a Camunda Slack task's inputs, or says what herald does not run, where.
pub(super) fn slack_inputs(inputs: Vec<InputMapping>) -> Result<Vec<InputMapping>, Vec<(Position, String)>> {
    let mut problems = Vec::new();
    let mut renamed = Vec::new();
    let mut documents = None;
    for input in inputs {
        let literal = match &input.source {
            Source::Literal(text) => Some(text.trim()),
            Source::Expression(_) => None,
        };
        let mut problem = |message: String| problems.push((input.position, message));
        match (input.target.as_str(), literal) {
            ("method", Some("chat.postMessage")) => {}
            ("method", Some(other)) => {
                problem(format!("herald runs Camunda's Slack template for `chat.postMessage` only, not `{other}`"))
            }
            ("method", None) => problem("`method` must be written as `chat.postMessage`, not computed".into()),
            ("data.messageType", Some("plainText" | "messageBlock")) => {}
            ("data.messageType", _) => {
                problem("`data.messageType` must be `plainText` or `messageBlock`".into());
            }
            (DOCUMENT_MODE, Some("none")) => {}
            (DOCUMENTS | DOCUMENT_MODE, _) => documents = Some(input.position),
            (target, _) if target.starts_with(DOCUMENT_DETAILS) => {}
            ("data.channel", Some(channel)) if channel.starts_with('@') => problem(format!(
                "herald does not look people up by real name (`{channel}`); give their e-mail address or user id (U…)"
            )),
            (target, _) => match RENAMED.iter().find(|(from, _)| *from == target) {
                Some((_, to)) => renamed.push(InputMapping { target: (*to).to_owned(), ..input }),
                None => {
                    let known = RENAMED.iter().map(|(from, _)| *from).chain(["method", "data.messageType"]);
                    let hint =
                        closest(target, known).map(|name| format!("; did you mean `{name}`?")).unwrap_or_default();
                    problem(format!(
                        "`{target}` is not an input of Camunda's Slack template for chat.postMessage{hint}"
                    ));
                }
            },
        }
    }
    if let Some(position) = documents {
        problems.push((position, "herald does not attach documents to Slack messages; remove the documents".into()));
    }
    if problems.is_empty() { Ok(renamed) } else { Err(problems) }
}

impl Binding {
    /// The binding of tasks of `task_type`: Camunda's Slack template for its task type,
    /// herald's own for any other.
    pub fn of(task_type: &str) -> Self {
        if task_type == CAMUNDA_SLACK_TYPE { Binding::CamundaSlack } else { Binding::Herald }
    }

    /// Adapts a step's computed inputs to the connector: Camunda passes a bare channel name
    /// (`ops`) to Slack, which herald's Slack step writes `#ops`.
    pub fn adapt(self, inputs: &mut Map<String, Value>) {
        if self != Binding::CamundaSlack {
            return;
        }
        if let Some(Value::String(channel)) = inputs.get_mut("channel")
            && is_bare_name(channel)
        {
            *channel = format!("#{channel}");
        }
    }

    /// The step's output as the task's template promises it: for Camunda's Slack template,
    /// `{ts, channel, message: {type, text, ts}}`.
    pub fn response(self, output: Value, config: &str) -> Value {
        if self != Binding::CamundaSlack {
            return output;
        }
        let text =
            serde_json::from_str::<Value>(config).ok().and_then(|c| c.get("text").cloned()).unwrap_or(Value::Null);
        json!({
            "ts": output["ts"],
            "channel": output["channel"],
            "message": {"type": "message", "text": text, "ts": output["ts"]},
        })
    }
}

/// A channel name without `#`: not an id (`C…`, `G…`, `D…`, `U…`, `W…`), an e-mail or a
/// URL.
fn is_bare_name(channel: &str) -> bool {
    let id = channel.len() >= 9
        && channel.starts_with(['C', 'G', 'D', 'U', 'W'])
        && channel.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    // A blank channel stays blank, for the connector to report.
    !channel.trim().is_empty() && !channel.starts_with('#') && !channel.contains(['@', ':', '/']) && !id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_names_get_a_hash_and_ids_stay() {
        let adapted = |channel: &str| {
            let mut inputs = Map::from_iter([("channel".to_owned(), json!(channel))]);
            Binding::CamundaSlack.adapt(&mut inputs);
            inputs["channel"].as_str().unwrap().to_owned()
        };
        assert_eq!(adapted("ops"), "#ops");
        assert_eq!(adapted("#ops"), "#ops");
        assert_eq!(adapted("C0123ABCD"), "C0123ABCD");
        assert_eq!(adapted("ada@example.com"), "ada@example.com");
        // Blank stays blank: the connector reports it instead of posting to `#   `.
        assert_eq!(adapted("   "), "   ");
    }

    #[test]
    fn the_response_has_camundas_shape() {
        let output = json!({"ok": true, "channel": "C1", "ts": "1.2"});
        let response = Binding::CamundaSlack.response(output, r#"{"text": "Hi"}"#);
        assert_eq!(
            response,
            json!({"ts": "1.2", "channel": "C1", "message": {"type": "message", "text": "Hi", "ts": "1.2"}})
        );
    }
}
