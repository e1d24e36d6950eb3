//! The sandbox's guarantees, proven against components that misbehave on purpose (built by
//! the host's build script from `test-components/hostile`): egress only to allowed hosts,
//! no sockets, no files, memory and CPU limits, timeouts on outgoing calls; and secrets
//! that never leave in a message, a log or the state.

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use herald_sandbox::{ScriptedReply, SlackSandbox};

use crate::support::*;

const HOSTILE: &str = herald_test_components::HOSTILE;

/// Runs one hostile step doing `behaviour` to `target`, with the Slack API (and so the
/// allowed loopback host 127.0.0.1) at `sandbox`.
async fn hostile(sandbox: &SlackSandbox, behaviour: &str, target: &str, env: &[(&str, &str)]) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [("behaviour", behaviour), ("target", target)];
    let flow =
        linear_flow_of(dir.path(), "hostile", &[Task { id: "misbehave", inputs: &inputs, headers: &[], retries: 1 }]);
    let connector = format!("hostile={HOSTILE}");
    let args = ["run", flow.to_str().unwrap(), "--json", "--connector", &connector];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, env).await;
    let record = json_record(&output);
    (output, record)
}

/// Runs `flow` of hostile steps once per line of `lines`, `concurrency` at a time, with the
/// Slack API at `api_url`; prints the tally as JSON.
async fn hostile_bulk_run(
    dir: &Path,
    flow: &Path,
    lines: &[Value],
    concurrency: usize,
    api_url: &str,
    env: &[(&str, &str)],
) -> Output {
    let jsonl = dir.join("lines.jsonl");
    std::fs::write(&jsonl, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let connector = format!("hostile={HOSTILE}");
    let concurrency = concurrency.to_string();
    let args = [
        "run",
        flow.to_str().unwrap(),
        "--vars-jsonl",
        jsonl.to_str().unwrap(),
        "--concurrency",
        &concurrency,
        "--json",
        "--connector",
        &connector,
    ];
    herald_in(dir, Some(api_url), &args, env).await
}

/// The incident of a run that failed.
fn incident(output: &Output, record: &Value) -> String {
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(output));
    assert_eq!(record["state"], "incident", "{record}");
    record["incident"]["message"].as_str().unwrap().to_owned()
}

/// Whether anyone connected to `listener` (which must be non-blocking).
fn connected(listener: &TcpListener) -> bool {
    listener.accept().is_ok()
}

fn listener(address: &str) -> TcpListener {
    let listener = TcpListener::bind(address).unwrap();
    listener.set_nonblocking(true).unwrap();
    listener
}

