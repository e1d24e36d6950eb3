//! What a step does in Slack: post a message (the default), or one of the operations on
//! conversations, reactions and pins, each with the inputs it takes.

use crate::config::Issue;

/// The Slack Web API method a step calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Method {
    /// `chat.postMessage` (or `chat.update`, with `update_key`): the message inputs.
    #[default]
    PostMessage,
    /// `conversations.create`: a new channel named `name`, private with `is_private`.
    CreateConversation,
    /// `conversations.invite`: `users` into `channel`.
    Invite,
    /// `reactions.add`: the `emoji` on the message `timestamp` of `channel`.
    AddReaction,
    /// `pins.add`: the message `timestamp` of `channel`.
    Pin,
    /// `pins.remove`: the message `timestamp` of `channel`.
    Unpin,
}

/// Every method, as Slack names it, in form order.
pub const METHOD_NAMES: &[&str] =
    &["chat.postMessage", "conversations.create", "conversations.invite", "reactions.add", "pins.add", "pins.remove"];

/// The inputs every method takes.
const COMMON: &[&str] = &["method", "token", "verbatim"];

impl Method {
    const ALL: [Method; 6] = [
        Method::PostMessage,
        Method::CreateConversation,
        Method::Invite,
        Method::AddReaction,
        Method::Pin,
        Method::Unpin,
    ];

    /// Reads the `method` input.
    pub fn parse(name: &str) -> Result<Method, Issue> {
        let name = name.trim();
        Method::ALL.into_iter().find(|method| method.name() == name).ok_or_else(|| {
            Issue::new("method", format!("`method` must be one of {}, not `{name}`", METHOD_NAMES.join(", ")))
        })
    }

    /// The method's name in the Web API.
    pub fn name(self) -> &'static str {
        METHOD_NAMES[self as usize]
    }

    /// The inputs the method needs.
    pub fn required(self) -> &'static [&'static str] {
        match self {
            // The message inputs have rules of their own (`text` or `blocks`, `channel` or
            // `webhook_url`).
            Method::PostMessage => &[],
            Method::CreateConversation => &["name"],
            Method::Invite => &["channel", "users"],
            Method::AddReaction => &["channel", "timestamp", "emoji"],
            Method::Pin | Method::Unpin => &["channel", "timestamp"],
        }
    }

    /// Whether the method takes the input `name` (beyond [`COMMON`] ones, which all take).
    pub fn takes(self, name: &str) -> bool {
        const OPERATION_INPUTS: &[&str] = &["name", "is_private", "users", "emoji", "timestamp"];
        COMMON.contains(&name)
            || match self {
                Method::PostMessage => !OPERATION_INPUTS.contains(&name),
                Method::CreateConversation => ["name", "is_private"].contains(&name),
                other => other.required().contains(&name),
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_read_by_their_slack_names() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.name()).unwrap(), method);
        }
        assert_eq!(Method::parse(" pins.add ").unwrap(), Method::Pin);
        let issue = Method::parse("chat.getMessage").unwrap_err();
        assert!(issue.message.starts_with("`method` must be one of chat.postMessage, conversations.create"));
    }

    #[test]
    fn each_method_takes_its_own_inputs() {
        assert!(Method::PostMessage.takes("text") && !Method::PostMessage.takes("emoji"));
        assert!(Method::AddReaction.takes("emoji") && !Method::AddReaction.takes("text"));
        assert!(Method::CreateConversation.takes("is_private") && !Method::CreateConversation.takes("channel"));
        assert!(Method::Unpin.takes("token") && Method::Unpin.takes("timestamp") && !Method::Unpin.takes("users"));
    }
}
