//! What `on_activity` hears, in order with `on_message`, and scripted replies for the new
//! methods.

use super::*;

#[tokio::test]
async fn announces_each_activity_in_order_with_the_messages() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let printed = Arc::new(Mutex::new(Vec::new()));
    let (messages, activities) = (Arc::clone(&printed), Arc::clone(&printed));
    sandbox.on_message(move |m| messages.lock().unwrap().push(render_message(m)));
    sandbox.on_activity(move |a| activities.lock().unwrap().push(render_activity(a)));

    let created = call(&sandbox, "conversations.create", json!({ "name": "launch-2026", "is_private": true })).await;
    let channel = created["channel"]["id"].clone();
    let ada = user_id(&sandbox, "ada").await;
    call(&sandbox, "conversations.invite", json!({ "channel": channel, "users": ada })).await;
    let posted = call(&sandbox, "chat.postMessage", json!({ "channel": channel, "text": "Go for launch" })).await;
    let ts = posted["ts"].clone();
    call(&sandbox, "reactions.add", json!({ "channel": channel, "timestamp": ts, "name": "rocket" })).await;
    call(&sandbox, "pins.add", json!({ "channel": channel, "timestamp": ts })).await;
    call(&sandbox, "pins.remove", json!({ "channel": channel, "timestamp": ts })).await;
    let url = call_form(&sandbox, "files.getUploadURLExternal", "filename=plan.txt&length=1200").await;
    let path = url["upload_url"].as_str().unwrap().split_once(&authority(&sandbox)).unwrap().1.to_owned();
    send_bytes(&sandbox, "POST", &path, &[], Bytes::from(vec![b'x'; 1200])).await;
    let files = json!([{ "id": url["file_id"] }]);
    call(&sandbox, "files.completeUploadExternal", json!({ "files": files, "channel_id": channel })).await;

    assert_eq!(
        *printed.lock().unwrap(),
        [
            "herald created #launch-2026 (private)",
            "#launch-2026 · herald invited @ada",
            "#launch-2026 · herald\n  Go for launch",
            "#launch-2026 · herald reacted :rocket: to “Go for launch”",
            "#launch-2026 · herald pinned “Go for launch”",
            "#launch-2026 · herald unpinned “Go for launch”",
            "herald uploaded plan.txt (1.2 kB)",
            "#launch-2026 · herald\n  [file: plan.txt (1.2 kB)]",
        ]
    );

    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&heard);
    sandbox.on_activity(move |a| sink.lock().unwrap().push(a.clone()));
    call(&sandbox, "reactions.add", json!({ "channel": channel, "timestamp": ts, "name": "eyes" })).await;
    let heard = heard.lock().unwrap();
    let [Activity::Reacted { message, reaction }] = &heard[..] else { panic!("{heard:?}") };
    assert_eq!((reaction.as_str(), message.ts.as_str(), message.reactions.len()), ("eyes", ts.as_str().unwrap(), 2));
}

#[tokio::test]
async fn the_new_methods_can_be_scripted() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let posted = call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "x" })).await;
    let mark = json!({ "channel": posted["channel"], "timestamp": posted["ts"], "name": "eyes" });
    sandbox.script("reactions.add", ScriptedReply::RateLimited { retry_after_seconds: 2 });
    sandbox.script(
        "conversations.create",
        ScriptedReply::SlackError { code: "missing_scope".into(), extra: json!({ "needed": "channels:manage" }) },
    );
    sandbox.script("pins.add", ScriptedReply::SlackError { code: "ratelimited".into(), extra: Value::Null });

    let headers = [("authorization", "Bearer xoxb-test"), ("content-type", "application/json")];
    let limited = send(&sandbox, "POST", "/api/reactions.add", &headers, &mark.to_string()).await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, "2"));
    assert!(sandbox.messages()[0].reactions.is_empty(), "a scripted reply replaces the emulation");
    assert_eq!(call(&sandbox, "reactions.add", mark.clone()).await["ok"], true);
    let denied = call(&sandbox, "conversations.create", json!({ "name": "new" })).await;
    assert_eq!(denied, json!({ "ok": false, "error": "missing_scope", "needed": "channels:manage" }));
    assert_eq!(error_of(&call(&sandbox, "pins.add", mark).await), "ratelimited");
    assert!(sandbox.channels().iter().all(|c| c.name.as_deref() != Some("new")));
}
