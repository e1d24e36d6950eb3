//! The scratch data the host keeps for the Slack steps that share a token: the ids that
//! names, e-mail addresses and users resolved to, so each is looked up once, not once per
//! instance (`conversations.list` allows about 20 calls a minute and pages through every
//! channel of a workspace).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::destination::Destination;

/// Resolutions kept across steps, as the `cache` JSON of the WIT contract:
/// `{"channels": {"billing": "C…"}, "users": {"ada@example.com": "U…"}, "dms": {"U…": "D…"}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cache {
    /// Channel name (without `#`, lower case) → conversation id.
    #[serde(default)]
    pub channels: BTreeMap<String, String>,
    /// E-mail address (lower case), or `@` and a full name → user id.
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
        json.and_then(|json| serde_json::from_str(json).ok()).unwrap_or_default()
    }

    /// Forgets what `destination` resolved to, once Slack said it is gone.
    pub fn forget(&mut self, destination: &Destination) {
        match destination {
            Destination::Name(name) => {
                self.channels.remove(name);
            }
            Destination::User(user) => {
                self.dms.remove(user);
            }
            Destination::Email(email) => self.forget_user(&email.to_lowercase()),
            Destination::RealName(name) => self.forget_user(&format!("@{name}")),
            Destination::Conversation(_) => {}
        }
    }

    fn forget_user(&mut self, key: &str) {
        if let Some(user) = self.users.remove(key) {
            self.dms.remove(&user);
        }
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
        assert_eq!(Cache::from_json(Some(r#"{"channels":{"x":"C2"}}"#)).channels["x"], "C2");
        assert_eq!(Cache::from_json(None), Cache::default());
    }
}
