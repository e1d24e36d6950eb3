//! Incoming webhooks: the message JSON POSTed to the webhook's URL, which answers with a
//! plain `ok` or a plain-text error code instead of the Web API's JSON.

use serde::Serialize;

use super::client::{JSON_CONTENT_TYPE, TIMEOUTS, connection_error, retry_after};
use super::errors::SlackError;
use super::message::Content;
use crate::values::SECRET_PLACEHOLDER;
use crate::wasi_http;

/// How errors name a webhook post, in the place of a Web API method.
pub const WEBHOOK: &str = "incoming webhook";

/// The JSON body of a webhook post: app webhooks cannot override channel, name or icon,
/// so there are none.
#[derive(Debug, Serialize, PartialEq)]
pub struct WebhookMessage<'a> {
    /// What the message shows.
    #[serde(flatten)]
    pub content: &'a Content,
    /// The `ts` of the message to reply to in its thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_ts: Option<&'a str>,
    /// Whether Slack previews links.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_links: Option<bool>,
    /// Whether Slack previews media.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfurl_media: Option<bool>,
}

/// POSTs `message` to the webhook at `url`, which may be a secret placeholder the host's
/// egress hook turns into the real URL on the way out.
pub fn post(url: &str, message: &WebhookMessage<'_>) -> Result<(), SlackError> {
    // A whole-URL placeholder stands where the host goes; wasi:http needs a full URL around
    // it, which the host then replaces with the secret URL.
    let url = if url.starts_with(SECRET_PLACEHOLDER) { format!("https://{url}/") } else { url.to_owned() };
    let json = serde_json::to_vec(message).expect("a webhook message serializes to JSON");
    let headers = [("content-type", JSON_CONTENT_TYPE)];
    let reply = wasi_http::post(&url, &headers, &json, TIMEOUTS).map_err(|error| connection_error(WEBHOOK, error))?;
    let header_retry_after = reply.retry_after.as_deref().map(|value| retry_after(Some(value)));
    let body = String::from_utf8_lossy(&reply.body);
    if reply.status == 200 && body.trim() == "ok" {
        return Ok(());
    }
    Err(webhook_error(reply.status, &body, header_retry_after))
}

/// The error a webhook's answer describes: a plain-text code, or for HTTP 429 a JSON body
/// with `retry_after`; a body without a code is read from the status.
pub fn webhook_error(status: u16, body: &str, header_retry_after: Option<u32>) -> SlackError {
    let body = body.trim();
    if status == 429 {
        let from_body = serde_json::from_str::<serde_json::Value>(body)
            .ok()
            .and_then(|reply| reply.get("retry_after")?.as_u64())
            .and_then(|seconds| u32::try_from(seconds).ok());
        return SlackError::RateLimited {
            method: WEBHOOK,
            retry_after_seconds: header_retry_after.or(from_body).unwrap_or(super::errors::DEFAULT_RETRY_AFTER_SECONDS),
        };
    }
    let is_code = !body.is_empty() && body.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    let code = if is_code {
        Some(body)
    } else {
        match status {
            400 => Some("invalid_payload"),
            403 => Some("action_prohibited"),
            404 => Some("no_service"),
            410 => Some("channel_is_archived"),
            _ => None,
        }
    };
    match code {
        Some(code) if status != 200 => {
            SlackError::Api { method: WEBHOOK, code: code.to_owned(), needed: None, details: None }
        }
        _ if status == 200 => SlackError::InvalidReply { method: WEBHOOK, status },
        _ => SlackError::HttpStatus { method: WEBHOOK, status },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::errors::FailureKind;

    fn kind_and_code(status: u16, body: &str) -> (FailureKind, String) {
        let error = webhook_error(status, body, None);
        (error.kind(), error.code())
    }

    #[test]
    fn webhook_codes_map_through_the_error_table() {
        use FailureKind::*;
        let cases = [
            (400, "invalid_payload", Rejected),
            (400, "user_not_found", NotFound),
            (403, "action_prohibited", Rejected),
            (403, "invalid_token", Unauthorized),
            (404, "channel_not_found", NotFound),
            (404, "no_service", NotFound),
            (410, "channel_is_archived", Rejected),
            (500, "rollup_error", Transient),
        ];
        for (status, body, kind) in cases {
            assert_eq!(kind_and_code(status, body), (kind, body.to_owned()), "{body}");
        }
        assert_eq!(kind_and_code(404, ""), (NotFound, "no_service".into()));
        assert_eq!(kind_and_code(503, "<html>"), (Transient, "http_503".into()));
        assert_eq!(kind_and_code(200, "nope!"), (Rejected, "invalid_response".into()));
        assert!(webhook_error(404, "channel_not_found", None).hint().contains("webhook"));
    }

    #[test]
    fn rate_limits_take_the_header_or_the_body() {
        let body = r#"{"retry_after":7,"ok":false,"error":"rate_limited"}"#;
        assert_eq!(webhook_error(429, body, None).retry_after_seconds(), 7);
        assert_eq!(webhook_error(429, body, Some(30)).retry_after_seconds(), 30);
        assert_eq!(webhook_error(429, "", None).retry_after_seconds(), 1);
        assert_eq!(webhook_error(429, "", None).kind(), FailureKind::RateLimited);
    }

    #[test]
    fn the_body_has_no_channel_name_or_icon() {
        let content = Content::new(Some("hi".into()), None, None);
        let message =
            WebhookMessage { content: &content, thread_ts: Some("1.2"), unfurl_links: Some(false), unfurl_media: None };
        assert_eq!(
            serde_json::to_value(&message).unwrap(),
            serde_json::json!({"text": "hi", "thread_ts": "1.2", "unfurl_links": false})
        );
    }
}
