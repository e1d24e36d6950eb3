//! Calls Slack Web API methods over wasi:http and turns every answer that is not a success
//! into a typed `SlackError`.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasip2::http::types::ErrorCode;

use super::errors::{ConnectionFailure, DEFAULT_RETRY_AFTER_SECONDS, FailureKind, SlackError};
use crate::wasi_http::{self, HttpError, Timeouts};

/// The Content-Type of JSON request bodies, as Slack asks for it.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";
/// The Content-Type of form-encoded request bodies.
const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Where the Web API lives unless `SLACK_API_URL` says otherwise.
const DEFAULT_API_URL: &str = "https://slack.com/api/";

/// The timeouts of every request to Slack: generous enough for a slow Slack, short enough
/// that a dead one fails the attempt and the engine's retry takes over.
pub const TIMEOUTS: Timeouts = Timeouts {
    connect: Duration::from_secs(10),
    first_byte: Duration::from_secs(30),
    between_bytes: Duration::from_secs(30),
};

/// A Slack Web API client that authenticates every call with one bearer token.
pub struct SlackClient<'token> {
    base_url: String,
    token: &'token str,
}

impl<'token> SlackClient<'token> {
    /// A client for the API at `SLACK_API_URL` (default `https://slack.com/api/`).
    ///
    /// The token is normally an opaque placeholder that the host swaps for the secret on the
    /// way out; it is only ever put in the `Authorization` header.
    pub fn from_env(token: &'token str) -> Self {
        let base_url = std::env::var("SLACK_API_URL")
            .ok()
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        SlackClient { base_url, token }
    }

    /// POSTs `body` as JSON to the Web API method `method` and returns the reply of a
    /// successful (`"ok": true`) call.
    pub fn call<R: DeserializeOwned>(&self, method: &'static str, body: &impl Serialize) -> Result<R, SlackError> {
        // Serializing the connector's own body types (strings and JSON values) cannot fail.
        let json = serde_json::to_vec(body).expect("a Slack request body serializes to JSON");
        self.execute(method, JSON_CONTENT_TYPE, &json)
    }

    /// POSTs `params` form-encoded to a read method such as `conversations.list` or
    /// `users.lookupByEmail`.
    ///
    /// Slack takes read methods by POST as well as GET. A GET has no body, so the server may
    /// answer before wasi-http has finished the (empty) request body stream, and that stream
    /// then fails as closed although Slack answered: a form body avoids the race.
    pub fn read<R: DeserializeOwned>(&self, method: &'static str, params: &[(&str, &str)]) -> Result<R, SlackError> {
        let form = form_encode(params);
        self.execute(method, FORM_CONTENT_TYPE, form.as_bytes())
    }

    fn execute<R: DeserializeOwned>(
        &self,
        method: &'static str,
        content_type: &'static str,
        body: &[u8],
    ) -> Result<R, SlackError> {
        let url = method_url(&self.base_url, method);
        let authorization = format!("Bearer {}", self.token);
        let headers = [("content-type", content_type), ("authorization", authorization.as_str())];
        let reply = wasi_http::post(&url, &headers, body, TIMEOUTS).map_err(|error| match error {
            HttpError::InvalidHeaders => SlackError::InvalidToken { method },
            error => connection_error(method, error),
        })?;
        let status = reply.status;
        let retry_after_seconds = retry_after(reply.retry_after.as_deref());
        if status == 429 {
            return Err(SlackError::RateLimited { method, retry_after_seconds });
        }
        if status >= 500 {
            return Err(SlackError::HttpStatus { method, status });
        }
        // Slack answers errors with HTTP 200 and `ok:false`; anything without `ok` is not Slack.
        let not_slack = || match status {
            200..=299 => SlackError::InvalidReply { method, status },
            _ => SlackError::HttpStatus { method, status },
        };
        // A success is read straight into what the caller keeps: no tree of the whole
        // reply (the posted message and all) is built only to be dropped.
        let envelope = serde_json::from_slice::<Envelope>(&reply.body).map_err(|_| not_slack())?;
        if envelope.ok {
            return serde_json::from_slice(&reply.body).map_err(|_| not_slack());
        }
        let reply = serde_json::from_slice::<Value>(&reply.body).map_err(|_| not_slack())?;
        let error = api_error(method, &reply);
        Err(match error.kind() {
            FailureKind::RateLimited => SlackError::RateLimited { method, retry_after_seconds },
            _ => error,
        })
    }
}

