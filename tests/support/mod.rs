//! What the end-to-end tests share: running the real `herald` binary against a Slack
//! sandbox on loopback, and writing small flows.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use herald_sandbox::{ReceivedRequest, SlackSandbox};

pub const TOKEN: &str = "xoxb-1111-2222-secretvalue";

/// The folder of a state directory where the runs of a test keep their compiled components.
pub const CACHE_DIR: &str = ".herald-cache";

/// A compile cache holding the built-in Slack connector and the hostile test component,
/// compiled once per test binary (a cold compilation takes seconds of CPU in a debug
/// build).
fn warm_cache() -> &'static Path {
    static WARM: OnceLock<PathBuf> = OnceLock::new();
    WARM.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("herald-compile-cache");
        let flow = examples().join("invoice-issued.bpmn");
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .arg("validate")
            .arg(&flow)
            .arg("--connector")
            .arg(format!("hostile={}", herald_test_components::HOSTILE))
            .env("HERALD_CACHE_DIR", &dir)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "herald validate compiles the components");
        dir
    })
}

/// Gives the test whose state is `state` a compile cache of its own, starting with what
/// `warm_cache` holds, so no test depends on which ran before it.
fn own_cache(state: &Path) -> PathBuf {
    let own = state.join(CACHE_DIR);
    let components = own.join("components");
    if !components.exists() {
        std::fs::create_dir_all(&components).unwrap();
        for entry in std::fs::read_dir(warm_cache().join("components")).unwrap().flatten() {
            link_or_copy(&entry.path(), &components.join(entry.file_name()));
        }
    }
    own
}

