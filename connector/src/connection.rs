//! `test-connection`: proves the token with `auth.test` and checks that the step has a
//! channel, without sending a message.

use serde::Deserialize;

use crate::config::{Inputs, TOKEN_FIX};
use crate::slack::client::SlackClient;
use crate::slack::errors::{FailureKind, SlackError};

/// One check of a connection test.
#[derive(Debug)]
pub struct Check {
    /// What was checked, e.g. `token`.
    pub name: &'static str,
    /// Whether it passed.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// How to fix it, when it failed.
    pub fix: Option<String>,
}

/// Who the token belongs to, from `auth.test`.
#[derive(Debug, Deserialize)]
struct Identity {
    team: Option<String>,
    team_id: Option<String>,
    user: Option<String>,
    user_id: Option<String>,
}

/// Runs every check; fails only when Slack could not be asked (a retry may help).
pub async fn test_connection(config: &str) -> Result<Vec<Check>, SlackError> {
    let inputs = Inputs::read(config);
    let token = match inputs.token.as_deref() {
        Some(token) => token_check(token).await?,
        None => Check::failed(
            "token",
            "no token is configured".to_owned(),
            TOKEN_FIX.to_owned(),
        ),
    };
    let channel = match inputs.channel {
        Some(channel) => Check::passed(
            "channel",
            format!("the step posts to `{channel}`; membership shows when it sends"),
        ),
        None => Check::failed(
            "channel",
            "no channel is configured".to_owned(),
            "set the `channel` input: `#name` or an id such as `C0123456789`".to_owned(),
        ),
    };
    Ok(vec![token, channel])
}

async fn token_check(token: &str) -> Result<Check, SlackError> {
    let reply = SlackClient::from_env(token)
        .call::<Identity>("auth.test", &serde_json::json!({}))
        .await;
    match reply {
        Ok(identity) => Ok(Check::passed("token", identity.describe())),
        Err(error)
            if matches!(
                error.kind(),
                FailureKind::RateLimited | FailureKind::Transient
            ) =>
        {
            Err(error)
        }
        Err(error) => Ok(Check::failed("token", error.to_string(), error.hint())),
    }
}

impl Identity {
    fn describe(&self) -> String {
        let named = |name: &Option<String>, id: &Option<String>| match (name, id) {
            (Some(name), Some(id)) => format!("`{name}` ({id})"),
            (Some(name), None) | (None, Some(name)) => format!("`{name}`"),
            (None, None) => "unknown".to_owned(),
        };
        format!(
            "the token works: user {} in workspace {}",
            named(&self.user, &self.user_id),
            named(&self.team, &self.team_id)
        )
    }
}

impl Check {
    fn passed(name: &'static str, detail: String) -> Self {
        Check {
            name,
            ok: true,
            detail,
            fix: None,
        }
    }

    fn failed(name: &'static str, detail: String, fix: String) -> Self {
        Check {
            name,
            ok: false,
            detail,
            fix: Some(fix),
        }
    }
}
