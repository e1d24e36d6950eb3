//! `users.list` and `users.lookupByEmail`, over the workspace's people.

use serde_json::{Value, json};

use super::{ApiError, Bot, Params, Workspace, page};
use crate::workspace::now_seconds;

/// Every user, deactivated ones too (`deleted: true`), in pages as Slack gives them.
pub(super) fn list(workspace: &mut Workspace, _: &Bot, params: &Params) -> Result<Value, ApiError> {
    let members: Vec<Value> = workspace.users().iter().map(|u| u.to_json(workspace.team_id())).collect();
    let (members, next_cursor) = page(&members, params)?;
    Ok(json!({ "members": members, "cache_ts": now_seconds(), "response_metadata": { "next_cursor": next_cursor } }))
}

pub(super) fn lookup_by_email(workspace: &mut Workspace, _: &Bot, params: &Params) -> Result<Value, ApiError> {
    let user = workspace.user_by_email(params.str("email")).ok_or("users_not_found")?;
    Ok(json!({ "user": user.to_json(workspace.team_id()) }))
}
