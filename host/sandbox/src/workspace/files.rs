//! Files, uploaded as Slack takes them since `files.upload` retired:
//! `files.getUploadURLExternal` hands out an id and an upload URL, the client sends the
//! bytes there, and `files.completeUploadExternal` makes the file, shared to a channel as a
//! message or kept private to the app.

use bytes::Bytes;
use serde_json::{Value, json};

use super::super::message::Content;
use super::super::request::UPLOAD_PATH;
use super::{Activity, Announcement, Bot, ChannelKind, WORKSPACE_URL, Workspace, now_seconds, slack_id};

/// A file of the sandbox workspace, from the moment its upload URL was handed out.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedFile {
    /// The file id, `F…`.
    pub id: String,
    /// The file name given to `files.getUploadURLExternal`.
    pub name: String,
    /// The title given to `files.completeUploadExternal`, else the name.
    pub title: String,
    /// The image description for screen readers, when given.
    pub alt_txt: Option<String>,
    /// The syntax of a snippet, when given.
    pub snippet_type: Option<String>,
    /// The length in bytes declared to `files.getUploadURLExternal`.
    pub length: u64,
    /// The bytes sent to the upload URL; `None` until they arrive.
    pub bytes: Option<Bytes>,
    /// The user id of the bot that uploads it.
    pub user_id: String,
    /// When its upload URL was handed out, in Unix seconds.
    pub created: u64,
    /// Whether `files.completeUploadExternal` has finished the upload.
    pub completed: bool,
    /// Where `files.completeUploadExternal` shared it; `None` while it stays private to the
    /// app.
    pub shared: Option<FileShare>,
}

/// The message that shared a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileShare {
    /// The conversation it was shared to.
    pub channel_id: String,
    /// The ts of the message that carries it.
    pub ts: String,
}

/// Why bytes sent to an upload URL were refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UploadError {
    /// No upload waits at the URL: it was never handed out, or its file is complete.
    #[error("no upload waits at this URL")]
    UnknownUrl,
    /// The body is not as long as `files.getUploadURLExternal` was told.
    #[error("the upload has {received} bytes, not the {declared} declared")]
    LengthMismatch {
        /// The declared `length`.
        declared: u64,
        /// The bytes received.
        received: usize,
    },
}

/// Where `files.completeUploadExternal` shares its files, and the message's text.
pub(crate) struct Share<'a> {
    pub(crate) channel_id: &'a str,
    pub(crate) thread_ts: &'a str,
    pub(crate) comment: Option<String>,
}

impl Workspace {
    pub(crate) fn files(&self) -> &[UploadedFile] {
        &self.files
    }

    /// `files.getUploadURLExternal`: a new file and the absolute URL its bytes go to.
    pub(crate) fn reserve_upload(
        &mut self,
        bot: &Bot,
        name: &str,
        length: u64,
        alt_txt: Option<String>,
        snippet_type: Option<String>,
    ) -> (String, String) {
        let id = slack_id('F', &format!("file-{}", self.files.len()));
        let url = format!("{}{UPLOAD_PATH}{}", self.origin, upload_key(&id));
        self.files.push(UploadedFile {
            id: id.clone(),
            name: name.to_owned(),
            title: name.to_owned(),
            alt_txt,
            snippet_type,
            length,
            bytes: None,
            user_id: bot.user_id.clone(),
            created: now_seconds(),
            completed: false,
            shared: None,
        });
        (id, url)
    }

    /// Takes the bytes sent to the upload URL ending in `key`, replacing any sent before;
    /// returns their length.
    pub(crate) fn receive_upload(&mut self, key: &str, bytes: Bytes) -> Result<usize, UploadError> {
        let file =
            self.files.iter_mut().find(|f| !f.completed && upload_key(&f.id) == key).ok_or(UploadError::UnknownUrl)?;
        if bytes.len() as u64 != file.length {
            return Err(UploadError::LengthMismatch { declared: file.length, received: bytes.len() });
        }
        file.bytes = Some(bytes);
        Ok(file.length as usize)
    }

