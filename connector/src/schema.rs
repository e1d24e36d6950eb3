//! What `describe()` tells a host: the connector's name and the JSON Schemas of the step's
//! inputs and output. The input table here is also the list of inputs `validate()` accepts.

use serde_json::{Map, Value, json};

use crate::{operation, values};

/// The connector's machine name, also the BPMN task type it is bound to.
pub const NAME: &str = "slack";

/// The hosts the connector calls: the Web API and incoming webhooks.
pub const HOSTS: [&str; 2] = ["slack.com", "hooks.slack.com"];

/// The reply fields whose URL the connector requests once: where an upload's bytes go
/// (`files.getUploadURLExternal`), on a host Slack chooses.
pub const URL_FIELDS: [&str; 1] = ["upload_url"];

/// One line about the connector for humans.
pub const DESCRIPTION: &str = "Posts a message rendered from templates to a Slack channel, user or thread, \
                                or creates a channel, invites people, reacts or pins";

/// The JSON Schema dialect both schemas declare.
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// One input of a Slack step, as the schema (and so the modeler's form) shows it.
pub struct Input {
    /// The input's name: the `target` of a `zeebe:input`.
    pub name: &'static str,
    /// The form group it belongs in (`x-group`), for element templates.
    group: &'static str,
    title: &'static str,
    description: &'static str,
    /// The JSON types a value may have; the first is what a designer types in a form.
    types: &'static [&'static str],
    default: Option<DefaultValue>,
    /// The values a string may take (an `enum`), when the choice is closed.
    choices: &'static [&'static str],
    /// A pattern a string may match instead of the choices.
    pattern: Option<&'static str>,
    /// A credential (`writeOnly` in the schema): the one kind of input where the host
    /// accepts a `{{secrets.NAME}}` reference.
    credential: bool,
}

