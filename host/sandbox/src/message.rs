//! Messages: what the workspace stores, and the content a post or update supplies,
//! checked against Slack's limits.

use serde_json::{Value, json};

use super::api::ApiError;
use super::request::Params;

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
    /// Whether `chat.update` has changed it.
    pub edited: bool,
    /// The parameters of the request that posted (or last updated) it, as a JSON object.
    pub raw: Value,
}

impl PostedMessage {
    /// The message object of Slack replies; metadata only when asked for, as in
    /// `conversations.history` with `include_all_metadata`.
    pub(super) fn to_json(&self, with_metadata: bool) -> Value {
        let mut message = json!({
            "type": "message",
            "user": self.user_id,
            "bot_id": self.bot_id,
            "text": self.text,
            "ts": self.ts,
        });
        let optional = [
            ("thread_ts", self.thread_ts.clone().map(Value::String)),
            ("blocks", self.blocks.clone()),
            ("attachments", self.attachments.clone()),
            ("username", self.username.clone().map(Value::String)),
            ("icons", self.icon_emoji.as_ref().map(|e| json!({ "emoji": e }))),
            ("metadata", self.metadata.clone().filter(|_| with_metadata)),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                message[key] = value;
            }
        }
        message
    }
}

/// The content fields of a `chat.postMessage`, `chat.update` or webhook payload; a field
/// left out of an update keeps its previous value, as in Slack.
#[derive(Debug)]
pub(super) struct Content {
    text: Option<String>,
    blocks: Option<Value>,
    attachments: Option<Value>,
    metadata: Option<Value>,
    pub(super) username: Option<String>,
    pub(super) icon_emoji: Option<String>,
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
            raw: params.to_value(),
        })
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
        message.raw = self.raw;
    }
}

fn non_empty(s: &str) -> Option<String> {
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
            _ => {}
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(invalid_blocks(problems)) }
}

fn problem(what: &str, pointer: &str) -> String {
    format!("[ERROR] {what} [json-pointer:{pointer}]")
}

fn invalid_blocks(problems: Vec<String>) -> ApiError {
    ApiError { code: "invalid_blocks", messages: problems }
}
