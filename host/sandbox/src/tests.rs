//! The sandbox over real HTTP on loopback, driven by a minimal hyper client; the methods
//! added later are tested by subject in the submodules.

mod activity;
mod channels;
mod files;
mod marks;
mod posting;
mod users;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

use super::*;

const TOKEN: &str = "xoxb-test";

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }
}

fn authority(sandbox: &SlackSandbox) -> String {
    let url = sandbox.api_url();
    url.trim_start_matches("http://").trim_end_matches("/api/").to_owned()
}

/// Sends one request on a fresh connection.
async fn send(sandbox: &SlackSandbox, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Answer {
    send_bytes(sandbox, method, path, headers, Bytes::from(body.to_owned())).await
}

/// [`send`] with a body of any bytes.
async fn send_bytes(sandbox: &SlackSandbox, method: &str, path: &str, headers: &[(&str, &str)], body: Bytes) -> Answer {
    let authority = authority(sandbox);
    let stream = TcpStream::connect(&authority).await.expect("connect");
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.expect("handshake");
    tokio::spawn(connection);
    let mut request = Request::builder().method(method).uri(path).header("host", &authority);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Full::new(body)).expect("request");
    let response = sender.send_request(request).await.expect("response");
    let (parts, body) = response.into_parts();
    let body = body.collect().await.expect("body").to_bytes();
    Answer { status: parts.status.as_u16(), headers: parts.headers, body: String::from_utf8_lossy(&body).into_owned() }
}

/// Calls a Web API method with a JSON body and `token`, expecting HTTP 200.
async fn call_as(sandbox: &SlackSandbox, token: &str, method: &str, params: Value) -> Value {
    let auth = format!("Bearer {token}");
    let headers = [("authorization", auth.as_str()), ("content-type", "application/json; charset=utf-8")];
    let answer = send(sandbox, "POST", &format!("/api/{method}"), &headers, &params.to_string()).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), "application/json; charset=utf-8");
    answer.json()
}

async fn call(sandbox: &SlackSandbox, method: &str, params: Value) -> Value {
    call_as(sandbox, TOKEN, method, params).await
}

/// Calls a Web API method with a form-encoded body, as Slack also accepts.
async fn call_form(sandbox: &SlackSandbox, method: &str, body: &str) -> Value {
    let headers = [("authorization", "Bearer xoxb-test"), ("content-type", "application/x-www-form-urlencoded")];
    let answer = send(sandbox, "POST", &format!("/api/{method}"), &headers, body).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json()
}

/// The id of a seeded user, by name.
async fn user_id(sandbox: &SlackSandbox, name: &str) -> String {
    let list = call(sandbox, "users.list", json!({})).await;
    let user = list["members"].as_array().unwrap().iter().find(|u| u["name"] == name).expect("a seeded user");
    user["id"].as_str().unwrap().to_owned()
}

/// The id of a channel, by name.
fn channel_id(sandbox: &SlackSandbox, name: &str) -> String {
    sandbox.channels().into_iter().find(|c| c.name.as_deref() == Some(name)).expect("a channel").id
}

fn error_of(reply: &Value) -> &str {
    assert_eq!(reply["ok"], false, "{reply}");
    reply["error"].as_str().expect("error code")
}

fn ts_micros(ts: &Value) -> u64 {
    let ts = ts.as_str().expect("ts");
    let (secs, micros) = ts.split_once('.').expect("ts has a dot");
    assert_eq!(micros.len(), 6, "{ts}");
    secs.parse::<u64>().expect("secs") * 1_000_000 + micros.parse::<u64>().expect("micros")
}

fn is_slack_id(id: &Value, prefix: char) -> bool {
    id.as_str().is_some_and(|id| {
        id.len() == 11 && id.starts_with(prefix) && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    })
}

