//! The step's inputs, parsed from the JSON object the host passes into a typed configuration.

use serde_json::{Map, Value};

use crate::documents::{self, Document};
use crate::operation::Method;
use crate::schema::INPUTS;
use crate::values::{self, Color, Overflow};

/// A problem with one step input, named by the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The input the problem is about, e.g. `channel`.
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl Issue {
    /// An issue with the input `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Issue { field: field.to_owned(), message: message.into() }
    }
}

/// How to give the step a token.
pub const TOKEN_FIX: &str = "set SLACK_BOT_TOKEN, or give the step a `token` input (its default \
                             is `{{secrets.SLACK_BOT_TOKEN}}`)";

/// The issue of a step that has no token when it sends.
pub fn missing_token() -> Issue {
    Issue::new("token", format!("no token: {TOKEN_FIX}"))
}

/// The `blocks` input.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocks {
    /// Block Kit JSON written as a template, rendered over the process variables.
    Template(String),
    /// Blocks an expression already built; used as they are.
    Built(Value),
}

/// An input that names people (`mention`, `users`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum People {
    /// Comma-separated user ids or e-mails written as a template.
    Template(String),
    /// A list an expression built; used as it is.
    Built(Vec<String>),
}

/// The step's inputs, each read into its type; templates are not rendered yet.
#[derive(Debug, Default)]
pub struct Config {
    /// What the step does in Slack.
    pub method: Method,
    /// The `channel` template: where the message goes.
    pub channel: Option<String>,
    /// The `text` template.
    pub text: Option<String>,
    /// The `blocks` input.
    pub blocks: Option<Blocks>,
    /// The `thread` template: the `ts` to reply to.
    pub thread: Option<String>,
    /// Whether a thread reply also shows in the channel.
    pub reply_broadcast: Option<bool>,
    /// The bot token, normally an opaque placeholder the host swaps for the secret.
    pub token: Option<String>,
    /// An incoming-webhook URL (or its placeholder) to post to instead of the Web API.
    pub webhook_url: Option<String>,
    /// The colour bar.
    pub color: Option<Color>,
    /// The `username` template: the name the message shows.
    pub username: Option<String>,
    /// The `icon_emoji` template, e.g. `:robot_face:`.
    pub icon_emoji: Option<String>,
    /// The `icon_url` template.
    pub icon_url: Option<String>,
    /// Whether Slack unfurls links in the text.
    pub unfurl_links: Option<bool>,
    /// Whether Slack unfurls media in the text.
    pub unfurl_media: Option<bool>,
    /// Who the message mentions.
    pub mention: Option<People>,
    /// Inputs sent as written: no template is rendered and no substituted data escaped
    /// (Camunda's semantics, where text keeps its Slack markup).
    pub verbatim: bool,
    /// Whether Slack links `@name` and `#channel` written in the text.
    pub link_names: Option<bool>,
    /// Files to attach after the message.
    pub documents: Vec<Document>,
    /// `conversations.create`: the new channel's name.
    pub name: Option<String>,
    /// `conversations.create`: whether the new channel is private.
    pub is_private: Option<bool>,
    /// `conversations.invite`: who to invite.
    pub users: Option<People>,
    /// `reactions.add`: the emoji's name.
    pub emoji: Option<String>,
    /// The `ts` of the message a reaction or pin is about.
    pub timestamp: Option<String>,
    /// The `update_key` template: post once, then update that message.
    pub update_key: Option<String>,
    /// What to do with a message over Slack's limits.
    pub on_overflow: Overflow,
    /// With `update_key`: at most one update per this many milliseconds.
    pub throttle: Option<u64>,
}

/// The step's inputs read leniently: what could be read, and every problem found.
#[derive(Debug, Default)]
pub struct Inputs {
    /// What could be read.
    pub config: Config,
    /// Every problem found.
    pub issues: Vec<Issue>,
}

