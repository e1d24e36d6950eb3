//! The operations besides posting: create a channel, invite people, react to a message, pin
//! and unpin it. Each ends in the state the step asks for: a reaction or pin already there,
//! a pin already gone or someone already in the channel is success, so a repeat of an
//! attempt whose answer was lost does not fail on what that attempt did.

use serde::Deserialize;
use serde_json::{Value, json};

use super::cache::Cache;
use super::client::SlackClient;
use super::destination::{Destination, Resolver};
use super::errors::SlackError;
use crate::config::Issue;
use crate::operation::Method;
use crate::render::OperationInputs;

/// Why an operation failed, and whether its request may have taken effect all the same.
pub struct OperationFailure {
    /// Why.
    pub error: OperationError,
    /// A request went out and no answer came back.
    pub in_doubt: bool,
}

/// Why an operation could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum OperationError {
    /// An input is missing or wrong.
    #[error("{}", .0.message)]
    Input(Issue),
    /// Slack or the way to it failed.
    #[error(transparent)]
    Slack(#[from] SlackError),
}

/// The part of a `conversations.create` or `conversations.invite` reply the step keeps.
#[derive(Deserialize)]
struct ChannelReply {
    channel: Conversation,
}

#[derive(Deserialize)]
struct Conversation {
    id: String,
    name: Option<String>,
    #[serde(default)]
    is_private: bool,
}

/// Carries out `method` with its rendered inputs; `in_doubt` says an earlier attempt may
/// have done it already. Returns the step's output.
pub fn perform(
    method: Method,
    inputs: &OperationInputs,
    client: &SlackClient<'_>,
    cache: &mut Cache,
    in_doubt: bool,
) -> Result<Value, OperationFailure> {
    let mut operation = Operation { client, cache, in_doubt, sent: false };
    let result = match method {
        Method::CreateConversation => operation.create(inputs),
        Method::Invite => operation.invite(inputs),
        Method::AddReaction | Method::Pin | Method::Unpin => operation.mark(method, inputs),
        Method::PostMessage => unreachable!("posting is not an operation of this module"),
    };
    result.map_err(|error| {
        // An attempt that sent nothing leaves the doubt as it found it.
        let in_doubt = match operation.sent {
            true => matches!(&error, OperationError::Slack(e) if e.may_have_arrived()),
            false => in_doubt,
        };
        OperationFailure { error, in_doubt }
    })
}

/// One operation under way.
struct Operation<'a, 'c> {
    client: &'a SlackClient<'a>,
    cache: &'c mut Cache,
    /// An earlier attempt may have taken effect: Slack's "already done" answers mean done.
    in_doubt: bool,
    /// Whether the operation's own request went out.
    sent: bool,
}

impl Operation<'_, '_> {
    /// `conversations.create`. A repeat that finds the name taken looks the channel up,
    /// since the earlier attempt may have created it.
    fn create(&mut self, inputs: &OperationInputs) -> Result<Value, OperationError> {
        let name = required(inputs.name.as_deref(), "name")?.trim_start_matches('#').to_owned();
        let is_private = inputs.is_private;
        self.sent = true;
        let created = self
            .client
            .call::<ChannelReply>("conversations.create", &json!({ "name": name, "is_private": is_private }));
        let channel = match created {
            Ok(reply) => reply.channel,
            Err(error) if self.in_doubt && error.code() == "name_taken" => {
                let id = Resolver::new(self.client, self.cache)
                    .conversation(&Destination::Name(name.clone()))
                    .map_err(|_| error)?;
                Conversation { id, name: Some(name.clone()), is_private }
            }
            Err(error) => return Err(error.into()),
        };
        self.cache.channels.insert(name.clone(), channel.id.clone());
        Ok(json!({
            "ok": true,
            "channel": { "id": channel.id, "name": channel.name.unwrap_or(name), "is_private": channel.is_private },
        }))
    }

    /// `conversations.invite`. Someone already in the channel counts as invited: Slack then
    /// refuses the whole list, so the people are invited one by one instead.
    fn invite(&mut self, inputs: &OperationInputs) -> Result<Value, OperationError> {
        let channel = self.conversation(inputs)?;
        if inputs.users.is_empty() {
            return Err(OperationError::Input(Issue::new("users", "`users` names nobody to invite")));
        }
        let mut resolver = Resolver::new(self.client, self.cache);
        let mut users = Vec::with_capacity(inputs.users.len());
        for user in &inputs.users {
            users.push(resolver.user(user)?);
        }
        self.sent = true;
        let invite = |users: &str| {
            self.client.call::<ChannelReply>("conversations.invite", &json!({ "channel": channel, "users": users }))
        };
        let reply = match invite(&users.join(",")) {
            Err(error) if error.code() == "already_in_channel" => {
                let mut last = None;
                for user in &users {
                    match invite(user) {
                        Ok(reply) => last = Some(reply.channel),
                        Err(error) if error.code() == "already_in_channel" => {}
                        Err(error) => return Err(error.into()),
                    }
                }
                last
            }
            other => Some(other?.channel),
        };
        let name = reply.and_then(|channel| channel.name);
        Ok(json!({ "ok": true, "channel": { "id": channel, "name": name }, "users": users }))
    }

    /// `reactions.add`, `pins.add`, `pins.remove`: a mark on one message. A repeat that
    /// finds the mark already made (or already removed) is done.
    fn mark(&mut self, method: Method, inputs: &OperationInputs) -> Result<Value, OperationError> {
        let channel = self.conversation(inputs)?;
        let timestamp = required(inputs.timestamp.as_deref(), "timestamp")?;
        let mut body = json!({ "channel": channel, "timestamp": timestamp });
        let done = match method {
            Method::AddReaction => {
                let emoji = required(inputs.emoji.as_deref(), "emoji")?.trim_matches(':');
                body["name"] = json!(emoji);
                "already_reacted"
            }
            Method::Pin => "already_pinned",
            Method::Unpin => "no_pin",
            Method::PostMessage | Method::CreateConversation | Method::Invite => {
                unreachable!("{} is not a mark", method.name())
            }
        };
        self.sent = true;
        match self.client.call::<Value>(method.name(), &body) {
            Err(error) if error.code() != done => return Err(error.into()),
            _ => {}
        }
        Ok(json!({ "ok": true, "channel": channel, "ts": timestamp }))
    }

    /// The conversation id `channel` names.
    fn conversation(&mut self, inputs: &OperationInputs) -> Result<String, OperationError> {
        let channel = required(inputs.channel.as_deref(), "channel")?;
        Ok(Resolver::new(self.client, self.cache).conversation(&Destination::classify(channel))?)
    }
}

/// The value of an input the operation needs.
fn required<'v>(value: Option<&'v str>, input: &str) -> Result<&'v str, OperationError> {
    value.ok_or_else(|| OperationError::Input(Issue::new(input, format!("`{input}` is required"))))
}
