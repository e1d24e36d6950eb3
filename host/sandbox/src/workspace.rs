//! The emulated workspace: its team, users, channels and messages.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::message::{Content, PostedMessage};

/// The team name `auth.test` reports; also the seed of the team id.
pub(super) const TEAM_NAME: &str = "herald sandbox";

/// Users present from the start: name, real name, e-mail, deactivated.
const SEEDED_USERS: [(&str, &str, &str, bool); 3] = [
    ("ada", "Ada Lovelace", "ada@example.com", false),
    ("grace", "Grace Hopper", "grace@example.com", false),
    ("charles", "Charles Babbage", "charles@example.com", true),
];

/// The identity a request posts as. Each token (and each webhook) is its own bot, so a
/// message posted with one token cannot be updated with another, as in Slack.
pub(super) struct Bot {
    pub(super) user_id: String,
    pub(super) bot_id: String,
}

impl Bot {
    /// The bot identified by `seed` (a token, or a webhook's bot segment).
    pub(super) fn new(seed: &str) -> Bot {
        Bot { user_id: slack_id('U', seed), bot_id: slack_id('B', seed) }
    }
}

/// A workspace member.
pub(super) struct User {
    id: String,
    name: &'static str,
    real_name: &'static str,
    email: &'static str,
    deleted: bool,
}

impl User {
    /// The user object of `users.lookupByEmail`.
    pub(super) fn to_json(&self, team_id: &str) -> Value {
        json!({
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": false,
            "profile": { "email": self.email, "real_name": self.real_name, "display_name": self.name },
        })
    }
}

enum ChannelKind {
    Public,
    Private,
    Direct { user_id: String },
}

/// A conversation: public or private channel, or direct message.
pub(super) struct Channel {
    pub(super) id: String,
    name: Option<String>,
    kind: ChannelKind,
    created: u64,
}

impl Channel {
    /// The `types` value of `conversations.list` that selects this conversation.
    pub(super) fn type_name(&self) -> &'static str {
        match self.kind {
            ChannelKind::Public => "public_channel",
            ChannelKind::Private => "private_channel",
            ChannelKind::Direct { .. } => "im",
        }
    }

    /// The conversation object of `conversations.list` and `conversations.info`.
    pub(super) fn to_json(&self) -> Value {
        match &self.kind {
            ChannelKind::Direct { user_id } => json!({
                "id": self.id,
                "created": self.created,
                "is_im": true,
                "user": user_id,
            }),
            kind => json!({
                "id": self.id,
                "name": self.name,
                "created": self.created,
                "is_channel": true,
                "is_group": false,
                "is_im": false,
                "is_private": matches!(kind, ChannelKind::Private),
                "is_archived": false,
                "is_general": self.name.as_deref() == Some("general"),
                "is_member": true,
            }),
        }
    }
}

/// The most items a page of any list method holds (Slack's own maximum).
pub(super) const MAX_PAGE: usize = 1000;

/// All workspace state, behind the sandbox's lock.
pub(super) struct Workspace {
    team_id: String,
    users: Vec<User>,
    channels: Vec<Channel>,
    messages: Vec<PostedMessage>,
    last_ts_micros: u64,
    /// Posts and updates not yet handed to the `on_message` callbacks, which run outside
    /// the lock.
    unannounced: Vec<PostedMessage>,
    /// The most messages one page of `conversations.history`/`replies` holds (see
    /// `SlackSandbox::set_history_page_limit`).
    pub(super) history_page_limit: usize,
}

impl Workspace {
    /// A workspace with the seeded users and channels `#general`, `#random` and the
    /// private `#ops-private`.
    pub(super) fn new() -> Workspace {
        let mut workspace = Workspace {
            team_id: slack_id('T', TEAM_NAME),
            users: SEEDED_USERS
                .iter()
                .map(|&(name, real_name, email, deleted)| User {
                    id: slack_id('U', email),
                    name,
                    real_name,
                    email,
                    deleted,
                })
                .collect(),
            channels: Vec::new(),
            messages: Vec::new(),
            last_ts_micros: 0,
            unannounced: Vec::new(),
            history_page_limit: MAX_PAGE,
        };
        for name in ["general", "random"] {
            workspace.add_channel(slack_id('C', name), Some(name), ChannelKind::Public);
        }
        workspace.add_channel(slack_id('G', "ops-private"), Some("ops-private"), ChannelKind::Private);
        workspace
    }