#[tokio::test(flavor = "multi_thread")]
async fn another_host_is_denied_before_any_connection() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // Loopback, but not the allowed 127.0.0.1.
    let elsewhere = listener("127.0.0.2:0");
    let url = format!("http://{}/collect", elsewhere.local_addr().unwrap());
    let (output, record) = hostile(&sandbox, "other-host", &url, &[]).await;
    let message = incident(&output, &record);
    let origin = format!("http://{}", elsewhere.local_addr().unwrap());
    assert!(message.contains(&format!("`{origin}`, which is not allowed")), "{message}");
    assert_eq!(record["steps"][0]["error"]["kind"], "egress-denied");
    assert!(!connected(&elsewhere), "a connection was attempted");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_raw_socket_is_denied_before_any_connection() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // Even the allowed host is out of reach without wasi:http.
    let server = listener("127.0.0.1:0");
    let address = server.local_addr().unwrap().to_string();
    let (output, record) = hostile(&sandbox, "raw-socket", &address, &[]).await;
    let message = incident(&output, &record);
    assert!(message.contains(&format!("`{address} (a raw tcp socket)`, which is not allowed")), "{message}");
    assert!(!connected(&server), "a connection was made");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_filesystem_is_out_of_reach() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("private.txt");
    std::fs::write(&secret, "the-private-content").unwrap();
    let (output, record) = hostile(&sandbox, "filesystem", secret.to_str().unwrap(), &[]).await;
    let message = incident(&output, &record);
    assert_eq!(record["steps"][0]["error"]["code"], "filesystem");
    // No directory is open to the component: the path does not exist for it.
    assert!(message.contains("No such file or directory"), "{message}");
    assert!(!stdout(&output).contains("the-private-content"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_component_sees_no_host_environment_and_no_directory() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // herald's working directory is `dir`: a file there, and variables in herald's own
    // environment, one of them the one herald passes on to this connector.
    std::fs::write(dir.path().join("private.txt"), "the-private-content").unwrap();
    let env = [("HERALD_TEST_MARKER", "host-only"), ("HOSTILE_API_URL", "http://127.0.0.1:9/")];
    let (output, record) = hostile(&sandbox, "ambient", "private.txt", &env).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let seen = &record["steps"][0]["output"];
    // Names only in the message: herald's environment holds the test token.
    let names: Vec<&String> = seen["env"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["HOSTILE_API_URL"], "only what herald gives it");
    assert_eq!(seen["env"]["HOSTILE_API_URL"], "http://127.0.0.1:9/");
    assert_eq!(seen["preopens"], serde_json::json!([]), "no directory is opened to it");
    let file = seen["file"].as_str().unwrap();
    assert!(file.starts_with("unreadable: ") && !file.contains("the-private-content"), "{file}");
}

/// A URL on the sandbox that a hostile step GETs to say it started.
fn start_mark(sandbox: &SlackSandbox, name: &str) -> String {
    format!("{}api.test?started={name}", sandbox.api_url())
}

/// The requests the sandbox saw at `start_mark(name)`.
fn marks(sandbox: &SlackSandbox, name: &str) -> Vec<herald_sandbox::ReceivedRequest> {
    let query = format!("started={name}");
    sandbox.requests().into_iter().filter(|r| r.query == query).collect()
}

/// How many requests the sandbox saw to its API method `method`.
fn marks_of(sandbox: &SlackSandbox, method: &str) -> usize {
    sandbox.requests().iter().filter(|r| r.api_method() == method).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_limit_stops_its_instance_and_the_others_go_on() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A method of the sandbox's that never answers, for both attempts.
    sandbox.script("hang.test", ScriptedReply::Silent);
    sandbox.script("hang.test", ScriptedReply::Silent);
    let silent = format!("{}hang.test", sandbox.api_url());
    let silent_host = silent.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let inputs = [("behaviour", "=behaviour"), ("target", "=target")];
    // Two attempts each: only the timeout may use the second.
    let headers = [("retryBackoff", "PT0.05S")];
    let flow = linear_flow_of(
        dir.path(),
        "hostile",
        &[Task { id: "misbehave", inputs: &inputs, headers: &headers, retries: 2 }],
    );
    let lines = [
        serde_json::json!({"behaviour": "spin", "target": start_mark(&sandbox, "spin")}),
        serde_json::json!({"behaviour": "allocate", "target": start_mark(&sandbox, "allocate")}),
        serde_json::json!({"behaviour": "hang", "target": silent}),
        serde_json::json!({"behaviour": "ok", "target": ""}),
    ];
    let env =
        [("HERALD_CPU_LIMIT_MS", "300"), ("HERALD_MEMORY_LIMIT_MB", "32"), ("HERALD_FIRST_BYTE_TIMEOUT_MS", "500")];
    let output = hostile_bulk_run(dir.path(), &flow, &lines, 4, &sandbox.api_url(), &env).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let tally = json_record(&output);
    assert_eq!(tally["completed"], 1, "{tally}");
    let mut messages: Vec<String> =
        tally["incidents"].as_array().unwrap().iter().map(|i| i["message"].as_str().unwrap().to_owned()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            format!(
                "`{silent_host}` did not answer in time: the first byte timeout of 500 ms stopped the request (HERALD_FIRST_BYTE_TIMEOUT_MS sets it)"
            ),
            "the connector was stopped by its CPU time limit of 300 ms (HERALD_CPU_LIMIT_MS sets it)".to_owned(),
            "the connector was stopped by its memory limit of 32 MiB (HERALD_MEMORY_LIMIT_MB sets it)".to_owned(),
        ]
    );
    // A timeout is transient and tried again; the memory and CPU limits would only stop
    // the same code again, so each of those ran once.
    assert_eq!(marks_of(&sandbox, "hang.test"), 2, "the silent server saw both attempts");
    assert_eq!(marks(&sandbox, "spin").len(), 1, "the endless loop ran once");
    assert_eq!(marks(&sandbox, "allocate").len(), 1, "the unbounded allocation ran once");
}

