//! `conversations.create` and `conversations.invite`.

use serde_json::{Value, json};

use super::{ApiError, Bot, Params, Workspace};
use crate::workspace::ChannelKind;

/// The most users one `conversations.invite` takes.
const MAX_INVITEES: usize = 1000;

/// A new public or private channel, the calling bot its creator and first member.
pub(super) fn create(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let channel = workspace.create_channel(bot, params.str("name"), params.flag("is_private"))?;
    Ok(json!({ "channel": channel.to_json(&bot.user_id) }))
}

/// Brings `users` (comma-separated ids) into `channel`, which the bot must be in. As in
/// Slack, one refused user fails the call and invites no one, each refusal listed in
/// `errors`; with `force`, the others are invited and the refusals still listed.
pub(super) fn invite(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let mut users: Vec<&str> = Vec::new();
    for user in params.str("users").split(',').map(str::trim).filter(|u| !u.is_empty()) {
        if !users.contains(&user) {
            users.push(user);
        }
    }
    if users.is_empty() {
        return Err("no_user".into());
    }
    if users.len() > MAX_INVITEES {
        return Err("too_many_users".into());
    }
    let channel = workspace.channel(params.str("channel"))?;
    if matches!(channel.kind, ChannelKind::Direct { .. }) {
        return Err("method_not_supported_for_channel_type".into());
    }
    let channel = workspace.member_channel(&channel.id, bot)?;
    let mut welcome = Vec::new();
    let mut refused = Vec::new();
    for user in users {
        match workspace.refusal(channel, bot, user) {
            Some(error) => refused.push((user, error)),
            None => welcome.push(user),
        }
    }
    let errors: Vec<Value> =
        refused.iter().map(|(user, error)| json!({ "user": user, "ok": false, "error": error })).collect();
    if let Some(&(_, first)) = refused.first()
        && (!params.flag("force") || welcome.is_empty())
    {
        return Err(ApiError::with("errors", first, errors.into()));
    }
    let id = channel.id.clone();
    let mut reply = json!({ "channel": workspace.invite(&id, &welcome)?.to_json(&bot.user_id) });
    if !errors.is_empty() {
        reply["errors"] = errors.into();
    }
    Ok(reply)
}