impl Inputs {
    /// Reads the inputs from the step configuration (a JSON object).
    pub fn read(json: &str) -> Inputs {
        let object = match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(object)) => object,
            Ok(_) => return Inputs::failed("the step inputs must be a JSON object".to_owned()),
            Err(error) => {
                return Inputs::failed(format!("the step inputs are not valid JSON: {error}"));
            }
        };
        let mut issues: Vec<Issue> = object
            .keys()
            .filter(|name| !INPUTS.iter().any(|input| input.name == name.as_str()))
            .map(|name| unknown_input(name))
            .collect();
        let mut read = |name: &str| {
            string_input(&object, name).unwrap_or_else(|issue| {
                issues.push(issue);
                None
            })
        };
        let channel = read("channel");
        let text = read("text");
        let thread = read("thread");
        let token = read("token");
        let username = read("username");
        let icon_emoji = read("icon_emoji");
        let icon_url = read("icon_url");
        let update_key = read("update_key");
        let webhook_url = read("webhook_url");
        let color = read("color");
        let on_overflow = read("on_overflow");
        let throttle = read("throttle");
        let method = read("method");
        let name = read("name");
        let emoji = read("emoji");
        let timestamp = read("timestamp");
        let config = Config {
            method: kept(&mut issues, method.map(|name| Method::parse(&name)).transpose()).unwrap_or_default(),
            verbatim: kept(&mut issues, flag_input(&object, "verbatim")).unwrap_or_default(),
            link_names: kept(&mut issues, flag_input(&object, "link_names")),
            is_private: kept(&mut issues, flag_input(&object, "is_private")),
            users: kept(&mut issues, people_input(&object, "users")),
            documents: kept(&mut issues, documents::read(object.get("documents")).map(Some)).unwrap_or_default(),
            name,
            emoji,
            timestamp,
            throttle: kept(&mut issues, throttle.map(|text| values::throttle(&text)).transpose()),
            blocks: kept(&mut issues, blocks_input(&object)),
            mention: kept(&mut issues, people_input(&object, "mention")),
            webhook_url: kept(&mut issues, webhook_url.map(|url| values::webhook_url(&url)).transpose()),
            color: kept(&mut issues, color.map(|color| Color::parse(&color)).transpose()),
            on_overflow: kept(&mut issues, on_overflow.map(|text| Overflow::parse(&text)).transpose())
                .unwrap_or_default(),
            reply_broadcast: kept(&mut issues, flag_input(&object, "reply_broadcast")),
            unfurl_links: kept(&mut issues, flag_input(&object, "unfurl_links")),
            unfurl_media: kept(&mut issues, flag_input(&object, "unfurl_media")),
            channel,
            text,
            thread,
            token,
            username,
            icon_emoji,
            icon_url,
            update_key,
        };
        // An input of the wrong type is reported already; do not call it missing too.
        let reported = |issues: &[Issue], name: &str| issues.iter().any(|issue| issue.field == name);
        let method = config.method;
        let known = |name: &&String| INPUTS.iter().any(|input| input.name == name.as_str());
        for name in object.keys().filter(known).filter(|name| !method.takes(name) && !schema_default_of(name)) {
            issues.push(Issue::new(name, format!("`{name}` is not an input of {}", method.name())));
        }
        if method != Method::PostMessage {
            for name in method.required() {
                let present = object.get(*name).is_some_and(|value| match value {
                    Value::String(text) => !text.trim().is_empty(),
                    other => !other.is_null(),
                });
                if !present && !reported(&issues, name) {
                    issues.push(Issue::new(name, format!("`{name}` is required for {}", method.name())));
                }
            }
            return Inputs { config, issues };
        }
        if config.channel.is_none()
            && config.webhook_url.is_none()
            && !reported(&issues, "channel")
            && !reported(&issues, "webhook_url")
        {
            issues.push(Issue::new(
                "channel",
                "`channel` is required: a channel name such as `#billing`, an id such as \
                 `C0123456789`, a user id or an e-mail address (or give `webhook_url`)",
            ));
        }
        if config.text.is_none()
            && config.blocks.is_none()
            && !reported(&issues, "text")
            && !reported(&issues, "blocks")
        {
            issues.push(Issue::new("text", "the message has no content: give `text`, `blocks` or both"));
        }
        if config.throttle.is_some() && config.update_key.is_none() {
            issues.push(Issue::new(
                "throttle",
                "`throttle` limits how often a message is updated: give `update_key` too",
            ));
        }
        if !config.documents.is_empty() && (config.webhook_url.is_some() || config.update_key.is_some()) {
            issues.push(Issue::new(
                "documents",
                "documents are attached to a message posted with the Web API (`channel` and `token`): \
                 an incoming webhook cannot upload files, and an updated message keeps the files it had",
            ));
        }
        if config.webhook_url.is_some() && config.update_key.is_some() {
            issues.push(Issue::new(
                "update_key",
                "an incoming webhook cannot update its messages: remove `update_key`, or post \
                 with the Web API (`channel` and `token`) instead of `webhook_url`",
            ));
        }
        Inputs { config, issues }
    }

    /// The inputs that are templates, with their names, for checking their syntax.
    pub fn templates(&self) -> impl Iterator<Item = (&'static str, &str)> {
        let config = &self.config;
        let blocks = match &config.blocks {
            Some(Blocks::Template(source)) => Some(source.as_str()),
            Some(Blocks::Built(_)) | None => None,
        };

        [
            ("channel", config.channel.as_deref()),
            ("text", config.text.as_deref()),
            ("blocks", blocks),
            ("thread", config.thread.as_deref()),
            ("username", config.username.as_deref()),
            ("icon_emoji", config.icon_emoji.as_deref()),
            ("icon_url", config.icon_url.as_deref()),
            ("mention", template_of(config.mention.as_ref())),
            ("update_key", config.update_key.as_deref()),
            ("name", config.name.as_deref()),
            ("users", template_of(config.users.as_ref())),
            ("emoji", config.emoji.as_deref()),
            ("timestamp", config.timestamp.as_deref()),
        ]
        .into_iter()
        .filter_map(|(name, source)| Some((name, source?)))
    }

    fn failed(message: String) -> Inputs {
        Inputs { issues: vec![Issue::new("config", message)], ..Inputs::default() }
    }
}

