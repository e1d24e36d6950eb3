//! Update in place: the state key of a step with `update_key`, and the state kept under it,
//! the message to update the next time.

use serde::{Deserialize, Serialize};

/// What a state key starts with, so update keys cannot clash with other kinds of state.
pub const STATE_KEY_PREFIX: &str = "update:";

/// The state key of a rendered `update_key`.
pub fn state_key(update_key: &str) -> String {
    format!("{STATE_KEY_PREFIX}{update_key}")
}

/// The message a step with `update_key` posted, kept across runs:
/// `{"channel": "C…", "ts": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageState {
    /// The conversation id it was posted to (`C…`, `G…`, `D…`), which `chat.update` needs.
    pub channel: String,
    /// Its `ts`.
    pub ts: String,
}

impl MessageState {
    /// The state the host loaded; one that does not read (e.g. from another version) means
    /// there is no message to update, so a new one is posted.
    pub fn from_json(json: Option<&str>) -> Option<MessageState> {
        serde_json::from_str(json?).ok()
    }

    /// The state as JSON text for the host.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("strings serialize to JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_keys_are_prefixed() {
        assert_eq!(state_key("incident-7"), "update:incident-7");
    }

    #[test]
    fn state_round_trips_and_garbage_means_none() {
        let state = MessageState {
            channel: "D1".into(),
            ts: "1.000200".into(),
        };
        assert_eq!(state.to_json(), r#"{"channel":"D1","ts":"1.000200"}"#);
        assert_eq!(MessageState::from_json(Some(&state.to_json())), Some(state));
        assert_eq!(MessageState::from_json(Some(r#"{"ts": 1}"#)), None);
        assert_eq!(MessageState::from_json(None), None);
    }
}
