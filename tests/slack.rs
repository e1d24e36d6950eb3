//! End-to-end tests of the Slack connector's destinations, message options, limits,
//! update in place and de-duplication: real flows, real component, sandbox on loopback.

use serde_json::{Value, json};

use herald_sandbox::{INCOMING_WEBHOOK, ScriptedReply, SlackSandbox};

use crate::support::*;

fn methods(sandbox: &SlackSandbox) -> Vec<String> {
    sandbox.requests().iter().map(|r| r.api_method().to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dm_by_e_mail_goes_to_the_user_id_with_chat_write_alone() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("invoice-dm.bpmn");
    let vars = examples().join("invoice-dm.vars.json");
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"])
            .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    // No `conversations.open` (scope `im:write`): Slack posts to a user id's direct message.
    assert_eq!(methods(&sandbox), ["users.lookupByEmail", "chat.postMessage"]);
    let requests = sandbox.requests();
    assert_eq!(requests[0].body, "email=ada%40example.com");
    let post = requests[1].json().unwrap();
    assert!(post["channel"].as_str().unwrap().starts_with('U'), "posted to the user found by e-mail: {post}");
    let dm = sandbox.messages()[0].channel_id.clone();
    assert!(dm.starts_with('D'), "Slack answers with the DM conversation: {dm}");
    assert_eq!(
        post["text"],
        "Hi Ada, your invoice INV-2026-0042 over 12500 EUR is ready: <https://billing.example.com/invoices/INV-2026-0042|view it here>"
    );
    assert_eq!(json_record(&output)["variables"]["dm"]["channel"], dm);
}

/// A step that attaches `documents` to a message in #general.
fn documents_flow(dir: &std::path::Path, retries: u32) -> std::path::PathBuf {
    let inputs = [
        ("channel", "#general"),
        ("text", "Invoices of {{ month }}"),
        (
            "documents",
            "=[{name: \"invoices.csv\", content: csv}, {name: \"logo.png\", title: \"Logo\", content_base64: \"iVBORw0KGgo=\"}]",
        ),
    ];
    let headers = [("resultVariable", "posted"), ("retryBackoff", "PT0.05S")];
    linear_flow(dir, &[Task { id: "report", inputs: &inputs, headers: &headers, retries }])
}

#[tokio::test(flavor = "multi_thread")]
async fn documents_are_uploaded_then_shared_after_the_message() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = documents_flow(dir.path(), 1);
    let csv = "number,amount\nINV-1,100\n";
    let args = ["run", flow.to_str().unwrap(), "--var", "month=May", "--var", &format!("csv={csv}"), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        methods(&sandbox),
        [
            "conversations.list",
            "files.getUploadURLExternal",
            herald_sandbox::FILE_UPLOAD,
            "files.getUploadURLExternal",
            herald_sandbox::FILE_UPLOAD,
            "chat.postMessage",
            "files.completeUploadExternal"
        ]
    );
    let requests = sandbox.requests();
    assert!(requests[1].body.contains("filename=invoices.csv"), "{}", requests[1].body);
    assert_eq!(requests[2].raw_body.as_ref(), csv.as_bytes(), "the bytes go to the upload URL as they are");
    assert_eq!(requests[2].header("authorization"), None, "the upload URL takes no token");
    let message = &sandbox.messages()[0];
    let files = sandbox.files();
    assert_eq!(files.len(), 2);
    assert_eq!(files[1].bytes.as_deref(), Some(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..]));
    assert_eq!((files[0].title.as_str(), files[1].title.as_str()), ("invoices.csv", "Logo"));
    let shared = requests[6].json().unwrap();
    assert_eq!(shared["channel_id"], message.channel_id.as_str());
    assert!(files.iter().all(|f| f.shared.as_ref().is_some_and(|s| s.channel_id == message.channel_id)));
    let record = json_record(&output);
    assert_eq!(record["variables"]["posted"]["files"], json!([files[0].id, files[1].id]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_a_failed_share_uploads_and_posts_nothing_again() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox.script("files.completeUploadExternal", ScriptedReply::RateLimited { retry_after_seconds: 0 });
    let dir = tempfile::tempdir().unwrap();
    let flow = documents_flow(dir.path(), 2);
    let args = ["run", flow.to_str().unwrap(), "--var", "month=May", "--var", "csv=a,b", "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let count = |method: &str| methods(&sandbox).iter().filter(|m| *m == method).count();
    assert_eq!(count("files.getUploadURLExternal"), 2, "each document uploaded once");
    assert_eq!(count("chat.postMessage"), 1, "one message");
    assert_eq!(count("files.completeUploadExternal"), 2, "the share, rate-limited, then made");
    assert_eq!(json_record(&output)["steps"][0]["attempts"], 2);
    assert!(sandbox.files().iter().all(|f| f.shared.is_some()));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_e_mail_is_a_permanent_users_not_found() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("invoice-dm.bpmn");
    let vars = examples().join("invoice-dm.vars.json");
    let (output, _state) = herald(
        Some(&sandbox.api_url()),
        &[
            "run",
            flow.to_str().unwrap(),
            "--vars",
            vars.to_str().unwrap(),
            "--var",
            "customer.email=nobody@example.com",
            "--json",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let step = &json_record(&output)["steps"][0];
    assert_eq!(step["attempts"], 1);
    assert_eq!(step["error"]["code"], "users_not_found");
    assert!(posts(&sandbox).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_destination_posts_and_maps_its_errors() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[Task {
            id: "alert",
            inputs: &[("webhook_url", "{{secrets.SLACK_WEBHOOK}}"), ("text", "Disk {{ disk }} is full")],
            // Shorter than any Retry-After, so a retry's delay shows which of the two it honoured.
            headers: &[("resultVariable", "alert"), ("retryBackoff", "PT0.05S")],
            retries: 2,
        }],
    );
    let webhook = sandbox.webhook_url("alerts");
    let args = ["run", flow.to_str().unwrap(), "--var", "disk=/var", "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_WEBHOOK", &webhook)]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let requests = sandbox.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].api_method(), INCOMING_WEBHOOK);
    assert_eq!(requests[0].json().unwrap(), json!({"text": "Disk /var is full"}));
    assert_eq!(sandbox.messages()[0].channel_name.as_deref(), Some("alerts"));
    assert!(!stdout(&output).contains(&webhook), "the webhook URL is a secret");

    sandbox
        .script(INCOMING_WEBHOOK, ScriptedReply::SlackError { code: "channel_is_archived".into(), extra: json!({}) });
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_WEBHOOK", &webhook)]).await;
    assert_eq!(output.status.code(), Some(1));
    let error = &json_record(&output)["steps"][0]["error"];
    assert_eq!(error["code"], "channel_is_archived");
    assert_eq!(json_record(&output)["steps"][0]["attempts"], 1);

    sandbox.script(INCOMING_WEBHOOK, ScriptedReply::RateLimited { retry_after_seconds: 1 });
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_WEBHOOK", &webhook)]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(json_record(&output)["steps"][0]["attempts"], 2);
    let requests = sandbox.requests();
    let [.., limited, retried] = requests.as_slice() else { panic!("no retry: {requests:?}") };
    let waited = retried.received_at - limited.received_at;
    assert!(waited >= std::time::Duration::from_secs(1), "the retry came {waited:?} after the 429 with Retry-After: 1");
}

/// The colour bar of a message: the colour of its first attachment.
fn color(message: &Value) -> Option<&str> {
    message["attachments"][0]["color"].as_str()
}

#[tokio::test(flavor = "multi_thread")]
async fn update_in_place_across_runs_ends_green() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let state = tempfile::tempdir().unwrap();
    let flow = examples().join("issue-tracker.bpmn");
    let vars = examples().join("issue-tracker.vars.json");
    let run = |extra: &'static [&'static str]| {
        // No throttle here: every run updates at once.
        let mut args = vec![
            "run",
            flow.to_str().unwrap(),
            "--vars",
            vars.to_str().unwrap(),
            "--json",
            "--var",
            "update_every=PT0S",
        ];
        args.extend_from_slice(extra);
        let api = sandbox.api_url();
        let state = state.path().to_path_buf();
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            herald_in(&state, Some(&api), &args, &[]).await
        }
    };
    let opened = run(&[]).await;
    assert_eq!(opened.status.code(), Some(0), "stderr: {}", stderr(&opened));
    let updated = run(&["--var", "issue.last_event=rolled back the deploy"]).await;
    assert_eq!(updated.status.code(), Some(0), "stderr: {}", stderr(&updated));
    let closed = run(&["--var", "issue.status=closed", "--var", "issue.last_event=fixed"]).await;
    assert_eq!(closed.status.code(), Some(0), "stderr: {}", stderr(&closed));

    let writes: Vec<_> = sandbox.requests().into_iter().filter(|r| r.api_method().starts_with("chat.")).collect();
    let kinds: Vec<&str> = writes.iter().map(|r| r.api_method()).collect();
    assert_eq!(kinds, ["chat.postMessage", "chat.update", "chat.update"]);
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1, "one message, updated in place");
    let ts = &messages[0].ts;
    let bodies: Vec<Value> = writes.iter().map(|r| r.json().unwrap()).collect();
    assert_eq!(color(&bodies[0]), Some("danger"));
    for update in &bodies[1..] {
        assert_eq!(update["ts"], *ts);
        assert_eq!(update["channel"], messages[0].channel_id);
    }
    assert_eq!(color(&bodies[1]), Some("danger"));
    assert!(bodies[1].to_string().contains("rolled back the deploy"));
    assert_eq!(color(&bodies[2]), Some("good"));
    assert!(bodies[2].to_string().contains("(closed)"));
    assert!(messages[0].edited);
    assert_eq!(messages[0].attachments.as_ref().and_then(|a| a[0]["color"].as_str()), Some("good"));
    for output in [&opened, &updated, &closed] {
        assert_eq!(json_record(output)["variables"]["issue_message"]["ts"], *ts);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_update_key_keeps_its_own_message_and_only_a_deleted_one_is_posted_anew() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("status").unwrap();
    let state = tempfile::tempdir().unwrap();
    let inputs =
        [("channel", channel.as_str()), ("text", "{{ service }}: {{ status }}"), ("update_key", "{{ service }}")];
    let flow = linear_flow(state.path(), &[Task { id: "status", inputs: &inputs, headers: &[], retries: 1 }]);
    let run = |service: &str, status: &str| {
        let (flow, state, api) = (flow.clone(), state.path().to_path_buf(), sandbox.api_url());
        let vars = [format!("service={service}"), format!("status={status}")];
        async move {
            let args = ["run", flow.to_str().unwrap(), "--var", &vars[0], "--var", &vars[1], "--json"];
            herald_in(&state, Some(&api), &args, &[]).await
        }
    };
    let texts = || {
        let mut texts: Vec<String> = sandbox.messages().into_iter().map(|m| m.text).collect();
        texts.sort();
        texts
    };
    for (service, status) in [("api", "up"), ("db", "up"), ("api", "down")] {
        let output = run(service, status).await;
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    }
    assert_eq!(texts(), ["api: down", "db: up"], "each key updates its own message");

    // The message was deleted in Slack: a new one takes its place.
    sandbox.script("chat.update", ScriptedReply::SlackError { code: "message_not_found".into(), extra: json!({}) });
    assert_eq!(run("db", "down").await.status.code(), Some(0));
    assert_eq!(texts(), ["api: down", "db: down", "db: up"]);
    let output = run("db", "degraded").await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(texts(), ["api: down", "db: degraded", "db: up"], "the new message is the one updated next");

    // Any other refusal is the step's failure, not a second message.
    sandbox.script("chat.update", ScriptedReply::SlackError { code: "cant_update_message".into(), extra: json!({}) });
    let output = run("api", "up").await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    assert_eq!(json_record(&output)["steps"][0]["error"]["code"], "cant_update_message");
    assert_eq!(texts(), ["api: down", "db: degraded", "db: up"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_message_in_parts_resends_only_the_part_that_failed() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[Task {
            id: "report",
            inputs: &[("webhook_url", "{{secrets.SLACK_WEBHOOK}}"), ("text", "{{ report }}"), ("on_overflow", "split")],
            headers: &[("retryBackoff", "PT0.05S")],
            retries: 2,
        }],
    );
    let report = format!("{}\n{}", "a".repeat(39_000), "b".repeat(2_000));
    let webhook = sandbox.webhook_url("reports");
    // The first part lands; Slack turns the second away, so it never arrived and is sent again.
    sandbox.script(INCOMING_WEBHOOK, ScriptedReply::Pass);
    sandbox.script(INCOMING_WEBHOOK, ScriptedReply::RateLimited { retry_after_seconds: 1 });
    let args = ["run", flow.to_str().unwrap(), "--var", &format!("report={report}"), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("SLACK_WEBHOOK", &webhook)]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(json_record(&output)["steps"][0]["attempts"], 2);
    let texts: Vec<String> = sandbox.messages().into_iter().map(|m| m.text).collect();
    assert_eq!(texts.len(), 2, "each part once");
    assert_eq!(texts.concat().chars().filter(|c| *c == 'a').count(), 39_000);
    assert_eq!(sandbox.requests().len(), 3, "part one, part two turned away, part two again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_100000_character_text_arrives_as_three_valid_messages_with_all_of_it() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#reports", "{{ report }}", 1);
    let lines: Vec<String> = (0..3_100).map(|i| format!("line {i:05} of the nightly report")).collect();
    let report = lines.join("\n");
    assert!(report.chars().count() >= 100_000);
    let vars = dir.path().join("vars.json");
    std::fs::write(&vars, json!({"report": report}).to_string()).unwrap();
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"])
            .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let posted = posts(&sandbox);
    assert_eq!(posted.len(), 3, "split into messages of at most 40,000 characters");
    let mut received = Vec::new();
    for (i, post) in posted.iter().enumerate() {
        let body = post.json().unwrap();
        let text = body["text"].as_str().unwrap();
        assert!(text.chars().count() <= 40_000, "part {i} is within Slack's limit");
        received.extend(text.lines().map(str::to_owned));
        if i > 0 {
            assert_eq!(body["thread_ts"], sandbox.messages()[0].ts, "later parts reply in the thread of the first");
        }
    }
    assert_eq!(received.len(), lines.len(), "every line arrives once");
    assert!(received == lines, "the lines arrive whole and in order");
    let notification = &json_record(&output)["variables"]["notification"];
    assert_eq!(notification["ts"], sandbox.messages()[0].ts);
    assert_eq!(notification["parts"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn block_kit_data_with_quotes_and_newlines_stays_valid_json() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blocks = r#"[{"type": "section", "text": {"type": "mrkdwn", "text": "Note: {{ note }}"}}]"#;
    let flow = linear_flow(
        dir.path(),
        &[Task { id: "notify", inputs: &[("channel", "#general"), ("blocks", blocks)], headers: &[], retries: 1 }],
    );
    let note = "He said \"ship it\"\nthen left \\ early & <fast>";
    let vars = dir.path().join("vars.json");
    std::fs::write(&vars, json!({"note": note}).to_string()).unwrap();
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let body = posts(&sandbox)[0].json().unwrap();
    assert_eq!(body["blocks"][0]["text"]["text"], "Note: He said \"ship it\"\nthen left \\ early &amp; &lt;fast&gt;");
}

/// A short attempt deadline: a repeat after a lost answer waits it out.
const SETTLE: (&str, &str) = ("HERALD_ATTEMPT_TIMEOUT_MS", "1000");

/// Runs `herald run FLOW --json` against the sandbox with a short attempt deadline.
async fn run_settling(sandbox: &SlackSandbox, flow: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let state = tempfile::tempdir().unwrap();
    let mut args = vec!["run", flow.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    herald_in(state.path(), Some(&sandbox.api_url()), &args, &[SETTLE]).await
}

fn lookups(sandbox: &SlackSandbox) -> Vec<herald_sandbox::ReceivedRequest> {
    sandbox
        .requests()
        .into_iter()
        .filter(|r| r.api_method().starts_with("conversations.history") || r.api_method() == "conversations.replies")
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_reply_does_not_lead_to_a_second_message() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox.script("chat.postMessage", ScriptedReply::DropReply);
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Deploy {{ version }} done", 3);
    let output = run_settling(&sandbox, &flow, &["--var", "version=1.4.2"]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1, "exactly one message: {messages:#?}");
    assert_eq!(posts(&sandbox).len(), 1, "the retry found the message instead of posting again");
    // The lookup asks for the conversation by id, back to the attempt's start only.
    let lookup = &lookups(&sandbox)[0];
    assert!(lookup.body.contains(&format!("channel={}&", messages[0].channel_id)), "{}", lookup.body);
    assert!(lookup.body.contains("oldest=") && lookup.body.contains("latest="), "{}", lookup.body);
    let record = json_record(&output);
    assert_eq!(record["steps"][0]["attempts"], 2);
    assert_eq!(record["variables"]["notification"]["ts"], messages[0].ts);
    let metadata = &messages[0].metadata;
    assert!(
        metadata
            .as_ref()
            .is_some_and(|m| m.to_string().contains(&format!("{}/notify", record["instance"].as_str().unwrap()))),
        "{metadata:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_answer_from_a_channel_known_only_by_name_is_an_incident_not_a_second_post() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // A bot without `channels:read`: the name goes to Slack as it is.
    for _ in 0..3 {
        sandbox.script(
            "conversations.list",
            ScriptedReply::SlackError { code: "missing_scope".into(), extra: json!({"needed": "channels:read"}) },
        );
    }
    sandbox.script("chat.postMessage", ScriptedReply::DropReply);
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Payroll ran", 3);
    let output = run_settling(&sandbox, &flow, &[]).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(posts(&sandbox).len(), 1, "posted a second time");
    assert_eq!(sandbox.messages().len(), 1);
    let record = json_record(&output);
    let error = &record["steps"][0]["error"];
    assert_eq!(error["code"], "delivery_unverifiable", "{record}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("may already have posted this message to #general"), "{message}");
    assert!(error["hint"].as_str().unwrap().contains("channels:history"), "{error}");
    // Nothing could be asked: a name cannot be searched.
    assert!(lookups(&sandbox).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lookup_that_fails_is_an_incident_not_a_second_post() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("payroll").unwrap();
    sandbox.script("chat.postMessage", ScriptedReply::DropReply);
    // A bot without `channels:history`.
    sandbox.script(
        "conversations.history",
        ScriptedReply::SlackError { code: "missing_scope".into(), extra: json!({"needed": "channels:history"}) },
    );
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), &channel, "Payroll ran", 3);
    let output = run_settling(&sandbox, &flow, &[]).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    assert_eq!(posts(&sandbox).len(), 1, "posted a second time");
    let record = json_record(&output);
    assert_eq!(record["steps"][0]["error"]["code"], "delivery_unverifiable", "{record}");
    assert!(record["steps"][0]["error"]["message"].as_str().unwrap().contains("missing_scope"), "{record}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_lookup_waits_and_looks_again() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("payroll").unwrap();
    sandbox.script("chat.postMessage", ScriptedReply::DropReply);
    sandbox.script("conversations.history", ScriptedReply::RateLimited { retry_after_seconds: 1 });
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), &channel, "Payroll ran", 4);
    let output = run_settling(&sandbox, &flow, &[]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(posts(&sandbox).len(), 1, "posted a second time");
    assert_eq!(lookups(&sandbox).len(), 2, "the rate-limited lookup is made again");
    let record = json_record(&output);
    assert_eq!(record["steps"][0]["attempts"], 3);
    assert_eq!(record["variables"]["notification"]["ts"], sandbox.messages()[0].ts);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_an_answer_posts_only_what_is_missing_without_a_lookup() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("reports").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), &channel, &"word ".repeat(9_000), 3);
    // Part 1 is posted (its reply comes back), part 2 is rate-limited.
    sandbox.script("chat.postMessage", ScriptedReply::Pass);
    sandbox.script("chat.postMessage", ScriptedReply::RateLimited { retry_after_seconds: 1 });
    let output = run_settling(&sandbox, &flow, &[]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(posts(&sandbox).len(), 3, "part 1, part 2 limited, part 2 again");
    assert!(lookups(&sandbox).is_empty(), "the ledger knew part 1: no lookup");
    assert_eq!(messages[1].thread_ts.as_deref(), Some(messages[0].ts.as_str()));
}

/// Scripts the replies to the next posts, and a token that may not read a channel's
/// threads, as bot tokens may not.
fn script_posts_and_unreadable_threads<const N: usize>(sandbox: &SlackSandbox, posts: [ScriptedReply; N]) {
    for reply in posts {
        sandbox.script("chat.postMessage", reply);
    }
    sandbox.script(
        "conversations.replies",
        ScriptedReply::SlackError { code: "missing_scope".into(), extra: json!({"needed": "channels:history"}) },
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_part_whose_replies_cannot_be_read_is_not_posted_twice() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("reports").unwrap();
    // Part 1 is answered; part 2 lands but its answer is lost.
    script_posts_and_unreadable_threads(&sandbox, [ScriptedReply::Pass, ScriptedReply::DropReply]);
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), &channel, &"word ".repeat(9_000), 3);
    let output = run_settling(&sandbox, &flow, &[]).await;
    // The thread's parent says a reply came after part 1: it may be part 2, so the step
    // stops rather than posting it again.
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    assert_eq!(posts(&sandbox).len(), 2);
    assert_eq!(sandbox.messages().len(), 2);
    let record = json_record(&output);
    assert_eq!(record["steps"][0]["error"]["code"], "delivery_unverifiable", "{record}");
    let methods = methods(&sandbox);
    assert!(methods.contains(&"conversations.history".to_owned()), "the parent was asked: {methods:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_thread_part_after_the_last_known_reply_is_posted_again() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("reports").unwrap();
    // Parts 1 and 2 are answered; part 3 never lands and its answer never comes.
    script_posts_and_unreadable_threads(&sandbox, [ScriptedReply::Pass, ScriptedReply::Pass, ScriptedReply::Silent]);
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), &channel, &"word ".repeat(17_000), 3);
    let args = ["run", flow.to_str().unwrap(), "--json"];
    // Part 3's request times out long before the attempt's deadline, so the connector
    // reports the parts it knows of.
    let env = [("HERALD_ATTEMPT_TIMEOUT_MS", "3000"), ("HERALD_FIRST_BYTE_TIMEOUT_MS", "300")];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &env).await;
    // The thread's last reply is part 2, the last part known: part 3 is not there.
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(sandbox.messages().len(), 3, "each part once");
    assert_eq!(posts(&sandbox).len(), 4, "part 3 was sent again");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_run_to_a_channel_name_lists_channels_once() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Invoice {{ n }}", 3);
    let jsonl = dir.path().join("invoices.jsonl");
    std::fs::write(&jsonl, (0..40).map(|n| format!("{{\"n\": {n}}}\n")).collect::<String>()).unwrap();
    let (output, _state) = herald(
        Some(&sandbox.api_url()),
        &["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "8"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    assert_eq!(posts(&sandbox).len(), 40);
    let lists = methods(&sandbox).iter().filter(|m| *m == "conversations.list").count();
    assert_eq!(lists, 1, "the name was resolved once for the whole run");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_channel_slack_no_longer_finds_is_looked_up_again_and_nothing_else_is_forgotten() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Invoice {{ n }}", 1);
    let jsonl = dir.path().join("invoices.jsonl");
    std::fs::write(&jsonl, (0..4).map(|n| format!("{{\"n\": {n}}}\n")).collect::<String>()).unwrap();
    // The first post finds the channel gone (deleted, or renamed since its name was
    // resolved); the second is refused for another reason.
    sandbox
        .script("chat.postMessage", ScriptedReply::SlackError { code: "channel_not_found".into(), extra: json!({}) });
    sandbox.script("chat.postMessage", ScriptedReply::SlackError { code: "msg_too_long".into(), extra: json!({}) });
    let (output, _state) = herald(
        Some(&sandbox.api_url()),
        &["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "1", "--json"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    assert_eq!(json_record(&output)["completed"], 2);
    let calls = methods(&sandbox);
    let lists: Vec<usize> =
        calls.iter().enumerate().filter(|(_, m)| *m == "conversations.list").map(|(i, _)| i).collect();
    // Listed for the first post, and again after Slack no longer found the channel; not
    // after the other refusal.
    assert_eq!(lists, [0, 2], "{calls:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn message_options_reach_slack() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[
            Task {
                id: "post",
                inputs: &[("channel", "#general"), ("text", "Release {{ v }}")],
                headers: &[("resultVariable", "post")],
                retries: 1,
            },
            Task {
                id: "reply",
                inputs: &[
                    ("channel", "#general"),
                    ("thread", "=post.ts"),
                    ("reply_broadcast", "true"),
                    ("text", "Shipped {{ v }}"),
                    ("username", "Release bot"),
                    ("icon_emoji", ":rocket:"),
                    ("unfurl_links", "false"),
                    ("color", "#36a64f"),
                    ("mention", "ada@example.com"),
                ],
                headers: &[],
                retries: 1,
            },
        ],
    );
    let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--var", "v=<2.0>"]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let posted = posts(&sandbox);
    let reply = posted[1].json().unwrap();
    assert_eq!(reply["thread_ts"], sandbox.messages()[0].ts);
    assert_eq!(reply["reply_broadcast"], true);
    assert_eq!(reply["username"], "Release bot");
    assert_eq!(reply["icon_emoji"], ":rocket:");
    assert_eq!(reply["unfurl_links"], false);
    assert_eq!(color(&reply), Some("#36a64f"));
    let text = reply["text"].as_str().unwrap();
    assert!(text.starts_with("<@U"), "the mention is real markup: {text}");
    assert!(text.ends_with("Shipped &lt;2.0&gt;"), "data stays escaped: {text}");
}

/// Whether a step waiting for its throttle window has saved its state.
fn waiting_in(state: &std::path::Path) -> bool {
    let Ok(db) = rusqlite::Connection::open(state.join("herald.db")) else {
        return false;
    };
    db.query_row("SELECT count(*) FROM connector_state WHERE state LIKE '%\"pending\"%'", [], |row| {
        row.get::<_, i64>(0)
    })
    .is_ok_and(|waiting| waiting > 0)
}

/// Whether a step of the state's instances is saved as waiting for its deferred delivery.
fn deferred_in(state: &std::path::Path) -> bool {
    let Ok(db) = rusqlite::Connection::open(state.join("herald.db")) else {
        return false;
    };
    db.query_row("SELECT count(*) FROM steps WHERE record LIKE '%\"deferred\":true%'", [], |row| row.get::<_, i64>(0))
        .is_ok_and(|waiting| waiting > 0)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resume_inside_a_throttle_window_delivers_the_update_when_the_window_ends() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("incidents").unwrap();
    let state = tempfile::tempdir().unwrap();
    let inputs =
        [("channel", channel.as_str()), ("text", "{{ event }}"), ("update_key", "outage"), ("throttle", "PT8S")];
    let flow = linear_flow(state.path(), &[Task { id: "status", inputs: &inputs, headers: &[], retries: 3 }]);
    let flow = flow.to_str().unwrap();
    let opened = herald_in(state.path(), Some(&sandbox.api_url()), &["run", flow, "--var", "event=opened"], &[]).await;
    assert_eq!(opened.status.code(), Some(0), "stderr: {}", stderr(&opened));
    let posted_at = sandbox.requests()[0].received_at;

    // The next event arrives inside the window: its update waits. herald is killed then.
    let mut waiting = command(state.path(), Some(&sandbox.api_url()), &["run", flow, "--var", "event=mitigated"], &[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !deferred_in(state.path()) {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the update is saved as deferred");
    waiting.kill().await.unwrap();

    // A long attempt deadline: a send taken as cut short would be repeated only after it.
    let deadline = ("HERALD_ATTEMPT_TIMEOUT_MS", "20000");
    let resumed = herald_in(state.path(), Some(&sandbox.api_url()), &["resume", "--json"], &[deadline]).await;
    assert_eq!(resumed.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&resumed), stdout(&resumed));
    let requests = sandbox.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.api_method()).collect();
    assert_eq!(methods, ["chat.postMessage", "chat.update"], "no lookup and no second post");
    let after = requests[1].received_at - posted_at;
    assert!(after >= std::time::Duration::from_secs(7), "the update came inside the window: {after:?}");
    assert!(after < std::time::Duration::from_secs(12), "the resume did not continue the window's wait: {after:?}");
    assert_eq!(sandbox.messages()[0].text, "mitigated");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_throttle_sends_one_update_per_window_with_the_latest_content() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let state = tempfile::tempdir().unwrap();
    let flow = examples().join("issue-tracker.bpmn").to_str().unwrap().to_owned();
    let vars = examples().join("issue-tracker.vars.json").to_str().unwrap().to_owned();
    let spawn = |event: &str, window_secs: u64| {
        let every = format!("update_every=PT{window_secs}S");
        let last_event = format!("issue.last_event={event}");
        let args: Vec<String> = ["run", &flow, "--vars", &vars, "--json", "--var", &every, "--var", &last_event]
            .map(str::to_owned)
            .to_vec();
        let (api, state) = (sandbox.api_url(), state.path().to_path_buf());
        tokio::spawn(async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            herald_in(&state, Some(&api), &args, &[]).await
        })
    };
    let started = std::time::Instant::now();
    let opened = spawn("opened", 1).await.unwrap();
    assert_eq!(opened.status.code(), Some(0), "stderr: {}", stderr(&opened));
    let window_opened = std::time::Instant::now();
    // B and C must both arrive inside the window, each after a whole herald start-up: the
    // window is sized from how long a run takes on this machine right now.
    let window_secs = (started.elapsed().as_secs() * 8).max(10);

    // B arrives inside the window and waits; C arrives after it and takes its place.
    let b = spawn("event B", window_secs);
    for _ in 0..(window_secs * 10) {
        if waiting_in(state.path()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(waiting_in(state.path()), "B waits for the window to end");
    let c = spawn("event C", window_secs);
    let (b, c) = (b.await.unwrap(), c.await.unwrap());
    assert_eq!(b.status.code(), Some(0), "stderr: {}", stderr(&b));
    assert_eq!(c.status.code(), Some(0), "stderr: {}", stderr(&c));
    let waited = window_opened.elapsed();
    assert!(waited >= std::time::Duration::from_secs(window_secs - 1), "the update waited for the window: {waited:?}");

    let writes: Vec<_> = sandbox.requests().into_iter().filter(|r| r.api_method().starts_with("chat.")).collect();
    let kinds: Vec<&str> = writes.iter().map(|r| r.api_method()).collect();
    assert_eq!(
        kinds,
        ["chat.postMessage", "chat.update"],
        "one update for the window: B {} C {}",
        stdout(&b),
        stdout(&c)
    );
    let update = writes[1].json().unwrap().to_string();
    assert!(update.contains("event C") && !update.contains("event B"), "the latest content lands: {update}");
    assert_eq!(json_record(&b)["variables"]["issue_message"]["superseded"], true);
    assert_eq!(json_record(&c)["variables"]["issue_message"]["updated"], true);
    assert!(sandbox.messages()[0].attachments.as_ref().unwrap().to_string().contains("event C"));
}

#[tokio::test(flavor = "multi_thread")]
async fn test_connection_proves_token_and_destination_and_says_what_to_fix() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 1);
    let args = ["test-connection", flow.to_str().unwrap()];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "stdout: {}\nstderr: {}", stdout(&output), stderr(&output));
    let out = stdout(&output);
    for check in ["✓ token", "✓ destination", "✓ membership", "✓ archived"] {
        assert!(out.contains(check), "{check} in {out}");
    }
    assert_eq!(methods(&sandbox), ["auth.test", "conversations.list", "conversations.info"]);
    assert!(posts(&sandbox).is_empty(), "a connection test sends no message");

    sandbox.script("auth.test", ScriptedReply::SlackError { code: "invalid_auth".into(), extra: json!({}) });
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(out.contains("✗ token") && out.contains("fix:") && out.contains("SLACK_BOT_TOKEN"), "{out}");
    assert!(!out.contains(TOKEN) && !stderr(&output).contains(TOKEN));

    // No token at all: a failed check that says how to set one, not a test of the sandbox.
    let output = herald_in(dir.path(), None, &args, &[]).await;
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    assert!(
        out.contains("✗ inputs: cannot compute the inputs: input `token`: the secret `SLACK_BOT_TOKEN` is not set"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn channel_names_resolve_through_every_page_once() {
    let sandbox = SlackSandbox::start().await.unwrap();
    for i in 0..250 {
        sandbox.create_channel(&format!("team-{i:03}")).unwrap();
    }
    let wanted = sandbox.create_channel("zz-late-channel").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[
            Task { id: "first", inputs: &[("channel", "#zz-late-channel"), ("text", "one")], headers: &[], retries: 1 },
            Task {
                id: "second",
                inputs: &[("channel", "#ZZ-late-channel"), ("text", "two")],
                headers: &[],
                retries: 1,
            },
        ],
    );
    let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let requests = sandbox.requests();
    let lists: Vec<_> = requests.iter().filter(|r| r.api_method() == "conversations.list").collect();
    assert_eq!(lists.len(), 2, "two pages of 200, then the cache serves the second step");
    assert!(!lists[0].body.contains("cursor="));
    assert!(lists[1].body.contains("cursor="), "the second page follows the cursor: {}", lists[1].body);
    for post in posts(&sandbox) {
        assert_eq!(post.json().unwrap()["channel"], wanted, "posted to the resolved id");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sixty_blocks_split_in_order_or_truncate_with_a_marker() {
    let blocks = r#"[{% for i in range(60) %}{"type": "section", "text": {"type": "mrkdwn", "text": "item {{ i }}"}}{% if not loop.last %},{% endif %}{% endfor %}]"#;
    for overflow in ["split", "truncate"] {
        let sandbox = SlackSandbox::start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let flow = linear_flow(
            dir.path(),
            &[Task {
                id: "report",
                inputs: &[
                    ("channel", "#general"),
                    ("text", "Sixty items"),
                    ("blocks", blocks),
                    ("on_overflow", overflow),
                ],
                headers: &[],
                retries: 1,
            }],
        );
        let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap()]).await;
        assert_eq!(output.status.code(), Some(0), "{overflow}: stderr: {}", stderr(&output));
        let texts: Vec<Vec<String>> = posts(&sandbox)
            .iter()
            .map(|post| {
                let blocks = post.json().unwrap()["blocks"].as_array().unwrap().clone();
                assert!(blocks.len() <= 50, "{overflow}: at most 50 blocks per message");
                blocks
                    .iter()
                    .map(|b| {
                        b["text"]["text"].as_str().or(b["elements"][0]["text"].as_str()).unwrap_or_default().to_owned()
                    })
                    .collect()
            })
            .collect();
        let all: Vec<String> = texts.concat();
        if overflow == "split" {
            let expected: Vec<String> = (0..60).map(|i| format!("item {i}")).collect();
            assert!(texts.len() >= 2);
            assert_eq!(all, expected, "every block, in order");
        } else {
            assert_eq!(texts.len(), 1, "one message");
            assert!(all.last().unwrap().contains("(truncated)"), "a visible marker: {:?}", all.last());
            assert_eq!(all[0], "item 0");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn block_kit_that_does_not_parse_is_an_error_naming_the_input() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blocks = r#"[{"type": "section", "text": {"type": "mrkdwn", "text": "{{ note }}"}}"#;
    let flow = linear_flow(
        dir.path(),
        &[Task { id: "notify", inputs: &[("channel", "#general"), ("blocks", blocks)], headers: &[], retries: 3 }],
    );
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--var", "note=hi", "--json"]).await;
    assert_eq!(output.status.code(), Some(1));
    let step = &json_record(&output)["steps"][0];
    assert_eq!(step["attempts"], 1, "not retried: the flow must be fixed");
    assert_eq!(step["error"]["kind"], "invalid-config");
    assert_eq!(step["error"]["issues"][0]["field"], "blocks");
    assert!(sandbox.requests().is_empty(), "nothing reaches Slack");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_slack_step_creates_invites_reacts_and_pins_and_a_lost_answer_is_not_a_failure() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // The channel is created, but the answer is lost: the repeat finds the name taken and
    // takes the channel that attempt made.
    sandbox.script("conversations.create", ScriptedReply::DropReply);
    let dir = tempfile::tempdir().unwrap();
    let create = [("method", "conversations.create"), ("name", "incident-{{ id }}"), ("is_private", "true")];
    let invite = [
        ("method", "conversations.invite"),
        ("channel", "=room.channel.id"),
        ("users", "@Ada Lovelace, grace@example.com"),
    ];
    let post = [("channel", "=room.channel.id"), ("text", "Incident {{ id }} opened")];
    let react =
        [("method", "reactions.add"), ("channel", "=post.channel"), ("timestamp", "=post.ts"), ("emoji", ":eyes:")];
    let pin = [("method", "pins.add"), ("channel", "=post.channel"), ("timestamp", "=post.ts")];
    let fast = ("retryBackoff", "PT0.05S");
    let tasks = [
        Task { id: "create", inputs: &create, headers: &[("resultVariable", "room"), fast], retries: 2 },
        Task { id: "invite", inputs: &invite, headers: &[fast], retries: 1 },
        Task { id: "post", inputs: &post, headers: &[("resultVariable", "post"), fast], retries: 1 },
        Task { id: "react", inputs: &react, headers: &[fast], retries: 1 },
        // Reacting and pinning again changes nothing and is no failure.
        Task { id: "react_again", inputs: &react, headers: &[fast], retries: 1 },
        Task { id: "pin", inputs: &pin, headers: &[fast], retries: 1 },
        Task { id: "pin_again", inputs: &pin, headers: &[fast], retries: 1 },
    ];
    let flow = linear_flow(dir.path(), &tasks);
    let output = run_settling(&sandbox, &flow, &["--var", "id=42"]).await;
    assert_eq!(output.status.code(), Some(0), "{}\n{}", stderr(&output), stdout(&output));
    let record = json_record(&output);
    assert_eq!(record["steps"][0]["attempts"], 2);
    let created: Vec<_> = sandbox.channels().into_iter().filter(|c| c.name.as_deref() == Some("incident-42")).collect();
    assert_eq!(created.len(), 1, "one channel");
    let channel = &created[0];
    assert_eq!(channel.kind, herald_sandbox::ChannelKind::Private);
    assert_eq!(record["variables"]["room"]["channel"]["id"], channel.id.as_str());
    // Both people are members: Ada by her full name (users.list), Grace by e-mail.
    assert_eq!(channel.members.len(), 3, "the bot and two people: {channel:?}");
    let message = sandbox.messages().into_iter().find(|m| m.channel_id == channel.id).unwrap();
    assert_eq!(message.reactions.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["eyes"]);
    assert!(message.pinned);
    let reacted = sandbox.requests().into_iter().find(|r| r.api_method() == "reactions.add").unwrap();
    assert_eq!(reacted.json().unwrap()["name"], "eyes", "the colons are not part of the name");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_share_whose_answer_was_lost_is_never_guessed_at() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // The documents are shared, but the answer is lost: the repeat finds the post, and Slack
    // no longer offers the files to share, so nobody can say more than that.
    sandbox.script("files.completeUploadExternal", ScriptedReply::DropReply);
    let dir = tempfile::tempdir().unwrap();
    let flow = documents_flow(dir.path(), 2);
    let output = run_settling(&sandbox, &flow, &["--var", "month=May", "--var", "csv=a,b"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let record = json_record(&output);
    assert_eq!(record["steps"][0]["error"]["code"], "delivery_unverifiable", "{record:#}");
    let count = |method: &str| methods(&sandbox).iter().filter(|m| *m == method).count();
    assert_eq!(
        (count("chat.postMessage"), count("files.getUploadURLExternal")),
        (1, 2),
        "nothing posted or uploaded twice"
    );
    assert!(sandbox.files().iter().all(|f| f.shared.is_some()), "the lost share did land");
}
