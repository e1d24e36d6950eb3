//! Where a message goes: the `channel` input classified, and resolved to the conversation
//! id `chat.postMessage` and `chat.update` need, through the shared cache.

use serde::Deserialize;

use super::cache::Cache;
use super::client::SlackClient;
use super::errors::SlackError;
use crate::values::{Mentionee, is_email, is_slack_id, real_name};

/// Channels asked for per `conversations.list` page.
const PAGE_SIZE: &str = "200";

/// What the `channel` input names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A conversation id: `C…`, `G…` or `D…`.
    Conversation(String),
    /// A user id, `U…` or `W…`: their direct message.
    User(String),
    /// An e-mail address: the direct message of the user who has it.
    Email(String),
    /// A channel name, without `#`, in lower case as Slack keeps names.
    Name(String),
    /// `@Real Name`: the direct message of the user whose full name this is.
    RealName(String),
}

impl Destination {
    /// Classifies a rendered `channel` input.
    pub fn classify(channel: &str) -> Destination {
        let channel = channel.trim();
        if is_slack_id(channel, "CGD") {
            Destination::Conversation(channel.to_owned())
        } else if is_slack_id(channel, "UW") {
            Destination::User(channel.to_owned())
        } else if is_email(channel) {
            Destination::Email(channel.to_owned())
        } else if let Some(name) = real_name(channel) {
            Destination::RealName(name.to_owned())
        } else {
            let name = channel.strip_prefix('#').unwrap_or(channel);
            Destination::Name(name.to_lowercase())
        }
    }
}

/// Resolves destinations and users with one client, remembering what it found in a cache.
pub struct Resolver<'a> {
    client: &'a SlackClient<'a>,
    cache: &'a mut Cache,
}

#[derive(Deserialize)]
struct ChannelPage {
    channels: Vec<ListedChannel>,
    response_metadata: Option<ResponseMetadata>,
}

#[derive(Deserialize)]
struct ListedChannel {
    id: String,
    name: Option<String>,
}

#[derive(Deserialize)]
struct ResponseMetadata {
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct UserPage {
    members: Vec<Member>,
    response_metadata: Option<ResponseMetadata>,
}

#[derive(Deserialize)]
struct Member {
    id: String,
    #[serde(default)]
    deleted: bool,
    real_name: Option<String>,
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    real_name: Option<String>,
}

#[derive(Deserialize)]
struct Opened {
    channel: Identified,
}

#[derive(Deserialize)]
struct FoundUser {
    user: Identified,
}

#[derive(Deserialize)]
struct Identified {
    id: String,
}

impl<'a> Resolver<'a> {
    /// A resolver calling Slack through `client` and keeping its findings in `cache`.
    pub fn new(client: &'a SlackClient<'a>, cache: &'a mut Cache) -> Self {
        Resolver { client, cache }
    }

    /// The conversation id of a destination.
    pub fn conversation(&mut self, destination: &Destination) -> Result<String, SlackError> {
        match destination {
            Destination::Conversation(id) => Ok(id.clone()),
            Destination::User(user) => self.direct_message(user),
            Destination::Email(_) | Destination::RealName(_) => {
                let user = self.post_target(destination)?;
                self.direct_message(&user)
            }
            Destination::Name(name) => self.channel_by_name(name),
        }
    }

    /// Where to post: the conversation id; a user's id for a direct message (Slack posts
    /// to the app's conversation with them, with `chat:write` alone, where opening it would
    /// need `im:write`); or for a channel name that listing cannot resolve, the `#name`
    /// itself.
    ///
    /// Listing needs `channels:read`/`groups:read`, which a bot with only `chat:write` lacks,
    /// and `chat.postMessage` resolves names itself, answering `channel_not_found` when
    /// there is no such channel: so a miss is left to Slack rather than failed here.
    pub fn post_target(&mut self, destination: &Destination) -> Result<String, SlackError> {
        match destination {
            Destination::User(user) => return Ok(user.clone()),
            Destination::Email(email) => return self.user_by_email(email),
            Destination::RealName(name) => return self.user_by_real_name(name),
            Destination::Conversation(_) | Destination::Name(_) => {}
        }
        match (destination, self.conversation(destination)) {
            (Destination::Name(name), Err(SlackError::Api { code, .. }))
                if code == "channel_not_found" || code == "missing_scope" =>
            {
                Ok(format!("#{name}"))
            }
            (_, resolved) => resolved,
        }
    }

