//! `test-connection`: proves the token with `auth.test`, then that the step's destination
//! resolves, that the bot is a member and that it is not archived, without sending a message.

use serde::Deserialize;

use crate::config::{Inputs, TOKEN_FIX};
use crate::slack::cache::Cache;
use crate::slack::client::SlackClient;
use crate::slack::destination::{Destination, Resolver};
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

/// What `conversations.info` says about a channel.
#[derive(Debug, Deserialize)]
struct Info {
    channel: ChannelInfo,
}

#[derive(Debug, Deserialize)]
struct ChannelInfo {
    name: Option<String>,
    #[serde(default)]
    is_private: bool,
    #[serde(default)]
    is_member: bool,
    #[serde(default)]
    is_archived: bool,
}

/// Runs every check; fails only when Slack could not be asked (a retry may help).
pub fn test_connection(config: &str) -> Result<Vec<Check>, SlackError> {
    let config = Inputs::read(config).config;
    if let Some(url) = config.webhook_url {
        // Posting is the only way to test a webhook, and a test must not post.
        let shown = if url.contains(crate::values::SECRET_PLACEHOLDER) { "a secret" } else { "the input" };
        return Ok(vec![Check::passed(
            "destination",
            format!("the step posts through the incoming webhook in {shown}; it is not called by a test"),
        )]);
    }
    let Some(token) = config.token.as_deref() else {
        return Ok(vec![Check::failed("token", "no token is configured".to_owned(), TOKEN_FIX.to_owned())]);
    };
    let client = SlackClient::from_env(token);
    let identity = match tolerate(client.call::<Identity>("auth.test", &serde_json::json!({})))? {
        Ok(identity) => identity,
        Err(error) => {
            return Ok(vec![Check::failed("token", error.to_string(), error.hint())]);
        }
    };
    let mut checks = vec![Check::passed("token", identity.describe())];
    let channel = match config.channel.as_deref() {
        None => {
            checks.push(Check::failed(
                "destination",
                "no channel is configured".to_owned(),
                "set the `channel` input: `#name`, an id such as `C0123456789`, a user id or \
                 an e-mail address"
                    .to_owned(),
            ));
            return Ok(checks);
        }
        // Rendered over process variables only when the step runs.
        Some(channel) if channel.contains("{{") || channel.contains("{%") => {
            checks.push(Check::passed(
                "destination",
                format!("`{channel}` is a template: it is resolved when the step runs"),
            ));
            return Ok(checks);
        }
        Some(channel) => channel,
    };
    let mut cache = Cache::default();
    let destination = Destination::classify(channel);
    let mut resolver = Resolver::new(&client, &mut cache);
    let direct = matches!(destination, Destination::User(_) | Destination::Email(_) | Destination::RealName(_));
    // A direct message is posted to the user's id: finding the user is the whole check.
    let resolved = if direct { resolver.post_target(&destination) } else { resolver.conversation(&destination) };
    let id = match tolerate(resolved)? {
        Ok(id) => id,
        Err(error) => {
            checks.push(Check::failed("destination", error.to_string(), error.hint()));
            return Ok(checks);
        }
    };
    let what = if direct { "the user (a direct message)" } else { "the conversation" };
    checks.push(Check::passed("destination", format!("`{channel}` is {what} {id}")));
    if matches!(destination, Destination::Conversation(_) | Destination::Name(_)) && !id.starts_with('D') {
        let info = client.read::<Info>("conversations.info", &[("channel", &id)]);
        match tolerate(info)? {
            Ok(info) => checks.extend(info.channel.checks(&id, &identity)),
            Err(error) => checks.push(Check::failed("membership", error.to_string(), error.hint())),
        }
    }
    Ok(checks)
}

/// Splits what a retry may fix (the test fails) from what a check reports.
fn tolerate<T>(result: Result<T, SlackError>) -> Result<Result<T, SlackError>, SlackError> {
    match result {
        Err(error) if matches!(error.kind(), FailureKind::RateLimited | FailureKind::Transient) => Err(error),
        other => Ok(other),
    }
}

impl ChannelInfo {
    /// The membership and archive checks of a channel.
    fn checks(&self, id: &str, bot: &Identity) -> [Check; 2] {
        let shown = self.name.as_deref().map_or_else(|| id.to_owned(), |name| format!("#{name}"));
        let bot_name = bot.user.as_deref().unwrap_or("your-bot");
        let membership = if self.is_member {
            Check::passed("membership", format!("the bot is a member of {shown}"))
        } else {
            let kind = if self.is_private { "private channel" } else { "channel" };
            Check::failed(
                "membership",
                format!("the bot is not a member of the {kind} {shown}"),
                format!("invite the bot: /invite @{bot_name} in {shown}"),
            )
        };
        let archived = if self.is_archived {
            Check::failed(
                "archived",
                format!("{shown} is archived"),
                "unarchive the channel, or choose another `channel`".to_owned(),
            )
        } else {
            Check::passed("archived", format!("{shown} is not archived"))
        };
        [membership, archived]
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
        Check { name, ok: true, detail, fix: None }
    }

    fn failed(name: &'static str, detail: String, fix: String) -> Self {
        Check { name, ok: false, detail, fix: Some(fix) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_channel_the_bot_is_not_in_says_whom_to_invite() {
        let bot = Identity { team: None, team_id: None, user: Some("herald".into()), user_id: None };
        let info: ChannelInfo =
            serde_json::from_str(r#"{"name": "billing", "is_member": false, "is_archived": true}"#).unwrap();
        let [membership, archived] = info.checks("C1", &bot);
        assert!(!membership.ok);
        assert_eq!(membership.fix.as_deref(), Some("invite the bot: /invite @herald in #billing"));
        assert!(!archived.ok);
    }
}
