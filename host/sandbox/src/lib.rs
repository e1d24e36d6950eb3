//! The built-in Slack sandbox: a Slack Web API emulator on loopback inside the herald
//! process.
//!
//! `herald run` starts it when neither `SLACK_BOT_TOKEN` nor `SLACK_API_URL` is set and
//! prints each message as Slack would show it; the integration tests start it in the test
//! process, point a `herald` subprocess at [`SlackSandbox::api_url`], then assert on
//! [`SlackSandbox::requests`] and script failures with [`SlackSandbox::script`].
//!
//! Emulated: `auth.test`, `chat.postMessage`, `chat.update`, `conversations.open`,
//! `conversations.list`, `conversations.history`, `conversations.replies`,
//! `conversations.info`, `conversations.create`, `conversations.invite`, `reactions.add`,
//! `pins.add`, `pins.remove`, `users.list`, `users.lookupByEmail`,
//! `files.getUploadURLExternal` with its upload URLs (`POST /upload/v1/…`),
//! `files.completeUploadExternal`, and incoming webhooks
//! (`POST /services/T…/B…/<channel>`). Messages reach [`SlackSandbox::on_message`],
//! everything else clients do [`SlackSandbox::on_activity`].

mod activity;
mod api;
mod display;
mod message;
mod request;
mod script;
mod server;
mod upload;
mod webhook;
mod workspace;

pub use activity::{Activity, render_activity};
pub use display::render_message;
pub use message::PostedMessage;
pub use request::{FILE_UPLOAD, INCOMING_WEBHOOK, ReceivedRequest};
pub use script::ScriptedReply;
pub use server::{SandboxError, SlackSandbox};
pub use workspace::{Channel, ChannelKind, FileShare, Reaction, UploadedFile};

#[cfg(test)]
mod tests;