#[tokio::test]
async fn rejects_missing_and_invalid_tokens() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let body = r##"{"channel":"#general","text":"hi"}"##;
    let json = ("content-type", "application/json");
    for (headers, expected) in [
        (vec![json], "not_authed"),
        (vec![json, ("authorization", "Basic xoxb-test")], "not_authed"),
        (vec![json, ("authorization", "Bearer abc")], "invalid_auth"),
    ] {
        let answer = send(&sandbox, "POST", "/api/chat.postMessage", &headers, body).await;
        assert_eq!(answer.status, 200);
        assert_eq!(error_of(&answer.json()), expected);
    }
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.api_method() == "chat.postMessage" && r.http_method == "POST"));
    assert_eq!(requests[2].header("Authorization"), Some("Bearer abc"));
    assert!(sandbox.messages().is_empty());
}

#[tokio::test]
async fn auth_test_reports_the_bot() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let reply = call(&sandbox, "auth.test", json!({})).await;
    assert_eq!(reply["ok"], true);
    assert_eq!(reply["url"], "https://herald-sandbox.slack.com/");
    assert_eq!(reply["team"], "herald sandbox");
    assert_eq!(reply["user"], "herald");
    assert!(is_slack_id(&reply["team_id"], 'T'));
    assert!(is_slack_id(&reply["user_id"], 'U'));
    assert!(is_slack_id(&reply["bot_id"], 'B'));
}

#[tokio::test]
async fn posts_messages_with_increasing_ts() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let first = call(&sandbox, "chat.postMessage", json!({ "channel": "#billing", "text": "one" })).await;
    let second = call(&sandbox, "chat.postMessage", json!({ "channel": "billing", "text": "two", "username": "Billing", "icon_emoji": ":moneybag:", "unfurl_links": false })).await;
    assert_eq!(first["ok"], true, "{first}");
    assert!(is_slack_id(&first["channel"], 'C'), "{first}");
    assert_eq!(second["channel"], first["channel"], "a name keeps its id");
    assert!(ts_micros(&second["ts"]) > ts_micros(&first["ts"]));
    assert_eq!(second["message"]["text"], "two");
    assert_eq!(second["message"]["ts"], second["ts"]);
    assert_eq!(second["message"]["username"], "Billing");
    assert_eq!(second["message"]["icons"]["emoji"], ":moneybag:");

    let messages = sandbox.messages();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0].channel_name.as_deref(), Some("billing"));
    assert_eq!(messages[1].raw["unfurl_links"], false);
    assert_eq!(messages[1].icon_emoji.as_deref(), Some(":moneybag:"));

    let request = &sandbox.requests()[1];
    assert_eq!((request.http_method.as_str(), request.path.as_str()), ("POST", "/api/chat.postMessage"));
    assert_eq!(request.header("authorization"), Some("Bearer xoxb-test"));
    assert_eq!(request.json().unwrap()["channel"], "billing");

    let again = SlackSandbox::start().await.unwrap();
    let elsewhere = call(&again, "chat.postMessage", json!({ "channel": "#billing", "text": "x" })).await;
    assert_eq!(elsewhere["channel"], first["channel"], "ids are stable across sandboxes");
}

#[tokio::test]
async fn checks_thread_ts() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let parent = call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "incident" })).await;
    let other = call(&sandbox, "chat.postMessage", json!({ "channel": "#random", "text": "elsewhere" })).await;

    for unknown in ["1.000001", other["ts"].as_str().unwrap()] {
        let reply =
            call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "x", "thread_ts": unknown })).await;
        assert_eq!(error_of(&reply), "thread_not_found");
    }
    let reply =
        call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "ack", "thread_ts": parent["ts"] }))
            .await;
    assert_eq!(reply["message"]["thread_ts"], parent["ts"]);
    let nested =
        call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "fixed", "thread_ts": reply["ts"] }))
            .await;
    assert_eq!(nested["message"]["thread_ts"], parent["ts"], "a reply to a reply joins the thread");

    let history = call(&sandbox, "conversations.history", json!({ "channel": parent["channel"] })).await;
    let listed = history["messages"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "replies stay in their thread: {history}");
    assert_eq!(listed[0]["reply_count"], 2);
    assert_eq!(listed[0]["thread_ts"], parent["ts"]);
}

