//! Attaching documents (`files.upload` is retired): each file is uploaded with
//! `files.getUploadURLExternal` and a POST of its bytes to the URL Slack hands out, and
//! once the message is posted, `files.completeUploadExternal` shares them all after it, in
//! the same conversation and thread.

use serde::Deserialize;
use serde_json::{Value, json};

use super::client::{SlackClient, TIMEOUTS, connection_error};
use super::errors::SlackError;
use crate::documents::Document;
use crate::wasi_http;

/// How errors of the POST to an upload URL name the call.
const UPLOAD: &str = "files upload";

/// What `files.getUploadURLExternal` hands out: where to send the bytes, and the file's id.
#[derive(Deserialize)]
struct UploadTicket {
    upload_url: String,
    file_id: String,
}

/// Uploads one document; returns its file id. The file is private to the app until it is
/// shared.
pub fn upload(client: &SlackClient<'_>, document: &Document) -> Result<String, SlackError> {
    let length = document.bytes.len().to_string();
    let ticket: UploadTicket =
        client.read("files.getUploadURLExternal", &[("filename", &document.name), ("length", &length)])?;
    // The upload URL is Slack's own capability: it takes no token.
    let reply =
        wasi_http::post(&ticket.upload_url, &[("content-type", "application/octet-stream")], &document.bytes, TIMEOUTS)
            .map_err(|error| connection_error(UPLOAD, error))?;
    match reply.status {
        200 => Ok(ticket.file_id),
        status => Err(SlackError::HttpStatus { method: UPLOAD, status }),
    }
}

/// Shares uploaded files (id, title) in `channel`, in the thread of `thread` when given.
pub fn share(
    client: &SlackClient<'_>,
    files: &[(String, String)],
    channel: &str,
    thread: Option<&str>,
) -> Result<(), SlackError> {
    let files: Vec<Value> = files.iter().map(|(id, title)| json!({ "id": id, "title": title })).collect();
    let mut body = json!({ "files": files, "channel_id": channel });
    if let Some(thread) = thread {
        body["thread_ts"] = json!(thread);
    }
    client.call::<Value>("files.completeUploadExternal", &body).map(drop)
}
