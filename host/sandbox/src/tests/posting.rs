//! The details of `chat.postMessage` the connector relies on.

use super::*;

#[tokio::test]
async fn replies_with_the_message_as_slack_stores_it() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let auth = call(&sandbox, "auth.test", json!({})).await;
    let blocks = json!([{ "type": "section", "text": { "type": "mrkdwn", "text": "*Deploy* done" } }]);
    let metadata = json!({ "event_type": "deploy", "event_payload": { "id": "42" } });
    let reply = call(
        &sandbox,
        "chat.postMessage",
        json!({ "channel": "#ops", "text": "Deploy done", "blocks": blocks, "metadata": metadata }),
    )
    .await;
    let message = &reply["message"];
    assert_eq!(
        (&message["type"], &message["text"], &message["ts"]),
        (&json!("message"), &json!("Deploy done"), &reply["ts"])
    );
    assert_eq!(
        (&message["user"], &message["bot_id"], &message["team"]),
        (&auth["user_id"], &auth["bot_id"], &auth["team_id"])
    );
    assert!(is_slack_id(&message["app_id"], 'A'), "{message}");
    assert_eq!(
        (&message["bot_profile"]["id"], &message["bot_profile"]["app_id"]),
        (&auth["bot_id"], &message["app_id"])
    );
    assert_eq!((&message["blocks"], &message["metadata"]), (&blocks, &metadata));
    assert_eq!(message.get("subtype"), None, "a bot token's post has no subtype");

    let plain = call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "plain" })).await;
    assert_eq!((plain["message"].get("blocks"), plain["message"].get("metadata")), (None, None));
}

#[tokio::test]
async fn a_user_id_posts_to_the_direct_message_and_link_names_is_kept() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let ada = user_id(&sandbox, "ada").await;
    let posted =
        call(&sandbox, "chat.postMessage", json!({ "channel": ada, "text": "Hi <@ada>", "link_names": 1 })).await;
    assert!(is_slack_id(&posted["channel"], 'D'), "{posted}");
    assert_eq!(sandbox.requests().iter().filter(|r| r.api_method() == "conversations.open").count(), 0);
    let form = call_form(&sandbox, "chat.postMessage", &format!("channel={ada}&text=again&link_names=true")).await;
    assert_eq!(form["channel"], posted["channel"]);
    call(&sandbox, "chat.postMessage", json!({ "channel": ada, "text": "quiet" })).await;

    let messages = sandbox.messages();
    assert_eq!(messages[0].dm_user.as_deref(), Some("ada"));
    let linked: Vec<bool> = messages.iter().map(|m| m.link_names).collect();
    assert_eq!(linked, [true, true, false]);
}

#[tokio::test]
async fn file_blocks_show_remote_files_only() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let post =
        |block: Value| call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "f", "blocks": [block] }));
    let remote = post(json!({ "type": "file", "external_id": "ABCD1", "source": "remote" })).await;
    assert_eq!(remote["ok"], true, "{remote}");

    let by_id = post(json!({ "type": "file", "file_id": "F0000000001" })).await;
    assert_eq!(error_of(&by_id), "invalid_blocks");
    assert_eq!(
        by_id["response_metadata"]["messages"],
        json!([
            "[ERROR] missing required field: external_id [json-pointer:/blocks/0]",
            "[ERROR] missing required field: source [json-pointer:/blocks/0]",
        ])
    );
    let local = post(json!({ "type": "file", "external_id": "ABCD1", "source": "local" })).await;
    assert_eq!(
        local["response_metadata"]["messages"],
        json!(["[ERROR] must be one of: remote [json-pointer:/blocks/0/source]"])
    );
}

#[tokio::test]
async fn archived_channels_take_no_posts() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let id = sandbox.create_channel("#alerts").unwrap();
    assert!(sandbox.archive_channel(&id));
    let info = call(&sandbox, "conversations.info", json!({ "channel": id })).await;
    assert_eq!(info["channel"]["is_archived"], true);
    assert_eq!(
        error_of(&call(&sandbox, "chat.postMessage", json!({ "channel": "#alerts", "text": "x" })).await),
        "is_archived"
    );

    let url = sandbox.webhook_url("alerts");
    let path = url.split_once(&authority(&sandbox)).unwrap().1;
    let answer = send(&sandbox, "POST", path, &[("content-type", "application/json")], r#"{"text":"x"}"#).await;
    assert_eq!((answer.status, answer.body.as_str()), (410, "channel_is_archived"));
    assert!(sandbox.messages().is_empty());
}