#[tokio::test]
async fn scripted_replies_come_first_in_order() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox.script(
        "chat.postMessage",
        ScriptedReply::SlackError { code: "missing_scope".into(), extra: json!({ "needed": "chat:write" }) },
    );
    sandbox.script(
        "chat.postMessage",
        ScriptedReply::Http {
            status: 500,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: "internal error".into(),
        },
    );
    sandbox.script("auth.test", ScriptedReply::SlackError { code: "token_revoked".into(), extra: Value::Null });
    let params = json!({ "channel": "#general", "text": "hi" });
    let headers = [("authorization", "Bearer xoxb-test"), ("content-type", "application/json")];

    let first = call(&sandbox, "chat.postMessage", params.clone()).await;
    assert_eq!(first, json!({ "ok": false, "error": "missing_scope", "needed": "chat:write" }));
    let second = send(&sandbox, "POST", "/api/chat.postMessage", &headers, &params.to_string()).await;
    assert_eq!((second.status, second.body.as_str()), (500, "internal error"));
    assert_eq!(second.header("content-type"), "text/plain");
    assert_eq!(call(&sandbox, "chat.postMessage", params).await["ok"], true);

    // Scripted replies also beat authentication, and are still recorded.
    let revoked = send(&sandbox, "POST", "/api/auth.test", &[], "").await;
    assert_eq!(error_of(&revoked.json()), "token_revoked");
    assert_eq!(sandbox.requests().len(), 4);
    assert_eq!(sandbox.messages().len(), 1);
}

#[tokio::test]
async fn rate_limit_sends_retry_after() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox.script("chat.postMessage", ScriptedReply::RateLimited { retry_after_seconds: 7 });
    let headers = [("authorization", "Bearer xoxb-test"), ("content-type", "application/json")];
    let answer =
        send(&sandbox, "POST", "/api/chat.postMessage", &headers, r##"{"channel":"#general","text":"hi"}"##).await;
    assert_eq!(answer.status, 429);
    assert_eq!(answer.header("retry-after"), "7");
    assert_eq!(answer.header("content-type"), "application/json; charset=utf-8");
    assert_eq!(answer.json(), json!({ "ok": false, "error": "ratelimited" }));
}

#[tokio::test]
async fn direct_messages_by_email() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let auth = [("authorization", "Bearer xoxb-test")];
    let lookup = |email: &str| format!("/api/users.lookupByEmail?email={email}");

    let found = send(&sandbox, "GET", &lookup("ada%40example.com"), &auth, "").await.json();
    assert_eq!(found["ok"], true, "{found}");
    assert_eq!(found["user"]["profile"]["email"], "ada@example.com");
    let user = found["user"]["id"].clone();
    assert!(is_slack_id(&user, 'U'));
    for unknown in ["nobody%40example.com", "charles%40example.com", ""] {
        let reply = send(&sandbox, "GET", &lookup(unknown), &auth, "").await.json();
        assert_eq!(error_of(&reply), "users_not_found", "{unknown} is unknown or deactivated");
    }
    let request = &sandbox.requests()[0];
    assert_eq!((request.http_method.as_str(), request.query.as_str()), ("GET", "email=ada%40example.com"));

    let form = [("authorization", "Bearer xoxb-test"), ("content-type", "application/x-www-form-urlencoded")];
    let opened = send(&sandbox, "POST", "/api/conversations.open", &form, &format!("users={}", user.as_str().unwrap()))
        .await
        .json();
    let dm = opened["channel"]["id"].clone();
    assert!(is_slack_id(&dm, 'D'), "{opened}");
    let unknown = send(&sandbox, "POST", "/api/conversations.open", &form, "users=U0000000000").await.json();
    assert_eq!(error_of(&unknown), "user_not_found");

    let posted = call(&sandbox, "chat.postMessage", json!({ "channel": user, "text": "Your invoice" })).await;
    assert_eq!(posted["channel"], dm, "a user id posts to their DM");
    assert_eq!(sandbox.messages()[0].dm_user.as_deref(), Some("ada"));
    let by_user = call(&sandbox, "chat.update", json!({ "channel": user, "ts": posted["ts"], "text": "x" })).await;
    assert_eq!(error_of(&by_user), "channel_not_found", "chat.update needs the D… id");
    let by_dm = call(&sandbox, "chat.update", json!({ "channel": dm, "ts": posted["ts"], "text": "Paid" })).await;
    assert_eq!(by_dm["ok"], true, "{by_dm}");
}

