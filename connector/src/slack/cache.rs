//! The scratch data a process instance keeps between its Slack steps: the ids that names,
//! e-mail addresses and users resolved to, so each is looked up once per run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Resolutions kept for the process instance, as the `cache` JSON of the WIT contract:
/// `{"channels": {"billing": "C…"}, "users": {"ada@example.com": "U…"}, "dms": {"U…": "D…"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cache {
    /// Channel name (without `#`, lower case) → conversation id.
    #[serde(default)]
    pub channels: BTreeMap<String, String>,
    /// E-mail address (lower case) → user id.
    #[serde(default)]
    pub users: BTreeMap<String, String>,
    /// User id → direct-message conversation id.
    #[serde(default)]
    pub dms: BTreeMap<String, String>,
}

impl Cache {
    /// The cache the host handed back; an unreadable one (e.g. from another version) is
    /// only a lost shortcut, so it counts as empty.
    pub fn from_json(json: Option<&str>) -> Cache {
        json.and_then(|json| serde_json::from_str(json).ok())
            .unwrap_or_default()
    }

    /// The cache as JSON text for the host.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("string maps serialize to JSON")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_round_trips_and_tolerates_garbage() {
        let mut cache = Cache::default();
        cache.channels.insert("billing".into(), "C1".into());
        let json = cache.to_json();
        assert_eq!(json, r#"{"channels":{"billing":"C1"},"users":{},"dms":{}}"#);
        assert_eq!(Cache::from_json(Some(&json)), cache);
        assert_eq!(Cache::from_json(Some("[1]")), Cache::default());
        assert_eq!(
            Cache::from_json(Some(r#"{"channels":{"x":"C2"}}"#)).channels["x"],
            "C2"
        );
        assert_eq!(Cache::from_json(None), Cache::default());
    }
}
