//! Camunda's Slack connector template (`io.camunda:slack:1`) read as herald's Slack step:
//! its inputs renamed to the Slack component's, what herald does not run refused at load,
//! and the step's output shaped as the `response` Camunda's result and error expressions see.

use serde_json::{Map, Value, json};

use super::diagnostic::Position;
use super::model::{Binding, InputMapping, Source};
use crate::closest;

/// The task type of Camunda's Slack outbound connector.
pub const CAMUNDA_SLACK_TYPE: &str = "io.camunda:slack:1";

/// Camunda's input → herald's Slack input, for every method of the template (versions 0
/// to 12 bind the same names).
const RENAMED: &[(&str, &str)] = &[
    ("token", "token"),
    // chat.postMessage; reactions.add, pins.add and pins.remove bind `data.channel` too.
    ("data.channel", "channel"),
    ("data.text", "text"),
    ("data.blockContent", "blocks"),
    ("data.thread", "thread"),
    // conversations.create
    ("data.newChannelName", "name"),
    // conversations.invite
    ("data.channelId", "channel"),
    ("data.channelName", "channel"),
    ("data.users", "users"),
    // reactions.add, pins.add, pins.remove
    ("data.emoji", "emoji"),
    ("data.timestamp", "timestamp"),
];

/// Inputs the template writes that carry nothing herald needs: `data.channelType` says
/// which of `data.channelId` and `data.channelName` the form shows.
const IGNORED: &[&str] = &["data.channelType"];

/// The documents input, and the prefix of the inputs the template's form (versions 10 to
/// 12) composes it from, which Zeebe maps into `data` before it.
const DOCUMENTS: &str = "data.documents";
const DOCUMENT_DETAILS: &str = "data.data_documents_";

/// The methods of the template, as herald's Slack step names them too.
const METHODS: &[&str] =
    &["chat.postMessage", "conversations.create", "conversations.invite", "reactions.add", "pins.add", "pins.remove"];

