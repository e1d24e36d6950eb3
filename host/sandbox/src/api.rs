//! The emulated Web API methods, `/api/<method>`: dispatch, authentication, paging and
//! the message methods here, the others by subject in the submodules.

mod conversations;
mod files;
mod marks;
mod users;

use serde_json::{Map, Value, json};

use super::message::{Content, PostedMessage};
use super::request::{Params, ReceivedRequest};
use super::server::Reply;
use super::workspace::{APP_NAME, Bot, MAX_PAGE, TEAM_NAME, WORKSPACE_URL, Workspace};

/// The start of the opaque paging cursors handed out in `response_metadata.next_cursor`.
const CURSOR_PREFIX: &str = "next:";

/// A Slack `ok:false` reply: the error code, plus the fields Slack adds to some errors
/// (`response_metadata.messages` saying which block is invalid, `errors` per user).
#[derive(Debug)]
pub(super) struct ApiError {
    pub(super) code: &'static str,
    pub(super) extra: Map<String, Value>,
}

impl ApiError {
    /// An error whose `response_metadata.messages` say what was wrong.
    pub(super) fn with_messages(code: &'static str, messages: Vec<String>) -> ApiError {
        ApiError::with("response_metadata", code, json!({ "messages": messages }))
    }

    /// An error with one more field `key` in the reply.
    fn with(key: &str, code: &'static str, value: Value) -> ApiError {
        ApiError { code, extra: Map::from_iter([(key.to_owned(), value)]) }
    }
}

impl From<&'static str> for ApiError {
    fn from(code: &'static str) -> ApiError {
        ApiError { code, extra: Map::new() }
    }
}

type Method = fn(&mut Workspace, &Bot, &Params) -> Result<Value, ApiError>;

/// Answers a Web API call; errors are HTTP 200 with `ok:false`, as in Slack, except an
/// unknown method.
pub(super) fn handle(workspace: &mut Workspace, request: &ReceivedRequest) -> Reply {
    let Some(method) = method(request.api_method()) else {
        return Reply::json(404, &json!({ "ok": false, "error": "unknown_method" }));
    };
    let result = authenticate(request).and_then(|bot| method(workspace, &bot, &request.params()?));
    let body = match result {
        Ok(mut body) => {
            body["ok"] = true.into();
            body
        }
        Err(error) => {
            let mut body = Map::from_iter([("ok".to_owned(), false.into()), ("error".to_owned(), error.code.into())]);
            body.extend(error.extra);
            Value::Object(body)
        }
    };
    Reply::json(200, &body)
}

fn method(name: &str) -> Option<Method> {
    Some(match name {
        "auth.test" => auth_test,
        "chat.postMessage" => post_message,
        "chat.update" => update,
        "conversations.open" => open,
        "conversations.list" => list,
        "conversations.history" => history,
        "conversations.replies" => replies,
        "conversations.info" => info,
        "conversations.create" => conversations::create,
        "conversations.invite" => conversations::invite,
        "reactions.add" => marks::react,
        "pins.add" => marks::pin,
        "pins.remove" => marks::unpin,
        "users.list" => users::list,
        "users.lookupByEmail" => users::lookup_by_email,
        "files.getUploadURLExternal" => files::get_upload_url,
        "files.completeUploadExternal" => files::complete_upload,
        _ => return None,
    })
}

