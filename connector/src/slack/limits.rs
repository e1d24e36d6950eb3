//! Slack's message limits, and the two ways a message over them is made to fit: split into
//! several messages, or truncated with a visible marker. Slack is never sent a request that
//! breaks them.

use serde_json::{Value, json};

use crate::values::Overflow;

/// Blocks per message.
pub const MAX_BLOCKS: usize = 50;
/// Characters of a section's text.
pub const MAX_SECTION_TEXT: usize = 3_000;
/// Characters of a message's text; Slack cuts longer text silently.
pub const MAX_TEXT: usize = 40_000;
/// What ends a truncated text.
pub const TRUNCATED: &str = "… (truncated)";

/// A message's content before it is made to fit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draft {
    /// The text: the message, or with blocks the notification fallback.
    pub text: Option<String>,
    /// Block Kit blocks.
    pub blocks: Option<Vec<Value>>,
}

/// The messages that carry `draft` within Slack's limits, in posting order; one unless
/// `overflow` is `split` and the draft is over a limit.
pub fn fit(draft: Draft, overflow: Overflow) -> Vec<Draft> {
    match overflow {
        Overflow::Split => split(draft),
        Overflow::Truncate => vec![truncate(draft)],
    }
}

fn split(draft: Draft) -> Vec<Draft> {
    match draft.blocks {
        // With blocks, `text` is only the notification fallback: the first message keeps
        // it (cut, since nobody reads it in full) and the others derive theirs from their
        // own blocks.
        Some(blocks) => {
            let blocks: Vec<Value> = blocks.into_iter().flat_map(split_section).collect();
            let mut text = draft.text.map(|text| cut(&text, MAX_TEXT));
            let mut groups: Vec<Draft> = blocks
                .chunks(MAX_BLOCKS)
                .map(|group| Draft { text: text.take(), blocks: Some(group.to_vec()) })
                .collect();
            if groups.is_empty() {
                groups.push(Draft { text, blocks: Some(Vec::new()) });
            }
            groups
        }
        None => match draft.text {
            Some(text) => {
                chunks(&text, MAX_TEXT).into_iter().map(|chunk| Draft { text: Some(chunk), blocks: None }).collect()
            }
            None => vec![Draft::default()],
        },
    }
}

fn truncate(draft: Draft) -> Draft {
    let blocks = draft.blocks.map(|blocks| {
        let total = blocks.len();
        let mut blocks: Vec<Value> = blocks.into_iter().map(truncate_section).collect();
        if total > MAX_BLOCKS {
            blocks.truncate(MAX_BLOCKS - 1);
            let left_out = total - blocks.len();
            blocks.push(json!({
                "type": "context",
                "elements": [{
                    "type": "mrkdwn",
                    "text": format!("{TRUNCATED}: {left_out} more blocks"),
                }],
            }));
        }
        blocks
    });
    Draft { text: draft.text.map(|text| cut(&text, MAX_TEXT)), blocks }
}

/// A section's text, when it has one.
fn section_text(block: &Value) -> Option<&str> {
    (block.get("type")? == "section").then(|| block.pointer("/text/text")?.as_str()).flatten()
}

/// A section whose text is over the limit becomes several sections, the first keeping
/// the block's other parts (fields, accessory, block id, which must stay unique).
fn split_section(block: Value) -> Vec<Value> {
    let Some(text) = section_text(&block).filter(|text| text.chars().count() > MAX_SECTION_TEXT) else {
        return vec![block];
    };
    let kind = block["text"]["type"].clone();
    chunks(text, MAX_SECTION_TEXT)
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            if i == 0 {
                let mut first = block.clone();
                first["text"]["text"] = json!(chunk);
                first
            } else {
                json!({ "type": "section", "text": { "type": kind, "text": chunk } })
            }
        })
        .collect()
}

fn truncate_section(mut block: Value) -> Value {
    if let Some(text) = section_text(&block) {
        let text = cut(text, MAX_SECTION_TEXT);
        block["text"]["text"] = json!(text);
    }
    block
}

/// `text` within `max` characters: as it is, or cut at a line break or space and ended with
/// the marker.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let room = max - TRUNCATED.chars().count();
    let (end, _) = break_point(text, room);
    format!("{}{TRUNCATED}", &text[..end])
}

/// `text` in pieces of at most `max` characters, broken at line breaks or spaces where
/// possible; the space or line break at a break is dropped, nothing else.
fn chunks(text: &str, max: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while rest.chars().count() > max {
        let (end, next) = break_point(rest, max);
        pieces.push(rest[..end].to_owned());
        rest = &rest[next..];
    }
    pieces.push(rest.to_owned());
    pieces
}

