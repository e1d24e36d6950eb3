//! The upload URLs `files.getUploadURLExternal` hands out: `POST /upload/v1/<key>` with
//! the file's bytes, raw or as a multipart form, answered `OK - <length>` as Slack does.
//! Slack documents only that any other status is a failure; the sandbox answers 404 for
//! an unknown URL and 400 for a body of another length than declared.

use std::ops::Range;

use super::request::{ReceivedRequest, UPLOAD_PATH};
use super::server::Reply;
use super::workspace::{UploadError, Workspace};

/// Takes an upload's bytes.
pub(super) fn handle(workspace: &mut Workspace, request: &ReceivedRequest) -> Reply {
    if request.http_method != "POST" {
        return Reply::text(405, "method_not_allowed");
    }
    let key = request.path.strip_prefix(UPLOAD_PATH).unwrap_or_default();
    let bytes = match request.header("content-type").and_then(boundary) {
        Some(boundary) => match file_part(&request.raw_body, boundary) {
            Some(part) => request.raw_body.slice(part),
            None => return Reply::text(400, "invalid_form_data"),
        },
        None => request.raw_body.clone(),
    };
    match workspace.receive_upload(key, bytes) {
        Ok(length) => Reply::text(200, &format!("OK - {length}")),
        Err(error) => {
            let status = match error {
                UploadError::UnknownUrl => 404,
                UploadError::LengthMismatch { .. } => 400,
            };
            Reply::text(status, &error.to_string())
        }
    }
}

/// The boundary of a `multipart/form-data` Content-Type.
fn boundary(content_type: &str) -> Option<&str> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| p.trim().strip_prefix("boundary=")).map(|b| b.trim_matches('"'))
}

/// Where the file is in a multipart body: the first part with a file name (as
/// `curl -F file=@report.csv` sends), else the part named `file`.
fn file_part(body: &[u8], boundary: &str) -> Option<Range<usize>> {
    let delimiter = format!("\r\n--{boundary}");
    // The first delimiter may open the body, without the line break before it.
    let mut at = find(body, &delimiter.as_bytes()[2..])? + delimiter.len() - 2;
    let mut parts = Vec::new();
    while !body[at..].starts_with(b"--") {
        let start = at + 2;
        let head_end = start + find(body.get(start..)?, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&body[start..head_end]).to_ascii_lowercase();
        let content = head_end + 4;
        let end = content + find(&body[content..], delimiter.as_bytes())?;
        parts.push((head, content..end));
        at = end + delimiter.len();
    }
    let disposition =
        |head: &str| head.lines().find(|l| l.starts_with("content-disposition:")).unwrap_or("").to_owned();
    let named_file = |d: &str| d.contains("name=\"file\"") || d.split(';').any(|p| p.trim() == "name=file");
    let file = parts.iter().find(|(head, _)| disposition(head).contains("filename="));
    file.or_else(|| parts.iter().find(|(head, _)| named_file(&disposition(head)))).map(|(_, range)| range.clone())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|window| window == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_part_of_a_multipart_body() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nxoxb\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"a.bin\"\r\n\
            Content-Type: application/octet-stream\r\n\r\n\x00\r\n--X\xff\r\n--XyZ--\r\n";
        let marker = boundary("multipart/form-data; boundary=\"XyZ\"").unwrap();
        let part = file_part(body, marker).unwrap();
        assert_eq!(&body[part], b"\x00\r\n--X\xff");

        let named = b"--b\r\ncontent-disposition: form-data; name=file\r\n\r\nhello\r\n--b--";
        assert_eq!(&named[file_part(named, "b").unwrap()], b"hello");
        assert_eq!(file_part(b"--b\r\ncontent-disposition: form-data; name=x\r\n\r\nv\r\n--b--", "b"), None);
        assert_eq!(file_part(b"no parts here", "b"), None);
        assert_eq!(boundary("application/octet-stream"), None);
    }
}
