//! Uploads: `files.getUploadURLExternal`, the upload URL, `files.completeUploadExternal`.

use super::*;

/// Asks for an upload URL; returns the file id and the URL's path.
async fn reserve(sandbox: &SlackSandbox, filename: &str, length: usize) -> (String, String) {
    let reply = call_form(sandbox, "files.getUploadURLExternal", &format!("filename={filename}&length={length}")).await;
    assert_eq!(reply["ok"], true, "{reply}");
    let url = reply["upload_url"].as_str().unwrap();
    let path = url.strip_prefix(&format!("http://{}", authority(sandbox))).expect("on the sandbox's origin");
    assert!(path.starts_with("/upload/v1/"), "{url}");
    (reply["file_id"].as_str().unwrap().to_owned(), path.to_owned())
}

async fn upload(sandbox: &SlackSandbox, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    send_bytes(sandbox, "POST", path, headers, Bytes::copy_from_slice(body)).await
}

#[tokio::test]
async fn uploads_raw_or_multipart_bytes_then_shares_or_keeps_them() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let csv = b"id,amount\n7,\xff120\n";
    let (report, report_path) = reserve(&sandbox, "report.csv", csv.len()).await;
    assert!(is_slack_id(&json!(report), 'F'));
    let answer = upload(&sandbox, &report_path, &[("content-type", "application/octet-stream")], csv).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, format!("OK - {}", csv.len()).as_str()));
    assert_eq!(sandbox.requests().last().unwrap().api_method(), FILE_UPLOAD);

    let auth = [("authorization", "Bearer xoxb-test")];
    let query = "/api/files.getUploadURLExternal?filename=notes.txt&length=5&alt_txt=Notes&snippet_type=text";
    let notes = send(&sandbox, "GET", query, &auth, "").await.json();
    let notes_path = notes["upload_url"].as_str().unwrap().split_once(&authority(&sandbox)).unwrap().1.to_owned();
    let form =
        b"--B0\r\nContent-Disposition: form-data; name=\"filename\"; filename=\"notes.txt\"\r\n\r\nhello\r\n--B0--\r\n";
    let answer = upload(&sandbox, &notes_path, &[("content-type", "multipart/form-data; boundary=B0")], form).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "OK - 5"));

    let parent = call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "Weekly run" })).await;
    let completed = call(
        &sandbox,
        "files.completeUploadExternal",
        json!({
            "files": [{ "id": report, "title": "Weekly report" }],
            "channel_id": parent["channel"],
            "initial_comment": "Here it is",
            "thread_ts": parent["ts"],
        }),
    )
    .await;
    assert_eq!(completed["ok"], true, "{completed}");
    let file = &completed["files"][0];
    assert_eq!(
        (&file["id"], &file["title"], &file["name"]),
        (&json!(report), &json!("Weekly report"), &json!("report.csv"))
    );
    assert_eq!(
        (&file["mimetype"], &file["filetype"], &file["size"]),
        (&json!("text/csv"), &json!("csv"), &json!(csv.len()))
    );
    assert_eq!(file["channels"], json!([parent["channel"]]));
    let share = &file["shares"]["public"][parent["channel"].as_str().unwrap()][0];
    assert_eq!((&share["channel_name"], &share["thread_ts"]), (&json!("ops"), &parent["ts"]), "{file}");

    let message = sandbox.messages().pop().unwrap();
    assert_eq!((message.text.as_str(), message.thread_ts.as_deref()), ("Here it is", parent["ts"].as_str()));
    assert_eq!(message.files[0]["id"], report);
    assert_eq!(share["ts"], message.ts);
    let replies =
        call(&sandbox, "conversations.replies", json!({ "channel": parent["channel"], "ts": parent["ts"] })).await;
    assert_eq!(
        (&replies["messages"][1]["files"][0]["name"], &replies["messages"][1]["upload"]),
        (&json!("report.csv"), &json!(true))
    );

    let private = call_form(
        &sandbox,
        "files.completeUploadExternal",
        &format!("files=%5B%7B%22id%22%3A%22{}%22%7D%5D", notes["file_id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(private["files"][0]["title"], "notes.txt", "the title defaults to the name: {private}");
    assert_eq!((&private["files"][0]["channels"], &private["files"][0]["mode"]), (&json!([]), &json!("snippet")));

    let files = sandbox.files();
    assert_eq!(files.len(), 2);
    assert_eq!((files[0].bytes.as_deref(), files[0].title.as_str()), (Some(&csv[..]), "Weekly report"));
    let shared = files[0].shared.as_ref().unwrap();
    assert_eq!(
        (shared.channel_id.as_str(), shared.ts.as_str()),
        (parent["channel"].as_str().unwrap(), message.ts.as_str())
    );
    assert_eq!((files[1].bytes.as_deref(), files[1].alt_txt.as_deref()), (Some(&b"hello"[..]), Some("Notes")));
    assert!(files[1].completed && files[1].shared.is_none(), "without channel_id a file stays private");
}

#[tokio::test]
async fn refuses_what_slack_refuses() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let get_url = |body: &'static str| call_form(&sandbox, "files.getUploadURLExternal", body);
    let missing = get_url("").await;
    assert_eq!(error_of(&missing), "invalid_arguments");
    assert_eq!(
        missing["response_metadata"]["messages"],
        json!(["[ERROR] missing required field: filename", "[ERROR] missing required field: length"])
    );
    assert_eq!(error_of(&get_url("filename=a.txt&length=0").await), "missing_argument");
    let alt = format!("filename=a.png&length=3&alt_txt={}", "a".repeat(1001));
    assert_eq!(error_of(&call_form(&sandbox, "files.getUploadURLExternal", &alt).await), "alt_txt_too_large");
    assert_eq!(error_of(&get_url("filename=a.py&length=2000000&snippet_type=python").await), "snippet_too_large");

    let (file, path) = reserve(&sandbox, "a.txt", 3).await;
    let octets = [("content-type", "application/octet-stream")];
    assert_eq!(upload(&sandbox, "/upload/v1/NOPE", &octets, b"abc").await.status, 404);
    assert_eq!(upload(&sandbox, &path, &octets, b"abcd").await.status, 400);
    assert_eq!(send(&sandbox, "GET", &path, &[], "").await.status, 405);
    assert!(sandbox.files()[0].bytes.is_none(), "refused bytes are not kept");

    let complete = |files: Value, extra: Value| {
        let mut params = json!({ "files": files });
        params.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        call(&sandbox, "files.completeUploadExternal", params)
    };
    let no_files = call(&sandbox, "files.completeUploadExternal", json!({ "channel_id": "C1" })).await;
    assert_eq!(error_of(&no_files), "invalid_arguments");
    assert_eq!(error_of(&complete(json!("[not json"), json!({})).await), "invalid_arguments");
    assert_eq!(error_of(&complete(json!([]), json!({})).await), "invalid_arguments");
    assert_eq!(error_of(&complete(json!([{ "title": "x" }]), json!({})).await), "invalid_arguments");
    assert_eq!(error_of(&complete(json!([{ "id": "F0000000000" }]), json!({})).await), "file_not_found");
    assert_eq!(error_of(&complete(json!([{ "id": file }]), json!({})).await), "file_not_found", "no bytes yet");

    assert_eq!(upload(&sandbox, &path, &octets, b"abc").await.status, 200);
    let mine = json!([{ "id": file }]);
    let foreign = call_as(&sandbox, "xoxb-other-app", "files.completeUploadExternal", json!({ "files": mine }));
    assert_eq!(error_of(&foreign.await), "access_denied");
    let random = channel_id(&sandbox, "random");
    assert_eq!(error_of(&complete(mine.clone(), json!({ "channel_id": random })).await), "not_in_channel");
    assert_eq!(error_of(&complete(mine.clone(), json!({ "channel_id": "C0000000000" })).await), "channel_not_found");
    let general = channel_id(&sandbox, "general");
    let unknown_thread = complete(mine.clone(), json!({ "channel_id": general, "thread_ts": "1.000001" })).await;
    assert_eq!(error_of(&unknown_thread), "thread_not_found");
    assert!(!sandbox.files()[0].completed && sandbox.messages().is_empty(), "a failed share changes nothing");

    assert_eq!(complete(mine.clone(), json!({ "channel_id": general })).await["ok"], true);
    assert_eq!(error_of(&complete(mine, json!({})).await), "file_not_found", "an upload completes once");
    assert_eq!(upload(&sandbox, &path, &octets, b"abc").await.status, 404, "nor takes bytes after");
}

#[tokio::test]
async fn uploads_can_be_scripted() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let (file, path) = reserve(&sandbox, "a.txt", 1).await;
    sandbox.script(FILE_UPLOAD, ScriptedReply::Http { status: 500, headers: vec![], body: "busy".into() });
    sandbox.script("files.completeUploadExternal", ScriptedReply::RateLimited { retry_after_seconds: 3 });
    let octets = [("content-type", "application/octet-stream")];
    assert_eq!(upload(&sandbox, &path, &octets, b"x").await.status, 500);
    assert!(sandbox.files()[0].bytes.is_none());
    assert_eq!(upload(&sandbox, &path, &octets, b"x").await.status, 200);

    let headers = [("authorization", "Bearer xoxb-test"), ("content-type", "application/json")];
    let body = json!({ "files": [{ "id": file }] }).to_string();
    let limited = send(&sandbox, "POST", "/api/files.completeUploadExternal", &headers, &body).await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, "3"));
    assert_eq!(call(&sandbox, "files.completeUploadExternal", json!({ "files": [{ "id": file }] })).await["ok"], true);
}