    /// The user id of the active user with an e-mail address (`users.lookupByEmail`).
    pub fn user_by_email(&mut self, email: &str) -> Result<String, SlackError> {
        let key = email.to_lowercase();
        if let Some(user) = self.cache.users.get(&key) {
            return Ok(user.clone());
        }
        let found: FoundUser = self.client.read("users.lookupByEmail", &[("email", email)])?;
        self.cache.users.insert(key, found.user.id.clone());
        Ok(found.user.id)
    }

    /// The user id of a person named in an input.
    pub fn user(&mut self, person: &Mentionee) -> Result<String, SlackError> {
        match person {
            Mentionee::User(id) => Ok(id.clone()),
            Mentionee::Email(email) => self.user_by_email(email),
            Mentionee::Name(name) => self.user_by_real_name(name),
        }
    }

    /// The user id of the active user whose full name is `name`, paging through
    /// `users.list` (scope `users:read`) until they show up, as Camunda does for `@Name`.
    pub fn user_by_real_name(&mut self, name: &str) -> Result<String, SlackError> {
        let key = format!("@{name}");
        let mut cursor = String::new();
        loop {
            if let Some(user) = self.cache.users.get(&key) {
                return Ok(user.clone());
            }
            let mut query = vec![("limit", PAGE_SIZE)];
            if !cursor.is_empty() {
                query.push(("cursor", &cursor));
            }
            let page: UserPage = self.client.read("users.list", &query)?;
            for member in page.members.into_iter().filter(|member| !member.deleted) {
                let full_name = member.real_name.or(member.profile.and_then(|profile| profile.real_name));
                if let Some(full_name) = full_name {
                    self.cache.users.entry(format!("@{full_name}")).or_insert(member.id);
                }
            }
            cursor = page.response_metadata.and_then(|metadata| metadata.next_cursor).unwrap_or_default();
            if cursor.is_empty() {
                return self.cache.users.get(&key).cloned().ok_or_else(|| SlackError::Api {
                    method: "users.list",
                    code: "users_not_found".to_owned(),
                    needed: None,
                    details: Some(format!("no active user's full name is `{name}`")),
                });
            }
        }
    }

    /// The direct-message conversation with a user (`conversations.open`).
    fn direct_message(&mut self, user: &str) -> Result<String, SlackError> {
        if let Some(id) = self.cache.dms.get(user) {
            return Ok(id.clone());
        }
        let id = open_direct_message(self.client, user)?;
        self.cache.dms.insert(user.to_owned(), id.clone());
        Ok(id)
    }

    /// The id of the channel named `name`, paging through `conversations.list` until it
    /// shows up; every name seen on the way is cached for later steps.
    fn channel_by_name(&mut self, name: &str) -> Result<String, SlackError> {
        let mut cursor = String::new();
        loop {
            if let Some(id) = self.cache.channels.get(name) {
                return Ok(id.clone());
            }
            let mut query =
                vec![("types", "public_channel,private_channel"), ("exclude_archived", "true"), ("limit", PAGE_SIZE)];
            if !cursor.is_empty() {
                query.push(("cursor", &cursor));
            }
            let page: ChannelPage = self.client.read("conversations.list", &query)?;
            for channel in page.channels {
                if let Some(listed) = channel.name {
                    self.cache.channels.insert(listed.to_lowercase(), channel.id);
                }
            }
            cursor = page.response_metadata.and_then(|metadata| metadata.next_cursor).unwrap_or_default();
            if cursor.is_empty() {
                return self.cache.channels.get(name).cloned().ok_or_else(|| SlackError::Api {
                    method: "conversations.list",
                    code: "channel_not_found".to_owned(),
                    needed: None,
                    details: Some(format!("no channel named #{name} that the bot can see")),
                });
            }
        }
    }
}

/// The id of the direct-message conversation with a user (`conversations.open`, scope
/// `im:write`).
pub fn open_direct_message(client: &SlackClient<'_>, user: &str) -> Result<String, SlackError> {
    let opened: Opened = client.call("conversations.open", &serde_json::json!({ "users": user }))?;
    Ok(opened.channel.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_inputs_are_classified() {
        let classify = Destination::classify;
        assert_eq!(classify(" #Billing "), Destination::Name("billing".into()));
        assert_eq!(classify("ops-alerts"), Destination::Name("ops-alerts".into()));
        assert_eq!(classify("C0123456789"), Destination::Conversation("C0123456789".into()));
        assert_eq!(classify("G0123456789"), Destination::Conversation("G0123456789".into()));
        assert_eq!(classify("U0123456789"), Destination::User("U0123456789".into()));
        assert_eq!(classify("W0123456789"), Destination::User("W0123456789".into()));
        assert_eq!(classify("ada@example.com"), Destination::Email("ada@example.com".into()));
        assert_eq!(classify(" @Ada Lovelace "), Destination::RealName("Ada Lovelace".into()));
    }
}