/// Puts `from` at `to` unless something is there already: a hard link (herald replaces an
/// entry by renaming, never writes one in place), else a copy renamed into place, so a
/// concurrent run never reads half a file.
fn link_or_copy(from: &Path, to: &Path) {
    static COPIES: AtomicU64 = AtomicU64::new(0);
    if std::fs::hard_link(from, to).is_ok() || to.exists() {
        return;
    }
    let copy = to.with_extension(format!("copy{}", COPIES.fetch_add(1, Ordering::Relaxed)));
    std::fs::copy(from, &copy).unwrap();
    std::fs::rename(&copy, to).unwrap();
}

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Runs `herald` with the Slack API pointed at `api_url` (or at nothing, for the built-in
/// sandbox) and a fresh state directory.
pub async fn herald(api_url: Option<&str>, args: &[&str]) -> (Output, tempfile::TempDir) {
    let state = tempfile::tempdir().unwrap();
    let output = herald_in(state.path(), api_url, args, &[]).await;
    (output, state)
}

/// Runs `herald` with the state directory `state` (which is also the working directory, so
/// no `.env` of the developer's leaks in, and holds the test's compile cache) and extra
/// environment variables. A run that has not ended after five minutes is killed and fails
/// the test: a hang must not stall the suite.
pub async fn herald_in(state: &Path, api_url: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> Output {
    let output = command(state, api_url, args, env).kill_on_drop(true).output();
    tokio::time::timeout(std::time::Duration::from_secs(300), output)
        .await
        .unwrap_or_else(|_| panic!("`herald {}` did not end within five minutes", args.join(" ")))
        .unwrap()
}

/// The `herald` command `herald_in` runs, to spawn (and kill) it instead.
pub fn command(state: &Path, api_url: Option<&str>, args: &[&str], env: &[(&str, &str)]) -> tokio::process::Command {
    command_of(Path::new(env!("CARGO_BIN_EXE_herald")), state, api_url, args, env)
}

/// [`command`] with another copy of the `herald` binary.
pub fn command_of(
    herald: &Path,
    state: &Path,
    api_url: Option<&str>,
    args: &[&str],
    env: &[(&str, &str)],
) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(herald);
    command.args(args);
    if args.first().is_some_and(|c| ["run", "resume", "instances", "show"].contains(c)) {
        command.arg("--state").arg(state);
    }
    command.env_remove("SLACK_API_URL").env_remove("SLACK_BOT_TOKEN").env_remove("RUST_LOG");
    command.env("HERALD_CACHE_DIR", own_cache(state));
    command.current_dir(state).envs(env.iter().copied());
    if let Some(url) = api_url {
        command.env("SLACK_API_URL", url).env("SLACK_BOT_TOKEN", TOKEN);
    }
    command
}

/// The instance `id` as `herald show --json` prints it.
pub async fn show(state: &Path, id: &str) -> Value {
    json_record(&herald_in(state, None, &["show", id, "--json"], &[]).await)
}

/// The instances of a state directory, as `herald instances --json` lists them.
pub async fn instances(state: &Path) -> Vec<Value> {
    let listed = json_record(&herald_in(state, None, &["instances", "--json"], &[]).await);
    listed.as_array().cloned().unwrap_or_default()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn json_record(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", stdout(output), stderr(output)))
}

/// The message metadata herald puts on every post, so a retry can find it.
pub fn step_metadata(record: &Value, element: &str, part: u32) -> Value {
    let key = format!("{}/{element}", record["instance"].as_str().unwrap());
    serde_json::json!({"event_type": "herald_step", "event_payload": {"execution_key": key, "part": part}})
}

pub fn posts(sandbox: &SlackSandbox) -> Vec<ReceivedRequest> {
    sandbox.requests().into_iter().filter(|r| r.api_method() == "chat.postMessage").collect()
}

/// A linear flow start → tasks → end; each task is (id, inputs, headers, retries).
pub struct Task<'a> {
    pub id: &'a str,
    pub inputs: &'a [(&'a str, &'a str)],
    pub headers: &'a [(&'a str, &'a str)],
    pub retries: u32,
}

pub fn xml_attr(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

pub fn linear_flow(dir: &Path, tasks: &[Task]) -> PathBuf {
    linear_flow_of(dir, "slack", tasks)
}

/// A linear flow whose tasks run the connector `task_type`.
pub fn linear_flow_of(dir: &Path, task_type: &str, tasks: &[Task]) -> PathBuf {
    let mut body = String::from("    <bpmn:startEvent id=\"start\" />\n");
    let mut previous = "start".to_owned();
    for task in tasks {
        body +=
            &format!("    <bpmn:sequenceFlow id=\"to_{0}\" sourceRef=\"{previous}\" targetRef=\"{0}\" />\n", task.id);
        body += &format!(
            "    <bpmn:serviceTask id=\"{}\">\n      <bpmn:extensionElements>\n        <zeebe:taskDefinition type=\"{task_type}\" retries=\"{}\" />\n        <zeebe:ioMapping>\n",
            task.id, task.retries
        );
        for (target, source) in task.inputs {
            body += &format!("          <zeebe:input source=\"{}\" target=\"{target}\" />\n", xml_attr(source));
        }
        body += "        </zeebe:ioMapping>\n        <zeebe:taskHeaders>\n";
        for (key, value) in task.headers {
            body += &format!("          <zeebe:header key=\"{key}\" value=\"{}\" />\n", xml_attr(value));
        }
        body += "        </zeebe:taskHeaders>\n      </bpmn:extensionElements>\n    </bpmn:serviceTask>\n";
        previous = task.id.to_owned();
    }
    body += &format!(
        "    <bpmn:sequenceFlow id=\"to_end\" sourceRef=\"{previous}\" targetRef=\"end\" />\n    <bpmn:endEvent id=\"end\" />\n"
    );
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\" id=\"defs\">\n  <bpmn:process id=\"test_flow\" isExecutable=\"true\">\n{body}  </bpmn:process>\n</bpmn:definitions>\n"
    );
    let path = dir.join("flow.bpmn");
    std::fs::write(&path, xml).unwrap();
    path
}

/// One Slack task posting `text` to `channel`, with a fast backoff so retries stay quick.
pub fn one_post(dir: &Path, channel: &str, text: &str, retries: u32) -> PathBuf {
    linear_flow(
        dir,
        &[Task {
            id: "notify",
            inputs: &[("channel", channel), ("text", text)],
            headers: &[("resultVariable", "notification"), ("retryBackoff", "PT0.05S")],
            retries,
        }],
    )
}

/// Writes `dir/flow.bpmn`: a file with `roots` (messages, errors) and one process of `body`.
pub fn process_file(dir: &Path, roots: &str, body: &str) -> PathBuf {
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\" id=\"defs\">\n{roots}\n  <bpmn:process id=\"test_flow\" isExecutable=\"true\">\n{body}\n  </bpmn:process>\n</bpmn:definitions>\n"
    );
    let path = dir.join("flow.bpmn");
    std::fs::write(&path, xml).unwrap();
    path
}
