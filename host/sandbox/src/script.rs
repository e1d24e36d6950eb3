//! Scripted replies: failures a test queues for the next calls of a method.

use std::collections::{HashMap, VecDeque};

use serde_json::{Value, json};

use super::server::{JSON_CONTENT_TYPE, Reply};
use super::webhook;

/// A reply to send instead of the emulated behaviour.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptedReply {
    /// HTTP 200 `{"ok":false,"error":code}` plus the fields of `extra` (e.g. `needed` for
    /// `missing_scope`); for an incoming webhook, the plain-text code with Slack's status.
    SlackError {
        /// Slack's error code, e.g. `channel_not_found`.
        code: String,
        /// More fields of the reply.
        extra: Value,
    },
    /// HTTP 429 with `Retry-After: seconds` and `{"ok":false,"error":"ratelimited"}`
    /// (the webhook form, `{"retry_after":…,"ok":false,"error":"rate_limited"}`, for a
    /// webhook).
    RateLimited {
        /// The `Retry-After` seconds.
        retry_after_seconds: u32,
    },
    /// Any status, headers and body, e.g. 500 `internal error`; `Content-Type` defaults to
    /// JSON.
    Http {
        /// The HTTP status.
        status: u16,
        /// Headers, as name and value.
        headers: Vec<(String, String)>,
        /// The body.
        body: String,
    },
    /// Handles the request as usual (a message is posted), then closes the connection
    /// without a reply, as when the reply is lost on its way back.
    DropReply,
    /// Handles the request as usual and answers it: a place in the queue for a call that
    /// goes through before the next scripted one.
    Pass,
    /// Takes the request and never answers, as a server that hangs: the client waits
    /// until it gives up.
    Silent,
}

/// What a scripted reply asks of the server.
pub(super) enum Scripted {
    /// Send this instead of emulating.
    Instead(Reply),
    /// Emulate, then send nothing.
    Drop,
    /// Emulate and answer as usual.
    Pass,
    /// Never answer.
    Silent,
}

impl ScriptedReply {
    /// The HTTP reply, in the Web API's or in the incoming webhooks' dialect, or what to
    /// do instead.
    pub(super) fn into_reply(self, webhook: bool) -> Scripted {
        Scripted::Instead(match self {
            ScriptedReply::DropReply => return Scripted::Drop,
            ScriptedReply::Pass => return Scripted::Pass,
            ScriptedReply::Silent => return Scripted::Silent,
            ScriptedReply::SlackError { code, .. } if webhook => Reply::text(webhook::status_of(&code), &code),
            ScriptedReply::SlackError { code, extra } => {
                let mut body = json!({ "ok": false, "error": code });
                if let (Value::Object(body), Value::Object(extra)) = (&mut body, extra) {
                    body.extend(extra);
                }
                Reply::json(200, &body)
            }
            ScriptedReply::RateLimited { retry_after_seconds } => {
                let body = if webhook {
                    json!({ "retry_after": retry_after_seconds, "ok": false, "error": "rate_limited" })
                } else {
                    json!({ "ok": false, "error": "ratelimited" })
                };
                let mut reply = Reply::json(429, &body);
                reply.headers.push(("retry-after".into(), retry_after_seconds.to_string()));
                reply
            }
            ScriptedReply::Http { status, mut headers, body } => {
                if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-type")) {
                    headers.push(("content-type".into(), JSON_CONTENT_TYPE.into()));
                }
                Reply { status, headers, body }
            }
        })
    }
}

/// The queued replies of each method, first in first out.
#[derive(Debug, Default)]
pub(super) struct Script(HashMap<String, VecDeque<ScriptedReply>>);

impl Script {
    pub(super) fn push(&mut self, method: &str, reply: ScriptedReply) {
        self.0.entry(method.to_owned()).or_default().push_back(reply);
    }

    /// The next queued reply for `method`, if any.
    pub(super) fn pop(&mut self, method: &str) -> Option<ScriptedReply> {
        self.0.get_mut(method)?.pop_front()
    }
}