/// What every Web API reply has: whether the call succeeded.
#[derive(Deserialize)]
struct Envelope {
    ok: bool,
}

/// `application/x-www-form-urlencoded` pairs, the syntax of a query string.
fn form_encode(pairs: &[(&str, &str)]) -> String {
    let encode = |text: &str| {
        text.bytes()
            .map(|byte| match byte {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => char::from(byte).to_string(),
                _ => format!("%{byte:02X}"),
            })
            .collect::<String>()
    };
    pairs.iter().map(|(key, value)| format!("{}={}", encode(key), encode(value))).collect::<Vec<_>>().join("&")
}

/// The URL of a Web API method under the base URL, with or without its trailing slash.
fn method_url(base_url: &str, method: &str) -> String {
    format!("{}/{method}", base_url.trim_end_matches('/'))
}

/// The seconds of a reply's `Retry-After` header, or the default when absent or not a
/// number.
pub fn retry_after(header: Option<&str>) -> u32 {
    header.and_then(|value| value.trim().parse().ok()).unwrap_or(DEFAULT_RETRY_AFTER_SECONDS)
}

/// The error an `ok:false` reply describes, with Slack's own details.
fn api_error(method: &'static str, reply: &Value) -> SlackError {
    let text = |key: &str| reply.get(key).and_then(Value::as_str).map(str::to_owned);
    let needed = text("needed");
    let mut details: Vec<String> = [("needed", &needed), ("provided", &text("provided"))]
        .into_iter()
        .filter_map(|(label, value)| Some(format!("{label}: {}", value.as_deref()?)))
        .collect();
    details.extend(
        reply
            .pointer("/response_metadata/messages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned),
    );
    SlackError::Api {
        method,
        code: text("error").unwrap_or_else(|| "unknown_error".to_owned()),
        needed,
        details: (!details.is_empty()).then(|| details.join("; ")),
    }
}

/// Classifies a failure to get an answer at all.
pub fn connection_error(method: &'static str, error: HttpError) -> SlackError {
    let failure = match &error {
        HttpError::InvalidUrl(url) => {
            return SlackError::InvalidUrl { method, url: url.clone() };
        }
        HttpError::Failed(ErrorCode::HttpRequestDenied) => ConnectionFailure::Denied,
        HttpError::Failed(
            ErrorCode::DnsTimeout
            | ErrorCode::ConnectionTimeout
            | ErrorCode::ConnectionReadTimeout
            | ErrorCode::ConnectionWriteTimeout
            | ErrorCode::HttpResponseTimeout,
        ) => ConnectionFailure::Timeout,
        _ => ConnectionFailure::Failed,
    };
    SlackError::Connection { method, failure, may_have_arrived: error.may_have_arrived(), detail: error.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_urls_join_with_one_slash() {
        assert_eq!(method_url("https://slack.com/api/", "chat.postMessage"), "https://slack.com/api/chat.postMessage");
        assert_eq!(method_url("http://127.0.0.1:9000/api", "auth.test"), "http://127.0.0.1:9000/api/auth.test");
    }

    #[test]
    fn queries_are_form_encoded() {
        assert_eq!(
            form_encode(&[("email", "ada+x@example.com"), ("types", "public_channel,im")]),
            "email=ada%2Bx%40example.com&types=public_channel%2Cim"
        );
    }

    #[test]
    fn retry_after_defaults_to_one_second() {
        assert_eq!(retry_after(None), 1);
        assert_eq!(retry_after(Some(" 30")), 30);
        assert_eq!(retry_after(Some("soon")), 1);
    }

    #[test]
    fn ok_false_replies_keep_slack_details() {
        let reply = serde_json::json!({
            "ok": false, "error": "missing_scope", "needed": "chat:write", "provided": "users:read"
        });
        let error = api_error("chat.postMessage", &reply);
        assert_eq!(
            error.to_string(),
            "Slack chat.postMessage failed: missing_scope (needed: chat:write; provided: users:read)"
        );
        assert!(error.hint().starts_with("add the `chat:write` scope"));
    }
}
