//! The bodies of `chat.postMessage`, `chat.update` and incoming-webhook posts, and the part
//! of a post's reply the step keeps.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::values::Color;

/// The `event_type` of the metadata every post carries, to find it again after a retry.
pub const EVENT_TYPE: &str = "herald_step";

/// What a message shows: shared by posts, updates and webhook posts.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Content {
    /// The message, or with blocks or a colour bar the notification fallback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Block Kit blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<Value>>,
    /// Legacy attachments: the one that carries a colour bar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Value>>,
}

impl Content {
    /// A message with the given parts. With blocks and no text, the text fallback for
    /// notifications is taken from the blocks' text. With a colour, text and blocks move
    /// into one attachment, the only way Slack shows a colour bar, and `text` stays at the
    /// top as the notification fallback.
    pub fn new(text: Option<String>, blocks: Option<Vec<Value>>, color: Option<&Color>) -> Self {
        let text = text.or_else(|| blocks.as_deref().and_then(fallback_text));
        let Some(color) = color else {
            return Content { text, blocks, attachments: None };
        };
        let mut attachment = json!({ "color": color.as_str() });
        if let Some(text) = &text {
            attachment["fallback"] = json!(text);
        }
        match blocks {
            Some(blocks) => attachment["blocks"] = json!(blocks),
            None => attachment["text"] = json!(text),
        }
        Content { text, blocks: None, attachments: Some(vec![attachment]) }
    }

    /// The content for `chat.update`, which keeps blocks and attachments left out: an
    /// empty list removes what the message had, e.g. the red bar of a closed incident.
    pub fn replacing(mut self) -> Self {
        self.blocks.get_or_insert_with(Vec::new);
        self.attachments.get_or_insert_with(Vec::new);
        self
    }
}

/// How a posted message looks and behaves, besides its content.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Presentation {
    /// The display name instead of the app's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// An emoji as the icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_emoji: Option<String>,
    /// An image as the icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon_url: Option<String>,
    /// Whether Slack previews links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_links: Option<bool>,
    /// Whether Slack previews media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_media: Option<bool>,
    /// Whether Slack links `@name` and `#channel` written in the text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_names: Option<bool>,
}

/// The JSON body of `chat.postMessage`.
#[derive(Debug, Serialize, PartialEq)]
pub struct PostMessage<'a> {
    /// The conversation id.
    pub channel: &'a str,
    /// What the message shows.
    #[serde(flatten)]
    pub content: &'a Content,
    /// The `ts` of the message to reply to in its thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<&'a str>,
    /// With `thread_ts`: show the reply in the channel too.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_broadcast: Option<bool>,
    /// Name, icon and unfurling.
    #[serde(flatten)]
    pub presentation: &'a Presentation,
    /// Marks the post with the step's execution key, so a retry can find it.
    pub metadata: Value,
}

/// The `metadata` of a post: the execution key and the part number of a split message.
pub fn metadata(execution_key: &str, part: usize) -> Value {
    json!({
        "event_type": EVENT_TYPE,
        "event_payload": { "execution_key": execution_key, "part": part },
    })
}

/// The JSON body of `chat.update`.
#[derive(Debug, Serialize, PartialEq)]
pub struct UpdateMessage<'a> {
    /// The conversation id the message was posted to.
    pub channel: &'a str,
    /// The message's `ts`.
    pub ts: &'a str,
    /// The new content.
    #[serde(flatten)]
    pub content: &'a Content,
}

/// The part of a successful `chat.postMessage` or `chat.update` reply the step keeps.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Posted {
    /// The conversation id the message went to (`C…`, `D…`).
    pub channel: String,
    /// The message's timestamp, its id.
    pub ts: String,
    /// The message as Slack keeps it (who posted it, its text); absent for a message an
    /// earlier attempt posted.
    #[serde(default)]
    pub message: Option<PostedMessage>,
}

/// What Slack says about a message it posted.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct PostedMessage {
    /// `message`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// The text as Slack keeps it.
    #[serde(default)]
    pub text: Option<String>,
    /// The bot's user id.
    #[serde(default)]
    pub user: Option<String>,
    /// The bot's id.
    #[serde(default)]
    pub bot_id: Option<String>,
    /// The app's id.
    #[serde(default)]
    pub app_id: Option<String>,
    /// The workspace's id.
    #[serde(default)]
    pub team: Option<String>,
    /// The message's timestamp.
    #[serde(default)]
    pub ts: Option<String>,
}