#[tokio::test]
async fn updates_only_the_bots_own_messages() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    sandbox.on_message(move |m| sink.lock().unwrap().push((m.text.clone(), m.edited)));

    let attachments = json!([{ "color": "danger", "text": "open" }]);
    let posted = call(
        &sandbox,
        "chat.postMessage",
        json!({ "channel": "#incidents", "text": "Issue 42", "attachments": attachments }),
    )
    .await;
    let (channel, ts) = (posted["channel"].clone(), posted["ts"].clone());

    let unknown = call(&sandbox, "chat.update", json!({ "channel": channel, "ts": "1.000001", "text": "x" })).await;
    assert_eq!(error_of(&unknown), "message_not_found");
    let foreign =
        call_as(&sandbox, "xoxb-other-app", "chat.update", json!({ "channel": channel, "ts": ts, "text": "x" })).await;
    assert_eq!(error_of(&foreign), "cant_update_message");

    let updated =
        call(&sandbox, "chat.update", json!({ "channel": channel, "ts": ts, "text": "Issue 42 closed" })).await;
    assert_eq!((&updated["ok"], &updated["ts"], &updated["text"]), (&json!(true), &ts, &json!("Issue 42 closed")));
    let message = &sandbox.messages()[0];
    assert!(message.edited);
    assert_eq!(message.attachments, Some(attachments), "fields left out keep their value");
    assert_eq!(*seen.lock().unwrap(), [("Issue 42".to_owned(), false), ("Issue 42 closed".to_owned(), true)]);
}

#[tokio::test]
async fn accepts_form_and_query_parameters() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let form = [("authorization", "Bearer xoxb-test"), ("content-type", "application/x-www-form-urlencoded")];
    let body = "channel=%23ops&text=a+b+%26amp%3B+c&blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D";
    let reply = send(&sandbox, "POST", "/api/chat.postMessage", &form, body).await.json();
    assert_eq!(reply["ok"], true, "{reply}");
    let json = [("authorization", "Bearer xoxb-test"), ("content-type", "application/json")];
    let reply = send(&sandbox, "POST", "/api/chat.postMessage?channel=general", &json, r#"{"text":"from the query"}"#)
        .await
        .json();
    assert_eq!(reply["ok"], true, "{reply}");

    let messages = sandbox.messages();
    assert_eq!(messages[0].text, "a b &amp; c");
    assert_eq!(messages[0].blocks, Some(json!([{ "type": "divider" }])));
    assert_eq!(messages[1].channel_name.as_deref(), Some("general"));

    let broken = send(&sandbox, "POST", "/api/chat.postMessage", &json, "{not json").await.json();
    assert_eq!(error_of(&broken), "invalid_json");
}

