//! Where an instance's tokens stand: what the engine saves at every move so that a run cut
//! short continues from the same place.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

/// The tokens of one instance and what the engine keeps between its moves.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Position {
    /// Tokens waiting to move, oldest first; the first one is moving now, and leaves the
    /// queue only in the same save that records where it went.
    pub tokens: VecDeque<Token>,
    /// Tokens that have reached each parallel gateway (by id) and wait for the others.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub joining: BTreeMap<String, usize>,
    /// Elements visited so far, to stop endless loops.
    #[serde(default)]
    pub visits: usize,
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The id of the element it is at.
    pub at: String,
    /// At a timer: when it fires, in milliseconds since the Unix epoch, fixed on arrival
    /// so that a resumed instance waits only for what is left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_ms: Option<u64>,
}

impl Position {
    /// One token at `start`.
    pub fn at_start(start: &str) -> Self {
        Self { tokens: VecDeque::from([Token { at: start.to_owned(), due_ms: None }]), ..Self::default() }
    }

    /// As saved in the state database.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("positions serialize")
    }
}
