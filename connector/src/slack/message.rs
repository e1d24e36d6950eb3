//! The body of a `chat.postMessage` call and the part of its reply the step keeps.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The JSON body of `chat.postMessage`.
#[derive(Debug, Serialize, PartialEq)]
pub struct PostMessage {
    /// The conversation: `#name` or an id.
    pub channel: String,
    /// The message, or with `blocks` the notification fallback.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Block Kit blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<Value>>,
    /// The `ts` of the message to reply to in its thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<String>,
}

impl PostMessage {
    /// A message with the given parts; with blocks and no text, the text fallback for
    /// notifications is taken from the blocks' text.
    pub fn new(
        channel: String,
        text: Option<String>,
        blocks: Option<Vec<Value>>,
        thread_ts: Option<String>,
    ) -> Self {
        let text = text.or_else(|| blocks.as_deref().and_then(fallback_text));
        PostMessage {
            channel,
            text,
            blocks,
            thread_ts,
        }
    }
}

/// The part of a successful `chat.postMessage` reply the step keeps.
#[derive(Debug, Deserialize)]
pub struct Posted {
    /// The conversation id the message went to (`C…`, `D…`), even when posted by name.
    pub channel: String,
    /// The message's timestamp, its id.
    pub ts: String,
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
            let fields = block
                .get("fields")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            let elements = block
                .get("elements")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
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
        let message = PostMessage::new("C1".into(), None, Some(blocks), None);
        assert_eq!(
            message.text.as_deref(),
            Some("Invoice 42\n*Total* 12.50\nby herald")
        );
    }

    #[test]
    fn the_body_leaves_out_what_is_absent() {
        let message = PostMessage::new("#billing".into(), Some("hi".into()), None, None);
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            json!({"channel": "#billing", "text": "hi"})
        );
    }

    #[test]
    fn other_shapes_are_refused() {
        assert!(matches!(
            parse_blocks(r#"{"type": "divider"}"#),
            Err(BlocksError::Shape)
        ));
        assert!(matches!(parse_blocks("[{"), Err(BlocksError::Json(_))));
    }
}