#[tokio::test]
async fn validates_content() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let post = |params: Value| call(&sandbox, "chat.postMessage", params);
    let divider = json!({ "type": "divider" });

    assert_eq!(error_of(&post(json!({ "text": "hi" })).await), "channel_not_found");
    assert_eq!(error_of(&post(json!({ "channel": "Not A Name", "text": "hi" })).await), "channel_not_found");
    assert_eq!(error_of(&post(json!({ "channel": "C0000000000", "text": "hi" })).await), "channel_not_found");
    assert_eq!(error_of(&post(json!({ "channel": "#new", "text": "" })).await), "no_text");
    assert_eq!(error_of(&post(json!({ "channel": "#new", "blocks": [] })).await), "no_text");
    assert_eq!(error_of(&post(json!({ "channel": "#new", "blocks": { "type": "divider" } })).await), "invalid_blocks");
    assert_eq!(error_of(&post(json!({ "channel": "#new", "blocks": "[not json" })).await), "invalid_blocks");
    let untyped = post(json!({ "channel": "#new", "blocks": [divider, { "text": "x" }] })).await;
    assert_eq!(error_of(&untyped), "invalid_blocks");
    assert_eq!(
        untyped["response_metadata"]["messages"],
        json!(["[ERROR] missing required field: type [json-pointer:/blocks/1]"])
    );
    let too_many = post(json!({ "channel": "#new", "blocks": vec![divider.clone(); 51] })).await;
    assert_eq!(
        too_many["response_metadata"]["messages"],
        json!(["[ERROR] no more than 50 items allowed [json-pointer:/blocks]"])
    );
    let long_section = json!({ "type": "section", "text": { "type": "mrkdwn", "text": "x".repeat(3001) } });
    let too_long = post(json!({ "channel": "#new", "blocks": [long_section] })).await;
    assert_eq!(
        too_long["response_metadata"]["messages"],
        json!(["[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"])
    );
    assert_eq!(
        error_of(&post(json!({ "channel": "#new", "text": "x", "attachments": {} })).await),
        "invalid_attachments"
    );
    let bad_metadata = post(json!({ "channel": "#new", "text": "x", "metadata": { "event_type": "x" } })).await;
    assert_eq!(error_of(&bad_metadata), "invalid_metadata_format");
    assert!(sandbox.messages().is_empty());
    let list = call(&sandbox, "conversations.list", json!({})).await;
    assert_eq!(list["channels"].as_array().unwrap().len(), 2, "rejected posts create no channel: {list}");

    assert_eq!(post(json!({ "channel": "#new", "blocks": vec![divider; 50] })).await["ok"], true);
    let long = "é".repeat(40_005);
    assert_eq!(post(json!({ "channel": "#new", "text": long })).await["ok"], true);
    assert_eq!(sandbox.messages()[1].text.chars().count(), 40_000, "long text is truncated");
}

#[tokio::test]
async fn lists_conversations_in_pages() {
    let sandbox = SlackSandbox::start().await.unwrap();
    for name in ["p1", "p2", "p3", "p4", "p5"] {
        call(&sandbox, "chat.postMessage", json!({ "channel": name, "text": "hi" })).await;
    }
    let (mut names, mut cursor, mut pages) = (Vec::new(), String::new(), 0);
    loop {
        let page = call(&sandbox, "conversations.list", json!({ "limit": 2, "cursor": cursor })).await;
        pages += 1;
        let channels = page["channels"].as_array().unwrap();
        assert!(channels.len() <= 2);
        names.extend(channels.iter().map(|c| c["name"].as_str().unwrap().to_owned()));
        cursor = page["response_metadata"]["next_cursor"].as_str().unwrap().to_owned();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(names, ["general", "random", "p1", "p2", "p3", "p4", "p5"]);
    assert_eq!(pages, 4);

    let auth = [("authorization", "Bearer xoxb-test")];
    let private =
        send(&sandbox, "GET", "/api/conversations.list?types=private_channel&limit=10", &auth, "").await.json();
    assert_eq!(private["channels"][0]["name"], "ops-private");
    assert_eq!(private["channels"][0]["is_private"], true);
    assert!(is_slack_id(&private["channels"][0]["id"], 'G'));
    let bad = call(&sandbox, "conversations.list", json!({ "cursor": "bogus" })).await;
    assert_eq!(error_of(&bad), "invalid_cursor");
}

#[tokio::test]
async fn history_is_newest_first_with_metadata_on_request() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let metadata = json!({ "event_type": "issue", "event_payload": { "key": "42" } });
    let first =
        call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "one", "metadata": metadata })).await;
    let second = call(&sandbox, "chat.postMessage", json!({ "channel": "#ops", "text": "two" })).await;
    let channel = first["channel"].clone();

    let newest = call(&sandbox, "conversations.history", json!({ "channel": channel, "limit": 1 })).await;
    assert_eq!(newest["messages"][0]["ts"], second["ts"]);
    assert_eq!(newest["has_more"], true);
    let older = call(
        &sandbox,
        "conversations.history",
        json!({ "channel": channel, "cursor": newest["response_metadata"]["next_cursor"] }),
    )
    .await;
    assert_eq!(older["messages"][0]["ts"], first["ts"]);
    assert_eq!(older["messages"][0].get("metadata"), None);
    assert_eq!(older["has_more"], false);
    let with =
        call(&sandbox, "conversations.history", json!({ "channel": channel, "include_all_metadata": "true" })).await;
    assert_eq!(with["messages"][1]["metadata"], metadata);

    let info = call(&sandbox, "conversations.info", json!({ "channel": channel })).await;
    assert_eq!(info["channel"]["name"], "ops");
    let unknown = call(&sandbox, "conversations.history", json!({ "channel": "#ops" })).await;
    assert_eq!(error_of(&unknown), "channel_not_found", "history takes ids only");
}

