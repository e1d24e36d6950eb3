//! `reactions.add`, `pins.add` and `pins.remove`: marks on a message, named by `channel`
//! (an id) and `timestamp`.

use serde_json::{Value, json};

use super::{ApiError, Bot, Params, Workspace, ts_key};

pub(super) fn react(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let (channel, ts) = target(params)?;
    let name = params.str("name");
    if !is_emoji_name(name) {
        return Err("invalid_name".into());
    }
    workspace.react(channel, ts, bot, name)?;
    Ok(json!({}))
}

pub(super) fn pin(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let (channel, ts) = target(params)?;
    workspace.set_pinned(channel, ts, bot, true)?;
    Ok(json!({}))
}

pub(super) fn unpin(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let (channel, ts) = target(params)?;
    workspace.set_pinned(channel, ts, bot, false)?;
    Ok(json!({}))
}

/// The conversation id and ts of the message to mark: `no_item_specified` without a
/// `timestamp`, `bad_timestamp` when it is not one.
fn target(params: &Params) -> Result<(&str, &str), ApiError> {
    let ts = params.str("timestamp");
    if ts.is_empty() {
        return Err("no_item_specified".into());
    }
    if ts_key(ts).is_none() {
        return Err("bad_timestamp".into());
    }
    Ok((params.str("channel"), ts))
}

/// Slack's emoji names, without colons: lower-case letters, digits, `_`, `+`, `-` and
/// `'`, with an optional skin tone (`thumbsup::skin-tone-2`). Any such name counts, as the
/// sandbox keeps no emoji list.
fn is_emoji_name(name: &str) -> bool {
    let (base, tone) = name.split_once("::").unwrap_or((name, ""));
    let base_ok =
        !base.is_empty() && base.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_+-'".contains(c));
    let tone_ok = tone.is_empty() || matches!(tone.strip_prefix("skin-tone-"), Some("2" | "3" | "4" | "5" | "6"));
    base_ok && tone_ok
}
