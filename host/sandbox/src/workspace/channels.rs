//! Conversations: channels and direct messages, their names and members.
//!
//! The seeded channels are `#general` and `#random`, with every active user, and the
//! private `#ops-private`, with ada and grace. A bot is a member of the channels it
//! created, of those it posted to (see [`Workspace::post`]) and, as the channel no one can
//! leave, of `#general`; bots cannot be invited, since their ids are not workspace users.

use serde_json::{Value, json};

use super::{Activity, Bot, Workspace, is_id, now_seconds, slack_id};

/// What kind of conversation a [`Channel`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelKind {
    /// A channel anyone in the workspace can see.
    Public,
    /// A channel only its members can see.
    Private,
    /// A direct message between the app and one user.
    Direct {
        /// The user's id.
        user_id: String,
    },
}

/// A conversation of the sandbox workspace, as it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// `C…` for a channel, `G…` for the seeded private channel (as Slack's older private
    /// channels), `D…` for a direct message.
    pub id: String,
    /// The name without `#`; `None` for a direct message.
    pub name: Option<String>,
    /// Public, private or direct.
    pub kind: ChannelKind,
    /// When it was created, in Unix seconds.
    pub created: u64,
    /// The user id of the bot that made it with `conversations.create`; `None` for the
    /// seeded channels and those made by a first post or by `SlackSandbox::create_channel`.
    pub creator: Option<String>,
    /// The user ids of its members, people and bots, in joining order (empty for a direct
    /// message); every bot also counts as a member of `#general`.
    pub members: Vec<String>,
    /// Whether it is archived (see `SlackSandbox::archive_channel`).
    pub archived: bool,
}

impl Channel {
    fn new(id: String, name: Option<&str>, kind: ChannelKind) -> Channel {
        Channel {
            id,
            name: name.map(str::to_owned),
            kind,
            created: now_seconds(),
            creator: None,
            members: Vec::new(),
            archived: false,
        }
    }

    /// Whether `user_id` is in the conversation; the app is in each of its direct messages.
    pub(crate) fn is_member(&self, user_id: &str) -> bool {
        match self.kind {
            ChannelKind::Direct { .. } => true,
            _ => self.is_general() || self.members.iter().any(|m| m == user_id),
        }
    }

    fn is_general(&self) -> bool {
        self.kind == ChannelKind::Public && self.name.as_deref() == Some("general")
    }

    /// The `types` value of `conversations.list` that selects this conversation.
    pub(crate) fn type_name(&self) -> &'static str {
        match self.kind {
            ChannelKind::Public => "public_channel",
            ChannelKind::Private => "private_channel",
            ChannelKind::Direct { .. } => "im",
        }
    }

    /// The conversation object of the `conversations.*` methods, as `viewer` (a user id)
    /// sees it.
    pub(crate) fn to_json(&self, viewer: &str) -> Value {
        if let ChannelKind::Direct { user_id } = &self.kind {
            return json!({ "id": self.id, "created": self.created, "is_im": true, "user": user_id });
        }
        // Slack's private channels from before March 2021 have `G…` ids and are groups.
        let legacy_group = self.id.starts_with('G');
        let blank = json!({ "value": "", "creator": "", "last_set": 0 });
        let mut json = json!({
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "created": self.created,
            "is_channel": !legacy_group,
            "is_group": legacy_group,
            "is_im": false,
            "is_mpim": false,
            "is_private": self.kind == ChannelKind::Private,
            "is_archived": self.archived,
            "is_general": self.is_general(),
            "is_shared": false,
            "is_ext_shared": false,
            "is_org_shared": false,
            "is_member": self.is_member(viewer),
            "topic": blank,
            "purpose": blank,
        });
        if let Some(creator) = &self.creator {
            json["creator"] = creator.as_str().into();
        }
        json
    }
}

impl Workspace {
    pub(super) fn seed_channels(&mut self) {
        let active: Vec<String> = self.users.iter().filter(|u| !u.deleted).map(|u| u.id.clone()).collect();
        for name in ["general", "random"] {
            let mut channel = Channel::new(slack_id('C', name), Some(name), ChannelKind::Public);
            channel.members = active.clone();
            self.channels.push(channel);
        }
        let mut ops = Channel::new(slack_id('G', "ops-private"), Some("ops-private"), ChannelKind::Private);
        ops.members = self.users.iter().filter(|u| ["ada", "grace"].contains(&u.name)).map(|u| u.id.clone()).collect();
        self.channels.push(ops);
    }