#[tokio::test]
async fn history_and_replies_honour_oldest_latest_inclusive_and_the_page_limit() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let mut ts = Vec::new();
    for n in 0..40 {
        let posted = call(&sandbox, "chat.postMessage", json!({ "channel": "#busy", "text": format!("m{n}") })).await;
        ts.push(posted["ts"].as_str().unwrap().to_owned());
    }
    let channel = call(&sandbox, "conversations.list", json!({})).await["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "busy")
        .unwrap()["id"]
        .clone();
    for n in 0..3 {
        call(&sandbox, "chat.postMessage", json!({ "channel": channel, "text": format!("r{n}"), "thread_ts": ts[5] }))
            .await;
    }
    // As Slack answers apps on Tier 1: pages of 15, whatever `limit` asks.
    sandbox.set_history_page_limit(15);
    let texts = |page: &Value| -> Vec<String> {
        page["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_owned()).collect()
    };
    let mut seen = Vec::new();
    let mut cursor = Value::from("");
    loop {
        let page = call(
            &sandbox,
            "conversations.history",
            json!({ "channel": channel, "limit": 200, "oldest": ts[10], "cursor": cursor }),
        )
        .await;
        assert!(page["messages"].as_array().unwrap().len() <= 15);
        seen.extend(texts(&page));
        cursor = page["response_metadata"]["next_cursor"].clone();
        if cursor == "" {
            assert_eq!(page["has_more"], false);
            break;
        }
        assert_eq!(page["has_more"], true);
    }
    // Newest first, `oldest` itself left out, thread replies too.
    let expected: Vec<String> = (11..40).rev().map(|n| format!("m{n}")).collect();
    assert_eq!(seen, expected);
    let window = call(
        &sandbox,
        "conversations.history",
        json!({ "channel": channel, "oldest": ts[20], "latest": ts[22], "inclusive": true }),
    )
    .await;
    assert_eq!(texts(&window), ["m22", "m21", "m20"]);
    let parent = call(
        &sandbox,
        "conversations.history",
        json!({ "channel": channel, "oldest": ts[5], "latest": ts[5], "inclusive": true, "limit": 1 }),
    )
    .await;
    assert_eq!(parent["messages"][0]["reply_count"], 3);
    let replies = call(&sandbox, "conversations.replies", json!({ "channel": channel, "ts": ts[5] })).await;
    assert_eq!(parent["messages"][0]["latest_reply"], replies["messages"][3]["ts"]);
    let later = call(
        &sandbox,
        "conversations.replies",
        json!({ "channel": channel, "ts": ts[5], "oldest": replies["messages"][1]["ts"] }),
    )
    .await;
    assert_eq!(texts(&later), ["m5", "r1", "r2"], "the parent, then the replies after `oldest`");
    let bad = call(&sandbox, "conversations.history", json!({ "channel": channel, "oldest": "yesterday" })).await;
    assert_eq!(error_of(&bad), "invalid_ts_oldest");
}

#[tokio::test]
async fn unknown_methods_are_404() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let answer = send(&sandbox, "POST", "/api/chat.nope", &[("authorization", "Bearer xoxb-test")], "").await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.json(), json!({ "ok": false, "error": "unknown_method" }));
    assert_eq!(sandbox.requests()[0].api_method(), "chat.nope");
}

