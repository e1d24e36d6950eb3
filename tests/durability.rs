//! Durable state end to end: herald is SIGKILLed at random instants while flows with
//! several Slack steps run against a slow Slack on loopback, then `herald resume` finishes
//! them; and bulk runs from `--vars-jsonl`.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use herald_sandbox::{ScriptedReply, SlackSandbox};

use crate::support::*;

/// A small seeded generator, so a failing run can be repeated from the seed it prints.
struct Random(u64);

impl Random {
    fn new() -> Self {
        let seed = std::env::var("HERALD_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1);
        eprintln!("random seed {seed} (set HERALD_TEST_SEED={seed} to repeat)");
        Random(seed)
    }

    fn below(&mut self, n: u64) -> u64 {
        // xorshift64
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const STEPS: [&str; 3] = ["announce", "remind", "close"];
const INSTANCES: usize = 12;

fn text(order: &str, step: &str) -> String {
    format!("{order}: {step}")
}

/// Posts that carry `text`, by their ts.
fn posted(sandbox: &SlackSandbox, text: &str) -> Vec<String> {
    sandbox.messages().into_iter().filter(|m| m.text == text).map(|m| m.ts).collect()
}

/// A short attempt deadline: a resume waits it out before repeating an attempt a kill cut
/// short, so that nothing that attempt sent can still land.
const SETTLE: (&str, &str) = ("HERALD_ATTEMPT_TIMEOUT_MS", "2000");

fn chat_posts(sandbox: &SlackSandbox) -> usize {
    sandbox.requests().iter().filter(|r| r.api_method() == "chat.postMessage").count()
}

#[tokio::test(flavor = "multi_thread")]
async fn instances_killed_at_random_points_resume_and_post_each_message_exactly_once() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // Every reply leaves long after its request took effect: a kill then often lands
    // after Slack posted and before herald heard of it. History comes in pages of 15,
    // fewer than the channel's messages.
    sandbox.set_latency(Duration::from_millis(150));
    sandbox.set_history_page_limit(15);
    let api = sandbox.api_url();
    let state = tempfile::tempdir().unwrap();
    let dir = state.path();
    let texts: Vec<String> = STEPS.iter().map(|step| format!("{{{{ order }}}}: {step}")).collect();
    let results: Vec<String> = STEPS.iter().map(|step| format!("{step}_post")).collect();
    let inputs: Vec<[(&str, &str); 2]> =
        texts.iter().map(|text| [("channel", "#general"), ("text", text.as_str())]).collect();
    let headers: Vec<[(&str, &str); 2]> =
        results.iter().map(|name| [("resultVariable", name.as_str()), ("retryBackoff", "PT0.05S")]).collect();
    let tasks: Vec<Task> =
        (0..STEPS.len()).map(|i| Task { id: STEPS[i], inputs: &inputs[i], headers: &headers[i], retries: 5 }).collect();
    let flow = linear_flow(dir, &tasks).to_str().unwrap().to_owned();
    let orders: Vec<Value> = (0..INSTANCES)
        .map(|n| json!({"order": format!("order-{n}"), "customer": {"id": n, "tags": ["a", n.to_string()], "note": "quotes \" and \\ stay"}}))
        .collect();
    let jsonl = dir.join("orders.jsonl");
    std::fs::write(&jsonl, orders.iter().map(|o| format!("{o}\n")).collect::<String>()).unwrap();

    let mut random = Random::new();
    let spawn = |args: &[&str]| {
        let mut command = command(dir, Some(&api), args, &[SETTLE]);
        command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        command.kill_on_drop(true).spawn().unwrap()
    };
    let run = ["run", flow.as_str(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "3"];

    // Kill the bulk run until its instances exist: they are created all at once or not at all.
    let mut cycle = 0;
    loop {
        let mut child = spawn(&run);
        tokio::time::sleep(Duration::from_millis(50 + random.below(800))).await;
        child.kill().await.unwrap();
        cycle += 1;
        let listed = instances(dir).await;
        assert!(
            listed.is_empty() || listed.len() == INSTANCES,
            "a killed bulk run left {} of {INSTANCES} instances",
            listed.len()
        );
        if !listed.is_empty() {
            break;
        }
        assert!(cycle < 20, "the bulk run never got to start its instances");
    }
    // Kill resumes: every other time at a random instant, else just after a post took
    // effect and before its slow reply arrives.
    for round in 0..6 {
        let before = chat_posts(&sandbox);
        let mut child = spawn(&["resume", "--concurrency", "3"]);
        if round % 2 == 0 {
            tokio::time::sleep(Duration::from_millis(50 + random.below(800))).await;
        } else {
            let waited = tokio::time::timeout(Duration::from_secs(20), async {
                while chat_posts(&sandbox) == before {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            })
            .await;
            if waited.is_err() {
                break; // Nothing left to post.
            }
            tokio::time::sleep(Duration::from_millis(random.below(100))).await;
        }
        child.kill().await.unwrap();
    }
    let output = herald_in(dir, Some(&api), &["resume", "--json"], &[SETTLE]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));

    let listed = instances(dir).await;
    assert_eq!(listed.len(), INSTANCES);
    let mut retried = 0;
    let mut seen_orders = HashMap::new();
    for summary in &listed {
        assert_eq!(summary["state"], "completed", "{summary}");
        let shown = show(dir, summary["instance"].as_str().unwrap()).await;
        let order = shown["variables"]["order"].as_str().unwrap().to_owned();
        let n: usize = order.trim_start_matches("order-").parse().unwrap();
        // The variables are the line's, plus one result per step.
        let mut expected = orders[n].as_object().unwrap().clone();
        for step in STEPS {
            let ts = posted(&sandbox, &text(&order, step));
            assert_eq!(ts.len(), 1, "{order} {step} was posted {} times", ts.len());
            expected.insert(
                format!("{step}_post"),
                json!({"ok": true, "channel": shown["variables"][format!("{step}_post")]["channel"], "ts": ts[0]}),
            );
        }
        // Slack's own `message` comes with a post's answer; a repeat that found the post has
        // only its channel and ts.
        let mut variables = shown["variables"].clone();
        for step in STEPS {
            if let Some(post) = variables[format!("{step}_post")].as_object_mut()
                && let Some(message) = post.remove("message")
            {
                assert_eq!(message["text"], text(&order, step).as_str());
            }
        }
        assert_eq!(variables, Value::Object(expected));
        let steps = shown["steps"].as_array().unwrap();
        assert_eq!(steps.iter().map(|s| s["id"].as_str().unwrap()).collect::<Vec<_>>(), STEPS);
        assert!(steps.iter().all(|s| s["status"] == "completed"));
        retried += steps.iter().filter(|s| s["attempts"].as_u64() > Some(1)).count();
        seen_orders.insert(order, ());
    }
    assert_eq!(seen_orders.len(), INSTANCES);
    // The kills after a post landed left steps whose reply never came: their next attempt
    // found the message instead of posting it again.
    eprintln!("{cycle} kill(s) before the instances existed; {retried} step(s) attempted again after a kill");
    assert!(retried > 0, "no kill interrupted a step in flight");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_posts_to_a_busy_slow_channel_survive_five_kills_each_posted_once() {
    const POSTS: usize = 1000;
    let sandbox = SlackSandbox::start().await.unwrap();
    // A loaded Slack: each message is stored 1.2 s after it arrives, whether or not the
    // client still waits (longer than a resume takes to start and look), and every answer
    // leaves 0.1 s after its request took effect; history comes 15 messages a page.
    sandbox.set_processing_time(Duration::from_millis(1200));
    sandbox.set_latency(Duration::from_millis(100));
    sandbox.set_history_page_limit(15);
    sandbox.create_channel("billing").unwrap();
    let api = sandbox.api_url();
    let state = tempfile::tempdir().unwrap();
    let dir = state.path();
    let flow = one_post(dir, "#billing", "Invoice {{ n }}", 10);
    let jsonl = dir.join("invoices.jsonl");
    std::fs::write(&jsonl, (0..POSTS).map(|n| format!("{{\"n\": {n}}}\n")).collect::<String>()).unwrap();
    let settle = ("HERALD_ATTEMPT_TIMEOUT_MS", "4000");
    let spawn = |args: &[&str]| {
        let mut command = command(dir, Some(&api), args, &[settle]);
        command.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        command.kill_on_drop(true).spawn().unwrap()
    };
    let mut random = Random::new();
    let run = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "16"];
    let mut child = spawn(&run);
    let kills = 5;
    for _ in 0..kills {
        // A random instant once the process posts: with sixteen posts in flight at any
        // time, most kills leave some whose answer never comes.
        let before = chat_posts(&sandbox);
        tokio::time::timeout(Duration::from_secs(60), async {
            while chat_posts(&sandbox) == before {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the process posts");
        tokio::time::sleep(Duration::from_millis(random.below(2500))).await;
        child.kill().await.unwrap();
        // Resumed at once.
        child = spawn(&["resume", "--concurrency", "16"]);
    }
    let status =
        tokio::time::timeout(Duration::from_secs(600), child.wait()).await.expect("the last resume ends").unwrap();
    assert!(status.success(), "the last resume failed: {status:?}");
    let listed = instances(dir).await;
    assert_eq!(listed.len(), POSTS);
    assert!(listed.iter().all(|i| i["state"] == "completed"), "not all completed");
    let messages = sandbox.messages();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for message in &messages {
        *counts.entry(message.text.clone()).or_default() += 1;
    }
    let doubled: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(doubled.is_empty(), "posted twice: {doubled:?}");
    assert_eq!(counts.len(), POSTS, "every invoice posted");
    assert_eq!(messages.len(), POSTS);
    let lookups = sandbox.requests().iter().filter(|r| r.api_method() == "conversations.history").count();
    let lists = sandbox.requests().iter().filter(|r| r.api_method() == "conversations.list").count();
    eprintln!("{kills} kills, {lookups} history pages asked, {lists} channel listings");
    assert!(lookups > 0, "no kill left a post in doubt");
    // One listing per process at most: the run and each resume resolve `#billing` once.
    assert!(lists <= 1 + kills, "{lists} conversations.list calls");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_first_attempt_a_killed_bulk_run_left_unrecorded_is_not_made_twice() {
    let sandbox = SlackSandbox::start().await.unwrap();
    // The reply leaves long after the post took effect: the kill lands in between.
    sandbox.set_latency(Duration::from_secs(60));
    let dir = tempfile::tempdir().unwrap();
    // A channel id: the post is the first request, with no name to look up before it.
    let channel = sandbox.create_channel("orders").unwrap();
    let flow = one_post(dir.path(), &channel, "Order {{ order }}", 3);
    let jsonl = dir.path().join("orders.jsonl");
    std::fs::write(&jsonl, "{\"order\": 1}\n{\"order\": 2}\n").unwrap();
    let run = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "1"];
    kill_after_first_post(dir.path(), &sandbox, &run, &[SETTLE], Duration::ZERO).await;

    // A bulk run saves nothing of an instance between its start and its first attempt's
    // outcome: the first order shows no attempt, though Slack has its message.
    let listed = instances(dir.path()).await;
    assert_eq!(listed.len(), 2);
    let mut by_order = HashMap::new();
    for summary in &listed {
        let shown = show(dir.path(), summary["instance"].as_str().unwrap()).await;
        assert_eq!(shown["state"], "running", "{shown}");
        assert_eq!(shown["steps"], json!([]), "{shown}");
        by_order
            .insert(shown["variables"]["order"].as_u64().unwrap(), summary["instance"].as_str().unwrap().to_owned());
    }

    sandbox.set_latency(Duration::ZERO);
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &["resume", "--json"], &[SETTLE]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(posted(&sandbox, "Order 1").len(), 1, "the first order was posted again");
    assert_eq!(posted(&sandbox, "Order 2").len(), 1);
    // The instance the killed run had started makes its attempt as a repeat, which looks
    // for its message first; the one it had not started makes a plain first attempt.
    let attempts = |order: u64| {
        let dir = dir.path().to_path_buf();
        let id = by_order[&order].clone();
        async move { show(&dir, &id).await["steps"][0]["attempts"].as_u64() }
    };
    assert_eq!(attempts(1).await, Some(2));
    assert_eq!(attempts(2).await, Some(1));
    let lookups = sandbox.requests().into_iter().filter(|r| r.api_method() == "conversations.history").count();
    assert_eq!(lookups, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_run_posts_one_message_per_line_and_summarises() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let flow = examples().join("invoice-issued.bpmn");
    let jsonl = examples().join("invoice-issued.batch.jsonl");
    let args = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--concurrency", "4"];
    let (output, state) = herald(Some(&sandbox.api_url()), &args).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    assert_eq!(stdout(&output).trim(), "6 instances: 6 completed, 0 incidents");

    // One billing post per invoice; a finance alert for the three large ones.
    let lines = std::fs::read_to_string(&jsonl).unwrap();
    for line in lines.lines() {
        let invoice: Value = serde_json::from_str(line).unwrap();
        let number = invoice["invoice"]["number"].as_str().unwrap();
        let billing = sandbox
            .messages()
            .into_iter()
            .filter(|m| m.channel_name.as_deref() == Some("billing") && m.text.contains(number))
            .count();
        assert_eq!(billing, 1, "{number}");
        let large = invoice["invoice"]["amount"].as_u64().unwrap() >= 10_000;
        let alerts = sandbox
            .messages()
            .into_iter()
            .filter(|m| m.channel_name.as_deref() == Some("finance-alerts") && m.text.contains(number))
            .count();
        assert_eq!(alerts, usize::from(large), "{number}");
    }
    let listed = instances(state.path()).await;
    assert_eq!(listed.len(), 6);
    assert!(listed.iter().all(|i| i["state"] == "completed"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_run_reports_each_incident_and_fails() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Order {{ order }}", 1);
    let jsonl = dir.path().join("orders.jsonl");
    std::fs::write(&jsonl, "{\"order\": 1}\n\n{\"other\": 2}\n{\"order\": 3}\n").unwrap();
    let args = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap(), "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let tally = json_record(&output);
    assert_eq!(tally["instances"], 3);
    assert_eq!(tally["completed"], 2);
    let incidents = tally["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["element"], "notify");
    assert!(incidents[0]["message"].as_str().unwrap().contains("order"), "{}", incidents[0]);
    assert_eq!(sandbox.messages().iter().map(|m| m.text.as_str()).collect::<Vec<_>>().len(), 2);

    // A line that is not an object names its line.
    std::fs::write(&jsonl, "{\"order\": 1}\n[2]\n").unwrap();
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("orders.jsonl:2:1: each line must hold a JSON object"), "{}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_runs_and_resumes_share_one_state_directory() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Order {{ order }}", 1);
    // A new, empty state directory: the four processes create its database together.
    let state = dir.path().join("state");
    std::fs::create_dir(&state).unwrap();
    let runs: Vec<_> = (0..4)
        .map(|run| {
            let jsonl = dir.path().join(format!("run{run}.jsonl"));
            std::fs::write(&jsonl, (0..25).map(|i| format!("{{\"order\": {}}}\n", run * 25 + i)).collect::<String>())
                .unwrap();
            let args = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap()];
            let mut command = command(&state, Some(&sandbox.api_url()), &args, &[]);
            tokio::spawn(async move { command.output().await.unwrap() })
        })
        .collect();
    for run in runs {
        let output = run.await.unwrap();
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
        assert_eq!(stdout(&output).trim(), "25 instances: 25 completed, 0 incidents");
    }
    let mut orders: Vec<u64> =
        sandbox.messages().iter().map(|m| m.text.trim_start_matches("Order ").parse().unwrap()).collect();
    orders.sort_unstable();
    assert_eq!(orders, (0..100).collect::<Vec<_>>());
    let resumes: Vec<_> = (0..3)
        .map(|_| {
            let mut command = command(&state, Some(&sandbox.api_url()), &["resume"], &[]);
            tokio::spawn(async move { command.output().await.unwrap() })
        })
        .collect();
    for resume in resumes {
        let output = resume.await.unwrap();
        assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    }
    assert_eq!(instances(&state).await.len(), 100);
}

/// Every file under `dir` with its size and modification time.
fn snapshot(dir: &std::path::Path) -> Vec<(std::path::PathBuf, u64, SystemTime)> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let metadata = entry.metadata().unwrap();
        if metadata.is_dir() {
            files.extend(snapshot(&entry.path()));
        } else {
            files.push((entry.path(), metadata.len(), metadata.modified().unwrap()));
        }
    }
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reading_commands_read_a_read_only_directory_and_refuse_a_missing_one() {
    use std::os::unix::fs::PermissionsExt;

    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "hello", 1);
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &["run", flow.to_str().unwrap(), "--json"], &[]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let id = json_record(&output)["instance"].as_str().unwrap().to_owned();

    // Nobody may write the directory; root may write anything, so the commands then run
    // as the user `nobody`.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(dir.path());
    async fn read(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // The directory's owner is who runs the test; root reads anything, so it reads as
        // nobody, with a copy of the binary nobody can reach (the build directory may be
        // private to root).
        if std::fs::metadata(dir).unwrap().uid() != 0 {
            return command(dir, None, args, &[]).output().await.unwrap();
        }
        let bin = tempfile::tempdir().unwrap();
        std::fs::set_permissions(bin.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let herald = bin.path().join("herald");
        std::fs::copy(env!("CARGO_BIN_EXE_herald"), &herald).unwrap();
        let mut command = command_of(&herald, dir, None, args, &[]);
        command.uid(65534).gid(65534);
        command.output().await.unwrap()
    }
    let listed = read(dir.path(), &["instances", "--json"]).await;
    assert_eq!(listed.status.code(), Some(0), "stderr: {}", stderr(&listed));
    assert_eq!(json_record(&listed).as_array().unwrap().len(), 1);
    let shown = read(dir.path(), &["show", &id, "--json"]).await;
    assert_eq!(shown.status.code(), Some(0), "stderr: {}", stderr(&shown));
    assert_eq!(json_record(&shown)["state"], "completed");
    assert_eq!(snapshot(dir.path()), before, "reading wrote nothing");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();

    // A directory without a database holds no instances, and none is made there.
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    assert_eq!(instances(&empty).await, Vec::<Value>::new());
    // Only the compile cache the tests give each herald is there.
    let made: Vec<_> = std::fs::read_dir(&empty).unwrap().map(|entry| entry.unwrap().file_name()).collect();
    assert!(made.iter().all(|name| name == CACHE_DIR), "{made:?}");
    // A mistyped directory is refused, and not made.
    let typo = dir.path().join("typo").join("state");
    for args in [vec!["instances"], vec!["show", &id]] {
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(&args)
            .arg("--state")
            .arg(&typo)
            .current_dir(dir.path())
            .output()
            .await
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let expected = format!("error: the state directory {} does not exist: check --state", typo.display());
        assert_eq!(stderr(&output).trim(), expected);
    }
    assert!(!dir.path().join("typo").exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreadable_instance_or_saved_flow_is_reported_and_the_others_resume() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = one_post(dir.path(), "#general", "Order {{ order }}", 1);
    let jsonl = dir.path().join("orders.jsonl");
    std::fs::write(&jsonl, "{\"order\": 1}\n{\"order\": 2}\n{\"order\": 3}\n").unwrap();
    let args = ["run", flow.to_str().unwrap(), "--vars-jsonl", jsonl.to_str().unwrap()];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));

    // As an older herald or a hand edit could leave them: all three back at their step,
    // order 1 with variables nested past what JSON is read to, order 2 on a saved flow
    // that no longer loads.
    let database = dir.path().join("herald.db");
    let db = rusqlite::Connection::open(&database).unwrap();
    let id = |order: u32| -> String {
        db.query_row("SELECT id FROM instances WHERE json_extract(variables, '$.order') = ?1", [order], |r| r.get(0))
            .unwrap()
    };
    let (deep, broken, fine) = (id(1), id(2), id(3));
    db.execute("UPDATE instances SET state = 'running', position = '{\"tokens\":[{\"at\":\"notify\"}]}'", []).unwrap();
    let nested = format!("{{\"order\": 1, \"a\": {}1{}}}", "[".repeat(200), "]".repeat(200));
    db.execute("UPDATE instances SET variables = ?1 WHERE id = ?2", [&nested, &deep]).unwrap();
    db.execute("INSERT INTO flows (digest, path, source) VALUES ('broken', 'flow.bpmn', '<bpmn:definitions')", [])
        .unwrap();
    db.execute("UPDATE instances SET flow = 'broken' WHERE id = ?1", [&broken]).unwrap();
    drop(db);

    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &["resume", "--json"], &[]).await;
    assert_eq!(output.status.code(), Some(1), "stderr: {}", stderr(&output));
    let tally = json_record(&output);
    assert_eq!((tally["instances"].as_u64(), tally["completed"].as_u64()), (Some(3), Some(1)), "{tally}");
    let unreadable: HashMap<String, String> = tally["unreadable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["instance"].as_str().unwrap().to_owned(), u["message"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(unreadable.len(), 2, "{tally}");
    assert!(
        unreadable[&deep].contains(&format!("instance {deep}'s variables does not parse: recursion limit exceeded")),
        "{}",
        unreadable[&deep]
    );
    // The saved text is reported as saved, not against the file it once came from.
    let saved = format!("its saved flow no longer loads: the flow saved in {} (from flow.bpmn):1:", database.display());
    assert!(unreadable[&broken].starts_with(&saved), "{}", unreadable[&broken]);
    assert_eq!(posted(&sandbox, "Order 3").len(), 2, "the readable instance ran its step again");
    assert_eq!(posted(&sandbox, "Order 1").len(), 1);

    // The others list and show as ever; the unreadable one says why.
    assert_eq!(instances(dir.path()).await.len(), 3);
    assert_eq!(show(dir.path(), &fine).await["state"], "completed");
    let output = herald_in(dir.path(), None, &["show", &deep], &[]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("variables does not parse: recursion limit exceeded"), "{}", stderr(&output));
}

/// Resumes the state's instances, which must then complete, and returns how far apart the
/// sandbox received the two posts it then holds.
async fn resume_then_two_posts_apart(dir: &std::path::Path, sandbox: &SlackSandbox, env: &[(&str, &str)]) -> Duration {
    let output = herald_in(dir, Some(&sandbox.api_url()), &["resume", "--json"], env).await;
    assert_eq!(output.status.code(), Some(0), "stderr: {}\nstdout: {}", stderr(&output), stdout(&output));
    let requests = sandbox.requests();
    let times: Vec<_> =
        requests.iter().filter(|r| r.api_method() == "chat.postMessage").map(|r| r.received_at).collect();
    assert_eq!(times.len(), 2, "two posts, each once: {requests:?}");
    times[1] - times[0]
}

/// Runs herald with `args` in the background, and kills it `after` the sandbox saw its
/// first post.
async fn kill_after_first_post(
    dir: &std::path::Path,
    sandbox: &SlackSandbox,
    args: &[&str],
    env: &[(&str, &str)],
    after: Duration,
) {
    let mut child = command(dir, Some(&sandbox.api_url()), args, env)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(60), async {
        while chat_posts(sandbox) == 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("the first post arrives");
    tokio::time::sleep(after).await;
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resume_during_a_timer_waits_only_for_what_is_left_of_it() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("deploys").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let post = |id: &str, text: &str| {
        format!(
            r#"<bpmn:serviceTask id="{id}"><bpmn:extensionElements><zeebe:taskDefinition type="slack" /><zeebe:ioMapping><zeebe:input source="{channel}" target="channel" /><zeebe:input source="{text}" target="text" /></zeebe:ioMapping></bpmn:extensionElements></bpmn:serviceTask>"#
        )
    };
    let flow = dir.path().join("timer.bpmn");
    std::fs::write(
        &flow,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d">
  <bpmn:process id="deploy" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="started" />
    {}
    <bpmn:sequenceFlow id="f2" sourceRef="started" targetRef="soak" />
    <bpmn:intermediateCatchEvent id="soak"><bpmn:timerEventDefinition><bpmn:timeDuration>PT8S</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="soak" targetRef="soaked" />
    {}
    <bpmn:sequenceFlow id="f4" sourceRef="soaked" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"#,
            post("started", "Deploy started"),
            post("soaked", "Deploy soaked"),
        ),
    )
    .unwrap();
    kill_after_first_post(dir.path(), &sandbox, &["run", flow.to_str().unwrap()], &[], Duration::from_secs(4)).await;
    assert_eq!(chat_posts(&sandbox), 1, "the timer held the second post");

    let apart = resume_then_two_posts_apart(dir.path(), &sandbox, &[]).await;
    // Waited in full after the resume, the timer would have held the post 12 s.
    assert!(apart >= Duration::from_secs(8), "the timer was cut short: {apart:?}");
    assert!(apart < Duration::from_secs(11), "the resume waited the whole timer again: {apart:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resume_during_a_retry_backoff_waits_only_for_what_is_left_and_looks_for_nothing() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("deploys").unwrap();
    sandbox.script(
        "chat.postMessage",
        ScriptedReply::Http { status: 500, headers: Vec::new(), body: "internal error".into() },
    );
    let dir = tempfile::tempdir().unwrap();
    let inputs = [("channel", channel.as_str()), ("text", "Deploy done")];
    let task = Task { id: "notify", inputs: &inputs, headers: &[("retryBackoff", "PT6S")], retries: 3 };
    let flow = linear_flow(dir.path(), &[task]);
    kill_after_first_post(dir.path(), &sandbox, &["run", flow.to_str().unwrap()], &[], Duration::from_secs(3)).await;

    // A long attempt deadline: an attempt taken as cut short would be repeated only after it.
    let deadline = ("HERALD_ATTEMPT_TIMEOUT_MS", "20000");
    let apart = resume_then_two_posts_apart(dir.path(), &sandbox, &[deadline]).await;
    assert!(apart >= Duration::from_secs(6), "the backoff was cut short: {apart:?}");
    assert!(apart < Duration::from_secs(9), "the resume did not continue the backoff where it stood: {apart:?}");
    let lookups = sandbox.requests().iter().filter(|r| r.api_method() == "conversations.history").count();
    assert_eq!(lookups, 0, "the failed attempt's answer was on record: nothing to look for");
    assert_eq!(posted(&sandbox, "Deploy done").len(), 1);
    let id = instances(dir.path()).await[0]["instance"].as_str().unwrap().to_owned();
    assert_eq!(show(dir.path(), &id).await["steps"][0]["attempts"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_resume_while_an_attempt_cut_short_settles_waits_only_for_what_is_left_then_finds_it() {
    let sandbox = SlackSandbox::start().await.unwrap();
    let channel = sandbox.create_channel("deploys").unwrap();
    // The post takes effect at once and its answer would leave a minute later: the kill
    // lands in between.
    sandbox.set_latency(Duration::from_secs(60));
    let dir = tempfile::tempdir().unwrap();
    let inputs = [("channel", channel.as_str()), ("text", "Deploy done")];
    let task = Task { id: "notify", inputs: &inputs, headers: &[], retries: 3 };
    let flow = linear_flow(dir.path(), &[task]);
    let deadline = ("HERALD_ATTEMPT_TIMEOUT_MS", "8000");
    let run = ["run", flow.to_str().unwrap()];
    kill_after_first_post(dir.path(), &sandbox, &run, &[deadline], Duration::from_millis(500)).await;
    sandbox.set_latency(Duration::ZERO);
    let posted_at = sandbox.requests().iter().find(|r| r.api_method() == "chat.postMessage").unwrap().received_at;

    // The first resume waits until the cut-short post can no longer land (8 s after the
    // resume found it); it is killed 4 s into that wait, before it looked.
    let api = sandbox.api_url();
    let mut first = command(dir.path(), Some(&api), &["resume"], &[deadline])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(4)).await;
    first.kill().await.unwrap();
    let lookups = |sandbox: &SlackSandbox| {
        let requests = sandbox.requests();
        requests.iter().filter(|r| r.api_method() == "conversations.history").map(|r| r.received_at).collect::<Vec<_>>()
    };
    assert!(lookups(&sandbox).is_empty(), "looked before the attempt settled");

    let env = [deadline];
    let resume = herald_in(dir.path(), Some(&api), &["resume", "--json"], &env);
    let output = tokio::time::timeout(Duration::from_secs(60), resume).await.expect("the second resume ends");
    assert_eq!(output.status.code(), Some(0), "stderr: {}", stderr(&output));
    let settled = lookups(&sandbox)[0] - posted_at;
    assert!(settled >= Duration::from_secs(8), "looked {settled:?} after the post, before it settled");
    // Waited anew from the second resume, the look would come 12 s or more after the post.
    assert!(settled < Duration::from_millis(11_500), "the second resume waited the whole deadline again: {settled:?}");
    assert_eq!(posted(&sandbox, "Deploy done").len(), 1, "the post was found, not made again");
    assert_eq!(chat_posts(&sandbox), 1);
}
