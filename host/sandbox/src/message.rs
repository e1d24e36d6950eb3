//! Messages: what the workspace stores, and the content a post or update supplies,
//! checked against Slack's limits.

use serde_json::{Value, json};

use super::api::ApiError;
use super::request::Params;
use super::workspace::{APP_NAME, Reaction};

/// Slack truncates longer `text` rather than rejecting it.
const MAX_TEXT_CHARS: usize = 40_000;
const MAX_BLOCKS: usize = 50;
const MAX_ATTACHMENTS: usize = 100;

/// A message in the sandbox workspace, as last posted or updated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostedMessage {
    /// The conversation id: `C…` channel, `G…` private channel or `D…` direct message.
    pub channel_id: String,
    /// The channel name without `#`; `None` for a direct message.
    pub channel_name: Option<String>,
    /// For a direct message, the name of the user it was sent to.
    pub dm_user: Option<String>,
    /// The message timestamp, `<unix seconds>.<6 digits>`, unique in the workspace.
    pub ts: String,
    /// For a thread reply, the ts of the thread's first message.
    pub thread_ts: Option<String>,
    /// The mrkdwn text (the notification fallback when there are blocks); may be empty.
    pub text: String,
    /// The Block Kit blocks, when sent.
    pub blocks: Option<Value>,
    /// The legacy attachments (colour bars), when sent.
    pub attachments: Option<Value>,
    /// The message metadata (`event_type`, `event_payload`), when sent.
    pub metadata: Option<Value>,
    /// The display-name override, when sent.
    pub username: Option<String>,
    /// The emoji-icon override, when sent.
    pub icon_emoji: Option<String>,
    /// The poster's user id (the bot user of the token that posted it).
    pub user_id: String,
    /// The poster's bot id; only that bot may update the message.
    pub bot_id: String,
    /// The poster's app id.
    pub app_id: String,
    /// Whether the post (or last update) asked Slack to link `@names` and `#channels`
    /// (`link_names`).
    pub link_names: bool,
    /// The file objects it shares (from `files.completeUploadExternal`), as Slack lists
    /// them in `files`.
    pub files: Vec<Value>,
    /// The emoji reactions on it, in the order first added.
    pub reactions: Vec<Reaction>,
    /// Whether it is pinned to its channel.
    pub pinned: bool,
    /// Whether `chat.update` has changed it.
    pub edited: bool,
    /// The parameters of the request that posted (or last updated) it, as a JSON object.
    pub raw: Value,
}

impl PostedMessage {
    /// The message object of Slack replies, `team_id` being the workspace's; metadata only
    /// when asked for, as in `conversations.history` with `include_all_metadata`.
    pub(super) fn to_json(&self, team_id: &str, with_metadata: bool) -> Value {
        let mut message = json!({
            "type": "message",
            "user": self.user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": self.text,
            "ts": self.ts,
            "team": team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": APP_NAME,
                "team_id": team_id,
                "deleted": false,
            },
        });
        let reactions =
            self.reactions.iter().map(|r| json!({ "name": r.name, "users": r.users, "count": r.users.len() }));
        let optional = [
            ("thread_ts", self.thread_ts.clone().map(Value::String)),
            ("blocks", self.blocks.clone()),
            ("attachments", self.attachments.clone()),
            ("files", (!self.files.is_empty()).then(|| self.files.clone().into())),
            ("upload", (!self.files.is_empty()).then_some(Value::Bool(true))),
            ("username", self.username.clone().map(Value::String)),
            ("icons", self.icon_emoji.as_ref().map(|e| json!({ "emoji": e }))),
            ("metadata", self.metadata.clone().filter(|_| with_metadata)),
            ("reactions", (!self.reactions.is_empty()).then(|| reactions.collect())),
            ("pinned_to", self.pinned.then(|| json!([self.channel_id]))),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                message[key] = value;
            }
        }
        message
    }
}

/// The content fields of a `chat.postMessage`, `chat.update` or webhook payload, or of a
/// file share; a field left out of an update keeps its previous value, as in Slack.
#[derive(Debug)]
pub(super) struct Content {
    text: Option<String>,
    blocks: Option<Value>,
    attachments: Option<Value>,
    metadata: Option<Value>,
    pub(super) username: Option<String>,
    pub(super) icon_emoji: Option<String>,
    link_names: bool,
    files: Vec<Value>,
    raw: Value,
}

