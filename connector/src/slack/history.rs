//! Finds the messages an earlier attempt of the same step already posted, by the metadata
//! every post carries, so a retry does not post them twice.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::client::SlackClient;
use super::message::EVENT_TYPE;

/// How many recent messages are searched; a retry comes soon after the attempt it repeats.
const SEARCHED: &str = "50";

#[derive(Deserialize)]
struct Messages {
    messages: Vec<Value>,
}

/// The `ts` of each part an earlier attempt of `execution_key` posted to `channel`: among
/// its recent messages (`conversations.history`), or among the replies of `thread`
/// (`conversations.replies`), where the parts after the first of a split message go.
///
/// This is a safety net, not a requirement: when the lookup fails (most often because the
/// app lacks the `channels:history` scope), nothing is found and the step posts anyway,
/// which at worst repeats a message, rather than failing a step Slack would accept.
pub fn earlier_parts(
    client: &SlackClient<'_>,
    channel: &str,
    thread: Option<&str>,
    execution_key: &str,
) -> BTreeMap<usize, String> {
    let mut query = vec![
        ("channel", channel),
        ("include_all_metadata", "true"),
        ("limit", SEARCHED),
    ];
    let reply = match thread {
        Some(ts) => {
            query.push(("ts", ts));
            client.read::<Messages>("conversations.replies", &query)
        }
        None => client.read::<Messages>("conversations.history", &query),
    };
    reply.map_or_else(
        |_| BTreeMap::new(),
        |reply| parts_of(&reply.messages, execution_key),
    )
}

/// Part number → `ts` of the messages whose metadata carries `execution_key`.
fn parts_of(messages: &[Value], execution_key: &str) -> BTreeMap<usize, String> {
    messages
        .iter()
        .filter(|message| message.pointer("/metadata/event_type") == Some(&EVENT_TYPE.into()))
        .filter(|message| {
            message.pointer("/metadata/event_payload/execution_key") == Some(&execution_key.into())
        })
        .filter_map(|message| {
            let part = message.pointer("/metadata/event_payload/part")?.as_u64()?;
            let part = usize::try_from(part).ok()?;
            let ts = message.get("ts")?.as_str()?;
            Some((part, ts.to_owned()))
        })
        .collect()
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
        assert_eq!(
            found,
            BTreeMap::from([(1, "1.0".to_owned()), (2, "3.0".to_owned())])
        );
    }
}