impl Config {
    /// Parses the step configuration, or lists every problem with it.
    pub fn parse(json: &str) -> Result<Config, Vec<Issue>> {
        let Inputs { config, issues } = Inputs::read(json);
        if issues.is_empty() { Ok(config) } else { Err(issues) }
    }
}

/// Reads only the `update_key` input of the step configuration, for `state-key`; reading
/// and checking the others is `send`'s work.
pub fn update_key_input(json: &str) -> Result<Option<String>, Vec<Issue>> {
    #[derive(serde::Deserialize)]
    struct KeyInput {
        update_key: Option<Value>,
    }
    // Serde would read a struct from an array too: only an object is read alone.
    let object = json.trim_start().starts_with('{');
    match serde_json::from_str::<KeyInput>(json) {
        Ok(input) if object => string_value("update_key", input.update_key.as_ref()).map_err(|issue| vec![issue]),
        // Not a JSON object: the full read says why.
        _ => Config::parse(json).map(|config| config.update_key),
    }
}

/// Reads an optional string input; null and blank strings count as absent.
fn string_input(object: &Map<String, Value>, name: &str) -> Result<Option<String>, Issue> {
    string_value(name, object.get(name))
}

/// An optional string input's value; null and blank strings count as absent.
fn string_value(name: &str, value: Option<&Value>) -> Result<Option<String>, Issue> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => {
            Err(Issue::new(name, format!("`{name}` must be a string (a template), not {}", json_kind(other))))
        }
    }
}

/// Reads `blocks`: a template string, or a JSON array or object an expression built.
fn blocks_input(object: &Map<String, Value>) -> Result<Option<Blocks>, Issue> {
    match object.get("blocks") {
        Some(built @ (Value::Array(_) | Value::Object(_))) => Ok(Some(Blocks::Built(built.clone()))),
        Some(Value::Number(_) | Value::Bool(_)) => Err(Issue::new(
            "blocks",
            "`blocks` must be Block Kit JSON: a template string, an array of blocks, or an \
             object with a `blocks` array",
        )),
        _ => Ok(string_input(object, "blocks")?.map(Blocks::Template)),
    }
}

/// Reads an input naming people: a template string, or a list of strings an expression
/// built.
fn people_input(object: &Map<String, Value>, name: &str) -> Result<Option<People>, Issue> {
    match object.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect::<Option<Vec<String>>>()
            .map(|items| Some(People::Built(items)))
            .ok_or_else(|| Issue::new(name, format!("`{name}` must list user ids or e-mail addresses as strings"))),
        _ => Ok(string_input(object, name)?.map(People::Template)),
    }
}

/// The template of an input naming people, when it is one.
fn template_of(people: Option<&People>) -> Option<&str> {
    match people {
        Some(People::Template(source)) => Some(source.as_str()),
        Some(People::Built(_)) | None => None,
    }
}

/// Whether the schema gives the input a default, which the host fills in for every step,
/// whatever its method.
fn schema_default_of(name: &str) -> bool {
    INPUTS.iter().any(|input| input.name == name && input.has_default())
}

/// The value of an optional input, or `None` with its issue recorded.
fn kept<T>(issues: &mut Vec<Issue>, result: Result<Option<T>, Issue>) -> Option<T> {
    result.unwrap_or_else(|issue| {
        issues.push(issue);
        None
    })
}