/// The default value of an input, which the host fills in when the step leaves it out.
#[derive(Clone, Copy)]
enum DefaultValue {
    Text(&'static str),
    Flag(bool),
}

/// The JSON types of a boolean input.
const FLAG_TYPES: &[&str] = &["boolean", "string"];

/// The JSON types of a list of strings, which a literal gives comma-separated.
const LIST_TYPES: &[&str] = &["string", "array"];

/// Every input the Slack step understands, in form order.
pub const INPUTS: &[Input] = &[
    Input {
        name: "method",
        group: "Operation",
        title: "Operation",
        description: "What the step does: `chat.postMessage` posts a message (the other \
                      inputs below); `conversations.create` creates the channel `name`; \
                      `conversations.invite` invites `users` to `channel`; `reactions.add` \
                      reacts with `emoji` to the message `timestamp` of `channel`; `pins.add` \
                      and `pins.remove` pin and unpin that message.",
        default: Some(DefaultValue::Text("chat.postMessage")),
        choices: operation::METHOD_NAMES,
        ..Input::text()
    },
    Input {
        name: "name",
        group: "Operation",
        title: "New channel name",
        description: "`conversations.create`: the channel's name: lower-case letters, digits, \
                      `-` and `_`, at most 80 characters.",
        ..Input::text()
    },
    Input {
        name: "is_private",
        group: "Operation",
        title: "Private channel",
        description: "`conversations.create`: create a private channel instead of a public one.",
        ..Input::flag()
    },
    Input {
        name: "users",
        group: "Operation",
        title: "Users to invite",
        description: "`conversations.invite`: user ids (`U…`), e-mail addresses or \
                      `@Full Name`s, comma-separated or as a list.",
        types: LIST_TYPES,
        ..Input::text()
    },
    Input {
        name: "emoji",
        group: "Operation",
        title: "Emoji",
        description: "`reactions.add`: the emoji's name, such as `eyes` or `white_check_mark` \
                      (colons are dropped).",
        ..Input::text()
    },
    Input {
        name: "timestamp",
        group: "Operation",
        title: "Message timestamp",
        description: "`reactions.add`, `pins.add`, `pins.remove`: the `ts` of the message in \
                      `channel`, e.g. `{{ notification.ts }}`.",
        ..Input::text()
    },
    Input {
        name: "channel",
        group: "Destination",
        title: "Channel",
        description: "Where the message goes: a channel name such as `#billing`, a \
                      conversation id (`C…`, `G…`, `D…`), a user id (`U…`) or an e-mail \
                      address (a direct message). A template over the process variables. \
                      Optional with `webhook_url`.",
        ..Input::text()
    },
    Input {
        name: "text",
        group: "Message",
        title: "Message text",
        description: "The message as a template, e.g. `Invoice {{ invoice.number }} for \
                      {{ customer.name }}`. Substituted values are escaped for Slack mrkdwn, so \
                      data cannot mention `<!channel>`; markup written in the template itself \
                      works. With `blocks`, this is the notification fallback.",
        ..Input::text()
    },
    Input {
        name: "blocks",
        group: "Message",
        title: "Block Kit blocks",
        description: "Block Kit JSON as a template: an array of blocks, or an object with a \
                      `blocks` array. Substituted values are escaped for a JSON string and for \
                      mrkdwn; numbers and booleans are inserted as they are. Either `text` or \
                      `blocks` is required.",
        types: &["string", "array", "object"],
        ..Input::text()
    },
    Input {
        name: "documents",
        group: "Message",
        title: "Documents",
        description: "Files to attach, shared right after the message in the same \
                      conversation and thread: a list of `{\"name\": \"report.csv\", \
                      \"content\": \"…\"}` (or `content_base64`, and an optional `title`), \
                      usually computed (`=[{name: \"report.csv\", content: csv}]`); Camunda's \
                      inline documents too. Needs the `files:write` scope.",
        types: &["array", "object"],
        ..Input::text()
    },
    Input {
        name: "color",
        group: "Message",
        title: "Colour bar",
        description: "A colour bar beside the message: `good` (green), `warning` (yellow), \
                      `danger` (red) or a hex colour such as `#36a64f`.",
        choices: values::COLOR_NAMES,
        pattern: Some(values::HEX_COLOR_PATTERN),
        ..Input::text()
    },
    Input {
        name: "mention",
        group: "Message",
        title: "Mention",
        description: "People to mention at the start of the message: user ids (`U…`) or \
                      e-mail addresses, comma-separated or as a list.",
        types: LIST_TYPES,
        ..Input::text()
    },
    Input {
        name: "thread",
        group: "Destination",
        title: "Thread",
        description: "The `ts` of the message to reply to in its thread, e.g. \
                      `{{ notification.ts }}`. Empty: post to the channel.",
        ..Input::text()
    },
    Input {
        name: "reply_broadcast",
        group: "Destination",
        title: "Also send to channel",
        description: "With `thread`: show the reply in the channel as well.",
        default: Some(DefaultValue::Flag(false)),
        ..Input::flag()
    },
    Input {
        name: "update_key",
        group: "Updates",
        title: "Update key",
        description: "Post once, then update that message in place: a template such as \
                      `incident-{{ incident.id }}`. Steps (and runs) with the same key update \
                      the same message. An updated message is kept within Slack's limits by \
                      truncation.",
        ..Input::text()
    },
    Input {
        name: "username",
        group: "Appearance",
        title: "Display name",
        description: "The name the message shows instead of the app's (needs the \
                      `chat:write.customize` scope).",
        ..Input::text()
    },
    Input {
        name: "icon_emoji",
        group: "Appearance",
        title: "Icon emoji",
        description: "An emoji shown as the message's icon, e.g. `:rotating_light:` (needs \
                      `chat:write.customize`).",
        ..Input::text()
    },
    Input {
        name: "icon_url",
        group: "Appearance",
        title: "Icon URL",
        description: "An image URL shown as the message's icon (needs `chat:write.customize`).",
        ..Input::text()
    },
    Input {
        name: "verbatim",
        group: "Message",
        title: "Send as written",
        description: "Send every input as written: no template is rendered and substituted \
                      data is not escaped, so Slack markup in data (`<https://…|label>`, \
                      `<@U…>`) works. Tasks of Camunda's Slack template run this way.",
        default: Some(DefaultValue::Flag(false)),
        ..Input::flag()
    },
    Input {
        name: "link_names",
        group: "Message",
        title: "Link names",
        description: "Whether Slack turns `@name` and `#channel` written in the text into \
                      mentions and links.",
        ..Input::flag()
    },
    Input {
        name: "unfurl_links",
        group: "Appearance",
        title: "Unfurl links",
        description: "Whether Slack shows previews of the links in the text.",
        ..Input::flag()
    },
    Input {
        name: "unfurl_media",
        group: "Appearance",
        title: "Unfurl media",
        description: "Whether Slack shows previews of images and videos linked in the text.",
        ..Input::flag()
    },
    Input {
        name: "throttle",
        group: "Updates",
        title: "Update at most every",
        description: "With `update_key`: at most one update per this ISO 8601 duration (e.g. \
                      `PT5M`). An update inside the window waits for its end, and only the \
                      latest content is sent then.",
        pattern: Some(values::DURATION_PATTERN),
        ..Input::text()
    },
    Input {
        name: "on_overflow",
        group: "Message",
        title: "Too long for Slack",
        description: "What to do with a message over Slack's limits (50 blocks, 3,000 \
                      characters per section, 40,000 of text): `split` posts several messages, \
                      the later ones in the thread of the first; `truncate` cuts it with a \
                      visible marker.",
        default: Some(DefaultValue::Text("split")),
        choices: values::OVERFLOW_CHOICES,
        ..Input::text()
    },
    Input {
        name: "webhook_url",
        group: "Destination",
        title: "Incoming webhook URL",
        description: "Post through an incoming webhook instead of the Web API, as a secret \
                      reference such as `{{secrets.SLACK_WEBHOOK_URL}}`. The webhook decides \
                      the channel, name and icon; `channel` and `token` are then not needed.",
        pattern: Some(values::WEBHOOK_URL_PATTERN),
        credential: true,
        ..Input::text()
    },
    Input {
        name: "token",
        group: "Authentication",
        title: "Bot token",
        description: "The Slack bot token (`xoxb-…`) with the `chat:write` scope, as a secret \
                      reference.",
        default: Some(DefaultValue::Text("{{secrets.SLACK_BOT_TOKEN}}")),
        pattern: Some(values::TOKEN_PATTERN),
        credential: true,
        ..Input::text()
    },
];

/// The JSON Schema of the step's inputs.
pub fn config_schema() -> Value {
    let properties: Map<String, Value> = INPUTS.iter().map(|input| (input.name.to_owned(), input.schema())).collect();
    json!({
        "$schema": DIALECT,
        "title": "Slack notification",
        "type": "object",
        "properties": properties,
        // A post needs a destination and content; the other methods name their own inputs.
        "if": { "anyOf": [
            { "not": { "required": ["method"] } },
            { "properties": { "method": { "const": "chat.postMessage" } } },
        ] },
        "then": { "allOf": [
            { "anyOf": [{ "required": ["channel"] }, { "required": ["webhook_url"] }] },
            { "anyOf": [{ "required": ["text"] }, { "required": ["blocks"] }] },
        ] },
        "additionalProperties": false,
    })
}

/// The JSON Schema of the step's output, the value the result variable receives.
pub fn output_schema() -> Value {
    json!({
        "$schema": DIALECT,
        "title": "What the Slack step did",
        "type": "object",
        "properties": {
            "ok": { "type": "boolean", "description": "Always true: failures fail the step." },
            "channel": {
                "type": ["string", "object"],
                "description": "The conversation id the message was posted to (`C…`, `D…`; \
                                not known for a webhook), or the channel a reaction or pin is \
                                in; `{id, name}` of the channel created or invited to."
            },
            "ts": {
                "type": "string",
                "description": "The message's timestamp: its id for threads and updates; not \
                                known for a webhook. For a reaction or pin, the message's."
            },
            "files": {
                "type": "array",
                "items": { "type": "string" },
                "description": "With `documents`: the ids of the files shared after the message."
            },
            "users": {
                "type": "array",
                "items": { "type": "string" },
                "description": "`conversations.invite`: the user ids invited."
            },
            "superseded": {
                "type": "boolean",
                "description": "With `throttle`: true when a later execution's update replaced \
                                this one's."
            },
            "message": {
                "type": "object",
                "description": "The (first) message as Slack answered it: `type`, `text`, \
                                `user` (the bot's user id), `bot_id`, `app_id`, `team`, `ts`; \
                                absent when a repeat found it posted already.",
            },
            "updated": {
                "type": "boolean",
                "description": "With `update_key`: whether an earlier message was updated \
                                (false: a new one was posted)."
            },
            "parts": {
                "type": "integer",
                "description": "How many messages a split message took, when more than one; \
                                `channel` and `ts` are the first's."
            },
            "webhook": {
                "type": "boolean",
                "description": "True when posted through an incoming webhook."
            },
        },
        "required": ["ok"],
    })
}

impl Input {
    /// A string input (a template unless said otherwise) with no default and any value.
    const fn text() -> Input {
        Input {
            name: "",
            group: "",
            title: "",
            description: "",
            types: &["string"],
            default: None,
            choices: &[],
            pattern: None,
            credential: false,
        }
    }

