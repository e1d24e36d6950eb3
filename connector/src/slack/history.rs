//! Finds the messages an earlier attempt of the same step may have posted without hearing
//! back, by the metadata every post carries, so a repeat does not post them twice.
//!
//! A lookup is a recovery path: the host's ledger says what earlier attempts are known to
//! have posted, and only a request whose answer was lost needs one. Slack limits these
//! methods hard (Tier 1, pages of 15, for apps outside the Marketplace), so a lookup pages
//! only through the window in which the attempts in doubt could have posted (from the
//! first one's start to the last one's deadline), stops as soon as it finds what it looks
//! for, and a rate limit fails the attempt as a rate limit (retried after `Retry-After`).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::client::SlackClient;
use super::errors::SlackError;
use super::message::EVENT_TYPE;

/// Messages asked for per page; Slack may answer with fewer (15 for some apps).
const PAGE_SIZE: &str = "200";

/// How far outside the host's window a lookup reaches: Slack stamps messages with its own
/// clock, which may differ a little from the host's. A wider margin costs pages in a busy
/// channel.
const CLOCK_SKEW_SECONDS: u64 = 2;

#[derive(Deserialize)]
struct Page {
    messages: Vec<Value>,
    response_metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    next_cursor: Option<String>,
}

/// Looks for one execution's messages in one conversation.
pub struct Lookup<'a> {
    /// The client to ask with.
    pub client: &'a SlackClient<'a>,
    /// The conversation id (a name cannot be searched).
    pub channel: &'a str,
    /// The execution whose messages to find.
    pub execution_key: &'a str,
    /// The window (ms since the Unix epoch) in which an earlier attempt may have posted.
    pub window_ms: (u64, u64),
}

impl Lookup<'_> {
    /// The `ts` of the execution's message `part` among the channel's messages of the
    /// window (`conversations.history`), newest first.
    pub fn in_channel(&self, part: usize) -> Result<Option<String>, SlackError> {
        let mut found = None;
        self.pages("conversations.history", &[], |messages| {
            found = self.parts_of(messages).remove(&part);
            found.is_some()
        })?;
        Ok(found)
    }

    /// The execution's parts among the replies of the thread `ts` in the window
    /// (`conversations.replies`).
    pub fn in_thread(&self, ts: &str) -> Result<BTreeMap<usize, String>, SlackError> {
        let mut found = BTreeMap::new();
        self.pages("conversations.replies", &[("ts", ts)], |messages| {
            found.extend(self.parts_of(messages));
            false
        })?;
        Ok(found)
    }

    /// Whether the thread `ts` has a reply newer than `after` (a `ts`): its parent message
    /// says, through `latest_reply`, without reading the replies (which bot tokens may not
    /// do in channels).
    pub fn replied_after(&self, ts: &str, after: &str) -> Result<bool, SlackError> {
        let query = [("channel", self.channel), ("oldest", ts), ("latest", ts), ("inclusive", "true"), ("limit", "1")];
        let page: Page = self.client.read("conversations.history", &query)?;
        let parent = page.messages.iter().find(|message| message.get("ts") == Some(&ts.into()));
        let latest = parent.and_then(|message| message.get("latest_reply")).and_then(Value::as_str);
        Ok(latest.is_some_and(|latest| newer(latest, after)))
    }

    /// Asks `method` page after page (cursor) for the messages of the window, until `done`
    /// says it found what it looks for or the pages run out.
    fn pages(
        &self,
        method: &'static str,
        extra: &[(&str, &str)],
        mut done: impl FnMut(&[Value]) -> bool,
    ) -> Result<(), SlackError> {
        let (since, until) = self.window_ms;
        let oldest = format!("{}.000000", (since / 1000).saturating_sub(CLOCK_SKEW_SECONDS));
        let latest = format!("{}.000000", (until / 1000).saturating_add(1 + CLOCK_SKEW_SECONDS));
        let mut cursor = String::new();
        loop {
            let mut query = vec![
                ("channel", self.channel),
                ("oldest", oldest.as_str()),
                ("latest", latest.as_str()),
                ("include_all_metadata", "true"),
                ("limit", PAGE_SIZE),
            ];
            query.extend_from_slice(extra);
            if !cursor.is_empty() {
                query.push(("cursor", cursor.as_str()));
            }
            let page: Page = self.client.read(method, &query)?;
            if done(&page.messages) {
                return Ok(());
            }
            cursor = page.response_metadata.and_then(|metadata| metadata.next_cursor).unwrap_or_default();
            if cursor.is_empty() {
                return Ok(());
            }
        }
    }

    /// Part number → `ts` of the messages whose metadata carries the execution key.
    fn parts_of(&self, messages: &[Value]) -> BTreeMap<usize, String> {
        parts_of(messages, self.execution_key)
    }
}

/// Part number → `ts` of the messages whose metadata carries `execution_key`.
fn parts_of(messages: &[Value], execution_key: &str) -> BTreeMap<usize, String> {
    messages
        .iter()
        .filter(|message| message.pointer("/metadata/event_type") == Some(&EVENT_TYPE.into()))
        .filter(|message| message.pointer("/metadata/event_payload/execution_key") == Some(&execution_key.into()))
        .filter_map(|message| {
            let part = message.pointer("/metadata/event_payload/part")?.as_u64()?;
            let part = usize::try_from(part).ok()?;
            let ts = message.get("ts")?.as_str()?;
            Some((part, ts.to_owned()))
        })
        .collect()
}

/// Whether the Slack timestamp `ts` is later than `than` (`seconds.micros`, compared as
/// numbers: the fractions have six digits, but a ts of another server may not).
fn newer(ts: &str, than: &str) -> bool {
    let parse = |ts: &str| -> (u64, u64) {
        let (seconds, fraction) = ts.split_once('.').unwrap_or((ts, "0"));
        let micros = format!("{fraction:0<6}");
        (seconds.parse().unwrap_or(0), micros[..6].parse().unwrap_or(0))
    };
    parse(ts) > parse(than)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::message::metadata;
    use serde_json::json;

    #[test]
    fn only_this_steps_parts_are_found() {
        let messages = [
            json!({"ts": "3.0", "metadata": metadata("i1/notify", 2)}),
            json!({"ts": "2.0", "metadata": metadata("i2/notify", 1)}),
            json!({"ts": "1.0", "metadata": metadata("i1/notify", 1)}),
            json!({"ts": "0.5", "text": "no metadata"}),
            json!({"ts": "0.4", "metadata": {"event_type": "other",
                   "event_payload": {"execution_key": "i1/notify", "part": 1}}}),
        ];
        let found = parts_of(&messages, "i1/notify");
        assert_eq!(found, BTreeMap::from([(1, "1.0".to_owned()), (2, "3.0".to_owned())]));
    }

    #[test]
    fn timestamps_compare_as_numbers() {
        assert!(newer("1700000000.000200", "1700000000.000100"));
        assert!(newer("1700000001.000000", "1700000000.999999"));
        assert!(newer("1700000000.5", "1700000000.000100"));
        assert!(!newer("1700000000.000100", "1700000000.000100"));
        assert!(!newer("999999999.900000", "1700000000.000000"));
    }
}
