//! `conversations.create`, `conversations.invite` and who is a member of what.

use super::*;

#[tokio::test]
async fn creates_channels_under_slacks_name_rules() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let bot = call(&sandbox, "auth.test", json!({})).await["user_id"].clone();
    let create = |name: String| call(&sandbox, "conversations.create", json!({ "name": name }));
    for (name, code) in [
        (String::new(), "invalid_name_required"),
        ("x".repeat(81), "invalid_name_maxlength"),
        ("Launch".to_owned(), "invalid_name_specials"),
        ("launch 2026".to_owned(), "invalid_name_specials"),
        ("#launch".to_owned(), "invalid_name_specials"),
        ("--_".to_owned(), "invalid_name_punctuation"),
        ("general".to_owned(), "name_taken"),
        ("ops-private".to_owned(), "name_taken"),
    ] {
        assert_eq!(error_of(&create(name.clone()).await), code, "{name:?}");
    }

    let public = create("x".repeat(80)).await;
    assert_eq!(public["ok"], true, "{public}");
    let private = call_form(&sandbox, "conversations.create", "name=launch-2026_b&is_private=true").await;
    let channel = &private["channel"];
    assert!(is_slack_id(&channel["id"], 'C'), "{private}");
    assert_eq!(channel["name"], "launch-2026_b");
    assert_eq!(
        (&channel["is_channel"], &channel["is_group"], &channel["is_private"], &channel["is_member"]),
        (&json!(true), &json!(false), &json!(true), &json!(true))
    );
    assert_eq!(channel["creator"], bot);
    assert_eq!(channel["is_archived"], false);
    assert!(channel["created"].as_u64().unwrap() > 1_700_000_000);
    assert_eq!(error_of(&create("launch-2026_b".to_owned()).await), "name_taken");

    let made = sandbox.channels().into_iter().find(|c| c.id == channel["id"]).unwrap();
    assert_eq!(
        (made.kind, made.creator.as_deref(), made.members),
        (ChannelKind::Private, bot.as_str(), vec![bot.as_str().unwrap().to_owned()])
    );
    let other = call_as(&sandbox, "xoxb-other-app", "conversations.info", json!({ "channel": channel["id"] })).await;
    assert_eq!(other["channel"]["is_member"], false, "another app is not in it");

    let archived = sandbox.create_channel("old-news").unwrap();
    assert!(sandbox.archive_channel(&archived));
    assert_eq!(error_of(&create("old-news".to_owned()).await), "name_taken", "archived channels keep their names");
}

/// `is_member` of `conversations.info` for the channel `name`.
async fn is_member(sandbox: &SlackSandbox, name: &str) -> Value {
    let info = call(sandbox, "conversations.info", json!({ "channel": channel_id(sandbox, name) })).await;
    info["channel"]["is_member"].clone()
}

#[tokio::test]
async fn bots_are_members_of_general_and_of_channels_they_post_to() {
    let sandbox = SlackSandbox::start().await.unwrap();
    assert_eq!(is_member(&sandbox, "general").await, true);
    assert_eq!(is_member(&sandbox, "random").await, false);
    assert_eq!(is_member(&sandbox, "ops-private").await, false);
    call(&sandbox, "chat.postMessage", json!({ "channel": "#random", "text": "hi" })).await;
    assert_eq!(is_member(&sandbox, "random").await, true, "a post joins");

    let ada = user_id(&sandbox, "ada").await;
    let general = sandbox.channels().into_iter().find(|c| c.name.as_deref() == Some("general")).unwrap();
    assert!(general.members.contains(&ada));
    assert!(!general.members.contains(&user_id(&sandbox, "charles").await), "deactivated users are in no channel");
    let seeded = sandbox.channels().into_iter().find(|c| c.name.as_deref() == Some("ops-private")).unwrap();
    assert_eq!(seeded.members.len(), 2);
}

#[tokio::test]
async fn invites_people_into_channels_the_bot_is_in() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let (ada, grace, charles) =
        (user_id(&sandbox, "ada").await, user_id(&sandbox, "grace").await, user_id(&sandbox, "charles").await);
    let bot = call(&sandbox, "auth.test", json!({})).await["user_id"].as_str().unwrap().to_owned();
    let created = call(&sandbox, "conversations.create", json!({ "name": "launch" })).await;
    let launch = created["channel"]["id"].as_str().unwrap().to_owned();
    let invite = |channel: &str, users: &str, force: bool| {
        call(&sandbox, "conversations.invite", json!({ "channel": channel, "users": users, "force": force }))
    };

    assert_eq!(error_of(&invite(&launch, " , ", false).await), "no_user");
    assert_eq!(error_of(&invite("C0000000000", &ada, false).await), "channel_not_found");
    assert_eq!(error_of(&invite(&channel_id(&sandbox, "random"), &ada, false).await), "not_in_channel");
    assert_eq!(error_of(&invite(&channel_id(&sandbox, "ops-private"), &ada, false).await), "not_in_channel");
    let dm = call(&sandbox, "conversations.open", json!({ "users": ada })).await["channel"]["id"].clone();
    assert_eq!(error_of(&invite(dm.as_str().unwrap(), &grace, false).await), "method_not_supported_for_channel_type");
    for (user, code) in
        [(bot.as_str(), "cant_invite_self"), ("U0000000000", "user_not_found"), (&charles, "user_not_found")]
    {
        let refused = invite(&launch, user, false).await;
        assert_eq!(
            refused,
            json!({ "ok": false, "error": code, "errors": [{ "user": user, "ok": false, "error": code }] })
        );
    }

    let invited = call_form(&sandbox, "conversations.invite", &format!("channel={launch}&users={ada}")).await;
    assert_eq!(invited["ok"], true, "{invited}");
    assert_eq!((&invited["channel"]["id"], &invited["channel"]["name"]), (&json!(launch), &json!("launch")));
    assert_eq!(invited.get("errors"), None);

    // One refusal fails the call and invites no one, unless forced.
    let both = format!("{grace},{ada}");
    let refused = invite(&launch, &both, false).await;
    let already = json!({ "user": ada, "ok": false, "error": "already_in_channel" });
    assert_eq!(refused, json!({ "ok": false, "error": "already_in_channel", "errors": [already] }));
    let members = || sandbox.channels().into_iter().find(|c| c.id == launch).unwrap().members;
    assert_eq!(members(), [bot.clone(), ada.clone()]);
    let forced = invite(&launch, &format!("{grace},{grace},{ada},U0000000000"), true).await;
    assert_eq!(forced["ok"], true, "{forced}");
    let unknown = json!({ "user": "U0000000000", "ok": false, "error": "user_not_found" });
    assert_eq!(forced["errors"], json!([already, unknown]));
    assert_eq!(members(), [bot, ada.clone(), grace.clone()], "each user once");
    assert_eq!(error_of(&invite(&launch, &both, true).await), "already_in_channel", "force with no one to invite");

    assert!(sandbox.archive_channel(&launch));
    assert_eq!(error_of(&invite(&launch, &charles, false).await), "is_archived");
    assert!(!sandbox.archive_channel("C0000000000"));
}
