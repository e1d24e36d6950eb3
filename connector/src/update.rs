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
/// `{"channel": "C…", "ts": "…", "sent_at": ms, "pending": "execution key"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageState {
    /// The conversation id it was posted to (`C…`, `G…`, `D…`), which `chat.update` needs.
    pub channel: String,
    /// Its `ts`.
    pub ts: String,
    /// When it was last posted or updated, in milliseconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<u64>,
    /// The execution waiting for the throttle window to end with the latest content.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pending: Option<String>,
}

/// What a throttled update does now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttled {
    /// The window is over: update now.
    Now,
    /// The window is open: wait until this time (ms since the Unix epoch), then deliver.
    WaitUntil(u64),
    /// A later execution took over while this one waited: its content is newer.
    Superseded,
}

/// Decides a throttled update: at most one update per `window_ms`, and when several wait
/// for the same window, only the last one to arrive is delivered.
pub fn throttle(state: &MessageState, window_ms: u64, now_ms: u64, execution_key: &str, deferred: bool) -> Throttled {
    if deferred && state.pending.as_deref() != Some(execution_key) {
        return Throttled::Superseded;
    }
    let window_ends = state.sent_at.map_or(0, |sent| sent.saturating_add(window_ms));
    if now_ms >= window_ends { Throttled::Now } else { Throttled::WaitUntil(window_ends) }
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

    fn sent_at(ms: u64, pending: Option<&str>) -> MessageState {
        MessageState { channel: "C1".into(), ts: "1.0".into(), sent_at: Some(ms), pending: pending.map(str::to_owned) }
    }

    #[test]
    fn one_update_per_window_and_the_latest_waiter_wins() {
        // Inside the window: wait for its end.
        assert_eq!(throttle(&sent_at(1_000, None), 500, 1_200, "a", false), Throttled::WaitUntil(1_500));
        // After it: now.
        assert_eq!(throttle(&sent_at(1_000, None), 500, 1_500, "a", false), Throttled::Now);
        // A waiter that is still the latest delivers at the end of the window.
        assert_eq!(throttle(&sent_at(1_000, Some("a")), 500, 1_500, "a", true), Throttled::Now);
        // One that a later execution replaced does not.
        assert_eq!(throttle(&sent_at(1_000, Some("b")), 500, 1_500, "a", true), Throttled::Superseded);
        // A first message has no window to wait for.
        let fresh = MessageState { sent_at: None, ..sent_at(0, None) };
        assert_eq!(throttle(&fresh, 500, 10, "a", false), Throttled::Now);
    }

    #[test]
    fn state_keys_are_prefixed() {
        assert_eq!(state_key("incident-7"), "update:incident-7");
    }

    #[test]
    fn state_round_trips_and_garbage_means_none() {
        let state = MessageState { channel: "D1".into(), ts: "1.000200".into(), sent_at: None, pending: None };
        assert_eq!(state.to_json(), r#"{"channel":"D1","ts":"1.000200"}"#);
        assert_eq!(MessageState::from_json(Some(&state.to_json())), Some(state));
        assert_eq!(MessageState::from_json(Some(r#"{"ts": 1}"#)), None);
        assert_eq!(MessageState::from_json(None), None);
    }
}
