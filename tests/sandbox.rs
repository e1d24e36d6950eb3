//! The sandbox's guarantees, proven against components that misbehave on purpose (built by
//! the host's build script from `test-components/hostile`): egress only to allowed hosts,
//! no sockets, no files, memory and CPU limits, timeouts on outgoing calls; and secrets
//! that never leave in a message, a log or the state.

use std::net::TcpListener;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use herald::sandbox::SlackSandbox;

mod support;

use support::*;

const HOSTILE: &str = env!("HERALD_HOSTILE_WASM");

/// Runs one hostile step doing `behaviour` to `target`, with the Slack API (and so the
/// allowed loopback host 127.0.0.1) at `sandbox`.
async fn hostile(sandbox: &SlackSandbox, behaviour: &str, target: &str, env: &[(&str, &str)]) -> (Output, Value) {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [("behaviour", behaviour), ("target", target)];
    let flow = linear_flow_of(dir.path(), "hostile", &[Task { id: "misbehave", inputs: &inputs, headers: &[], retries: 1 }]);
    let connector = format!("hostile={HOSTILE}");
    let args = ["run", flow.to_str().unwrap(), "--json", "--connector", &connector];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, env).await;
    let record = json_record(&output);
    (output, record)
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
    assert!(message.contains("`127.0.0.2`, which is not allowed"), "{message}");
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
fn marks(sandbox: &SlackSandbox, name: &str) -> Vec<herald::sandbox::ReceivedRequest> {
    let query = format!("started={name}");
    sandbox.requests().into_iter().filter(|r| r.query == query).collect()
}

/// How many connections reached `listener`, a non-blocking listener nobody accepted on:
/// the kernel completes their handshakes and queues them, so each client waits for an
/// answer that never comes.
fn connections(listener: &TcpListener) -> usize {
    std::iter::from_fn(|| listener.accept().ok()).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn each_limit_stops_its_instance_and_the_others_go_on() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let silent = listener("127.0.0.1:0");
    let silent_host = silent.local_addr().unwrap().to_string();
    let inputs = [("behaviour", "=behaviour"), ("target", "=target")];
    // Two attempts each: only the timeout may use the second.
    let headers = [("retryBackoff", "PT0.05S")];
    let flow = linear_flow_of(dir.path(), "hostile", &[Task { id: "misbehave", inputs: &inputs, headers: &headers, retries: 2 }]);
    let lines = [
        serde_json::json!({"behaviour": "spin", "target": start_mark(&sandbox, "spin")}),
        serde_json::json!({"behaviour": "allocate", "target": start_mark(&sandbox, "allocate")}),
        serde_json::json!({"behaviour": "hang", "target": format!("http://{silent_host}/slow")}),
        serde_json::json!({"behaviour": "ok", "target": ""}),
    ];
    let jsonl = dir.path().join("lines.jsonl");
    std::fs::write(&jsonl, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let connector = format!("hostile={HOSTILE}");
    let args = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "4", "--json", "--connector", &connector];
    let env = [
        ("HERALD_CPU_LIMIT_MS", "300"),
        ("HERALD_MEMORY_LIMIT_MB", "32"),
        ("HERALD_FIRST_BYTE_TIMEOUT_MS", "500"),
    ];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &env).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let tally = json_record(&output);
    assert_eq!(tally["completed"], 1, "{tally}");
    let mut messages: Vec<String> = tally["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["message"].as_str().unwrap().to_owned())
        .collect();
    messages.sort();
    assert_eq!(messages, [
        format!("`{silent_host}` did not answer in time: the first byte timeout of 500 ms stopped the request (HERALD_FIRST_BYTE_TIMEOUT_MS sets it)"),
        "the connector was stopped by its CPU time limit of 300 ms (HERALD_CPU_LIMIT_MS sets it)".to_owned(),
        "the connector was stopped by its memory limit of 32 MiB (HERALD_MEMORY_LIMIT_MB sets it)".to_owned(),
    ]);
    // A timeout is transient and tried again; the memory and CPU limits would only stop
    // the same code again, so each of those ran once.
    assert_eq!(connections(&silent), 2, "the silent server saw both attempts");
    assert_eq!(marks(&sandbox, "spin").len(), 1, "the endless loop ran once");
    assert_eq!(marks(&sandbox, "allocate").len(), 1, "the unbounded allocation ran once");
}