/// When each request reached a test server, by its path.
type Notes = std::sync::Arc<std::sync::Mutex<Vec<(String, std::time::Instant)>>>;

/// A loopback server that notes when each request arrives, by its path, and has `answer`
/// reply to it (given the path) on a thread of its own; returns its URL and the notes.
fn test_server(answer: fn(&str, &mut std::net::TcpStream)) -> (String, Notes) {
    use std::io::{BufRead, BufReader};
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", server.local_addr().unwrap());
    let seen = Notes::default();
    let notes = std::sync::Arc::clone(&seen);
    std::thread::spawn(move || {
        for mut stream in server.incoming().take(8).flatten() {
            let notes = std::sync::Arc::clone(&notes);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let path = line.split_whitespace().nth(1).unwrap_or_default().to_owned();
                notes.lock().unwrap().push((path.clone(), std::time::Instant::now()));
                let mut header = String::new();
                while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                    header.clear();
                }
                answer(&path, &mut stream);
            });
        }
    });
    (url, seen)
}

/// Answers at once, or a second later for a path that ends in `/slow`.
fn slow_when_asked(path: &str, stream: &mut std::net::TcpStream) {
    if path.ends_with("/slow") {
        std::thread::sleep(std::time::Duration::from_secs(1));
    }
    let _ = std::io::Write::write_all(stream, b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
}

/// Answers with a reply that trickles one byte every 200 ms, each wait well inside every
/// request timeout.
fn trickling(_: &str, stream: &mut std::net::TcpStream) {
    use std::io::Write;
    let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{";
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    for _ in 0..100 {
        std::thread::sleep(std::time::Duration::from_millis(200));
        if stream.write_all(b" ").and_then(|()| stream.flush()).is_err() {
            return;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_busy_instance_does_not_hold_up_the_others() {
    let (server, notes) = test_server(slow_when_asked);
    let dir = tempfile::tempdir().unwrap();
    let inputs = [("behaviour", "=behaviour"), ("target", "=target")];
    // A first step that ends at once: the calls of a connector wait for its first call to
    // end (see the engine's shared cache), and then no longer.
    let warm = [("behaviour", "ok"), ("target", "")];
    let flow = linear_flow_of(
        dir.path(),
        "hostile",
        &[
            Task { id: "warm", inputs: &warm, headers: &[], retries: 1 },
            Task { id: "misbehave", inputs: &inputs, headers: &[], retries: 1 },
        ],
    );
    // An endless loop announces itself, then spins; the other instance waits a second for a
    // slow answer, by which time the loop spins, then calls again.
    let other = format!("{server}slow {server}other");
    let lines = [
        serde_json::json!({"behaviour": "spin", "target": format!("{server}spin")}),
        serde_json::json!({"behaviour": "ok", "target": other}),
    ];
    // One worker thread: the loop holds it unless it yields.
    let env = [("HERALD_CPU_LIMIT_MS", "4000"), ("TOKIO_WORKER_THREADS", "1")];
    let output = hostile_bulk_run(dir.path(), &flow, &lines, 2, &server, &env).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let tally = json_record(&output);
    assert_eq!(tally["completed"], 1, "{tally}");
    assert!(tally["incidents"][0]["message"].as_str().unwrap().contains("CPU time limit of 4000 ms"), "{tally}");
    let notes = notes.lock().unwrap().clone();
    let at = |path: &str| {
        notes.iter().find(|(p, _)| p == path).map(|(_, at)| *at).unwrap_or_else(|| panic!("no {path}: {notes:?}"))
    };
    assert!(at("/spin") < at("/other"), "the loop started only after the other instance called: {notes:?}");
    // Held up, the other instance would call only once the CPU limit stopped the loop,
    // four seconds after it started.
    let after = at("/other").saturating_duration_since(at("/spin"));
    assert!(after < std::time::Duration::from_secs(3), "the other instance called {after:?} after the loop started");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_trickling_server_is_stopped_by_the_attempt_deadline_which_names_itself() {
    let (url, notes) = test_server(trickling);
    let url = format!("{url}api/");
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "C0123456789", "Deploy done", 2);
    let env = [("HERALD_ATTEMPT_TIMEOUT_MS", "1500")];
    let output = herald_in(dir.path(), Some(&url), &["run", flow.to_str().unwrap(), "--json"], &env).await;
    let record = json_record(&output);
    let message = incident(&output, &record);
    assert_eq!(
        message,
        "the attempt did not finish within its deadline of 1500 ms, so it was stopped (HERALD_ATTEMPT_TIMEOUT_MS sets it)"
    );
    let step = &record["steps"][0];
    assert_eq!(step["error"]["kind"], "timeout", "{step}");
    assert_eq!(step["attempts"], 2, "a deadline is retried like a timeout: {step}");
    // The first attempt's post got no answer, so the repeat first looked for it.
    let seen: Vec<String> = notes.lock().unwrap().iter().map(|(path, _)| path.clone()).collect();
    assert_eq!(seen, ["/api/chat.postMessage", "/api/conversations.history"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_setting_out_of_its_range_is_invalid_input_reported_once_at_start() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 1);
    let args = ["run", flow.to_str().unwrap()];
    let ok = herald_in(
        dir.path(),
        Some(&sandbox.api_url()),
        &args,
        &[("HERALD_MEMORY_LIMIT_MB", "16"), ("HERALD_CPU_LIMIT_MS", "300")],
    )
    .await;
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    let refused = [
        ("HERALD_CPU_LIMIT_MS", "soon", "HERALD_CPU_LIMIT_MS must be a whole number from 10 to 3600000, not `soon`"),
        ("HERALD_MEMORY_LIMIT_MB", "1", "HERALD_MEMORY_LIMIT_MB must be a whole number from 16 to 4096, not `1`"),
        (
            "HERALD_MEMORY_LIMIT_MB",
            "99999999999999",
            "HERALD_MEMORY_LIMIT_MB must be a whole number from 16 to 4096, not `99999999999999`",
        ),
        (
            "HERALD_CONNECT_TIMEOUT_MS",
            "0",
            "HERALD_CONNECT_TIMEOUT_MS must be a whole number from 1 to 3600000, not `0`",
        ),
        (
            "SLACK_API_URL",
            "http://127.0.0.1:1/my api/",
            "SLACK_API_URL must be an http:// or https:// URL such as https://slack.com/api/, not `http://127.0.0.1:1/my api/`",
        ),
        (
            "SLACK_API_URL",
            "slack.com/api",
            "SLACK_API_URL must be an http:// or https:// URL such as https://slack.com/api/, not `slack.com/api`",
        ),
    ];
    for (name, value, message) in refused {
        // Without a token either: nothing would reach Slack even if a step ran.
        let output = herald_in(dir.path(), None, &args, &[(name, value)]).await;
        assert_eq!(output.status.code(), Some(2), "{name}={value}");
        assert_eq!(stderr(&output).trim(), format!("error: {message}"));
    }
    assert_eq!(posts(&sandbox).len(), 1, "only the run with good settings posted");
    assert_eq!(instances(dir.path()).await.len(), 1);
}

/// Every file under `dir`, as text, for a search.
fn everything_in(dir: &Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            text += &everything_in(&path);
        } else {
            text += &String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default());
        }
    }
    text
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_named_in_message_text_is_refused_and_never_posted() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Token: {{secrets.SLACK_BOT_TOKEN}}", 1);
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    assert!(errors.contains("flow.bpmn:"), "{errors}");
    assert!(errors.contains("input `text` names the secret `SLACK_BOT_TOKEN`, a credential: credentials go only in credential inputs (`webhook_url`, `token`)"), "{errors}");
    assert!(sandbox.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn secrets_appear_in_no_output_log_error_or_state() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    // A run that succeeds and one that fails on Slack's answer, both logging everything.
    let flow = one_post(dir.path(), "#general", "hello", 1);
    let trace = [("RUST_LOG", "trace")];
    let ok = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"], &trace).await;
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    sandbox.script(
        "chat.postMessage",
        herald_sandbox::ScriptedReply::SlackError { code: "invalid_auth".into(), extra: Value::Null },
    );
    let failed =
        herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"], &trace).await;
    assert_eq!(failed.status.code(), Some(1));
    assert!(stderr(&ok).contains("TRACE"), "trace logging is on");
    // The token did reach Slack, in the Authorization header only.
    assert!(sandbox.requests().iter().any(|r| r.header("authorization") == Some(format!("Bearer {TOKEN}").as_str())));
    for output in [&ok, &failed] {
        assert!(!stdout(output).contains(TOKEN) && !stderr(output).contains(TOKEN));
        assert!(!stdout(output).contains("secretvalue") && !stderr(output).contains("secretvalue"));
    }
    assert!(!everything_in(dir.path()).contains("secretvalue"));
}

/// Runs one webhook step whose `webhook_url` is `url`, with `env` and the Slack API at
/// `sandbox`.
async fn webhook_step(sandbox: &SlackSandbox, url: &str, env: &[(&str, &str)]) -> (Output, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let flow = linear_flow(
        dir.path(),
        &[Task { id: "alert", inputs: &[("webhook_url", url), ("text", "hi")], headers: &[], retries: 1 }],
    );
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"], env).await;
    (output, dir)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_credential_input_is_a_whole_secret_or_the_shape_its_connector_declares() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let elsewhere = listener("127.0.0.2:0");
    // Revealed inside the URL, this value would move the request to 127.0.0.2.
    let evil = format!("{}/#", elsewhere.local_addr().unwrap());
    let port = sandbox.api_url().split(':').nth(2).unwrap().split('/').next().unwrap().to_owned();
    let moved = format!("http://{{{{secrets.SLACK_EVIL}}}}@127.0.0.1:{port}/services/T1/B1/x");
    let in_query = "https://slack.com/api/chat.postMessage?channel=C1&text={{secrets.SLACK_OTHER}}";
    let env = [("SLACK_EVIL", evil.as_str()), ("SLACK_OTHER", "xoxp-other-secret")];
    for url in [moved.as_str(), in_query] {
        let (output, _dir) = webhook_step(&sandbox, url, &env).await;
        assert_eq!(output.status.code(), Some(2), "{url}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("inside a longer value; a credential input is one whole secret"),
            "{}",
            stderr(&output)
        );
    }
    // Not a secret, so it must have the shape the Slack connector declares.
    let (output, _dir) = webhook_step(&sandbox, &sandbox.webhook_url("alerts"), &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("input `webhook_url` must be a secret (`{{secrets.NAME}}`) or match `^("),
        "{}",
        stderr(&output)
    );
    assert!(!connected(&elsewhere), "a connection was attempted");
    assert!(sandbox.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_goes_only_to_the_origin_of_the_api_url() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // Same loopback host as the API URL, another port.
    let other = listener("127.0.0.1:0");
    let hook = format!("http://{}/services/T1/B1/x", other.local_addr().unwrap());
    let (output, _dir) = webhook_step(&sandbox, "{{secrets.SLACK_WEBHOOK}}", &[("SLACK_WEBHOOK", &hook)]).await;
    let record = json_record(&output);
    let message = incident(&output, &record);
    assert_eq!(record["steps"][0]["error"]["kind"], "egress-denied");
    assert!(message.contains(&format!("`http://{}`, which is not allowed", other.local_addr().unwrap())), "{message}");
    // What is allowed: the hosts the Slack connector declares, and the API URL's origin.
    let api_origin = sandbox.api_url().trim_end_matches("/api/").to_owned();
    assert!(
        message.contains(&format!("(allowed: {api_origin}, https://hooks.slack.com, https://slack.com)")),
        "{message}"
    );
    assert!(!connected(&other), "a connection was attempted");
    assert!(!stdout(&output).contains("/services/T1/B1/x"), "the webhook URL is a secret");

    // The API URL's own origin is allowed.
    let (output, _dir) =
        webhook_step(&sandbox, "{{secrets.SLACK_WEBHOOK}}", &[("SLACK_WEBHOOK", &sandbox.webhook_url("alerts"))]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(sandbox.messages().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_a_server_sends_back_is_neither_stored_nor_shown() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 1);
    // The server repeats the token in its error's details.
    let echo = serde_json::json!({"response_metadata": {"messages": [format!("the token {TOKEN} is not valid")]}});
    sandbox.script(
        "chat.postMessage",
        herald_sandbox::ScriptedReply::SlackError { code: "invalid_auth".into(), extra: echo },
    );
    let failed = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"], &[]).await;
    let record = json_record(&failed);
    let message = incident(&failed, &record);
    assert!(message.contains("the token [secret] is not valid"), "{message}");
    let id = record["instance"].as_str().unwrap();
    let shown = herald_in(dir.path(), None, &["show", id], &[]).await;
    assert!(stdout(&shown).contains("the token [secret] is not valid"), "{}", stdout(&shown));
    let shown_json = herald_in(dir.path(), None, &["show", id, "--json"], &[]).await;
    assert_eq!(json_record(&shown_json)["incident"]["message"], message);
    for output in [&failed, &shown, &shown_json] {
        assert!(!stdout(output).contains("secretvalue") && !stderr(output).contains("secretvalue"));
    }
    assert!(!everything_in(dir.path()).contains("secretvalue"));
}

#[tokio::test(flavor = "multi_thread")]
async fn output_hides_no_data_that_equals_a_secret_and_stays_valid_json() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 1);
    let args = ["run", flow.to_str().unwrap(), "--json", "--var", "note=xoxb-1", "--var", &format!("guess={TOKEN}")];
    // A token that ends with a quote, as the variable `note` does in JSON text.
    let env = [("SLACK_API_URL", sandbox.api_url()), ("SLACK_BOT_TOKEN", "xoxb-1\"".to_owned())];
    let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let output = herald_in(dir.path(), None, &args, &env).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let record = json_record(&output);
    assert_eq!(record["variables"]["note"], "xoxb-1");
    // The process's data is shown as it is, even when it equals a secret: `***` there
    // would confirm a guess.
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(json_record(&output)["variables"]["guess"], TOKEN);
}

/// A linear flow of `n` none intermediate events.
fn long_flow(n: usize) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">\n<bpmn:process id=\"long\" isExecutable=\"true\">\n<bpmn:startEvent id=\"s\"/>\n",
    );
    let mut previous = "s".to_owned();
    for i in 0..n {
        xml += &format!(
            "<bpmn:sequenceFlow id=\"f{i}\" sourceRef=\"{previous}\" targetRef=\"e{i}\"/><bpmn:intermediateThrowEvent id=\"e{i}\"/>\n"
        );
        previous = format!("e{i}");
    }
    xml + &format!(
        "<bpmn:sequenceFlow id=\"last\" sourceRef=\"{previous}\" targetRef=\"end\"/><bpmn:endEvent id=\"end\"/>\n</bpmn:process>\n</bpmn:definitions>\n"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_input_gets_a_clear_error_or_is_handled() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();

    // 300,000 elements (flow nodes and sequence flows) load and validate.
    std::fs::write(path("long.bpmn"), long_flow(150_000)).unwrap();
    let output = herald_in(dir.path(), None, &["validate", &path("long.bpmn")], &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("valid (150002 elements"), "{}", stdout(&output));

    let flow = examples().join("invoice-issued.bpmn");
    let flow = flow.to_str().unwrap();
    // Variables nested 100,000 deep: refused with their position, no stack overflow.
    std::fs::write(path("deep.json"), format!("{{\"a\": {}{}}}", "[".repeat(100_000), "]".repeat(100_000))).unwrap();
    let output = herald_in(dir.path(), None, &["run", flow, "--vars", &path("deep.json")], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("deep.json:1:"), "{}", stderr(&output));
    assert!(stderr(&output).contains("recursion limit exceeded"), "{}", stderr(&output));

    // A 100 MB variables file: refused before it is read.
    std::fs::File::create(path("huge.json")).unwrap().set_len(100 << 20).unwrap();
    let output = herald_in(dir.path(), None, &["run", flow, "--vars", &path("huge.json")], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("the variables are 100.0 MiB; an instance takes at most 16 MiB"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_reference_in_data_used_as_a_token_is_invalid_config_and_sends_nothing() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inputs = [("channel", "#general"), ("text", "hello"), ("token", "=caller_token")];
    let flow = linear_flow(dir.path(), &[Task { id: "notify", inputs: &inputs, headers: &[], retries: 3 }]);
    // A caller's variable is data: the reference in it is never resolved, and the component
    // says so instead of sending it to Slack as a token.
    let args = ["run", flow.to_str().unwrap(), "--var", "caller_token={{secrets.SLACK_BOT_TOKEN}}", "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let record = json_record(&output);
    let step = &record["steps"][0];
    assert_eq!((step["error"]["kind"].as_str(), step["attempts"].as_u64()), (Some("invalid-config"), Some(1)));
    let message = record["incident"]["message"].as_str().unwrap();
    assert!(
        message.contains("`token` is a secret reference (`{{secrets.SLACK_BOT_TOKEN}}`) that was not resolved"),
        "{message}"
    );
    assert!(sandbox.requests().is_empty());
}
