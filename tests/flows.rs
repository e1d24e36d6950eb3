//! End-to-end tests: the real `herald` binary runs flows through the real Slack component
//! against the Slack sandbox on loopback, and we assert what Slack received.

use std::time::Duration;

use serde_json::json;

use herald_sandbox::{ScriptedReply, SlackSandbox};

use crate::support::*;

#[tokio::test(flavor = "multi_thread")]
async fn invoice_flow_sends_exactly_the_expected_requests() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("invoice-issued.bpmn");
    let vars = examples().join("invoice-issued.vars.json");
    let (output, state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"])
            .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));

    let record = json_record(&output);
    let requests = sandbox.requests();
    let methods: Vec<&str> = requests.iter().map(|r| r.api_method()).collect();
    // Channel names are looked up first; the sandbox lists only its seeded channels, so
    // the name goes to chat.postMessage for Slack to resolve.
    assert_eq!(methods, ["conversations.list", "chat.postMessage", "conversations.list", "chat.postMessage"]);
    for request in &requests {
        assert_eq!(request.http_method, "POST");
        assert_eq!(request.path, format!("/api/{}", request.api_method()));
        assert_eq!(request.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    }
    assert_eq!(requests[0].header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(requests[0].body, "types=public_channel%2Cprivate_channel&exclude_archived=true&limit=200");
    let posts = posts(&sandbox);
    for post in &posts {
        assert_eq!(post.header("content-type"), Some("application/json; charset=utf-8"));
    }
    // Data is mrkdwn-escaped: `&`, `<`, `>` from variables never become markup.
    assert_eq!(
        posts[0].json().unwrap(),
        json!({
            "channel": "#billing",
            "text": "Invoice INV-2026-0042 issued to Bright &amp; Co &lt;Berlin&gt;: 12500 EUR",
            "metadata": step_metadata(&record, "notify_billing", 1),
        })
    );
    assert_eq!(
        posts[1].json().unwrap(),
        json!({
            "channel": "#finance-alerts",
            "text": ":warning: Large invoice INV-2026-0042: 12500 EUR for Bright &amp; Co &lt;Berlin&gt;",
            "metadata": step_metadata(&record, "alert_finance", 1),
        })
    );

    assert_eq!(record["state"], "completed");
    let messages = sandbox.messages();
    let notification = &record["variables"]["notification"];
    assert_eq!(
        notification,
        &json!({
            "ok": true, "channel": messages[0].channel_id, "ts": messages[0].ts,
            "message": {
                "type": "message", "text": messages[0].text, "user": messages[0].user_id, "bot_id": messages[0].bot_id,
                "app_id": messages[0].app_id, "team": notification["message"]["team"], "ts": messages[0].ts,
            },
        })
    );
    assert_eq!(record["variables"]["finance_alert"]["ts"], messages[1].ts);
    let steps = record["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2);
    let mut first = steps[0].clone();
    let duration = first.as_object_mut().unwrap().remove("duration_us").unwrap();
    assert!(duration.as_u64().is_some_and(|us| us > 0), "{duration}");
    assert_eq!(
        first,
        json!({"id": "notify_billing", "type": "slack", "status": "completed", "attempts": 1, "output": notification, "error": null})
    );
    assert_eq!(steps[1]["id"], "alert_finance");
    assert!(record["instance"].as_str().is_some_and(|id| !id.is_empty()));

    // The token appears nowhere: not in the output, not in the state directory.
    assert!(!stdout(&output).contains(TOKEN) && !stderr(&output).contains(TOKEN));
    let saved = show(state.path(), record["instance"].as_str().unwrap()).await;
    assert_eq!(saved["state"], "completed");
    assert_eq!(saved["variables"], record["variables"]);
    assert_eq!(saved["steps"], record["steps"], "every step is saved as it ended");
    for file in std::fs::read_dir(state.path()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gateway_takes_the_default_flow_for_small_invoices() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("invoice-issued.bpmn");
    let vars = examples().join("invoice-issued.vars.json");
    let (output, _state) = herald(
        Some(&sandbox.api_url()),
        &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--var", "invoice.amount=800", "--json"],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let requests = posts(&sandbox);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].json().unwrap()["channel"], "#billing");
    assert_eq!(json_record(&output)["variables"]["invoice"]["amount"], 800);
}

#[tokio::test(flavor = "multi_thread")]
async fn block_kit_template_arrives_as_valid_json_with_escaped_data() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("event-announcement.bpmn");
    let vars = examples().join("event-announcement.vars.json");
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"])
            .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let requests = posts(&sandbox);
    assert_eq!(requests.len(), 1);
    let body = requests[0].json().unwrap();
    assert_eq!(body["channel"], "#announcements");
    assert_eq!(
        body["blocks"],
        json!([
            {"type": "header", "text": {"type": "plain_text", "text": "Herald 1.0 launch \"live\""}},
            {"type": "section", "text": {"type": "mrkdwn", "text": "*2026-12-03* at Hall A &amp; the stream\nFlows, Slack and WebAssembly: a tour of what's new.\n<https://events.example.com/herald-1-0?ref=slack&amp;lang=en|Details and registration>"}},
        ])
    );
    assert_eq!(
        body["text"],
        "Herald 1.0 launch \"live\" on 2026-12-03: https://events.example.com/herald-1-0?ref=slack&amp;lang=en"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn channel_not_found_is_one_attempt_and_an_incident_with_a_hint() {
    for (code, hint) in [("channel_not_found", "channel"), ("not_in_channel", "/invite")] {
        let sandbox = SlackSandbox::start().await.unwrap();
        sandbox.script("chat.postMessage", ScriptedReply::SlackError { code: code.into(), extra: json!({}) });
        let dir = tempfile::tempdir().unwrap();
        let flow = one_post(dir.path(), "#nowhere", "hello", 3);
        let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"]).await;
        assert_eq!(output.status.code(), Some(1), "{code}: stderr: {}", stderr(&output));
        assert_eq!(posts(&sandbox).len(), 1, "{code} must not be retried");
        let record = json_record(&output);
        assert_eq!(record["state"], "incident");
        let step = &record["steps"][0];
        assert_eq!(step["status"], "failed");
        assert_eq!(step["attempts"], 1);
        assert_eq!(step["error"]["code"], code);
        assert!(step["error"]["hint"].as_str().unwrap().contains(hint), "{code}: {step}");
        assert!(record["incident"]["message"].as_str().unwrap().contains(code));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_scope_names_the_needed_scope() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox.script(
        "chat.postMessage",
        ScriptedReply::SlackError { code: "missing_scope".into(), extra: json!({"needed": "chat:write"}) },
    );
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 3);
    let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"]).await;
    assert_eq!(output.status.code(), Some(1));
    let error = &json_record(&output)["steps"][0]["error"];
    assert_eq!(error["kind"], "unauthorized");
    assert!(error["hint"].as_str().unwrap().contains("chat:write"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limit_waits_for_retry_after_then_succeeds() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox.script("chat.postMessage", ScriptedReply::RateLimited { retry_after_seconds: 2 });
    let dir = tempfile::tempdir().unwrap();
    // The task's own backoff (50 ms) is far shorter than Slack asks for.
    let flow = one_post(dir.path(), "#general", "hello", 3);
    let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let posts = posts(&sandbox);
    assert_eq!(posts.len(), 2);
    let waited = posts[1].received_at - posts[0].received_at;
    assert!(waited >= Duration::from_secs(2), "the retry came {waited:?} after the 429 with Retry-After: 2");
    let record = json_record(&output);
    assert_eq!(record["steps"][0]["attempts"], 2);
    assert_eq!(record["steps"][0]["status"], "completed");
    assert_eq!(sandbox.messages().len(), 1, "exactly one message lands");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried_then_raise_an_incident() {
    let sandbox = SlackSandbox::start().await.unwrap();
    for _ in 0..4 {
        sandbox.script(
            "chat.postMessage",
            ScriptedReply::Http { status: 500, headers: vec![], body: "internal error".into() },
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 3);
    let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(posts(&sandbox).len(), 3, "retries=3 means three attempts in total");
    let record = json_record(&output);
    assert_eq!(record["state"], "incident");
    assert_eq!(record["steps"][0]["attempts"], 3);
    assert_eq!(record["steps"][0]["error"]["kind"], "transient");
    assert!(sandbox.messages().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_xml_is_invalid_input_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("broken.bpmn");
    std::fs::write(&flow, "<?xml version=\"1.0\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">\n  <bpmn:process id=\"p\">\n    <bpmn:startEvent id=\"s\">\n  </bpmn:process>\n</bpmn:definitions>\n").unwrap();
    let sandbox = SlackSandbox::start().await.unwrap();
    let (output, _state) = herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains(&format!("{}:5:", flow.display())), "the error names the file and line 5: {err}");
    assert!(sandbox.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_template_variable_is_an_incident_and_nothing_is_sent() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#billing", "Invoice {{ invoice.number }} for {{ customer.name }}", 3);
    let (output, _state) = herald(
        Some(&sandbox.api_url()),
        &["run", flow.to_str().unwrap(), "--var", "invoice={\"number\": \"INV-1\"}", "--json"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(sandbox.requests().is_empty(), "nothing may be sent");
    let record = json_record(&output);
    assert_eq!(record["state"], "incident");
    assert_eq!(record["steps"][0]["attempts"], 1);
    let error = record["steps"][0]["error"].to_string();
    assert!(error.contains("customer.name"), "the error names the variable: {error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thread_reply_takes_its_thread_from_the_first_result() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[
            Task {
                id: "post",
                inputs: &[("channel", "#incidents"), ("text", "Incident {{ id }} opened")],
                headers: &[("resultVariable", "post")],
                retries: 1,
            },
            Task {
                id: "reply",
                inputs: &[("channel", "=post.channel"), ("text", "Update on {{ id }}"), ("thread", "=post.ts")],
                headers: &[("resultVariable", "reply")],
                retries: 1,
            },
        ],
    );
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--var", "id=42", "--json"]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 2);
    let requests = posts(&sandbox);
    let record = json_record(&output);
    assert_eq!(
        requests[1].json().unwrap(),
        json!({
            "channel": messages[0].channel_id, "text": "Update on 42", "thread_ts": messages[0].ts,
            "reply_broadcast": false, "metadata": step_metadata(&record, "reply", 1),
        })
    );
    assert_eq!(messages[1].thread_ts.as_deref(), Some(messages[0].ts.as_str()));
    assert_eq!(record["variables"]["reply"]["ts"], messages[1].ts);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_slack_settings_the_builtin_sandbox_shows_the_messages() {
    let flow = examples().join("invoice-issued.bpmn");
    let vars = examples().join("invoice-issued.vars.json");
    let (output, _state) = herald(None, &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let out = stdout(&output);
    assert!(stderr(&output).contains("built-in Slack sandbox"));
    // Shown as Slack would show it: entities unescaped for display.
    assert!(out.contains("#billing"), "{out}");
    assert!(out.contains("Invoice INV-2026-0042 issued to Bright & Co <Berlin>: 12500 EUR"), "{out}");
    assert!(out.contains("#finance-alerts"), "{out}");
    assert!(out.contains("completed"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_reports_every_problem_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.bpmn");
    std::fs::write(&flow, r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" />
    <bpmn:sequenceFlow id="f2" sourceRef="start" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" />
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression>=amount &gt;</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#).unwrap();
    let (output, _state) = herald(None, &["validate", flow.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let file = flow.display().to_string();
    assert!(err.contains(&format!("{file}:6:5: [review]")) && err.contains("userTask"), "{err}");
    assert!(err.contains(&format!("{file}:10:")) && err.contains("FEEL syntax error"), "{err}");

    let (output, _state) = herald(None, &["validate", examples().join("invoice-issued.bpmn").to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_checks_connector_inputs_through_the_component() {
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[Task { id: "notify", inputs: &[("chanel", "#billing"), ("text", "{{ broken")], headers: &[], retries: 3 }],
    );
    let (output, _state) = herald(None, &["validate", flow.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("did you mean `channel`?"), "{err}");
    assert!(err.contains("[notify] input `text`"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_that_is_not_a_component_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.wasm");
    std::fs::write(&fake, b"not wasm at all").unwrap();
    let core = dir.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    // A valid component that exports nothing.
    let empty = dir.path().join("empty.wasm");
    std::fs::write(&empty, b"\0asm\x0d\0\x01\0").unwrap();
    let flow = examples().join("event-announcement.bpmn");
    let cases = [
        (&fake, "is not a WebAssembly component"),
        (&core, "core WebAssembly module"),
        (&empty, "is not a herald connector: it does not export `herald:connector/connector@0.4.0`"),
    ];
    for (file, expected) in cases {
        let connector = format!("mail={}", file.display());
        let (output, _state) = herald(None, &["run", flow.to_str().unwrap(), "--connector", &connector]).await;
        assert_eq!(output.status.code(), Some(2));
        assert!(stderr(&output).contains(expected), "{}", stderr(&output));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_variables_are_invalid_input_with_their_position() {
    let dir = tempfile::tempdir().unwrap();
    let vars = dir.path().join("vars.json");
    std::fs::write(&vars, "{\n  \"a\": 1,\n  \"b\": \n}\n").unwrap();
    let flow = examples().join("invoice-issued.bpmn");
    let (output, _state) = herald(None, &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(&format!("{}:4:", vars.display())), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_byte_order_mark_is_read_and_a_negative_duration_is_refused() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Order {{ order }}", 1);
    let vars = dir.path().join("vars.json");
    std::fs::write(&vars, "\u{feff}{\"order\": 1}\n").unwrap();
    let jsonl = dir.path().join("orders.jsonl");
    std::fs::write(&jsonl, "\u{feff}{\"order\": 2}\n{\"order\": 3}\n").unwrap();
    for vars in [["--vars", vars.to_str().unwrap()], ["--vars-jsonl", jsonl.to_str().unwrap()]] {
        let output =
            herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), vars[0], vars[1]], &[])
                .await;
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    }
    let mut texts: Vec<String> = sandbox.messages().into_iter().map(|m| m.text).collect();
    // The two lines of the bulk run post in either order.
    texts.sort();
    assert_eq!(texts, ["Order 1", "Order 2", "Order 3"]);

    let timer = examples().join("release-fanout.bpmn");
    let negative = dir.path().join("negative.bpmn");
    let text = std::fs::read_to_string(&timer).unwrap();
    assert!(text.contains(">PT1S<"));
    std::fs::write(&negative, text.replace(">PT1S<", ">PT-5S<")).unwrap();
    let output = herald_in(dir.path(), None, &["validate", negative.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the timer's `timeDuration` must be an ISO 8601 duration such as PT5M, not `PT-5S`"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn computed_inputs_are_data_never_templates_or_markup() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#support", "=\"Ticket from \" + ticket.author", 1);
    let (output, _state) = herald(
        Some(&sandbox.api_url()),
        &[
            "run",
            flow.to_str().unwrap(),
            "--var",
            "ticket={\"author\": \"<!channel> {{ secret_note }}\"}",
            "--var",
            "secret_note=internal",
        ],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(posts(&sandbox)[0].json().unwrap()["text"], "Ticket from &lt;!channel&gt; {{ secret_note }}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_boundary_catches_its_slack_code_and_the_flow_goes_on() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox
        .script("chat.postMessage", ScriptedReply::SlackError { code: "channel_not_found".into(), extra: json!({}) });
    let flow = examples().join("team-alert-fallback.bpmn");
    let vars = examples().join("team-alert-fallback.vars.json");
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"])
            .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let record = json_record(&output);
    assert_eq!(record["state"], "completed");
    assert_eq!(record["steps"][0]["id"], "alert_team");
    assert_eq!(record["steps"][0]["error"]["code"], "channel_not_found");
    assert_eq!(record["steps"][1]["id"], "alert_general");
    assert_eq!(record["steps"][1]["status"], "completed");
    let posted = posts(&sandbox);
    assert_eq!(posted.len(), 2);
    assert_eq!(posted[0].json().unwrap()["channel"], "#payments-oncall");
    assert!(posted[1].json().unwrap()["text"].as_str().unwrap().contains("does not exist"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_error_boundary_lets_other_codes_raise_an_incident() {
    let sandbox = SlackSandbox::start().await.unwrap();
    sandbox.script("chat.postMessage", ScriptedReply::SlackError { code: "is_archived".into(), extra: json!({}) });
    let flow = examples().join("team-alert-fallback.bpmn");
    let vars = examples().join("team-alert-fallback.vars.json");
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"])
            .await;
    assert_eq!(output.status.code(), Some(1));
    let record = json_record(&output);
    assert_eq!(record["incident"]["element"], "alert_team");
    assert_eq!(posts(&sandbox).len(), 1, "no fallback for another error");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parallel_fork_and_join_then_a_timer() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("release-fanout.bpmn");
    let vars = examples().join("release-fanout.vars.json");
    let (output, _state) =
        herald(Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"])
            .await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let record = json_record(&output);
    let ids: Vec<&str> = record["steps"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[2], "summary", "the summary waits for both branches: {ids:?}");
    let posts = posts(&sandbox);
    let channels: Vec<String> =
        posts.iter().map(|p| p.json().unwrap()["channel"].as_str().unwrap().to_owned()).collect();
    assert_eq!(channels.len(), 3);
    assert!(channels[..2].contains(&"#engineering".to_owned()) && channels[..2].contains(&"#support".to_owned()));
    // The one-second timer sits between the join and the summary.
    let waited = posts[2].received_at - posts[1].received_at;
    assert!(waited >= Duration::from_secs(1), "the summary came {waited:?} after the second branch's post");
    let summary = posts[2].json().unwrap()["text"].as_str().unwrap().to_owned();
    assert!(summary.contains(record["variables"]["engineering_post"]["ts"].as_str().unwrap()));
    assert!(summary.contains(record["variables"]["support_post"]["ts"].as_str().unwrap()));
}

#[tokio::test(flavor = "multi_thread")]
async fn unsupported_boundary_events_are_reported_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("flow.bpmn");
    std::fs::write(&flow, r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:serviceTask id="notify">
      <bpmn:extensionElements><zeebe:taskDefinition type="slack" /></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="late" attachedToRef="notify"><bpmn:timerEventDefinition /></bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#).unwrap();
    let (output, _state) = herald(None, &["validate", flow.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains(&format!("{}:9:5: [late]", flow.display())) && err.contains("timerEventDefinition"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_compiled_component_is_cached_and_a_corrupt_entry_is_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = examples().join("invoice-issued.bpmn");
    let env =
        [("HERALD_CACHE_DIR", cache.path().to_str().unwrap()), ("RUST_LOG", "herald_runtime::compile_cache=debug")];
    let validate = ["validate", flow.to_str().unwrap()];
    let output = herald_in(dir.path(), None, &validate, &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("compiling the component"), "{}", stderr(&output));
    let entries: Vec<_> =
        std::fs::read_dir(cache.path().join("components")).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(entries.len(), 1, "one compiled component: {entries:?}");
    let good = std::fs::read(&entries[0]).unwrap();

    // The next run reads the entry: it compiles nothing and writes nothing.
    let identity = |path: &std::path::Path| {
        let metadata = std::fs::metadata(path).unwrap();
        (std::os::unix::fs::MetadataExt::ino(&metadata), metadata.modified().unwrap())
    };
    let stored = identity(&entries[0]);
    let output = herald_in(dir.path(), None, &validate, &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let log = stderr(&output);
    assert!(
        log.contains("compiled component read from the cache") && !log.contains("compiling the component"),
        "{log}"
    );
    assert_eq!(identity(&entries[0]), stored, "the entry was not written again");

    let mut corrupt = good.clone();
    let middle = corrupt.len() / 2;
    corrupt[middle] ^= 0xff;
    std::fs::write(&entries[0], &corrupt).unwrap();
    let output = herald_in(dir.path(), None, &validate, &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("compiling the component"),
        "a corrupt entry is compiled again: {}",
        stderr(&output)
    );
    let rebuilt = std::fs::read(&entries[0]).unwrap();
    assert_ne!(rebuilt, corrupt, "the corrupt entry was replaced");
    assert_eq!(rebuilt.len(), good.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dotenv_file_is_read_only_when_named() {
    // A cloned flow repository ships a `.env` pointing Slack, and the token, elsewhere.
    let elsewhere = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 1);
    std::fs::write(
        dir.path().join(".env"),
        format!("SLACK_API_URL={}\nSLACK_BOT_TOKEN=xoxb-from-dotenv\n", elsewhere.api_url()),
    )
    .unwrap();
    let output = herald_in(dir.path(), None, &["run", flow.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(elsewhere.requests().is_empty(), "the .env was read");
    assert!(
        stderr(&output).contains("herald: ./.env is not read; pass --env-file .env to use it"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("posting to the built-in Slack sandbox"), "{}", stderr(&output));

    let output = herald_in(dir.path(), None, &["run", flow.to_str().unwrap(), "--env-file", ".env"], &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let posts = posts(&elsewhere);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].header("authorization"), Some("Bearer xoxb-from-dotenv"));
    let output =
        herald_in(dir.path(), None, &["validate", flow.to_str().unwrap(), "--env-file", "missing.env"], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("cannot read the --env-file missing.env"), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn only_slack_variables_and_the_listed_ones_are_secrets() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[Task {
            id: "notify",
            inputs: &[("channel", "#general"), ("text", "hi"), ("token", "{{secrets.HERALD_TEST_TOKEN}}")],
            headers: &[],
            retries: 1,
        }],
    );
    let args = ["run", flow.to_str().unwrap(), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[("HERALD_TEST_TOKEN", "xoxb-listed")]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let message = json_record(&output)["incident"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("`HERALD_TEST_TOKEN` is not a secret flows may use: secrets are the environment variables whose names start with `SLACK_` and those listed in HERALD_SECRETS"), "{message}");
    assert!(sandbox.requests().is_empty());

    let env = [("HERALD_TEST_TOKEN", "xoxb-listed"), ("HERALD_SECRETS", "OTHER,HERALD_TEST_TOKEN")];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(posts(&sandbox)[0].header("authorization"), Some("Bearer xoxb-listed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn control_characters_in_data_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Hello {{ name }}", 1);
    let name = "name=\u{1b}]0;owned\u{7}\u{1b}[2J";
    for command in ["preview", "run"] {
        let output = herald_in(dir.path(), None, &[command, flow.to_str().unwrap(), "--var", name], &[]).await;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let printed = stdout(&output);
        assert!(!printed.contains('\u{1b}') && !printed.contains('\u{7}'), "{command}: {printed:?}");
        assert!(printed.contains("Hello \\u{1b}]0;owned\\u{7}\\u{1b}[2J"), "{command}: {printed}");
    }
}

/// A flow whose task loops back through an error boundary while `loop` is true: its
/// `resultExpression` doubles `x` each turn and, with `deep`, sets a variable nested 70
/// levels; then its `errorExpression` raises the BPMN error the boundary catches.
fn growing_flow(dir: &std::path::Path) -> std::path::PathBuf {
    let deep = format!("{}1{}", "{a: ".repeat(70), "}".repeat(70));
    let result = xml_attr(&format!("{{x: if loop then x + x else x, d: if deep then {deep} else null}}"));
    let error = xml_attr(r#"if loop then bpmnError("AGAIN", "once more") else null"#);
    let xml = format!(
        r##"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs">
  <bpmn:error id="again" errorCode="AGAIN" />
  <bpmn:process id="growing" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="to_turn" sourceRef="start" targetRef="turn" />
    <bpmn:exclusiveGateway id="turn" />
    <bpmn:sequenceFlow id="to_notify" sourceRef="turn" targetRef="notify" />
    <bpmn:serviceTask id="notify">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="slack" retries="1" />
        <zeebe:ioMapping>
          <zeebe:input source="#general" target="channel" />
          <zeebe:input source="a turn" target="text" />
        </zeebe:ioMapping>
        <zeebe:taskHeaders>
          <zeebe:header key="resultExpression" value="{result}" />
          <zeebe:header key="errorExpression" value="{error}" />
        </zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="caught" attachedToRef="notify">
      <bpmn:errorEventDefinition errorRef="again" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="back" sourceRef="caught" targetRef="turn" />
    <bpmn:sequenceFlow id="to_end" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"##
    );
    let path = dir.join("growing.bpmn");
    std::fs::write(&path, xml).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn variables_past_their_bounds_stop_their_instance_and_the_others_go_on() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = growing_flow(dir.path());
    let lines = [
        json!({"name": "doubling", "x": "x".repeat(64 << 10), "loop": true, "deep": false}),
        json!({"name": "deep", "x": "x", "loop": false, "deep": true}),
        json!({"name": "plain", "x": "x", "loop": false, "deep": false}),
    ];
    let jsonl = dir.path().join("lines.jsonl");
    std::fs::write(&jsonl, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let args = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let tally = json_record(&output);
    assert_eq!(tally["completed"], 1, "{tally}");
    // Each incident names its bound; the saved record of each reads back, as it stood
    // before the step that went past it.
    let mut incidents = Vec::new();
    for incident in tally["incidents"].as_array().unwrap() {
        let shown = show(dir.path(), incident["instance"].as_str().unwrap()).await;
        assert_eq!(shown["state"], "incident");
        let variables = &shown["variables"];
        incidents
            .push((variables["name"].as_str().unwrap().to_owned(), incident["message"].as_str().unwrap().to_owned()));
        assert!(variables["x"].as_str().unwrap().len() <= 16 << 20);
        assert!(variables["d"].is_null(), "{}", variables["d"]);
    }
    incidents.sort();
    assert_eq!(
        incidents,
        [
            ("deep".to_owned(), "`d` nests deeper than 64 levels, the most an instance's variables may".to_owned()),
            (
                "doubling".to_owned(),
                "the variables take more than 16 MiB as JSON, the most an instance's variables may".to_owned()
            ),
        ]
    );
    // 64 KiB doubled eight times is 16 MiB: the eighth turn's result went past the bound.
    assert_eq!(posts(&sandbox).len(), 8 + 2);

    // Variables given past the bounds are invalid input, before anything runs.
    let deep_key = vec!["a"; 100].join(".");
    let deep_var = format!("{deep_key}=1");
    let output =
        herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--var", &deep_var], &[])
            .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output)
            .contains("--var: the key `a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.…` nests deeper than 64 levels"),
        "{}",
        stderr(&output)
    );
    let vars = dir.path().join("deep.json");
    std::fs::write(&vars, format!("{{\"a\": {}1{}}}", "[".repeat(100), "]".repeat(100))).unwrap();
    let output = herald_in(
        dir.path(),
        Some(&sandbox.api_url()),
        &["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap()],
        &[],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(&format!("{}: `a` nests deeper than 64 levels", vars.display())),
        "{}",
        stderr(&output)
    );
    assert_eq!(posts(&sandbox).len(), 10, "nothing more was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_loop_stops_at_the_visit_limit_with_an_incident() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("loop.bpmn");
    std::fs::write(
        &flow,
        r#"<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="endless" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="in" sourceRef="start" targetRef="again" />
    <bpmn:exclusiveGateway id="again" default="round" />
    <bpmn:sequenceFlow id="round" sourceRef="again" targetRef="pass" />
    <bpmn:sequenceFlow id="out" sourceRef="again" targetRef="end">
      <bpmn:conditionExpression>=false</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:intermediateThrowEvent id="pass" />
    <bpmn:sequenceFlow id="back" sourceRef="pass" targetRef="again" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#,
    )
    .unwrap();
    let (output, _state) = herald(None, &["run", flow.to_str().unwrap(), "--json"]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let record = json_record(&output);
    // 10,000 visits plus ten per element of the flow (its four nodes).
    assert_eq!(
        record["incident"]["message"],
        "the instance visited 10040 elements without ending; check the flow for an endless loop"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_stands_in_only_when_the_token_the_flow_names_is_not_set() {
    let dir = tempfile::tempdir().unwrap();
    // herald's form, Camunda's FEEL form and Camunda's legacy form name the same secret.
    for token in ["{{secrets.SLACK_OAUTH_TOKEN}}", "secrets.SLACK_OAUTH_TOKEN", "=\"{{secrets.SLACK_OAUTH_TOKEN}}\""] {
        let inputs = [("channel", "#general"), ("text", "hello"), ("token", token)];
        let flow = linear_flow(dir.path(), &[Task { id: "notify", inputs: &inputs, headers: &[], retries: 1 }]);
        let flow = flow.to_str().unwrap();
        // Another token is set, not the one the flow names: the sandbox, which says what it
        // looked for.
        let output = herald_in(dir.path(), None, &["run", flow], &[("SLACK_BOT_TOKEN", "xoxb-other")]).await;
        assert_eq!(output.status.code(), Some(0), "{token}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(
                "no Slack token is set (looked for SLACK_OAUTH_TOKEN) and no SLACK_API_URL; posting to the built-in Slack sandbox"
            ),
            "{token}: {}",
            stderr(&output)
        );
        assert!(stdout(&output).contains("#general") && stdout(&output).contains("hello"), "{}", stdout(&output));
    }

    // The token the flow names (in FEEL, in the flow written last) is set: Slack itself (out of reach here), never
    // the sandbox.
    let env = [("SLACK_OAUTH_TOKEN", "xoxb-1-set"), ("HERALD_CONNECT_TIMEOUT_MS", "2000")];
    let flow = dir.path().join("flow.bpmn");
    let output = herald_in(dir.path(), None, &["run", flow.to_str().unwrap(), "--json"], &env).await;
    assert!(!stderr(&output).contains("sandbox"), "{}", stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let record = json_record(&output);
    let error = &record["steps"][0]["error"];
    assert_eq!(error["code"], "connection_failed", "{record:#}");
    assert!(error["message"].as_str().unwrap().contains("could not reach Slack"), "{record:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_start_event_starts_the_run_with_the_messages_variables() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("camunda-order-placed.bpmn");
    let vars = examples().join("camunda-order-placed.vars.json");
    let state = tempfile::tempdir().unwrap();
    let args = ["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"];
    let output = herald_in(state.path(), Some(&sandbox.api_url()), &args, &[("SLACK_TOKEN", TOKEN)]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let posted = posts(&sandbox);
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].json().unwrap()["text"], "Order B-7 from Grace Hopper: 900 EUR (regular)");
    // The script's total and the post's ts reach `order` through output mappings; the
    // script's and the connector's own results stay local to their tasks.
    let message = &sandbox.messages()[0];
    let variables = json_record(&output)["variables"].clone();
    assert_eq!(
        variables["order"],
        json!({
            "id": "B-7", "customer": "Grace Hopper",
            "lines": [{"sku": "compiler", "price": 400, "quantity": 2}, {"sku": "manual", "price": 25, "quantity": 4}],
            "total": 900, "size": "regular", "slackTs": message.ts, "slackChannel": message.channel_id,
        })
    );
    let names: Vec<&String> = variables.as_object().unwrap().keys().collect();
    assert_eq!(names, ["order"]);

    // Several message start events and no none start event: which message a run is, is unclear.
    let text = std::fs::read_to_string(&flow).unwrap();
    let second = text.replace(
        r#"<bpmn:sequenceFlow id="Flow_1""#,
        r#"<bpmn:startEvent id="OrderAmended"><bpmn:messageEventDefinition messageRef="Message_OrderAmended" /></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_0" sourceRef="OrderAmended" targetRef="TotalOrder" />
    <bpmn:sequenceFlow id="Flow_1""#,
    );
    let second = second.replace(
        r#"<bpmn:message id="Message_OrderPlaced" name="order-placed" />"#,
        r#"<bpmn:message id="Message_OrderPlaced" name="order-placed" /><bpmn:message id="Message_OrderAmended" name="order-amended" />"#,
    );
    let two = state.path().join("two-messages.bpmn");
    std::fs::write(&two, second).unwrap();
    let args = ["run", two.to_str().unwrap(), "--vars", vars.to_str().unwrap()];
    let output = herald_in(state.path(), Some(&sandbox.api_url()), &args, &[("SLACK_TOKEN", TOKEN)]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("several message start events, `OrderPlaced` (message `order-placed`), `OrderAmended` (message `order-amended`), and no none start event"),
        "{}",
        stderr(&output)
    );
    assert_eq!(posts(&sandbox).len(), 1, "nothing more was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_feel_script_task_computes_a_variable_the_next_step_uses() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let script =
        xml_attr(r#"="Deploying " + service + " v" + string(version + 1) + " (" + string(count(hosts)) + " hosts)""#);
    let flow = process_file(
        dir.path(),
        "",
        &format!(
            r##"    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="headline" />
    <bpmn:scriptTask id="headline" name="Write the headline">
      <bpmn:extensionElements><zeebe:script expression="{script}" resultVariable="headline" /></bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="headline" targetRef="notify" />
    <bpmn:serviceTask id="notify">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="slack" retries="1" />
        <zeebe:ioMapping>
          <zeebe:input source="#deploys" target="channel" />
          <zeebe:input source="=headline" target="text" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />"##
        ),
    );
    let args = [
        "run",
        flow.to_str().unwrap(),
        "--var",
        "service=billing",
        "--var",
        "version=41",
        "--var",
        "hosts=[\"a\", \"b\"]",
    ];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(posts(&sandbox)[0].json().unwrap()["text"], "Deploying billing v42 (2 hosts)");
    assert!(
        stdout(&output)
            .contains(r#"✓ headline "Write the headline" (script) set headline = "Deploying billing v42 (2 hosts)""#),
        "{}",
        stdout(&output)
    );

    // A script in another language is refused at load, with its line.
    let groovy = dir.path().join("groovy.bpmn");
    let text = std::fs::read_to_string(&flow).unwrap().replace(
        &format!(r#"<bpmn:extensionElements><zeebe:script expression="{script}" resultVariable="headline" /></bpmn:extensionElements>"#),
        r#"<bpmn:script>headline = "Deploying " + service</bpmn:script>"#,
    );
    std::fs::write(&groovy, text.replace(r#"name="Write the headline""#, r#"scriptFormat="groovy""#)).unwrap();
    let output = herald_in(dir.path(), None, &["validate", groovy.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.starts_with("error: 1 problem(s):"), "{err}");
    assert!(
        err.contains(&format!(
            "{}:8:7: [headline] a script in groovy (`bpmn:script`) is not supported",
            groovy.display()
        )),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn output_mappings_decide_what_a_step_leaves_in_the_variables() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = process_file(
        dir.path(),
        "",
        r##"    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:serviceTask id="notify">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="slack" retries="1" />
        <zeebe:ioMapping>
          <zeebe:input source="#audit" target="channel" />
          <zeebe:input source="Audit entry {{ audit.by }}" target="text" />
          <zeebe:output source="=post.ts" target="audit.ts" />
          <zeebe:output source="=response.channel" target="audit.channel" />
          <zeebe:output source="=channel" target="audit.asked" />
        </zeebe:ioMapping>
        <zeebe:taskHeaders><zeebe:header key="resultVariable" value="post" /></zeebe:taskHeaders>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f2" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />"##,
    );
    let args = ["run", flow.to_str().unwrap(), "--var", "audit={\"by\": \"ops\"}", "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let message = &sandbox.messages()[0];
    assert_eq!(message.text, "Audit entry ops");
    // `audit.by` is kept; the inputs and `post` are the task's own.
    let record = json_record(&output);
    assert_eq!(
        record["variables"],
        json!({"audit": {"by": "ops", "ts": message.ts, "channel": message.channel_id, "asked": "#audit"}})
    );
    assert_eq!(record["steps"][0]["output"]["ts"], message.ts, "the step's record keeps its output");
}

#[tokio::test(flavor = "multi_thread")]
async fn each_unsupported_element_is_one_problem_naming_its_kind_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let flow = process_file(
        dir.path(),
        r#"  <bpmn:message id="paid_msg" name="paid"><bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements></bpmn:message>"#,
        r#"    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="choice" />
    <bpmn:eventBasedGateway id="choice" />
    <bpmn:sequenceFlow id="f2" sourceRef="choice" targetRef="paid" />
    <bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="paid_msg" /></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="paid" targetRef="fulfil" />
    <bpmn:subProcess id="fulfil">
      <bpmn:startEvent id="inner_start" />
      <bpmn:sequenceFlow id="inner" sourceRef="inner_start" targetRef="inner_end" />
      <bpmn:endEvent id="inner_end" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f4" sourceRef="fulfil" targetRef="review" />
    <bpmn:userTask id="review" />
    <bpmn:sequenceFlow id="f5" sourceRef="review" targetRef="end" />
    <bpmn:endEvent id="end" />"#,
    );
    let (output, _state) = herald(None, &["validate", flow.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let file = flow.display().to_string();
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 5, "a count and one line each, no cascade: {err}");
    assert_eq!(lines[0], "error: 4 problem(s):");
    for (line, expected) in lines[1..].iter().zip([
        format!("{file}:7:5: [choice] `bpmn:eventBasedGateway` is not supported"),
        format!("{file}:9:5: [paid] `bpmn:intermediateCatchEvent` with `bpmn:messageEventDefinition` is not supported"),
        format!("{file}:11:5: [fulfil] `bpmn:subProcess` is not supported"),
        format!("{file}:17:5: [review] `bpmn:userTask` is not supported"),
    ]) {
        assert!(line.starts_with(&expected), "{line}\nexpected: {expected}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_lists_structural_feel_and_connector_problems_together() {
    let dir = tempfile::tempdir().unwrap();
    let flow = process_file(
        dir.path(),
        "",
        r##"    <bpmn:startEvent id="start" />
    <bpmn:startEvent id="other_start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="notify" />
    <bpmn:sequenceFlow id="f2" sourceRef="other_start" targetRef="notify" />
    <bpmn:serviceTask id="notify">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="slack" />
        <zeebe:ioMapping>
          <zeebe:input source="#billing" target="channel" />
          <zeebe:input source="=amount +" target="text" />
          <zeebe:input source="loud" target="color" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="f3" sourceRef="notify" targetRef="end" />
    <bpmn:endEvent id="end" />"##,
    );
    let (output, _state) = herald(None, &["validate", flow.to_str().unwrap()]).await;
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let file = flow.display().to_string();
    assert!(err.starts_with("error: 3 problem(s):"), "{err}");
    assert!(
        err.contains(&format!("{file}:6:5: [other_start] the process has more than one none start event")),
        "{err}"
    );
    assert!(err.contains(&format!("{file}:14:41: [notify] FEEL syntax error")), "{err}");
    assert!(err.contains(&format!("{file}:15:32: [notify] input `color`")), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_example_runs_to_its_end_on_the_built_in_sandbox() {
    let mut flows: Vec<_> = std::fs::read_dir(examples())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "bpmn"))
        .collect();
    flows.sort();
    assert!(flows.len() >= 9, "{flows:?}");
    for flow in flows {
        let vars = flow.with_extension("vars.json");
        let args = ["run", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap(), "--json"];
        let (output, _state) = herald(None, &args).await;
        assert_eq!(output.status.code(), Some(0), "{}: {}", flow.display(), stderr(&output));
        assert!(stderr(&output).contains("posting to the built-in Slack sandbox"), "{}", flow.display());
        assert_eq!(json_record(&output)["state"], "completed", "{}", flow.display());
    }
}