/// The bot of the request's bearer token: `not_authed` without one, `invalid_auth` when it
/// is not a Slack token.
fn authenticate(request: &ReceivedRequest) -> Result<Bot, ApiError> {
    let token = request
        .header("authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or("not_authed")?;
    if !token.starts_with("xox") {
        return Err("invalid_auth".into());
    }
    Ok(Bot::new(token))
}

fn auth_test(workspace: &mut Workspace, bot: &Bot, _: &Params) -> Result<Value, ApiError> {
    Ok(json!({
        "url": WORKSPACE_URL,
        "team": TEAM_NAME,
        "user": APP_NAME,
        "team_id": workspace.team_id(),
        "user_id": bot.user_id,
        "bot_id": bot.bot_id,
    }))
}

fn post_message(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let target = params.str("channel");
    if target.is_empty() {
        return Err("channel_not_found".into());
    }
    // Content first, so a rejected post does not create its channel.
    let content = Content::from_params(params)?;
    let channel = workspace.resolve_target(target)?;
    let message = workspace.post(&channel, params.str("thread_ts"), bot, content)?;
    Ok(json!({ "channel": channel, "ts": message.ts, "message": message.to_json(workspace.team_id(), true) }))
}

fn update(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    // By id only: Slack's chat.update takes neither names nor user ids.
    let channel = workspace.channel(params.str("channel"))?.id.clone();
    let content = Content::from_params(params)?;
    let message = workspace.update(&channel, params.str("ts"), bot, content)?;
    Ok(json!({
        "channel": channel,
        "ts": message.ts,
        "text": message.text,
        "message": message.to_json(workspace.team_id(), true),
    }))
}

fn open(workspace: &mut Workspace, _: &Bot, params: &Params) -> Result<Value, ApiError> {
    match params.str("users") {
        "" => Err("users_list_not_supplied".into()),
        user => Ok(json!({ "channel": { "id": workspace.open_dm(user)? } })),
    }
}

fn list(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let types = match params.str("types") {
        "" => "public_channel",
        types => types,
    };
    let channels: Vec<Value> = workspace
        .channels()
        .iter()
        .filter(|c| types.split(',').any(|t| t.trim() == c.type_name()))
        .map(|c| c.to_json(&bot.user_id))
        .collect();
    let (page, next_cursor) = page(&channels, params)?;
    Ok(json!({ "channels": page, "response_metadata": { "next_cursor": next_cursor } }))
}

/// A channel's messages, newest first, as `conversations.history` pages them: between
/// `oldest` and `latest` (exclusive unless `inclusive`), thread replies left out.
fn history(workspace: &mut Workspace, _: &Bot, params: &Params) -> Result<Value, ApiError> {
    let channel = workspace.channel(params.str("channel"))?;
    let window = Window::of(params)?;
    let messages: Vec<&PostedMessage> =
        workspace.history(&channel.id).into_iter().filter(|m| window.holds(&m.ts)).collect();
    messages_page(workspace, &messages, params)
}

/// A thread: its first message, then the replies between `oldest` and `latest`, oldest
/// first.
fn replies(workspace: &mut Workspace, _: &Bot, params: &Params) -> Result<Value, ApiError> {
    let channel = workspace.channel(params.str("channel"))?;
    let window = Window::of(params)?;
    let parent = params.str("ts");
    let messages: Vec<&PostedMessage> =
        workspace.thread(&channel.id, parent).into_iter().filter(|m| m.ts == parent || window.holds(&m.ts)).collect();
    if messages.is_empty() {
        return Err("thread_not_found".into());
    }
    messages_page(workspace, &messages, params)
}

/// One page of messages as `conversations.history` and `conversations.replies` answer:
/// metadata only with `include_all_metadata`, at most the workspace's page limit.
fn messages_page(workspace: &Workspace, messages: &[&PostedMessage], params: &Params) -> Result<Value, ApiError> {
    let with_metadata = params.flag("include_all_metadata");
    let (page, next_cursor) = page_of(messages, params, workspace.history_page_limit)?;
    let page: Vec<Value> = page.iter().map(|m| workspace.history_json(m, with_metadata)).collect();
    Ok(json!({
        "messages": page,
        "has_more": !next_cursor.is_empty(),
        "response_metadata": { "next_cursor": next_cursor },
    }))
}

/// The time range of a history request.
struct Window {
    oldest: Option<(u64, u64)>,
    latest: Option<(u64, u64)>,
    inclusive: bool,
}

impl Window {
    fn of(params: &Params) -> Result<Window, ApiError> {
        let bound = |key: &str| match params.str(key) {
            "" => Ok(None),
            ts => ts_key(ts).map(Some).ok_or(ApiError::from(if key == "oldest" {
                "invalid_ts_oldest"
            } else {
                "invalid_ts_latest"
            })),
        };
        Ok(Window { oldest: bound("oldest")?, latest: bound("latest")?, inclusive: params.flag("inclusive") })
    }

    fn holds(&self, ts: &str) -> bool {
        let Some(ts) = ts_key(ts) else { return false };
        let after = self.oldest.is_none_or(|oldest| ts > oldest || (self.inclusive && ts == oldest));
        let before = self.latest.is_none_or(|latest| ts < latest || (self.inclusive && ts == latest));
        after && before
    }
}

/// A Slack timestamp as (seconds, microseconds), for comparing; `None` when malformed.
fn ts_key(ts: &str) -> Option<(u64, u64)> {
    let (seconds, fraction) = ts.split_once('.').unwrap_or((ts, ""));
    if fraction.len() > 6 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let micros = if fraction.is_empty() { 0 } else { format!("{fraction:0<6}").parse().ok()? };
    Some((seconds.parse().ok()?, micros))
}

fn info(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    Ok(json!({ "channel": workspace.channel(params.str("channel"))?.to_json(&bot.user_id) }))
}

/// Slack's cursor paging: up to `limit` items (default 100, at most 1000) from `cursor`,
/// and the next page's cursor, empty after the last page.
fn page<'a, T>(items: &'a [T], params: &Params) -> Result<(&'a [T], String), ApiError> {
    page_of(items, params, MAX_PAGE)
}

/// [`page`] with pages of at most `most` items (the default `limit` too, when smaller).
fn page_of<'a, T>(items: &'a [T], params: &Params, most: usize) -> Result<(&'a [T], String), ApiError> {
    let start = match params.str("cursor") {
        "" => 0,
        cursor => cursor
            .strip_prefix(CURSOR_PREFIX)
            .and_then(|n| n.parse().ok())
            .filter(|&n| n < items.len())
            .ok_or("invalid_cursor")?,
    };
    let limit =
        params.uint("limit").filter(|&n| n > 0).map_or(100, |n| usize::try_from(n).unwrap_or(usize::MAX)).min(most);
    let end = items.len().min(start + limit);
    let next_cursor = if end < items.len() { format!("{CURSOR_PREFIX}{end}") } else { String::new() };
    Ok((&items[start..end], next_cursor))
}
