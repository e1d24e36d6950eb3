//! What a client sent: the recorded request and its Slack parameters.

use std::time::Instant;

use bytes::Bytes;
use serde_json::{Map, Value};

/// The [`ReceivedRequest::api_method`] of incoming-webhook posts (`/services/…`), so they
/// can be scripted like Web API methods.
pub const INCOMING_WEBHOOK: &str = "incoming-webhook";

/// The [`ReceivedRequest::api_method`] of file uploads to the URLs
/// `files.getUploadURLExternal` hands out (`/upload/v1/…`), so they can be scripted too.
pub const FILE_UPLOAD: &str = "file-upload";

/// The path under which the sandbox serves upload URLs.
pub(super) const UPLOAD_PATH: &str = "/upload/v1/";

/// One HTTP request as the sandbox received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// The HTTP method, e.g. `POST`.
    pub http_method: String,
    /// The URL path, e.g. `/api/chat.postMessage`.
    pub path: String,
    /// The raw query string without `?`, empty when there is none.
    pub query: String,
    /// The headers in received order, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, decoded as UTF-8 (invalid bytes replaced).
    pub body: String,
    /// The body byte for byte, as file uploads need it.
    pub raw_body: Bytes,
    /// When its head arrived: tests compare the times the server saw requests at, which
    /// a client's start-up cannot blur.
    pub received_at: Instant,
}

impl ReceivedRequest {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// The Slack method name from the path (`chat.postMessage` for
    /// `/api/chat.postMessage`), [`INCOMING_WEBHOOK`] for `/services/…`, [`FILE_UPLOAD`]
    /// for `/upload/v1/…`, else empty.
    pub fn api_method(&self) -> &str {
        if let Some(method) = self.path.strip_prefix("/api/") {
            method
        } else if self.path.starts_with("/services/") {
            INCOMING_WEBHOOK
        } else if self.path.starts_with(UPLOAD_PATH) {
            FILE_UPLOAD
        } else {
            ""
        }
    }

    /// The Slack parameters: the query string overlaid with the body, which is JSON when
    /// the Content-Type says so and form-urlencoded otherwise, as Slack accepts both.
    pub(super) fn params(&self) -> Result<Params, &'static str> {
        let mut params: Map<String, Value> = form_pairs(&self.query).map(|(k, v)| (k, Value::String(v))).collect();
        if self.header("content-type").is_some_and(|t| t.contains("json")) {
            match serde_json::from_str(&self.body) {
                Ok(Value::Object(body)) => params.extend(body),
                Ok(_) => return Err("json_not_object"),
                Err(_) => return Err("invalid_json"),
            }
        } else {
            params.extend(form_pairs(&self.body).map(|(k, v)| (k, Value::String(v))));
        }
        Ok(Params(params))
    }
}

/// Slack method parameters, read leniently as Slack does: form values are strings, JSON
/// values may be numbers, booleans or nested JSON.
#[derive(Debug, Clone, Default)]
pub(super) struct Params(pub(super) Map<String, Value>);

impl Params {
    /// A string parameter; empty when absent or not a string, as Slack treats both alike.
    pub(super) fn str(&self, key: &str) -> &str {
        self.0.get(key).and_then(Value::as_str).unwrap_or("")
    }

    /// A boolean parameter: `true`, `1`, `"true"` or `"1"`.
    pub(super) fn flag(&self, key: &str) -> bool {
        match self.0.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(Value::Number(n)) => n.as_u64() == Some(1),
            Some(Value::String(s)) => s == "true" || s == "1",
            _ => false,
        }
    }

    /// A non-negative integer parameter, given as a JSON number or a numeric string.
    pub(super) fn uint(&self, key: &str) -> Option<u64> {
        match self.0.get(key)? {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// A structured parameter (blocks, attachments, metadata), which form bodies and many
    /// clients send as a JSON-encoded string. `Err` when such a string is not JSON.
    pub(super) fn json(&self, key: &str) -> Result<Option<Value>, ()> {
        match self.0.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => serde_json::from_str(s).map(Some).map_err(drop),
            Some(v) => Ok(Some(v.clone())),
        }
    }

    /// All parameters as one JSON object.
    pub(super) fn to_value(&self) -> Value {
        Value::Object(self.0.clone())
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs (also the query-string syntax).
pub(super) fn form_pairs(encoded: &str) -> impl Iterator<Item = (String, String)> + '_ {
    encoded.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (percent_decode(k), percent_decode(v))
    })
}

fn percent_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match bytes.get(i..i + 3) {
            Some(&[b'%', hi, lo]) => hex(hi).zip(hex(lo)).map(|(hi, lo)| (hi * 16 + lo) as u8),
            _ => None,
        };
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
