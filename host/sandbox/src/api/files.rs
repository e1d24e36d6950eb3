//! `files.getUploadURLExternal` and `files.completeUploadExternal`; the bytes in between
//! go to the upload URL (see `upload.rs`).

use serde_json::{Value, json};

use super::{ApiError, Bot, Params, Workspace};
use crate::message::non_empty;
use crate::workspace::Share;

/// The longest `alt_txt` Slack takes.
const MAX_ALT_TXT_CHARS: usize = 1000;
/// The largest snippet Slack takes, 1 MB.
const MAX_SNIPPET_BYTES: u64 = 1 << 20;

/// A file id and the URL its bytes go to, for `filename` of `length` bytes.
pub(super) fn get_upload_url(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let name = params.str("filename");
    let length = params.uint("length");
    let missing: Vec<String> = [("filename", name.is_empty()), ("length", length.is_none())]
        .iter()
        .filter(|(_, missing)| *missing)
        .map(|(field, _)| format!("[ERROR] missing required field: {field}"))
        .collect();
    let Some(length) = length.filter(|_| missing.is_empty()) else {
        return Err(ApiError::with_messages("invalid_arguments", missing));
    };
    if length == 0 {
        return Err("missing_argument".into());
    }
    let alt_txt = non_empty(params.str("alt_txt"));
    if alt_txt.as_ref().is_some_and(|a| a.chars().count() > MAX_ALT_TXT_CHARS) {
        return Err("alt_txt_too_large".into());
    }
    let snippet_type = non_empty(params.str("snippet_type"));
    if snippet_type.is_some() && length > MAX_SNIPPET_BYTES {
        return Err("snippet_too_large".into());
    }
    let (file_id, upload_url) = workspace.reserve_upload(bot, name, length, alt_txt, snippet_type);
    Ok(json!({ "upload_url": upload_url, "file_id": file_id }))
}

/// Finishes the uploads of `files` (`[{"id", "title"}]`, as JSON or a JSON string); with
/// `channel_id` they are shared there in one message (`initial_comment` its text, in the
/// thread of `thread_ts` if given), else they stay private to the app.
pub(super) fn complete_upload(workspace: &mut Workspace, bot: &Bot, params: &Params) -> Result<Value, ApiError> {
    let requested = requested_files(params)?;
    let channel_id = params.str("channel_id");
    let share = (!channel_id.is_empty()).then(|| Share {
        channel_id,
        thread_ts: params.str("thread_ts"),
        comment: non_empty(params.str("initial_comment")),
    });
    let files = workspace.complete_uploads(bot, &requested, share, params.to_value())?;
    Ok(json!({ "files": files }))
}

/// The ids and titles of `files`; `invalid_arguments` unless it is a non-empty array of
/// objects with a string `id`.
fn requested_files(params: &Params) -> Result<Vec<(String, Option<String>)>, ApiError> {
    let invalid = |what: &str, pointer: &str| {
        ApiError::with_messages("invalid_arguments", vec![format!("[ERROR] {what} [json-pointer:{pointer}]")])
    };
    let files = match params.json("files") {
        Ok(None) => return Err(invalid("missing required field: files", "/files")),
        Ok(Some(Value::Array(files))) if !files.is_empty() => files,
        _ => return Err(invalid("must be a non-empty array", "/files")),
    };
    files
        .iter()
        .enumerate()
        .map(|(i, file)| match (file["id"].as_str(), &file["title"]) {
            (Some(id), Value::Null) => Ok((id.to_owned(), None)),
            (Some(id), Value::String(title)) => Ok((id.to_owned(), non_empty(title))),
            (Some(_), _) => Err(invalid("must be a string", &format!("/files/{i}/title"))),
            (None, _) => Err(invalid("missing required field: id", &format!("/files/{i}"))),
        })
        .collect()
}