#[tokio::test]
async fn incoming_webhooks_post_to_their_channel() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let url = sandbox.webhook_url("alerts");
    let path = url.split_once(&authority(&sandbox)).unwrap().1;
    let json = [("content-type", "application/json")];

    let answer = send(&sandbox, "POST", path, &json, r#"{"text":"Disk full","username":"ignored"}"#).await;
    assert_eq!((answer.status, answer.body.as_str()), (200, "ok"));
    let message = &sandbox.messages()[0];
    assert_eq!((message.channel_name.as_deref(), message.text.as_str()), (Some("alerts"), "Disk full"));
    assert_eq!(message.username, None, "app webhooks post as the app");

    let empty = send(&sandbox, "POST", path, &json, "{}").await;
    assert_eq!((empty.status, empty.body.as_str()), (400, "no_text"));
    let garbage = send(&sandbox, "POST", path, &json, "nope").await;
    assert_eq!((garbage.status, garbage.body.as_str()), (400, "invalid_payload"));
    let malformed = send(&sandbox, "POST", "/services/nope", &json, r#"{"text":"x"}"#).await;
    assert_eq!((malformed.status, malformed.body.as_str()), (404, "no_service"));

    sandbox.script(INCOMING_WEBHOOK, ScriptedReply::RateLimited { retry_after_seconds: 1 });
    sandbox
        .script(INCOMING_WEBHOOK, ScriptedReply::SlackError { code: "channel_is_archived".into(), extra: Value::Null });
    let limited = send(&sandbox, "POST", path, &json, r#"{"text":"x"}"#).await;
    assert_eq!((limited.status, limited.header("retry-after")), (429, "1"));
    assert_eq!(limited.json(), json!({ "retry_after": 1, "ok": false, "error": "rate_limited" }));
    let archived = send(&sandbox, "POST", path, &json, r#"{"text":"x"}"#).await;
    assert_eq!((archived.status, archived.body.as_str()), (410, "channel_is_archived"));
    assert!(sandbox.requests().iter().all(|r| r.api_method() == INCOMING_WEBHOOK));
}

#[tokio::test]
async fn prints_posted_messages() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let printed = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&printed);
    sandbox.on_message(move |m| sink.lock().unwrap().push(render_message(m)));
    let text = "Invoice *INV-7* for Ada &amp; Co: <https://billing.example.com/INV-7|open it> <!here>";
    let posted = call(&sandbox, "chat.postMessage", json!({ "channel": "#billing", "text": text })).await;
    call(&sandbox, "chat.postMessage", json!({ "channel": "#billing", "text": "Paid", "thread_ts": posted["ts"] }))
        .await;
    assert_eq!(
        *printed.lock().unwrap(),
        [
            "#billing · herald\n  Invoice *INV-7* for Ada & Co: open it (https://billing.example.com/INV-7) @here",
            "#billing · herald ↳ in thread\n  Paid",
        ]
    );
}

#[tokio::test]
async fn stops_when_the_last_handle_drops() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let authority = authority(&sandbox);
    let clone = sandbox.clone();
    drop(sandbox);
    assert_eq!(call(&clone, "auth.test", json!({})).await["ok"], true, "a clone keeps it serving");
    drop(clone);
    for _ in 0..100 {
        if TcpStream::connect(&authority).await.is_err() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the sandbox still accepts connections after the last handle dropped");
}
