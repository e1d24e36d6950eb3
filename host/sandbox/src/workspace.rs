//! The emulated workspace: its team, users and messages; channels, marks on messages and
//! files live in the submodules.

mod channels;
mod files;
mod marks;

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

pub use channels::{Channel, ChannelKind};
pub use files::{FileShare, UploadedFile};
pub use marks::Reaction;

pub(super) use files::{Share, UploadError};

use super::activity::Activity;
use super::message::{Content, PostedMessage};

/// The team name `auth.test` reports; also the seed of the team id.
pub(super) const TEAM_NAME: &str = "herald sandbox";

/// The name Slack shows for the app's bot user.
pub(super) const APP_NAME: &str = "herald";

/// The workspace's web address, as `auth.test` reports it.
pub(super) const WORKSPACE_URL: &str = "https://herald-sandbox.slack.com/";

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
    pub(super) app_id: String,
}

impl Bot {
    /// The bot identified by `seed` (a token, or a webhook's bot segment).
    pub(super) fn new(seed: &str) -> Bot {
        Bot { user_id: slack_id('U', seed), bot_id: slack_id('B', seed), app_id: slack_id('A', seed) }
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
    /// The user object of `users.lookupByEmail` and `users.list`.
    pub(super) fn to_json(&self, team_id: &str) -> Value {
        json!({
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": self.deleted,
            "is_bot": false,
            "is_app_user": false,
            "profile": { "email": self.email, "real_name": self.real_name, "display_name": self.name },
        })
    }
}

/// The most items a page of any list method holds (Slack's own maximum).
pub(super) const MAX_PAGE: usize = 1000;

/// A change the `on_message` and `on_activity` callbacks have yet to hear about.
pub(super) enum Announcement {
    /// A message was posted or updated.
    Message(PostedMessage),
    /// Something else happened.
    Activity(Activity),
}

/// All workspace state, behind the sandbox's lock.
pub(super) struct Workspace {
    team_id: String,
    /// The sandbox's own origin, e.g. `http://127.0.0.1:41234`, which upload URLs point to.
    origin: String,
    users: Vec<User>,
    channels: Vec<Channel>,
    messages: Vec<PostedMessage>,
    files: Vec<UploadedFile>,
    last_ts_micros: u64,
    /// Changes not yet handed to the callbacks, which run outside the lock, oldest first.
    unannounced: Vec<Announcement>,
    /// The most messages one page of `conversations.history`/`replies` holds (see
    /// `SlackSandbox::set_history_page_limit`).
    pub(super) history_page_limit: usize,
}

impl Workspace {
    /// A workspace served at `origin`, with the seeded users and channels (see
    /// [`channels`]).
    pub(super) fn new(origin: String) -> Workspace {
        let mut workspace = Workspace {
            team_id: slack_id('T', TEAM_NAME),
            origin,
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
            files: Vec::new(),
            last_ts_micros: 0,
            unannounced: Vec::new(),
            history_page_limit: MAX_PAGE,
        };
        workspace.seed_channels();
        workspace
    }

    pub(super) fn team_id(&self) -> &str {
        &self.team_id
    }

    pub(super) fn messages(&self) -> &[PostedMessage] {
        &self.messages
    }

    /// Every user, deactivated ones included, in seeding order.
    pub(super) fn users(&self) -> &[User] {
        &self.users
    }

    /// An active user by e-mail (case-insensitive).
    pub(super) fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users.iter().find(|u| !u.deleted && u.email.eq_ignore_ascii_case(email))
    }

    /// An active user by id.
    fn active_user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| !u.deleted && u.id == id)
    }

    /// Posts a message to an existing conversation, into the thread of `thread_ts` unless
    /// it is empty (a reply to a reply joins the same thread, as in Slack). The poster
    /// joins the channel: Slack lets only members post, and the sandbox lets a bot post
    /// anywhere as if it had been invited first.
    pub(super) fn post(
        &mut self,
        channel_id: &str,
        thread_ts: &str,
        bot: &Bot,
        content: Content,
    ) -> Result<PostedMessage, &'static str> {
        let channel = self.open_channel(channel_id)?;
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
        self.join(channel_id, &bot.user_id);
        let mut message = PostedMessage {
            channel_id: channel_id.to_owned(),
            channel_name,
            dm_user,
            ts: self.next_ts(),
            thread_ts,
            user_id: bot.user_id.clone(),
            bot_id: bot.bot_id.clone(),
            app_id: bot.app_id.clone(),
            ..PostedMessage::default()
        };
        content.apply_to(&mut message);
        self.messages.push(message.clone());
        self.unannounced.push(Announcement::Message(message.clone()));
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
        let message = self.message_mut(channel_id, ts)?;
        if message.bot_id != bot.bot_id {
            return Err("cant_update_message");
        }
        content.apply_to(message);
        message.edited = true;
        let message = message.clone();
        self.unannounced.push(Announcement::Message(message.clone()));
        Ok(message)
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
        let mut json = message.to_json(&self.team_id, with_metadata);
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

    /// Changes since the last call, oldest first.
    pub(super) fn take_unannounced(&mut self) -> Vec<Announcement> {
        std::mem::take(&mut self.unannounced)
    }

    fn announce(&mut self, activity: Activity) {
        self.unannounced.push(Announcement::Activity(activity));
    }

    fn message(&self, channel_id: &str, ts: &str) -> Option<&PostedMessage> {
        self.messages.iter().find(|m| m.channel_id == channel_id && m.ts == ts)
    }

    /// The message at `channel_id` + `ts`, to change it (`message_not_found` otherwise).
    fn message_mut(&mut self, channel_id: &str, ts: &str) -> Result<&mut PostedMessage, &'static str> {
        self.messages.iter_mut().find(|m| m.channel_id == channel_id && m.ts == ts).ok_or("message_not_found")
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

fn now_micros() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_micros() as u64)
}

/// The current Unix time in seconds.
pub(super) fn now_seconds() -> u64 {
    now_micros() / 1_000_000
}
