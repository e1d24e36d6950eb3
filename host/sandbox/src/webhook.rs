//! Incoming webhooks: `POST /services/T…/B…/<name>` posts to the channel `#<name>`.

use serde_json::Value;

use super::message::Content;
use super::request::{Params, ReceivedRequest, form_pairs};
use super::server::Reply;
use super::workspace::{Bot, Workspace};

/// Answers a webhook post: plain `ok`, or a plain-text error code, as Slack does.
pub(super) fn handle(workspace: &mut Workspace, request: &ReceivedRequest) -> Reply {
    match post(workspace, request) {
        Ok(()) => Reply::text(200, "ok"),
        Err(code) => Reply::text(status_of(code), code),
    }
}

/// The HTTP status incoming webhooks answer an error code with.
pub(super) fn status_of(code: &str) -> u16 {
    match code {
        "no_service" | "channel_not_found" => 404,
        "channel_is_archived" => 410,
        "action_prohibited" | "invalid_token" | "no_active_hooks" | "team_disabled" => 403,
        "rollup_error" => 500,
        _ => 400,
    }
}

fn post(workspace: &mut Workspace, request: &ReceivedRequest) -> Result<(), &'static str> {
    let hook = request.path.strip_prefix("/services/").unwrap_or_default();
    let [team, bot, name] = hook.split('/').collect::<Vec<_>>()[..] else {
        return Err("no_service");
    };
    if !team.starts_with('T') || !bot.starts_with('B') || name.is_empty() {
        return Err("no_service");
    }
    let params = payload(request).ok_or("invalid_payload")?;
    let mut content = Content::from_params(&params).map_err(|error| error.code)?;
    // An app's webhook always posts as the app, to its own channel.
    content.username = None;
    content.icon_emoji = None;
    let channel = workspace.resolve_target(&format!("#{}", name.to_lowercase()))?;
    // Webhooks name an archived channel with a code of their own.
    let archived = |code| if code == "is_archived" { "channel_is_archived" } else { code };
    workspace.post(&channel, params.str("thread_ts"), &Bot::new(bot), content).map_err(archived)?;
    Ok(())
}

/// The JSON payload: the body itself, or the `payload` field of a form body.
fn payload(request: &ReceivedRequest) -> Option<Params> {
    let payload = match request.json() {
        Some(json) => json,
        None => {
            let (_, json) = form_pairs(&request.body).find(|(key, _)| key == "payload")?;
            serde_json::from_str(&json).ok()?
        }
    };
    match payload {
        Value::Object(fields) => Some(Params(fields)),
        _ => None,
    }
}
