//! What clients do in the workspace besides posting and updating messages, for the
//! `on_activity` callbacks, and its one-line rendering.

use super::display::{human_size, mrkdwn, place};
use super::message::PostedMessage;
use super::workspace::{APP_NAME, Channel, ChannelKind, UploadedFile};

/// The most characters of a message's text a line quotes.
const QUOTE_CHARS: usize = 40;

/// Something a client did in the sandbox workspace other than posting or updating a
/// message (those reach `SlackSandbox::on_message`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Activity {
    /// `conversations.create` made a channel.
    ChannelCreated {
        /// The new channel.
        channel: Channel,
    },
    /// `conversations.invite` brought people into a channel.
    Invited {
        /// The channel, with its new members.
        channel: Channel,
        /// The names of the invited users.
        users: Vec<String>,
    },
    /// `reactions.add` put an emoji on a message.
    Reacted {
        /// The message, with the reaction.
        message: PostedMessage,
        /// The emoji name, without colons.
        reaction: String,
    },
    /// `pins.add` pinned a message.
    Pinned {
        /// The message.
        message: PostedMessage,
    },
    /// `pins.remove` unpinned a message.
    Unpinned {
        /// The message.
        message: PostedMessage,
    },
    /// `files.completeUploadExternal` finished an upload (a shared file's message reaches
    /// `on_message` right after).
    FileUploaded {
        /// The file.
        file: UploadedFile,
    },
}

/// Renders an activity as one line, as a Slack client would note it: actions in a
/// conversation start with it, like messages (`#ops · herald reacted :eyes: to “Deploy
/// done”`, `#ops · herald invited @ada`, `#ops · herald pinned “Deploy done”`); the others
/// name what they made (`herald created #launch-2026 (private)`, `herald uploaded
/// report.csv (1.2 kB)`, marked `(private)` when not shared).
pub fn render_activity(activity: &Activity) -> String {
    let in_message = |m: &PostedMessage, what: String| {
        format!("{} · {APP_NAME} {what}", place(m.channel_name.as_deref(), m.dm_user.as_deref(), &m.channel_id))
    };
    match activity {
        Activity::ChannelCreated { channel } => {
            let private = if channel.kind == ChannelKind::Private { " (private)" } else { "" };
            format!("{APP_NAME} created {}{private}", place(channel.name.as_deref(), None, &channel.id))
        }
        Activity::Invited { channel, users } => {
            let users: Vec<String> = users.iter().map(|u| format!("@{u}")).collect();
            format!("{} · {APP_NAME} invited {}", place(channel.name.as_deref(), None, &channel.id), users.join(", "))
        }
        Activity::Reacted { message, reaction } => {
            in_message(message, format!("reacted :{reaction}: to {}", quote(message)))
        }
        Activity::Pinned { message } => in_message(message, format!("pinned {}", quote(message))),
        Activity::Unpinned { message } => in_message(message, format!("unpinned {}", quote(message))),
        Activity::FileUploaded { file } => {
            let size = human_size(file.bytes.as_ref().map_or(0, |b| b.len()));
            let private = if file.shared.is_none() { " (private)" } else { "" };
            format!("{APP_NAME} uploaded {} ({size}){private}", file.name)
        }
    }
}

/// A message as a line refers to it: the start of its text's first line in quotes, cut
/// between words, else its ts.
fn quote(message: &PostedMessage) -> String {
    let text = mrkdwn(message.text.lines().next().unwrap_or_default());
    if text.trim().is_empty() {
        return message.ts.clone();
    }
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => {
            let start = &text[..cut];
            let words = start.rfind(char::is_whitespace).map_or(start, |space| &start[..space]);
            format!("“{}…”", words.trim_end())
        }
        None => format!("“{text}”"),
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::workspace::FileShare;

    fn message(text: &str) -> PostedMessage {
        PostedMessage {
            channel_id: "C0000000001".into(),
            channel_name: Some("ops".into()),
            ts: "1795000000.000100".into(),
            text: text.into(),
            ..PostedMessage::default()
        }
    }

    fn channel(kind: ChannelKind) -> Channel {
        Channel {
            id: "C0000000002".into(),
            name: Some("launch-2026".into()),
            kind,
            created: 0,
            creator: None,
            members: Vec::new(),
            archived: false,
        }
    }

    #[test]
    fn renders_each_activity_on_one_line() {
        let long = "Deploy of *herald* 0.2 finished &amp; verified on every host in the fleet";
        let file = UploadedFile {
            id: "F0000000001".into(),
            name: "report.csv".into(),
            title: "report.csv".into(),
            alt_txt: None,
            snippet_type: None,
            length: 1234,
            bytes: Some(Bytes::from(vec![b'x'; 1234])),
            user_id: "U0000000001".into(),
            created: 0,
            completed: true,
            shared: None,
        };
        let shared = UploadedFile {
            shared: Some(FileShare { channel_id: "C1".into(), ts: "1.000001".into() }),
            bytes: Some(Bytes::from_static(b"id\n")),
            ..file.clone()
        };
        let cases = [
            (
                Activity::ChannelCreated { channel: channel(ChannelKind::Private) },
                "herald created #launch-2026 (private)",
            ),
            (Activity::ChannelCreated { channel: channel(ChannelKind::Public) }, "herald created #launch-2026"),
            (
                Activity::Invited { channel: channel(ChannelKind::Public), users: vec!["ada".into(), "grace".into()] },
                "#launch-2026 · herald invited @ada, @grace",
            ),
            (
                Activity::Reacted { message: message("Deploy done\nall green"), reaction: "eyes".into() },
                "#ops · herald reacted :eyes: to “Deploy done”",
            ),
            (Activity::Pinned { message: message(long) }, "#ops · herald pinned “Deploy of *herald* 0.2 finished &…”"),
            (Activity::Unpinned { message: message("") }, "#ops · herald unpinned 1795000000.000100"),
            (Activity::FileUploaded { file }, "herald uploaded report.csv (1.2 kB) (private)"),
            (Activity::FileUploaded { file: shared }, "herald uploaded report.csv (3 B)"),
        ];
        for (activity, line) in cases {
            assert_eq!(render_activity(&activity), line);
        }
    }
}
