//! `reactions.add`, `pins.add` and `pins.remove`.

use super::*;

/// Posts `text` to `#ops` and returns the channel id and ts.
async fn posted(sandbox: &SlackSandbox, text: &str) -> (String, String) {
    let reply = call(sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": text })).await;
    (reply["channel"].as_str().unwrap().to_owned(), reply["ts"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn reacts_once_per_bot_and_emoji() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let (channel, ts) = posted(&sandbox, "Deploy done").await;
    let react = |channel: &str, ts: &str, name: &str| {
        call(&sandbox, "reactions.add", json!({ "channel": channel, "timestamp": ts, "name": name }))
    };

    assert_eq!(error_of(&react("C0000000000", &ts, "eyes").await), "channel_not_found");
    assert_eq!(error_of(&react(&channel, "", "eyes").await), "no_item_specified");
    assert_eq!(error_of(&react(&channel, "yesterday", "eyes").await), "bad_timestamp");
    assert_eq!(error_of(&react(&channel, "1.000001", "eyes").await), "message_not_found");
    for name in ["", ":eyes:", "Eyes", "thumbsup::skin-tone-7", "two words"] {
        assert_eq!(error_of(&react(&channel, &ts, name).await), "invalid_name", "{name:?}");
    }

    assert_eq!(react(&channel, &ts, "eyes").await, json!({ "ok": true }));
    let form = format!("channel={channel}&timestamp={ts}&name=%2B1");
    assert_eq!(call_form(&sandbox, "reactions.add", &form).await, json!({ "ok": true }));
    assert_eq!(react(&channel, &ts, "thumbsup::skin-tone-2").await["ok"], true);
    assert_eq!(error_of(&react(&channel, &ts, "eyes").await), "already_reacted");
    let other = call_as(
        &sandbox,
        "xoxb-other-app",
        "reactions.add",
        json!({ "channel": channel, "timestamp": ts, "name": "eyes" }),
    );
    assert_eq!(other.await["ok"], true, "another bot may add the same emoji");

    let me = call(&sandbox, "auth.test", json!({})).await["user_id"].as_str().unwrap().to_owned();
    let message = &sandbox.messages()[0];
    let eyes = &message.reactions[0];
    assert_eq!((eyes.name.as_str(), eyes.users.len(), eyes.users[0].as_str()), ("eyes", 2, me.as_str()));
    let names: Vec<&str> = message.reactions.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["eyes", "+1", "thumbsup::skin-tone-2"]);
    let history = call(&sandbox, "conversations.history", json!({ "channel": channel })).await;
    assert_eq!(history["messages"][0]["reactions"][0]["count"], 2, "{history}");

    sandbox.archive_channel(&channel);
    assert_eq!(error_of(&react(&channel, &ts, "tada").await), "is_archived");
}

#[tokio::test]
async fn pins_and_unpins_in_channels_the_bot_is_in() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let (channel, ts) = posted(&sandbox, "Runbook").await;
    let pins = |method: &'static str, channel: &str, ts: &str| {
        call(&sandbox, method, json!({ "channel": channel, "timestamp": ts }))
    };

    for method in ["pins.add", "pins.remove"] {
        assert_eq!(error_of(&pins(method, "C0000000000", &ts).await), "channel_not_found");
        assert_eq!(error_of(&pins(method, &channel, "").await), "no_item_specified");
        assert_eq!(error_of(&pins(method, &channel, "x.1").await), "bad_timestamp");
        assert_eq!(error_of(&pins(method, &channel, "1.000001").await), "message_not_found");
    }
    assert_eq!(error_of(&pins("pins.remove", &channel, &ts).await), "no_pin");
    assert_eq!(pins("pins.add", &channel, &ts).await, json!({ "ok": true }));
    assert_eq!(error_of(&pins("pins.add", &channel, &ts).await), "already_pinned");
    assert!(sandbox.messages()[0].pinned);
    let history = call(&sandbox, "conversations.history", json!({ "channel": channel })).await;
    assert_eq!(history["messages"][0]["pinned_to"], json!([channel]));
    let unpinned = call_form(&sandbox, "pins.remove", &format!("channel={channel}&timestamp={ts}")).await;
    assert_eq!(unpinned, json!({ "ok": true }));
    assert!(!sandbox.messages()[0].pinned);

    let foreign = call_as(&sandbox, "xoxb-other-app", "pins.add", json!({ "channel": channel, "timestamp": ts }));
    assert_eq!(error_of(&foreign.await), "not_in_channel");
    sandbox.archive_channel(&channel);
    assert_eq!(error_of(&pins("pins.add", &channel, &ts).await), "is_archived");
}
