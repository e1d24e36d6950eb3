//! What one execution is known to have posted: the progress the connector reports to the
//! host when an attempt fails, and gets back with the next attempt, so that a repeat posts
//! only what is missing and looks in Slack only when an answer was lost.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An execution's posts, as the `progress` JSON of the WIT contract:
/// `{"channel": "C…", "parts": {"1": "1700000000.000100"}, "files": ["F…"], "shared": true}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// The conversation id the parts went to, once Slack named it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Part number (from 1) → the `ts` Slack gave it; empty for an incoming webhook,
    /// which names none.
    #[serde(default)]
    pub parts: BTreeMap<usize, String>,
    /// The ids of the documents uploaded so far, in the order of the `documents` input.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Whether the uploaded documents were shared after the message.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub shared: bool,
}

impl Ledger {
    /// The ledger the host handed back; none or an unreadable one (e.g. from another
    /// version) is empty.
    pub fn from_json(json: Option<&str>) -> Ledger {
        json.and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
    }

    /// The ledger as JSON text for the host; none while it is empty.
    pub fn to_json(&self) -> Option<String> {
        (self != &Ledger::default()).then(|| serde_json::to_string(self).expect("string maps serialize to JSON"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_round_trips_and_tolerates_garbage() {
        let mut ledger = Ledger::default();
        assert_eq!(ledger.to_json(), None);
        ledger.channel = Some("C1".into());
        ledger.parts.insert(1, "1.000100".into());
        let json = ledger.to_json().unwrap();
        assert_eq!(json, r#"{"channel":"C1","parts":{"1":"1.000100"}}"#);
        assert_eq!(Ledger::from_json(Some(&json)), ledger);
        assert_eq!(Ledger::from_json(Some("[1]")), Ledger::default());
        assert_eq!(Ledger::from_json(None), Ledger::default());
    }
}
