//! Camunda compatibility: a flow saved by Camunda Modeler with Camunda's Slack connector
//! template runs unchanged on herald's Slack component.

use serde_json::json;

use herald_sandbox::{ScriptedReply, SlackSandbox};

use crate::support::*;

/// The token Camunda's template names (`{{secrets.SLACK_TOKEN}}`), unlike herald's default.
const CAMUNDA_TOKEN: &str = "xoxb-3333-4444-camundatoken";

/// Runs the Camunda example against `sandbox`; returns its record.
async fn run_example(sandbox: &SlackSandbox) -> serde_json::Value {
    let flow = examples().join("camunda-order-shipped.bpmn");
    let vars = examples().join("camunda-order-shipped.vars.json");
    let args = ["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"];
    let state = tempfile::tempdir().unwrap();
    let output = herald_in(state.path(), Some(&sandbox.api_url()), &args, &[("SLACK_TOKEN", CAMUNDA_TOKEN)]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert!(!stdout(&output).contains(CAMUNDA_TOKEN) && !stderr(&output).contains(CAMUNDA_TOKEN));
    json_record(&output)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_camunda_modeler_flow_runs_unchanged() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let record = run_example(&sandbox).await;

    let posts = posts(&sandbox);
    assert_eq!(posts.len(), 2);
    for post in &posts {
        assert_eq!(post.header("authorization"), Some(format!("Bearer {CAMUNDA_TOKEN}").as_str()));
    }
    // A bare channel name is a channel; plain text links names, as in Camunda.
    assert_eq!(
        posts[0].json().unwrap(),
        json!({
            "channel": "#shipping",
            "text": "Order A-1042 shipped to Ada Lovelace (2 items)",
            "link_names": true,
            "metadata": step_metadata(&record, "NotifyShipping", 1),
        })
    );
    let messages = sandbox.messages();
    let (first, reply) = (&messages[0], &messages[1]);
    // The second step replies in the thread of the first, through resultExpression's variables.
    let body = posts[1].json().unwrap();
    assert_eq!(body["channel"], first.channel_id);
    assert_eq!(body["thread_ts"], first.ts);
    assert_eq!(
        body["blocks"],
        json!([
            {"type": "section", "text": {"type": "mrkdwn", "text": "*Tracking:* 1Z 999 AA1 01 2345 6784"}},
            {"type": "context", "elements": [{"type": "plain_text", "text": "Carrier: Babbage Freight"}]},
        ])
    );
    assert_eq!(reply.thread_ts.as_deref(), Some(first.ts.as_str()));

    // `response` has Camunda's shape; resultExpression's entries are variables.
    let variables = &record["variables"];
    let team = variables["slackResult"]["message"]["team"].as_str().unwrap();
    assert!(team.starts_with('T'), "{team}");
    assert_eq!(
        variables["slackResult"],
        json!({
            "ts": first.ts, "channel": first.channel_id,
            "message": {
                "type": "message", "team": team, "user": first.user_id,
                "text": "Order A-1042 shipped to Ada Lovelace (2 items)", "ts": first.ts,
                "appId": first.app_id, "botId": first.bot_id,
            },
        })
    );
    assert_eq!(variables["messageTs"], first.ts);
    assert_eq!(variables["channelId"], first.channel_id);
    assert_eq!(variables["threadReply"]["ts"], reply.ts);
    assert_eq!(record["steps"][0]["type"], "io.camunda:slack:1");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_expression_raises_a_bpmn_error_the_boundary_catches() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox
        .script("chat.postMessage", ScriptedReply::SlackError { code: "channel_not_found".into(), extra: json!({}) });
    let record = run_example(&sandbox).await;

    let failed = &record["steps"][0];
    assert_eq!(failed["id"], "NotifyShipping");
    assert_eq!(failed["attempts"], 1, "a permanent error is not retried");
    assert_eq!(failed["error"]["kind"], "bpmn-error");
    assert_eq!(failed["error"]["code"], "SLACK_CHANNEL_MISSING");
    assert!(failed["error"]["message"].as_str().unwrap().starts_with("channel_not_found: "), "{failed}");
    assert_eq!(record["steps"][1]["id"], "NotifyGeneral");
    // bpmnError's variables are set, and the fallback uses them.
    assert_eq!(record["variables"]["slackError"], "channel_not_found");
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].channel_name.as_deref(), Some("general"));
    assert_eq!(messages[0].text, "Order A-1042 shipped; the channel shipping is missing (channel_not_found)");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_operation_of_the_template_runs_as_slack_expects_it() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = ("token", "{{secrets.SLACK_TOKEN}}");
    let create = [
        token,
        ("method", "conversations.create"),
        ("data.newChannelName", "launch-2026"),
        ("data.visibility", "PRIVATE"),
    ];
    let invite = [
        token,
        ("method", "conversations.invite"),
        ("data.channelType", "channelId"),
        ("data.channelId", "=created.channel.id"),
        ("data.users", "@Ada Lovelace, grace@example.com"),
    ];
    // Literal text is sent as written: no template, Slack markup kept.
    let text = "Launch <https://example.com/launch|plan> is ready {{ not a template }} <!here>";
    let post = [
        token,
        ("method", "chat.postMessage"),
        ("data.channel", "=created.channel.id"),
        ("data.messageType", "plainText"),
        ("data.text", text),
        ("data.documents", "=null"),
    ];
    let mark =
        |method| [token, ("method", method), ("data.channel", "=posted.channel"), ("data.timestamp", "=posted.ts")];
    let (pin, unpin) = (mark("pins.add"), mark("pins.remove"));
    let react = [mark("reactions.add").as_slice(), &[("data.emoji", "eyes")]].concat();
    let task = |id, inputs: &'static [(&'static str, &'static str)]| Task { id, inputs, headers: &[], retries: 1 };
    let leaked =
        |inputs: Vec<(&'static str, &'static str)>| -> &'static [(&'static str, &'static str)] { inputs.leak() };
    let tasks = [
        Task { headers: &[("resultVariable", "created")], ..task("create", leaked(create.to_vec())) },
        Task { headers: &[("resultVariable", "invited")], ..task("invite", leaked(invite.to_vec())) },
        Task { headers: &[("resultVariable", "posted")], ..task("post", leaked(post.to_vec())) },
        Task { headers: &[("resultVariable", "reacted")], ..task("react", leaked(react)) },
        task("pin", leaked(pin.to_vec())),
        Task { headers: &[("resultVariable", "unpinned")], ..task("unpin", leaked(unpin.to_vec())) },
    ];
    let flow = camunda_flow(dir.path(), &tasks);
    let args = ["run", flow.to_str().unwrap(), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_TOKEN", CAMUNDA_TOKEN)]).await;
    assert_eq!(output.status.code(), Some(0), "{}\n{}", stderr(&output), stdout(&output));
    let record = json_record(&output);

    // What Slack saw, in order, each with Slack's own arguments.
    let requests = sandbox.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.api_method()).collect();
    assert_eq!(
        methods,
        [
            "conversations.create",
            "users.list",
            "users.lookupByEmail",
            "conversations.invite",
            "chat.postMessage",
            "reactions.add",
            "pins.add",
            "pins.remove"
        ]
    );
    let channel = sandbox.channels().into_iter().find(|c| c.name.as_deref() == Some("launch-2026")).unwrap();
    assert_eq!(requests[0].json().unwrap(), json!({"name": "launch-2026", "is_private": true}));
    assert_eq!(channel.kind, herald_sandbox::ChannelKind::Private);
    let invited = requests[3].json().unwrap();
    assert_eq!(invited["channel"], channel.id.as_str());
    let people: Vec<&str> = invited["users"].as_str().unwrap().split(',').collect();
    assert_eq!(people.len(), 2);
    assert!(people.iter().all(|user| channel.members.iter().any(|member| member == user)), "{channel:?}");
    let body = requests[4].json().unwrap();
    assert_eq!((body["channel"].as_str(), body["text"].as_str()), (Some(channel.id.as_str()), Some(text)));
    assert_eq!(body["link_names"], true);
    let message = sandbox.messages().into_iter().find(|m| m.channel_id == channel.id).unwrap();
    for mark in &requests[5..] {
        let body = mark.json().unwrap();
        assert_eq!(
            (body["channel"].as_str(), body["timestamp"].as_str()),
            (Some(channel.id.as_str()), Some(message.ts.as_str()))
        );
    }
    assert_eq!(requests[5].json().unwrap()["name"], "eyes");
    assert_eq!(message.reactions.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["eyes"]);
    assert!(!message.pinned, "pinned, then unpinned");

    // Each `response` has the shape Camunda's connector gives it.
    let variables = &record["variables"];
    assert_eq!(variables["created"], json!({"channel": {"id": channel.id, "name": "launch-2026"}}));
    assert_eq!(
        variables["invited"],
        json!({"channel": {"id": channel.id, "name": "launch-2026"}, "needed": null, "provided": null})
    );
    assert_eq!(variables["posted"]["message"]["text"], text);
    assert_eq!((&variables["reacted"], &variables["unpinned"]), (&json!({}), &json!({})));
}