/// Where to break `text` so the head has at most `max` characters: the byte end of the head
/// and the byte start of the rest. Prefers the last line break, then the last space, in the
/// second half of the allowed head, so pieces stay big; else breaks mid-word.
fn break_point(text: &str, max: usize) -> (usize, usize) {
    let limit = text.char_indices().nth(max).map_or(text.len(), |(i, _)| i);
    let head = &text[..limit];
    [b'\n', b' ']
        .into_iter()
        .find_map(|separator| head.bytes().rposition(|b| b == separator).filter(|&i| i >= limit / 2))
        .map_or((limit, limit), |i| (i, i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str) -> Value {
        json!({ "type": "section", "block_id": "b1", "text": { "type": "mrkdwn", "text": text } })
    }

    fn words(count: usize) -> String {
        vec!["word"; count].join(" ")
    }

    #[test]
    fn small_messages_are_left_alone() {
        let draft = Draft { text: Some("hi".into()), blocks: None };
        assert_eq!(fit(draft.clone(), Overflow::Split), std::slice::from_ref(&draft));
        assert_eq!(fit(draft.clone(), Overflow::Truncate), [draft]);
    }

    #[test]
    fn long_text_splits_at_spaces_and_loses_nothing() {
        let text = words(20_000); // 99,999 characters
        let parts = fit(Draft { text: Some(text.clone()), blocks: None }, Overflow::Split);
        assert_eq!(parts.len(), 3);
        let pieces: Vec<String> = parts.into_iter().map(|part| part.text.unwrap()).collect();
        assert!(pieces.iter().all(|piece| piece.chars().count() <= MAX_TEXT));
        assert!(pieces.iter().all(|piece| piece.ends_with("word")));
        assert_eq!(pieces.join(" "), text);
    }

    #[test]
    fn line_breaks_win_over_spaces() {
        let text = format!("{}\n{}", "a".repeat(2_000), "b ".repeat(1_000));
        let pieces = chunks(&text, MAX_SECTION_TEXT);
        assert_eq!(pieces[0], "a".repeat(2_000));
        assert_eq!(pieces[1], "b ".repeat(1_000));
    }

    #[test]
    fn a_word_longer_than_the_limit_is_broken() {
        let text = "x".repeat(7_000);
        let pieces = chunks(&text, MAX_SECTION_TEXT);
        assert_eq!(pieces.iter().map(String::len).collect::<Vec<_>>(), [3_000, 3_000, 1_000]);
    }

    #[test]
    fn blocks_split_into_groups_and_long_sections_into_several() {
        let mut blocks = vec![section(&words(1_000))]; // 4,999 characters
        blocks.extend((0..60).map(|_| json!({ "type": "divider" })));
        let parts = fit(Draft { text: Some("fallback".into()), blocks: Some(blocks) }, Overflow::Split);
        assert_eq!(parts.len(), 2);
        let first = parts[0].blocks.as_ref().unwrap();
        assert_eq!(first.len(), MAX_BLOCKS);
        assert_eq!(first[0]["block_id"], "b1");
        assert!(first[1].get("block_id").is_none());
        assert_eq!(first[1]["text"]["type"], "mrkdwn");
        assert_eq!(parts[0].text.as_deref(), Some("fallback"));
        assert_eq!(parts[1].text, None);
        assert_eq!(parts[1].blocks.as_ref().unwrap().len(), 12);
    }

    #[test]
    fn truncation_marks_what_was_cut() {
        let mut blocks = vec![section(&words(1_000))];
        blocks.extend((0..60).map(|_| json!({ "type": "divider" })));
        let [draft] = &fit(Draft { text: Some("y".repeat(50_000)), blocks: Some(blocks) }, Overflow::Truncate)[..]
        else {
            panic!("one message expected")
        };
        let text = draft.text.as_deref().unwrap();
        assert_eq!(text.chars().count(), MAX_TEXT);
        assert!(text.ends_with(TRUNCATED));
        let blocks = draft.blocks.as_ref().unwrap();
        assert_eq!(blocks.len(), MAX_BLOCKS);
        let section = blocks[0]["text"]["text"].as_str().unwrap();
        assert!(section.chars().count() <= MAX_SECTION_TEXT && section.ends_with(TRUNCATED));
        assert_eq!(blocks[49]["elements"][0]["text"], "… (truncated): 12 more blocks");
    }
}