    /// `files.completeUploadExternal`: finishes the uploads of `requested` (id and title),
    /// shares them in one message when `share` says where, and returns their file objects.
    /// An upload completes once: its ticket is used up, so a second call finds no file.
    pub(crate) fn complete_uploads(
        &mut self,
        bot: &Bot,
        requested: &[(String, Option<String>)],
        share: Option<Share>,
        raw: Value,
    ) -> Result<Vec<Value>, &'static str> {
        let mut indices = Vec::with_capacity(requested.len());
        for (id, _) in requested {
            let index = self
                .files
                .iter()
                .position(|f| f.id == *id && !f.completed && f.bytes.is_some())
                .ok_or("file_not_found")?;
            if self.files[index].user_id != bot.user_id {
                return Err("access_denied");
            }
            indices.push(index);
        }
        if let Some(share) = &share {
            self.member_channel(share.channel_id, bot)?;
        }
        for (&index, (_, title)) in indices.iter().zip(requested) {
            if let Some(title) = title {
                self.files[index].title.clone_from(title);
            }
        }
        let announced = self.unannounced.len();
        let message = match share {
            Some(share) => {
                let files = indices.iter().map(|&i| self.file_json(&self.files[i])).collect();
                let content = Content::file_share(share.comment, files, raw);
                // On failure (an unknown thread), no file has changed yet.
                Some(self.post(share.channel_id, share.thread_ts, bot, content)?)
            }
            None => None,
        };
        let mut activities = Vec::with_capacity(indices.len());
        for &index in &indices {
            let file = &mut self.files[index];
            file.completed = true;
            file.shared = message.as_ref().map(|m| FileShare { channel_id: m.channel_id.clone(), ts: m.ts.clone() });
            activities.push(Announcement::Activity(Activity::FileUploaded { file: file.clone() }));
        }
        // Announced before the message that shares them: a reader sees the upload first.
        self.unannounced.splice(announced..announced, activities);
        Ok(indices.iter().map(|&i| self.file_json(&self.files[i])).collect())
    }

    /// The file object of Slack replies and messages.
    fn file_json(&self, file: &UploadedFile) -> Value {
        let (mimetype, filetype) = file_type(&file.name, file.snippet_type.as_deref());
        let slug: String = file
            .name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c.to_ascii_lowercase() } else { '_' })
            .collect();
        let mut json = json!({
            "id": file.id,
            "created": file.created,
            "timestamp": file.created,
            "name": file.name,
            "title": file.title,
            "mimetype": mimetype,
            "filetype": filetype,
            "user": file.user_id,
            "user_team": self.team_id,
            "editable": false,
            "size": file.bytes.as_ref().map_or(0, Bytes::len),
            "mode": if file.snippet_type.is_some() { "snippet" } else { "hosted" },
            "is_external": false,
            "external_type": "",
            "is_public": false,
            "public_url_shared": false,
            "display_as_bot": false,
            "username": "",
            "url_private": format!("https://files.slack.com/files-pri/{}-{}/{slug}", self.team_id, file.id),
            "permalink": format!("{WORKSPACE_URL}files/{}/{}/{slug}", file.user_id, file.id),
            "comments_count": 0,
            "channels": [],
            "groups": [],
            "ims": [],
            "shares": {},
            "has_more_shares": false,
        });
        if let Some(alt_txt) = &file.alt_txt {
            json["alt_txt"] = alt_txt.as_str().into();
        }
        let shared = file.shared.as_ref().and_then(|s| Some((s, self.channel(&s.channel_id).ok()?)));
        if let Some((share, channel)) = shared {
            let (list, visibility) = match channel.kind {
                ChannelKind::Public => ("channels", "public"),
                ChannelKind::Private => ("groups", "private"),
                ChannelKind::Direct { .. } => ("ims", "private"),
            };
            json["is_public"] = (channel.kind == ChannelKind::Public).into();
            json[list] = json!([channel.id]);
            let thread_ts = self.message(&channel.id, &share.ts).and_then(|m| m.thread_ts.clone());
            let mut entry = json!({
                "ts": share.ts,
                "channel_name": channel.name,
                "team_id": self.team_id,
                "share_user_id": file.user_id,
                "reply_users": [],
                "reply_users_count": 0,
                "reply_count": 0,
            });
            if let Some(thread_ts) = thread_ts {
                entry["thread_ts"] = thread_ts.into();
            }
            json["shares"] = json!({ visibility: { channel.id.as_str(): [entry] } });
        }
        json
    }
}

/// The opaque last segment of a file's upload URL.
fn upload_key(file_id: &str) -> String {
    slack_id('V', file_id)
}

/// The MIME type and Slack `filetype` of a file, from its name's extension (a snippet is
/// text of its syntax).
fn file_type(name: &str, snippet_type: Option<&str>) -> (&'static str, String) {
    const TYPES: [(&str, &str, &str); 11] = [
        ("txt", "text/plain", "text"),
        ("csv", "text/csv", "csv"),
        ("json", "application/json", "json"),
        ("md", "text/markdown", "markdown"),
        ("html", "text/html", "html"),
        ("pdf", "application/pdf", "pdf"),
        ("png", "image/png", "png"),
        ("jpg", "image/jpeg", "jpg"),
        ("jpeg", "image/jpeg", "jpg"),
        ("gif", "image/gif", "gif"),
        ("zip", "application/zip", "zip"),
    ];
    if let Some(syntax) = snippet_type {
        return ("text/plain", syntax.to_owned());
    }
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    TYPES
        .iter()
        .find(|(e, ..)| *e == extension)
        .map_or(("application/octet-stream", "binary".to_owned()), |&(_, mime, kind)| (mime, kind.to_owned()))
}