/// Why Block Kit JSON cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BlocksError {
    /// The text is not JSON.
    #[error(
        "is not valid JSON after rendering: {0}; substituted text comes without quotes, so \
         write it inside a JSON string: `\"{{{{ … }}}}\"`"
    )]
    Json(#[from] serde_json::Error),
    /// JSON, but neither an array nor an object with a `blocks` array.
    #[error("must be a JSON array of blocks, or an object with a `blocks` array")]
    Shape,
}

/// Parses Block Kit JSON: an array of blocks, or an object with a `blocks` array.
pub fn parse_blocks(json: &str) -> Result<Vec<Value>, BlocksError> {
    blocks_from_value(serde_json::from_str(json)?)
}

/// Takes the blocks out of an array of blocks or an object with a `blocks` array.
pub fn blocks_from_value(value: Value) -> Result<Vec<Value>, BlocksError> {
    match value {
        Value::Array(blocks) => Ok(blocks),
        Value::Object(mut object) => match object.remove("blocks") {
            Some(Value::Array(blocks)) => Ok(blocks),
            _ => Err(BlocksError::Shape),
        },
        _ => Err(BlocksError::Shape),
    }
}

/// The readable text of blocks: section and header text, section fields, context elements.
fn fallback_text(blocks: &[Value]) -> Option<String> {
    let texts: Vec<&str> = blocks
        .iter()
        .flat_map(|block| {
            let own = block.get("text");
            let fields = block.get("fields").and_then(Value::as_array).into_iter().flatten();
            let elements = block.get("elements").and_then(Value::as_array).into_iter().flatten();
            own.into_iter().chain(fields).chain(elements)
        })
        .filter_map(|text| text.get("text").and_then(Value::as_str))
        .filter(|text| !text.trim().is_empty())
        .collect();
    (!texts.is_empty()).then(|| texts.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blocks_without_text_get_a_fallback() {
        let blocks = parse_blocks(
            r#"{"blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "Invoice 42"}},
                {"type": "divider"},
                {"type": "section", "fields": [{"type": "mrkdwn", "text": "*Total* 12.50"}]},
                {"type": "context", "elements": [{"type": "image", "image_url": "x"},
                                                 {"type": "mrkdwn", "text": "by herald"}]}
            ]}"#,
        )
        .unwrap();
        let content = Content::new(None, Some(blocks), None);
        assert_eq!(content.text.as_deref(), Some("Invoice 42\n*Total* 12.50\nby herald"));
    }

    #[test]
    fn the_body_leaves_out_what_is_absent() {
        let content = Content::new(Some("hi".into()), None, None);
        let presentation = Presentation::default();
        let post = PostMessage {
            channel: "C1",
            content: &content,
            thread_ts: None,
            reply_broadcast: None,
            presentation: &presentation,
            metadata: metadata("i/e", 1),
        };
        assert_eq!(
            serde_json::to_value(&post).unwrap(),
            json!({"channel": "C1", "text": "hi", "metadata": {"event_type": "herald_step",
                   "event_payload": {"execution_key": "i/e", "part": 1}}})
        );
    }

    #[test]
    fn a_colour_moves_the_content_into_an_attachment() {
        let red = Color::Named("danger");
        let content = Content::new(Some("down".into()), None, Some(&red));
        assert_eq!(
            serde_json::to_value(&content).unwrap(),
            json!({"text": "down", "attachments": [
                {"color": "danger", "fallback": "down", "text": "down"}]})
        );
        let blocks = vec![json!({"type": "section", "text": {"type": "mrkdwn", "text": "x"}})];
        let content = Content::new(None, Some(blocks.clone()), Some(&red));
        assert_eq!(content.text.as_deref(), Some("x"));
        assert_eq!(content.attachments.unwrap()[0]["blocks"], json!(blocks));
    }

    #[test]
    fn an_update_clears_what_it_leaves_out() {
        let content = Content::new(Some("up".into()), None, None).replacing();
        assert_eq!(serde_json::to_value(&content).unwrap(), json!({"text": "up", "blocks": [], "attachments": []}));
    }

    #[test]
    fn other_shapes_are_refused() {
        assert!(matches!(parse_blocks(r#"{"type": "divider"}"#), Err(BlocksError::Shape)));
        assert!(matches!(parse_blocks("[{"), Err(BlocksError::Json(_))));
    }
}