    /// Whether the host fills the input in when a step leaves it out.
    pub fn has_default(&self) -> bool {
        self.default.is_some()
    }

    /// A boolean input, which a literal gives as the text `true` or `false`.
    const fn flag() -> Input {
        Input { types: FLAG_TYPES, ..Input::text() }
    }

    fn schema(&self) -> Value {
        let mut schema = json!({
            "title": self.title,
            "description": self.description,
            "type": match self.types {
                [single] => json!(single),
                several => json!(several),
            },
        });
        match (self.choices, self.pattern) {
            ([], None) => {}
            (choices, None) => schema["enum"] = json!(choices),
            ([], Some(pattern)) => schema["pattern"] = json!(pattern),
            (choices, Some(pattern)) => {
                schema["anyOf"] = json!([{ "enum": choices }, { "pattern": pattern }]);
            }
        }
        if self.types == FLAG_TYPES {
            // A literal arrives as text: only these two texts are booleans.
            schema["anyOf"] = json!([{ "type": "boolean" }, { "enum": ["true", "false"] }]);
        }
        if self.types == LIST_TYPES {
            schema["items"] = json!({ "type": "string" });
        }
        match self.default {
            Some(DefaultValue::Text(text)) => schema["default"] = json!(text),
            Some(DefaultValue::Flag(flag)) => schema["default"] = json!(flag),
            None => {}
        }
        if self.credential {
            schema["writeOnly"] = json!(true);
        }
        schema["x-group"] = json!(self.group);
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_credentials_are_write_only() {
        let schema = config_schema();
        let write_only: Vec<&String> = schema["properties"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(_, property)| property["writeOnly"] == true)
            .map(|(name, _)| name)
            .collect();
        assert_eq!(write_only, ["webhook_url", "token"]);
    }

    #[test]
    fn token_defaults_to_the_bot_token_secret() {
        let schema = config_schema();
        assert_eq!(schema["properties"]["token"]["default"], "{{secrets.SLACK_BOT_TOKEN}}");
        assert_eq!(schema["properties"]["channel"]["type"], "string");
        assert_eq!(schema["properties"]["on_overflow"]["default"], "split");
        assert_eq!(schema["properties"]["on_overflow"]["enum"], json!(["split", "truncate"]));
        assert_eq!(schema["properties"]["color"]["anyOf"][0]["enum"], json!(["good", "warning", "danger"]));
        assert_eq!(schema["properties"]["reply_broadcast"]["default"], false);
        assert_eq!(schema["properties"]["unfurl_links"]["type"], json!(["boolean", "string"]));
    }
}