    pub(crate) fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// A conversation by id (`channel_not_found` otherwise).
    pub(crate) fn channel(&self, id: &str) -> Result<&Channel, &'static str> {
        self.channels.iter().find(|c| c.id == id).ok_or("channel_not_found")
    }

    /// A conversation that takes changes: it exists and is not archived.
    pub(crate) fn open_channel(&self, id: &str) -> Result<&Channel, &'static str> {
        let channel = self.channel(id)?;
        if channel.archived { Err("is_archived") } else { Ok(channel) }
    }

    /// An open conversation `bot` is a member of (`not_in_channel` otherwise).
    pub(crate) fn member_channel(&self, id: &str, bot: &Bot) -> Result<&Channel, &'static str> {
        let channel = self.open_channel(id)?;
        if channel.is_member(&bot.user_id) { Ok(channel) } else { Err("not_in_channel") }
    }

    /// The conversation id for a `chat.postMessage` channel: a known `C…`/`G…`/`D…` id, a
    /// `U…` user id (their direct message), or a `#name` or bare name, created on first use.
    pub(crate) fn resolve_target(&mut self, target: &str) -> Result<String, &'static str> {
        if is_id(target, "CGD") {
            return self.channel(target).map(|c| c.id.clone());
        }
        if is_id(target, "UW") {
            return self.open_dm(target).map_err(|_| "channel_not_found");
        }
        let name = target.strip_prefix('#').unwrap_or(target);
        if let Some(channel) = self.channel_named(name) {
            return Ok(channel.id.clone());
        }
        check_channel_name(name).map_err(|_| "channel_not_found")?;
        Ok(self.add_channel(Channel::new(slack_id('C', name), Some(name), ChannelKind::Public)))
    }

    /// The id of the direct-message conversation with an active user, opened if needed.
    pub(crate) fn open_dm(&mut self, user_id: &str) -> Result<String, &'static str> {
        let user = self.active_user(user_id).ok_or("user_not_found")?;
        let (user_id, id) = (user.id.clone(), slack_id('D', &user.id));
        if self.channel(&id).is_err() {
            self.add_channel(Channel::new(id.clone(), None, ChannelKind::Direct { user_id }));
        }
        Ok(id)
    }

    /// `conversations.create`: a new channel named `name` with `bot` as its creator and
    /// first member.
    pub(crate) fn create_channel(&mut self, bot: &Bot, name: &str, private: bool) -> Result<&Channel, &'static str> {
        check_channel_name(name)?;
        // Archived channels keep their names, as in Slack.
        if self.channel_named(name).is_some() {
            return Err("name_taken");
        }
        let kind = if private { ChannelKind::Private } else { ChannelKind::Public };
        let mut channel = Channel::new(slack_id('C', name), Some(name), kind);
        channel.creator = Some(bot.user_id.clone());
        channel.members.push(bot.user_id.clone());
        self.announce(Activity::ChannelCreated { channel: channel.clone() });
        self.add_channel(channel);
        Ok(&self.channels[self.channels.len() - 1])
    }

    /// Why `conversations.invite` cannot bring `user` into `channel` as `bot`, if it can't.
    pub(crate) fn refusal(&self, channel: &Channel, bot: &Bot, user: &str) -> Option<&'static str> {
        if user == bot.user_id {
            Some("cant_invite_self")
        } else if self.active_user(user).is_none() {
            Some("user_not_found")
        } else if channel.is_member(user) {
            Some("already_in_channel")
        } else {
            None
        }
    }

    /// Adds `users` (ids [`refusal`](Self::refusal) accepted) to the channel `channel_id`.
    pub(crate) fn invite(&mut self, channel_id: &str, users: &[&str]) -> Result<&Channel, &'static str> {
        let names =
            users.iter().filter_map(|id| self.users.iter().find(|u| u.id == *id)).map(|u| u.name.to_owned()).collect();
        let index = self.channels.iter().position(|c| c.id == channel_id).ok_or("channel_not_found")?;
        let channel = &mut self.channels[index];
        channel.members.extend(users.iter().map(|&id| id.to_owned()));
        let activity = Activity::Invited { channel: channel.clone(), users: names };
        self.announce(activity);
        Ok(&self.channels[index])
    }

    /// Archives a channel, as an admin would; `false` when there is no such channel (or it
    /// is a direct message, which cannot be archived).
    pub(crate) fn archive(&mut self, id: &str) -> bool {
        match self.channels.iter_mut().find(|c| c.id == id) {
            Some(channel) if !matches!(channel.kind, ChannelKind::Direct { .. }) => {
                channel.archived = true;
                true
            }
            _ => false,
        }
    }

    /// Makes `user_id` a member of the channel `id`, if it is not already.
    pub(super) fn join(&mut self, id: &str, user_id: &str) {
        if let Some(channel) = self.channels.iter_mut().find(|c| c.id == id)
            && !matches!(channel.kind, ChannelKind::Direct { .. })
            && !channel.members.iter().any(|m| m == user_id)
        {
            channel.members.push(user_id.to_owned());
        }
    }

    fn channel_named(&self, name: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.name.as_deref() == Some(name))
    }

    fn add_channel(&mut self, channel: Channel) -> String {
        let id = channel.id.clone();
        self.channels.push(channel);
        id
    }
}

/// Slack's channel-name rules, with the error `conversations.create` gives for each: up to
/// 80 lower-case letters, digits, `-` and `_`, not only punctuation.
fn check_channel_name(name: &str) -> Result<(), &'static str> {
    let punctuation = |c: char| c == '-' || c == '_';
    if name.is_empty() {
        Err("invalid_name_required")
    } else if name.chars().count() > 80 {
        Err("invalid_name_maxlength")
    } else if !name.chars().all(|c| punctuation(c) || (c.is_alphanumeric() && !c.is_uppercase())) {
        Err("invalid_name_specials")
    } else if name.chars().all(punctuation) {
        Err("invalid_name_punctuation")
    } else {
        Ok(())
    }
}