/// A server that answers one request 300 ms after it arrives.
fn slow_server() -> String {
    let server = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/slow", server.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut stream, _) = server.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8];
        while !head.ends_with(b"\r\n\r\n") && std::io::Read::read(&mut stream, &mut byte).unwrap_or(0) == 1 {
            head.push(byte[0]);
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        let _ = std::io::Write::write_all(&mut stream, b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn a_busy_instance_does_not_hold_up_the_others() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inputs = [("behaviour", "=behaviour"), ("target", "=target")];
    let flow = linear_flow_of(dir.path(), "hostile", &[Task { id: "misbehave", inputs: &inputs, headers: &[], retries: 1 }]);
    // An endless loop announces itself to the sandbox, then spins; the other instance
    // waits 300 ms for a slow server, by which time the loop spins, then calls the sandbox.
    let other = format!("{} {}", slow_server(), start_mark(&sandbox, "other"));
    let lines = [
        serde_json::json!({"behaviour": "spin", "target": start_mark(&sandbox, "spin")}),
        serde_json::json!({"behaviour": "ok", "target": other}),
    ];
    let jsonl = dir.path().join("lines.jsonl");
    std::fs::write(&jsonl, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let connector = format!("hostile={HOSTILE}");
    let args = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "2", "--json", "--connector", &connector];
    // One worker thread: the loop holds it unless it yields.
    let env = [("HERALD_CPU_LIMIT_MS", "2000"), ("TOKIO_WORKER_THREADS", "1")];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &env).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let tally = json_record(&output);
    assert_eq!(tally["completed"], 1, "{tally}");
    assert!(tally["incidents"][0]["message"].as_str().unwrap().contains("CPU time limit of 2000 ms"), "{tally}");
    let (spin, other) = (marks(&sandbox, "spin"), marks(&sandbox, "other"));
    assert_eq!((spin.len(), other.len()), (1, 1));
    // Held up, the other instance would call only once the CPU limit stopped the loop.
    let after = other[0].received_at.saturating_duration_since(spin[0].received_at);
    assert!(after < std::time::Duration::from_millis(1000), "the other instance called {after:?} after the loop started");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_limit_that_is_not_a_number_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    let flow = examples().join("invoice-issued.bpmn");
    let args = ["validate", flow.to_str().unwrap()];
    assert_eq!(herald_in(dir.path(), None, &args, &[("HERALD_CPU_LIMIT_MS", "300")]).await.status.code(), Some(0));
    let output = herald_in(dir.path(), None, &args, &[("HERALD_CPU_LIMIT_MS", "soon")]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("HERALD_CPU_LIMIT_MS must be a positive whole number, not `soon`"), "{}", stderr(&output));
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
    assert!(errors.contains("input `text` names the secret `SLACK_BOT_TOKEN`, but secrets go only in credential inputs (`webhook_url`, `token`)"), "{errors}");
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
    sandbox.script("chat.postMessage", herald::sandbox::ScriptedReply::SlackError { code: "invalid_auth".into(), extra: Value::Null });
    let failed = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"], &trace).await;
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

/// A linear flow of `n` none intermediate events.
fn long_flow(n: usize) -> String {
    let mut xml = String::from("<?xml version=\"1.0\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" id=\"d\">\n<bpmn:process id=\"long\" isExecutable=\"true\">\n<bpmn:startEvent id=\"s\"/>\n");
    let mut previous = "s".to_owned();
    for i in 0..n {
        xml += &format!("<bpmn:sequenceFlow id=\"f{i}\" sourceRef=\"{previous}\" targetRef=\"e{i}\"/><bpmn:intermediateThrowEvent id=\"e{i}\"/>\n");
        previous = format!("e{i}");
    }
    xml + &format!("<bpmn:sequenceFlow id=\"last\" sourceRef=\"{previous}\" targetRef=\"end\"/><bpmn:endEvent id=\"end\"/>\n</bpmn:process>\n</bpmn:definitions>\n")
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
    assert!(stderr(&output).contains("the variables are 100.0 MiB; an instance takes at most 16 MiB"), "{}", stderr(&output));
}