#[tokio::test(flavor = "multi_thread")]
async fn what_the_template_cannot_mean_is_refused_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [
        ("token", "{{secrets.SLACK_TOKEN}}"),
        ("method", "chat.getMessage"),
        ("data.visibility", "SECRET"),
        ("data.chanel", "#ops"),
    ];
    let flow = camunda_flow(dir.path(), &[Task { id: "odd", inputs: &inputs, headers: &[], retries: 1 }]);
    let output = herald_in(dir.path(), None, &["validate", flow.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let text = std::fs::read_to_string(&flow).unwrap();
    let line = |needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let errors = stderr(&output);
    for (needle, message) in [
        ("chat.getMessage", "`method` must be one of `chat.postMessage`, `conversations.create`"),
        ("SECRET", "`data.visibility` must be `PUBLIC` or `PRIVATE`, not `SECRET`"),
        ("data.chanel", "`data.chanel` is not an input of Camunda's Slack template; did you mean `data.channel`?"),
    ] {
        assert!(errors.contains(&format!("flow.bpmn:{}:", line(needle))) && errors.contains(message), "{errors}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_blank_channel_or_token_is_a_validate_error_where_it_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(examples().join("camunda-order-shipped.bpmn")).unwrap();
    let channel = r#"<zeebe:input source="general" target="data.channel" />"#;
    let token = r#"<zeebe:input source="{{secrets.SLACK_TOKEN}}" target="token" />"#;
    let changed = text.replacen(channel, r#"<zeebe:input source="   " target="data.channel" />"#, 1).replacen(
        token,
        r#"<zeebe:input source="  " target="token" />"#,
        1,
    );
    let flow = dir.path().join("flow.bpmn");
    std::fs::write(&flow, &changed).unwrap();
    let output = herald_in(dir.path(), None, &["validate", flow.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    let line = |needle: &str| changed.lines().position(|l| l.contains(needle)).unwrap() + 1;
    let errors = stderr(&output);
    assert!(errors.contains("2 problem(s)"), "{errors}");
    let channel_line = line(r#"source="   " target="data.channel""#);
    assert!(
        errors.contains(&format!("flow.bpmn:{channel_line}:")) && errors.contains("`channel` is required"),
        "{errors}"
    );
    let token_line = line(r#"source="  " target="token""#);
    assert!(errors.contains(&format!("flow.bpmn:{token_line}:")) && errors.contains("`token` is blank"), "{errors}");
}

/// A flow of Camunda Slack tasks (`io.camunda:slack:1`), each posting plain text.
fn camunda_flow(dir: &std::path::Path, tasks: &[Task]) -> std::path::PathBuf {
    linear_flow_of(dir, CAMUNDA_SLACK, tasks)
}

const CAMUNDA_SLACK: &str = "io.camunda:slack:1";

#[tokio::test(flavor = "multi_thread")]
async fn secrets_resolve_as_in_camunda_and_a_credential_never_reaches_a_message() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let env = [("SLACK_CAMUNDA", CAMUNDA_TOKEN), ("SLACK_SHIPPING_CHANNEL", "shipping")];
    let plain = [("method", "chat.postMessage"), ("data.messageType", "plainText")];
    // The token in FEEL and in the legacy form; the channel, a secret used as data, likewise.
    let feel = [
        plain[0],
        plain[1],
        ("token", "=\"{{secrets.SLACK_CAMUNDA}}\""),
        ("data.channel", "=\"{{secrets.SLACK_SHIPPING_CHANNEL}}\""),
        ("data.text", "=\"Shipped \" + order + \" via {{secrets.SLACK_SHIPPING_CHANNEL}}\""),
    ];
    let legacy = [
        plain[0],
        plain[1],
        ("token", "secrets.SLACK_CAMUNDA"),
        ("data.channel", "secrets.SLACK_SHIPPING_CHANNEL"),
        // Data a process carries is never searched for references.
        ("data.text", "=note"),
    ];
    let tasks = [
        Task { id: "feel", inputs: &feel, headers: &[], retries: 1 },
        Task { id: "legacy", inputs: &legacy, headers: &[], retries: 1 },
    ];
    let flow = camunda_flow(dir.path(), &tasks);
    let args = [
        "run",
        flow.to_str().unwrap(),
        "--var",
        "order=A-7",
        "--var",
        "note={{secrets.SLACK_SHIPPING_CHANNEL}} secrets.SLACK_CAMUNDA",
        "--json",
    ];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let posts = posts(&sandbox);
    assert_eq!(posts.len(), 2);
    for post in &posts {
        assert_eq!(post.header("authorization"), Some(format!("Bearer {CAMUNDA_TOKEN}").as_str()));
    }
    let messages = sandbox.messages();
    assert!(messages.iter().all(|m| m.channel_name.as_deref() == Some("shipping")), "{messages:?}");
    assert_eq!(posts[0].json().unwrap()["text"], "Shipped A-7 via shipping");
    assert_eq!(posts[1].json().unwrap()["text"], "{{secrets.SLACK_SHIPPING_CHANNEL}} secrets.SLACK_CAMUNDA");
    assert!(!stdout(&output).contains(CAMUNDA_TOKEN) && !stderr(&output).contains(CAMUNDA_TOKEN));

    // The secret the flow uses as its token, written into a message — in FEEL, in a literal,
    // in the legacy form — is refused before anything is sent, and `validate` says where.
    for (target, source) in [
        ("data.text", "=\"Token: {{secrets.SLACK_CAMUNDA}}\""),
        ("data.thread", "{{secrets.SLACK_CAMUNDA}}"),
        ("data.channel", "secrets.SLACK_CAMUNDA"),
    ] {
        let mut inputs = feel.to_vec();
        inputs.retain(|(name, _)| *name != target);
        inputs.push((target, source));
        let flow = camunda_flow(dir.path(), &[Task { id: "leak", inputs: &inputs, headers: &[], retries: 1 }]);
        let validated = herald_in(dir.path(), None, &["validate", flow.to_str().unwrap()], &env).await;
        assert_eq!(validated.status.code(), Some(2), "{source}: {}", stdout(&validated));
        let errors = stderr(&validated);
        assert!(errors.contains("names the secret `SLACK_CAMUNDA`, a credential"), "{source}: {errors}");
        let run = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap()], &env).await;
        assert_eq!(run.status.code(), Some(2), "{source}: {}", stderr(&run));
    }
    // A secret that this flow does not use as a credential, but whose value is one (another
    // workspace's token, say), is refused as data when the step runs.
    let env = [("SLACK_CAMUNDA", CAMUNDA_TOKEN), ("SLACK_SHIPPING_CHANNEL", "xoxb-9999-other-workspace")];
    let flow = camunda_flow(dir.path(), &tasks[..1]);
    let run = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"], &env).await;
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let record = json_record(&run);
    let message = record["incident"]["message"].as_str().unwrap();
    assert!(message.contains("the secret `SLACK_SHIPPING_CHANNEL` is a credential"), "{message}");
    assert!(!stdout(&run).contains("xoxb-9999") && !stderr(&run).contains("xoxb-9999"));
    assert_eq!(crate::support::posts(&sandbox).len(), 2, "nothing more was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_attach_in_every_form_the_template_writes() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let post = |text: &'static str| {
        vec![
            ("token", "{{secrets.SLACK_TOKEN}}"),
            ("method", "chat.postMessage"),
            ("data.channel", "general"),
            ("data.messageType", "plainText"),
            ("data.text", text),
        ]
    };
    // Versions 10 to 12: the form's choices, then a hidden expression composing the list
    // from them, which reads the inputs mapped before it (written here in our own words).
    let composer = "=if data.data_documents_documentMode = \"single\" and data.data_documents_single_documentSource = \"inline\" then [{\"camunda.document.type\": \"inline\", \"name\": data.data_documents_single_inline_fileName, \"content\": data.data_documents_single_inline_content}] else null";
    let mut single = post("with the form's document");
    single.extend([
        ("data.data_documents_documentMode", "single"),
        ("data.data_documents_single_documentSource", "inline"),
        ("data.data_documents_single_inline_fileName", "order.txt"),
        ("data.data_documents_single_inline_content", "=\"Order \" + order"),
        ("data.documents", composer),
    ]);
    // No document chosen: the composed value is null, and nothing is uploaded.
    let mut none = post("without documents");
    none.extend([("data.data_documents_documentMode", "none"), ("data.documents", composer)]);
    // Versions 6 to 9: an expression giving the list.
    let mut listed = post("with a computed list");
    listed.push((
        "data.documents",
        "=[{\"camunda.document.type\": \"inline\", \"name\": \"lines.json\", \"content\": {lines: [1, 2]}}]",
    ));
    let tasks = [
        Task { id: "single", inputs: single.leak(), headers: &[], retries: 1 },
        Task { id: "none", inputs: none.leak(), headers: &[], retries: 1 },
        Task { id: "listed", inputs: listed.leak(), headers: &[], retries: 1 },
    ];
    let flow = camunda_flow(dir.path(), &tasks);
    let args = ["run", flow.to_str().unwrap(), "--var", "order=A-7", "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_TOKEN", CAMUNDA_TOKEN)]).await;
    assert_eq!(output.status.code(), Some(0), "{}\n{}", stderr(&output), stdout(&output));
    let files = sandbox.files();
    let uploaded: Vec<(&str, Option<&[u8]>)> = files.iter().map(|f| (f.name.as_str(), f.bytes.as_deref())).collect();
    assert_eq!(uploaded, [("order.txt", Some(&b"Order A-7"[..])), ("lines.json", Some(&br#"{"lines":[1,2]}"#[..]))]);
    let messages = sandbox.messages();
    let text_of = |ts: &str| messages.iter().find(|m| m.ts == ts).map(|m| m.text.clone());
    for (file, text) in files.iter().zip(["with the form's document", "with a computed list"]) {
        let share = file.shared.as_ref().expect("shared");
        // Shared right after its own message, in the same conversation.
        let before = messages.iter().rfind(|m| m.channel_id == share.channel_id && m.ts < share.ts).unwrap();
        assert_eq!(text_of(&before.ts).as_deref(), Some(text));
    }
    // A store reference cannot be attached, and says so before anything is sent.
    let mut stored = post("with a stored document");
    stored.push(("data.documents", "=[{\"camunda.document.type\": \"camunda\", \"documentId\": \"d-1\"}]"));
    let flow = camunda_flow(dir.path(), &[Task { id: "stored", inputs: stored.leak(), headers: &[], retries: 1 }]);
    let args = ["run", flow.to_str().unwrap(), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_TOKEN", CAMUNDA_TOKEN)]).await;
    assert_eq!(output.status.code(), Some(1));
    let incident = json_record(&output)["incident"]["message"].as_str().unwrap().to_owned();
    assert!(incident.contains("Camunda's document store"), "{incident}");
    assert_eq!(sandbox.messages().len(), messages.len(), "nothing more was posted");
}

#[tokio::test(flavor = "multi_thread")]
async fn tasks_of_the_oldest_and_newest_template_versions_run() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token = ("token", "{{secrets.SLACK_TOKEN}}");
    // Versions 0 to 2: no message type, and an invitation names its channel by name only.
    let post_v0 =
        [token, ("method", "chat.postMessage"), ("data.channel", "#general"), ("data.text", "from version 0")];
    let invite_v0 =
        [token, ("method", "conversations.invite"), ("data.channelName", "general"), ("data.users", "ada@example.com")];
    // Versions 10 to 12: the document composer with nothing chosen, and the headers they add.
    let post_v12 = [
        token,
        ("method", "chat.postMessage"),
        ("data.channel", "general"),
        ("data.messageType", "plainText"),
        ("data.text", "from version 12"),
        ("data.thread", "=first.ts"),
        ("data.data_documents_documentMode", "none"),
        ("data.documents", "=if data.data_documents_documentMode = \"none\" then null else []"),
    ];
    let headers_v12 = [
        ("elementTemplateVersion", "12"),
        ("elementTemplateId", "io.camunda.connectors.Slack.v1"),
        ("jobTimeout", "PT1M"),
        ("retryBackoff", "PT30S"),
        ("resultVariable", "reply"),
    ];
    let tasks = [
        Task { id: "post_v0", inputs: &post_v0, headers: &[("resultVariable", "first")], retries: 1 },
        Task { id: "invite_v0", inputs: &invite_v0, headers: &[], retries: 1 },
        Task { id: "post_v12", inputs: &post_v12, headers: &headers_v12, retries: 3 },
    ];
    let flow = camunda_flow(dir.path(), &tasks);
    let validated = herald_in(dir.path(), None, &["validate", flow.to_str().unwrap()], &[]).await;
    assert_eq!(validated.status.code(), Some(0), "{}", stderr(&validated));
    let args = ["run", flow.to_str().unwrap(), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_TOKEN", CAMUNDA_TOKEN)]).await;
    assert_eq!(output.status.code(), Some(0), "{}\n{}", stderr(&output), stdout(&output));
    let messages = sandbox.messages();
    assert_eq!(messages.iter().map(|m| m.text.as_str()).collect::<Vec<_>>(), ["from version 0", "from version 12"]);
    assert_eq!(messages[1].thread_ts.as_deref(), Some(messages[0].ts.as_str()));
    assert!(sandbox.files().is_empty());
    let invite = sandbox.requests().into_iter().find(|r| r.api_method() == "conversations.invite").unwrap();
    let general = sandbox.channels().into_iter().find(|c| c.name.as_deref() == Some("general")).unwrap();
    assert_eq!(invite.json().unwrap()["channel"], general.id.as_str(), "the name resolved to the channel's id");
}