/// Reads a boolean input.
fn flag_input(object: &Map<String, Value>, name: &str) -> Result<Option<bool>, Issue> {
    object.get(name).map_or(Ok(None), |value| values::flag(name, value))
}

fn unknown_input(name: &str) -> Issue {
    let message = match closest_input(name) {
        Some(known) => format!("unknown input `{name}`; did you mean `{known}`?"),
        None => {
            let known: Vec<String> = INPUTS.iter().map(|input| format!("`{}`", input.name)).collect();
            format!("unknown input `{name}`; the Slack step accepts {}", known.join(", "))
        }
    };
    Issue::new(name, message)
}

/// The known input whose name is closest to `name`, if it is close enough to be a typo.
fn closest_input(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    // A third of the name may be wrong (at least one letter): `chanel`, `Text`, `thread_ts`.
    let tolerance = (lower.chars().count() / 3).max(1);
    INPUTS
        .iter()
        .map(|input| (edit_distance(&lower, input.name), input.name))
        .filter(|(distance, _)| *distance <= tolerance)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, known)| known)
}

/// The Levenshtein distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, a_char) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, b_char) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(a_char != *b_char);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// How a JSON value's type is named in messages.
fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(json: &str) -> Vec<String> {
        Inputs::read(json).issues.into_iter().map(|issue| issue.field).collect()
    }

    #[test]
    fn the_update_key_is_read_alone() {
        let key = |json: &str| update_key_input(json).map_err(|issues| issues[0].message.clone());
        assert_eq!(key(r##"{"channel": "#a", "update_key": "issue-{{ id }}"}"##), Ok(Some("issue-{{ id }}".into())));
        assert_eq!(key(r##"{"channel": "#a", "update_key": "  "}"##), Ok(None));
        // The other inputs are send's to check.
        assert_eq!(key(r#"{"chanel": 1, "text": 2}"#), Ok(None));
        assert_eq!(key(r#"{"update_key": 3}"#), Err("`update_key` must be a string (a template), not a number".into()));
        assert_eq!(key("[1]"), Err("the step inputs must be a JSON object".into()));
    }

    #[test]
    fn a_typo_gets_a_suggestion() {
        let issues = Inputs::read(r##"{"chanel": "#x", "text": "hi"}"##).issues;
        assert_eq!(issues[0].message, "unknown input `chanel`; did you mean `channel`?");
        assert_eq!(issues[1].field, "channel");
        assert!(
            Inputs::read(r#"{"channel": "C1", "text": "hi", "priority": 1}"#).issues[0]
                .message
                .contains("the Slack step accepts `method`, `name`")
        );
    }

    #[test]
    fn content_and_channel_are_required() {
        assert_eq!(fields("{}"), ["channel", "text"]);
        assert_eq!(fields(r#"{"channel": "C1", "text": "  "}"#), ["text"]);
        assert_eq!(fields(r#"{"channel": "", "text": "x"}"#), ["channel"]);
        assert!(Config::parse(r#"{"channel": "C1", "blocks": [{"type": "divider"}]}"#).is_ok());
    }

    #[test]
    fn non_strings_are_issues() {
        assert_eq!(fields(r#"{"channel": 5, "text": "x"}"#), ["channel"]);
        assert_eq!(fields(r#"{"channel": "C1", "blocks": true}"#), ["blocks"]);
        assert_eq!(fields("[]"), ["config"]);
    }

    #[test]
    fn each_method_needs_its_inputs_and_no_other_method_s() {
        assert_eq!(fields(r#"{"method": "reactions.add", "channel": "C1"}"#), ["timestamp", "emoji"]);
        assert_eq!(fields(r#"{"method": "pins.add", "channel": "C1", "timestamp": "1.2", "text": "x"}"#), ["text"]);
        assert_eq!(fields(r#"{"method": "conversations.create", "is_private": "yes"}"#), ["is_private", "name"]);
        assert_eq!(fields(r#"{"method": "conversations.invite", "channel": "C1", "users": [1]}"#), ["users"]);
        assert_eq!(fields(r#"{"channel": "C1", "text": "x", "emoji": "eyes"}"#), ["emoji"]);
        assert_eq!(fields(r#"{"method": "chat.delete", "channel": "C1", "text": "x"}"#), ["method"]);
        // Inputs the host fills from the schema's defaults are no step's mistake.
        let defaults = r#"{"method": "pins.remove", "channel": "C1", "timestamp": "1.2", "on_overflow": "split",
                           "reply_broadcast": false, "verbatim": false, "token": "t"}"#;
        assert!(Config::parse(defaults).is_ok());
    }
}
