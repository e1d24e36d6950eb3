//! What `describe()` tells a host: the connector's name and the JSON Schemas of the step's
//! inputs and output. The input table here is also the list of inputs `validate()` accepts.

use serde_json::{Map, Value, json};

/// The connector's machine name, also the BPMN task type it is bound to.
pub const NAME: &str = "slack";

/// One line about the connector for humans.
pub const DESCRIPTION: &str =
    "Posts a message rendered from templates to a Slack channel, user or thread";

/// The JSON Schema dialect both schemas declare.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One input of a Slack step, as the schema (and so the modeler's form) shows it.
pub struct Input {
    /// The input's name: the `target` of a `zeebe:input`.
    pub name: &'static str,
    title: &'static str,
    description: &'static str,
    /// The JSON types a value may have; the first is what a designer types in a form.
    types: &'static [&'static str],
    default: Option<&'static str>,
}

/// Every input the Slack step understands, in form order.
pub const INPUTS: &[Input] = &[
    Input {
        name: "channel",
        title: "Channel",
        description: "Where the message goes: a channel name such as `#billing`, or a \
                      conversation id (`C…`, `G…`, `D…`) or user id (`U…`). A template over \
                      the process variables.",
        types: &["string"],
        default: None,
    },
    Input {
        name: "text",
        title: "Message text",
        description: "The message as a template, e.g. `Invoice {{ invoice.number }} for \
                      {{ customer.name }}`. Substituted values are escaped for Slack mrkdwn, so \
                      data cannot mention `<!channel>`; markup written in the template itself \
                      works. With `blocks`, this is the notification fallback.",
        types: &["string"],
        default: None,
    },
    Input {
        name: "blocks",
        title: "Block Kit blocks",
        description: "Block Kit JSON as a template: an array of blocks, or an object with a \
                      `blocks` array. Substituted values are escaped for a JSON string and for \
                      mrkdwn; numbers and booleans are inserted as they are. Either `text` or \
                      `blocks` is required.",
        types: &["string", "array", "object"],
        default: None,
    },
    Input {
        name: "thread",
        title: "Thread",
        description: "The `ts` of the message to reply to in its thread, e.g. \
                      `{{ notification.ts }}`. Empty: post to the channel.",
        types: &["string"],
        default: None,
    },
    Input {
        name: "token",
        title: "Bot token",
        description: "The Slack bot token (`xoxb-…`) with the `chat:write` scope, as a secret \
                      reference.",
        types: &["string"],
        default: Some("{{secrets.SLACK_BOT_TOKEN}}"),
    },
];

/// The JSON Schema of the step's inputs.
pub fn config_schema() -> Value {
    let properties: Map<String, Value> = INPUTS
        .iter()
        .map(|input| (input.name.to_owned(), input.schema()))
        .collect();
    json!({
        "$schema": DIALECT,
        "title": "Slack notification",
        "type": "object",
        "properties": properties,
        "required": ["channel"],
        "anyOf": [{ "required": ["text"] }, { "required": ["blocks"] }],
        "additionalProperties": false,
    })
}

/// The JSON Schema of the step's output, the value the result variable receives.
pub fn output_schema() -> Value {
    json!({
        "$schema": DIALECT,
        "title": "Posted Slack message",
        "type": "object",
        "properties": {
            "ok": { "type": "boolean", "description": "Always true: failures fail the step." },
            "channel": {
                "type": "string",
                "description": "The conversation id the message was posted to (`C…`, `D…`)."
            },
            "ts": {
                "type": "string",
                "description": "The message's timestamp: its id for threads and updates."
            },
        },
        "required": ["ok", "channel", "ts"],
    })
}

impl Input {
    fn schema(&self) -> Value {
        let mut schema = json!({
            "title": self.title,
            "description": self.description,
            "type": match self.types {
                [single] => json!(single),
                several => json!(several),
            },
        });
        if let Some(default) = self.default {
            schema["default"] = json!(default);
        }
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_defaults_to_the_bot_token_secret() {
        let schema = config_schema();
        assert_eq!(
            schema["properties"]["token"]["default"],
            "{{secrets.SLACK_BOT_TOKEN}}"
        );
        assert_eq!(schema["properties"]["channel"]["type"], "string");
        assert_eq!(schema["required"], json!(["channel"]));
    }
}