/// Translates a Camunda Slack task's inputs to herald's Slack step, which sends them as
/// written (`verbatim`) and, for plain text, links names as Camunda does; or says what is
/// wrong, where.
pub(super) fn slack_inputs(inputs: Vec<InputMapping>) -> Result<Vec<InputMapping>, Vec<(Position, String)>> {
    let mut problems = Vec::new();
    let mut renamed = Vec::new();
    let mut message_type = None;
    let mut posts = true;
    // The inputs herald adds stand where the task's first input does; they cannot be wrong.
    let at = inputs.first().map_or(Position { line: 1, column: 1 }, |input| input.position);
    for input in inputs {
        let literal = match &input.source {
            Source::Literal(text) => Some(text.trim()),
            Source::Expression(_) => None,
        };
        let mut problem = |message: String| problems.push((input.position, message));
        match (input.target.as_str(), literal) {
            ("method", Some(method)) if !METHODS.contains(&method) => problem(format!(
                "`method` must be one of {}, not `{method}`",
                METHODS.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
            )),
            ("method", None) => {
                problem("`method` must be written as one of the template's methods, not computed".into())
            }
            ("method", Some(method)) => {
                posts = method == "chat.postMessage";
                renamed.push(input);
            }
            ("data.messageType", Some(kind @ ("plainText" | "messageBlock"))) => message_type = Some(kind.to_owned()),
            ("data.messageType", _) => {
                problem("`data.messageType` must be `plainText` or `messageBlock`".into());
            }
            ("data.visibility", Some(visibility)) => match visibility.to_ascii_uppercase().as_str() {
                "PUBLIC" | "PRIVATE" => renamed.push(InputMapping {
                    target: "is_private".to_owned(),
                    source: Source::Literal((visibility.eq_ignore_ascii_case("PRIVATE")).to_string()),
                    position: input.position,
                }),
                _ => problem(format!("`data.visibility` must be `PUBLIC` or `PRIVATE`, not `{visibility}`")),
            },
            ("data.visibility", None) => problem("`data.visibility` must be written as `PUBLIC` or `PRIVATE`".into()),
            (DOCUMENTS, _) => renamed.push(InputMapping { target: "documents".to_owned(), ..input }),
            // Kept under their own names for `data.documents` (mapped after them) to read;
            // the step's inputs leave them out.
            (target, _) if target.starts_with(DOCUMENT_DETAILS) => renamed.push(input),
            (target, _) if IGNORED.contains(&target) => {}
            (target, _) => match RENAMED.iter().find(|(from, _)| *from == target) {
                Some((_, to)) => renamed.push(InputMapping { target: (*to).to_owned(), ..input }),
                None => {
                    let known =
                        RENAMED.iter().map(|(from, _)| *from).chain(["method", "data.messageType", "data.visibility"]);
                    let hint =
                        closest(target, known).map(|name| format!("; did you mean `{name}`?")).unwrap_or_default();
                    problem(format!("`{target}` is not an input of Camunda's Slack template{hint}"));
                }
            },
        }
    }
    let literal = |target: &str, value: &str| InputMapping {
        target: target.to_owned(),
        source: Source::Literal(value.to_owned()),
        position: at,
    };
    renamed.push(literal("verbatim", "true"));
    // Camunda links `@name` and `#channel` in plain text, not in blocks.
    if posts && message_type.as_deref() != Some("messageBlock") {
        renamed.push(literal("link_names", "true"));
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
    /// (`ops`) to Slack, which herald's Slack step writes `#ops`; the inputs the documents
    /// were composed from (`data.…`) are not the step's.
    pub fn adapt(self, inputs: &mut Map<String, Value>) {
        if self != Binding::CamundaSlack {
            return;
        }
        inputs.remove("data");
        if let Some(Value::String(channel)) = inputs.get_mut("channel")
            && is_bare_name(channel)
        {
            *channel = format!("#{channel}");
        }
    }

    /// The step's output as the task's template promises it: for Camunda's Slack template,
    /// the `response` of the method the task calls.
    pub fn response(self, output: Value, config: &str) -> Value {
        if self != Binding::CamundaSlack {
            return output;
        }
        let method = serde_json::from_str::<Value>(config).ok().and_then(|c| c.get("method").cloned());
        match method.as_ref().and_then(Value::as_str).map_or("chat.postMessage", str::trim) {
            "chat.postMessage" => {
                let message = &output["message"];
                json!({
                    "ts": output["ts"],
                    "channel": output["channel"],
                    "message": {
                        "type": message["type"],
                        "team": message["team"],
                        "user": message["user"],
                        "text": message["text"],
                        "ts": message["ts"],
                        "appId": message["app_id"],
                        "botId": message["bot_id"],
                    },
                })
            }
            "conversations.create" => json!({ "channel": channel_of(&output) }),
            "conversations.invite" => json!({ "channel": channel_of(&output), "needed": null, "provided": null }),
            _ => json!({}),
        }
    }
}

/// The `{id, name}` of the channel an operation's output names.
fn channel_of(output: &Value) -> Value {
    json!({ "id": output["channel"]["id"], "name": output["channel"]["name"] })
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
        let message = json!({"type": "message", "text": "Hi", "user": "U1", "bot_id": "B1", "app_id": "A1",
                             "team": "T1", "ts": "1.2"});
        let output = json!({"ok": true, "channel": "C1", "ts": "1.2", "message": message});
        let response = Binding::CamundaSlack.response(output, r#"{"text": "Hi"}"#);
        assert_eq!(
            response,
            json!({"ts": "1.2", "channel": "C1", "message": {"type": "message", "team": "T1", "user": "U1",
                   "text": "Hi", "ts": "1.2", "appId": "A1", "botId": "B1"}})
        );
        // A message a repeat found posted already: what is not known is null, as in Camunda.
        let response = Binding::CamundaSlack.response(json!({"ok": true, "channel": "C1", "ts": "1.2"}), "{}");
        assert_eq!(response["message"]["botId"], Value::Null);
        let created = json!({"ok": true, "channel": {"id": "C9", "name": "launch", "is_private": true}});
        let config = r#"{"method": "conversations.create"}"#;
        assert_eq!(Binding::CamundaSlack.response(created, config), json!({"channel": {"id": "C9", "name": "launch"}}));
        let pinned = json!({"ok": true, "channel": "C1", "ts": "1.2"});
        assert_eq!(Binding::CamundaSlack.response(pinned, r#"{"method": "pins.add"}"#), json!({}));
    }
}