    pub(super) fn team_id(&self) -> &str {
        &self.team_id
    }

    pub(super) fn channels(&self) -> &[Channel] {
        &self.channels
    }

    pub(super) fn messages(&self) -> &[PostedMessage] {
        &self.messages
    }

    /// A conversation by id (`channel_not_found` otherwise).
    pub(super) fn channel(&self, id: &str) -> Result<&Channel, &'static str> {
        self.channels.iter().find(|c| c.id == id).ok_or("channel_not_found")
    }

    /// The conversation id for a `chat.postMessage` channel: a known `C…`/`G…`/`D…` id, a
    /// `U…` user id (their direct message), or a `#name` or bare name, created on first use.
    pub(super) fn resolve_target(&mut self, target: &str) -> Result<String, &'static str> {
        if is_id(target, "CGD") {
            return self.channel(target).map(|c| c.id.clone());
        }
        if is_id(target, "UW") {
            return self.open_dm(target).map_err(|_| "channel_not_found");
        }
        let name = target.strip_prefix('#').unwrap_or(target);
        if let Some(channel) = self.channels.iter().find(|c| c.name.as_deref() == Some(name)) {
            return Ok(channel.id.clone());
        }
        if !is_channel_name(name) {
            return Err("channel_not_found");
        }
        Ok(self.add_channel(slack_id('C', name), Some(name), ChannelKind::Public))
    }

    /// An active user by e-mail (case-insensitive).
    pub(super) fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users.iter().find(|u| !u.deleted && u.email.eq_ignore_ascii_case(email))
    }

    /// The id of the direct-message conversation with an active user, opened if needed.
    pub(super) fn open_dm(&mut self, user_id: &str) -> Result<String, &'static str> {
        let user = self.users.iter().find(|u| !u.deleted && u.id == user_id).ok_or("user_not_found")?;
        let (user_id, id) = (user.id.clone(), slack_id('D', &user.id));
        if self.channel(&id).is_err() {
            self.add_channel(id.clone(), None, ChannelKind::Direct { user_id });
        }
        Ok(id)
    }

    /// Posts a message to an existing conversation, into the thread of `thread_ts` unless
    /// it is empty (a reply to a reply joins the same thread, as in Slack).
    pub(super) fn post(
        &mut self,
        channel_id: &str,
        thread_ts: &str,
        bot: &Bot,
        content: Content,
    ) -> Result<PostedMessage, &'static str> {
        let channel = self.channel(channel_id)?;
        let (channel_name, dm_user) = match &channel.kind {
            ChannelKind::Direct { user_id } => {
                (None, self.users.iter().find(|u| u.id == *user_id).map(|u| u.name.to_owned()))
            }
            _ => (channel.name.clone(), None),
        };
        let thread_ts = match thread_ts {
            "" => None,
            ts => {
                let parent = self.message(channel_id, ts).ok_or("thread_not_found")?;
                Some(parent.thread_ts.clone().unwrap_or_else(|| parent.ts.clone()))
            }
        };
        let mut message = PostedMessage {
            channel_id: channel_id.to_owned(),
            channel_name,
            dm_user,
            ts: self.next_ts(),
            thread_ts,
            user_id: bot.user_id.clone(),
            bot_id: bot.bot_id.clone(),
            ..PostedMessage::default()
        };
        content.apply_to(&mut message);
        self.messages.push(message.clone());
        self.unannounced.push(message.clone());
        Ok(message)
    }

    /// Updates the message at `channel_id` + `ts`, which only the bot that posted it may do.
    pub(super) fn update(
        &mut self,
        channel_id: &str,
        ts: &str,
        bot: &Bot,
        content: Content,
    ) -> Result<PostedMessage, &'static str> {
        let message =
            self.messages.iter_mut().find(|m| m.channel_id == channel_id && m.ts == ts).ok_or("message_not_found")?;
        if message.bot_id != bot.bot_id {
            return Err("cant_update_message");
        }
        content.apply_to(message);
        message.edited = true;
        self.unannounced.push(message.clone());
        Ok(message.clone())
    }

    /// A conversation's messages outside threads (replies live in their thread), newest
    /// first, as `conversations.history` lists them.
    pub(super) fn history(&self, channel_id: &str) -> Vec<&PostedMessage> {
        self.messages.iter().rev().filter(|m| m.channel_id == channel_id && m.thread_ts.is_none()).collect()
    }

    /// The message `ts` of `channel_id` and its replies, oldest first; empty if there is no
    /// such message.
    pub(super) fn thread(&self, channel_id: &str, ts: &str) -> Vec<&PostedMessage> {
        self.messages
            .iter()
            .filter(|m| m.channel_id == channel_id && (m.ts == ts || m.thread_ts.as_deref() == Some(ts)))
            .collect()
    }

    /// The message object of `conversations.history`: a thread's first message also
    /// carries `thread_ts`, `reply_count` and `latest_reply`.
    pub(super) fn history_json(&self, message: &PostedMessage, with_metadata: bool) -> Value {
        let mut json = message.to_json(with_metadata);
        let replies: Vec<&PostedMessage> = self
            .messages
            .iter()
            .filter(|r| r.channel_id == message.channel_id && r.thread_ts.as_ref() == Some(&message.ts))
            .collect();
        if let Some(latest) = replies.last() {
            json["thread_ts"] = message.ts.clone().into();
            json["reply_count"] = replies.len().into();
            json["latest_reply"] = latest.ts.clone().into();
        }
        json
    }

    /// Posts and updates since the last call, oldest first.
    pub(super) fn take_unannounced(&mut self) -> Vec<PostedMessage> {
        std::mem::take(&mut self.unannounced)
    }

    fn message(&self, channel_id: &str, ts: &str) -> Option<&PostedMessage> {
        self.messages.iter().find(|m| m.channel_id == channel_id && m.ts == ts)
    }

    fn add_channel(&mut self, id: String, name: Option<&str>, kind: ChannelKind) -> String {
        let created = now_micros() / 1_000_000;
        self.channels.push(Channel { id: id.clone(), name: name.map(str::to_owned), kind, created });
        id
    }

    /// A fresh `ts`: the current time in microseconds, but always after the previous one,
    /// because clients use `ts` as the message's key.
    fn next_ts(&mut self) -> String {
        self.last_ts_micros = now_micros().max(self.last_ts_micros + 1);
        format!("{}.{:06}", self.last_ts_micros / 1_000_000, self.last_ts_micros % 1_000_000)
    }
}

/// A Slack-style id: `prefix` and 10 upper-case alphanumerics derived from `seed`, so a
/// name gets the same id in every run and tests can rely on it.
pub(super) fn slack_id(prefix: char, seed: &str) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    // FNV-1a, because std's hasher may change between Rust releases.
    let mut hash = std::iter::once(prefix as u8)
        .chain(seed.bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    let mut id = String::from(prefix);
    for _ in 0..10 {
        id.push(char::from(DIGITS[(hash % 36) as usize]));
        hash /= 36;
    }
    id
}

/// Whether `s` looks like a Slack id with one of `prefixes` (ids are upper case, names
/// never are).
fn is_id(s: &str, prefixes: &str) -> bool {
    s.len() >= 9
        && s.starts_with(|c| prefixes.contains(c))
        && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Slack's channel-name rule: up to 80 lower-case letters, digits, `-` and `_`.
fn is_channel_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 80
        && name.chars().all(|c| c == '-' || c == '_' || (c.is_alphanumeric() && !c.is_uppercase()))
}

fn now_micros() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}