impl Content {
    /// Reads and checks the content parameters; something visible is required (`no_text`).
    pub(super) fn from_params(params: &Params) -> Result<Content, ApiError> {
        // A string that is not JSON fails the array check like any other non-array.
        let blocks = params.json("blocks").unwrap_or(Some(Value::Null));
        if let Some(blocks) = &blocks {
            check_blocks(blocks)?;
        }
        let attachments = params.json("attachments").map_err(|()| "invalid_attachments")?;
        if let Some(attachments) = &attachments {
            let list = attachments.as_array().ok_or("invalid_attachments")?;
            if !list.iter().all(Value::is_object) {
                return Err("invalid_attachments".into());
            }
            if list.len() > MAX_ATTACHMENTS {
                return Err("too_many_attachments".into());
            }
        }
        let metadata = params.json("metadata").map_err(|()| "invalid_metadata_format")?;
        if metadata.as_ref().is_some_and(|m| !m["event_type"].is_string() || !m["event_payload"].is_object()) {
            return Err("invalid_metadata_format".into());
        }
        let text = non_empty(params.str("text")).map(|text| match text.char_indices().nth(MAX_TEXT_CHARS) {
            Some((cut, _)) => text[..cut].to_owned(),
            None => text,
        });
        if text.is_none() && !has_items(blocks.as_ref()) && !has_items(attachments.as_ref()) {
            return Err("no_text".into());
        }
        Ok(Content {
            text,
            blocks,
            attachments,
            metadata,
            username: non_empty(params.str("username")),
            icon_emoji: non_empty(params.str("icon_emoji")),
            link_names: params.flag("link_names"),
            files: Vec::new(),
            raw: params.to_value(),
        })
    }

    /// The message that shares `files` (file objects), with `comment` as its text; `raw`
    /// are the parameters of the request that shares them.
    pub(super) fn file_share(comment: Option<String>, files: Vec<Value>, raw: Value) -> Content {
        Content {
            text: comment,
            blocks: None,
            attachments: None,
            metadata: None,
            username: None,
            icon_emoji: None,
            link_names: false,
            files,
            raw,
        }
    }

    /// Writes the supplied fields into `message`; an empty blocks or attachments array
    /// removes them.
    pub(super) fn apply_to(self, message: &mut PostedMessage) {
        if let Some(text) = self.text {
            message.text = text;
        }
        if let Some(blocks) = self.blocks {
            message.blocks = has_items(Some(&blocks)).then_some(blocks);
        }
        if let Some(attachments) = self.attachments {
            message.attachments = has_items(Some(&attachments)).then_some(attachments);
        }
        message.metadata = self.metadata.or(message.metadata.take());
        message.username = self.username.or(message.username.take());
        message.icon_emoji = self.icon_emoji.or(message.icon_emoji.take());
        message.link_names = self.link_names;
        if !self.files.is_empty() {
            message.files = self.files;
        }
        message.raw = self.raw;
    }
}

pub(super) fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

fn has_items(list: Option<&Value>) -> bool {
    list.and_then(Value::as_array).is_some_and(|a| !a.is_empty())
}

/// Checks Slack's Block Kit limits, reporting every problem the way Slack does, in
/// `response_metadata.messages`.
fn check_blocks(blocks: &Value) -> Result<(), ApiError> {
    let Some(list) = blocks.as_array() else {
        return Err(invalid_blocks(vec![problem("must be a JSON array", "/blocks")]));
    };
    let mut problems = Vec::new();
    if list.len() > MAX_BLOCKS {
        problems.push(problem(&format!("no more than {MAX_BLOCKS} items allowed"), "/blocks"));
    }
    for (i, block) in list.iter().enumerate() {
        let at = format!("/blocks/{i}");
        let Some(kind) = block.get("type").and_then(Value::as_str) else {
            problems.push(problem("missing required field: type", &at));
            continue;
        };
        let mut limit = |pointer: &str, max: usize| {
            let too_long = block.pointer(pointer).and_then(Value::as_str).is_some_and(|s| s.chars().count() > max);
            if too_long {
                problems.push(problem(&format!("must be less than {} characters", max + 1), &format!("{at}{pointer}")));
            }
        };
        limit("/block_id", 255);
        match kind {
            "header" => limit("/text/text", 150),
            "section" => {
                limit("/text/text", 3000);
                let fields = block.get("fields").and_then(Value::as_array).map_or(0, Vec::len);
                for j in 0..fields {
                    limit(&format!("/fields/{j}/text"), 2000);
                }
                if fields > 10 {
                    problems.push(problem("no more than 10 items allowed", &format!("{at}/fields")));
                }
            }
            // Slack's file block shows a remote file by `external_id`; uploaded files are
            // shared with `files.completeUploadExternal`, not by id in a block.
            "file" => {
                for field in ["external_id", "source"] {
                    if !block.get(field).is_some_and(Value::is_string) {
                        problems.push(problem(&format!("missing required field: {field}"), &at));
                    }
                }
                if block.get("source").and_then(Value::as_str).is_some_and(|s| s != "remote") {
                    problems.push(problem("must be one of: remote", &format!("{at}/source")));
                }
            }
            _ => {}
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(invalid_blocks(problems)) }
}

fn problem(what: &str, pointer: &str) -> String {
    format!("[ERROR] {what} [json-pointer:{pointer}]")
}

fn invalid_blocks(problems: Vec<String>) -> ApiError {
    ApiError::with_messages("invalid_blocks", problems)
}
