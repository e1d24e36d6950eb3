//! The designer's tools: the element template (validated against Camunda's published schema,
//! and a task made from it run), validation that suggests the fix, and the preview.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};

use serde_json::{Value, json};

use herald_sandbox::SlackSandbox;

use crate::support::*;

/// Camunda's element template schema and a validator, installed from npm once into the
/// target directory's scratch space (by one test at a time: two installs into one folder
/// leave it broken).
fn schema_modules() -> PathBuf {
    static INSTALLED: Mutex<()> = Mutex::new(());
    let _installing = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    let prefix = Path::new(env!("CARGO_TARGET_TMPDIR")).join("element-template-schema");
    let modules = prefix.join("node_modules");
    let installed = ["@camunda/zeebe-element-templates-json-schema/resources/schema.json", "ajv/package.json"];
    if !installed.iter().all(|file| modules.join(file).exists()) {
        let status = Command::new("npm")
            .args(["install", "--silent", "--no-audit", "--no-fund", "--prefix"])
            .arg(&prefix)
            .args(["@camunda/zeebe-element-templates-json-schema@0.46.0", "ajv@8"])
            .status()
            .expect("npm (Node.js) is needed to fetch Camunda's element template schema");
        assert!(status.success(), "npm install failed");
    }
    modules
}

/// The template `herald element-template ARGS` prints.
async fn element_template(args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = ["element-template"].into_iter().chain(args.iter().copied()).collect();
    let output = herald_in(dir.path(), None, &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    json_record(&output)
}

/// Checks `template` against Camunda's published schema, as Camunda Modeler does on load.
async fn assert_valid_for_camunda(template: &Value) {
    let modules = tokio::task::spawn_blocking(schema_modules).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("template.json");
    std::fs::write(&file, template.to_string()).unwrap();
    let validator = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/element_template/validate.cjs");
    let output = Command::new("node").arg(validator).arg(&modules).arg(&file).output().unwrap();
    assert!(output.status.success(), "{}{}", stdout(&output), stderr(&output));
}

/// The one field of `template` bound to `binding` (an input's name, a header's key or a task
/// definition's property).
fn field<'a>(template: &'a Value, binding: &str) -> &'a Value {
    let found: Vec<&Value> =
        template["properties"].as_array().unwrap().iter().filter(|p| bound_to(p) == binding).collect();
    assert_eq!(found.len(), 1, "fields for {binding}: {found:?}");
    found[0]
}

/// The job's fields both templates carry, as README's BPMN binding describes them.
fn assert_job_fields(template: &Value) {
    let retries = field(template, "retries");
    assert_eq!(retries["binding"]["type"], "zeebe:taskDefinition");
    assert_eq!(retries["value"], "3");
    for key in ["resultVariable", "resultExpression", "errorExpression", "retryBackoff"] {
        assert_eq!(field(template, key)["binding"]["type"], "zeebe:taskHeader", "{key}");
    }
    for key in ["resultExpression", "errorExpression"] {
        let header = field(template, key);
        assert_eq!((&header["type"], &header["feel"]), (&json!("Text"), &json!("required")), "{key}");
    }
    assert_eq!(field(template, "retryBackoff")["type"], "String");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_element_template_is_valid_for_camunda() {
    let template = element_template(&[]).await;
    assert_valid_for_camunda(&template).await;

    // What a designer sees: a field per input, grouped, with dropdowns for the closed ones.
    let properties = template["properties"].as_array().unwrap();
    let input = |name: &str| field(&template, name);
    assert_eq!(
        properties[0],
        json!({"type": "Hidden", "value": "slack", "binding": {"type": "zeebe:taskDefinition", "property": "type"}})
    );
    // Only a post needs `channel` and `text` (`validate` says so); a form that asked for them
    // could not save a reaction or a pin.
    assert_eq!(
        (&input("channel")["constraints"]["notEmpty"], &input("text")["optional"]),
        (&Value::Null, &json!(true))
    );
    assert_eq!(input("channel")["group"], "destination");
    assert_eq!(input("color")["type"], "Dropdown");
    assert_eq!(
        input("color")["choices"],
        json!([{"name": "good", "value": "good"}, {"name": "warning", "value": "warning"}, {"name": "danger", "value": "danger"}])
    );
    assert_eq!(input("on_overflow")["type"], "Dropdown");
    assert_eq!(input("on_overflow")["value"], "split");
    assert_eq!(input("token")["value"], "{{secrets.SLACK_BOT_TOKEN}}");
    assert!(input("throttle")["constraints"]["pattern"]["value"].as_str().is_some());
    assert_job_fields(&template);
}

/// The Slack methods Camunda's task type runs.
const CAMUNDA_METHODS: [&str; 6] =
    ["chat.postMessage", "conversations.create", "conversations.invite", "reactions.add", "pins.add", "pins.remove"];

#[tokio::test(flavor = "multi_thread")]
async fn camundas_slack_template_is_valid_for_camunda() {
    let template = element_template(&["io.camunda:slack:1"]).await;
    assert_valid_for_camunda(&template).await;

    assert_eq!(template["properties"][0]["type"], "Hidden");
    assert_eq!(field(&template, "type")["value"], "io.camunda:slack:1");
    let method = field(&template, "method");
    assert_eq!(method["type"], "Dropdown");
    let offered: Vec<&Value> = method["choices"].as_array().unwrap().iter().map(|c| &c["value"]).collect();
    assert_eq!(offered, CAMUNDA_METHODS.map(|m| json!(m)).iter().collect::<Vec<_>>());
    let token = field(&template, "token");
    assert_eq!((&token["feel"], &token["constraints"]["notEmpty"]), (&json!("optional"), &json!(true)));
    assert!(token["description"].as_str().unwrap().contains("{{secrets.SLACK_TOKEN}}"));
    let documents = field(&template, "data.documents");
    assert_eq!((&documents["feel"], &documents["optional"]), (&json!("required"), &json!(true)));
    assert_job_fields(&template);

    // Each method shows the inputs Camunda's runtime reads for it, and only those; where two
    // fields bind one input, one at a time.
    let inputs = |values: Filled<'_>| {
        let mut inputs: Vec<&str> = active_fields(&template, values)
            .into_iter()
            .filter(|p| p["binding"]["type"] == "zeebe:input")
            .map(|p| p["binding"]["name"].as_str().unwrap())
            .collect();
        inputs.sort();
        inputs
    };
    let method = |name: &'static str| ("method", name);
    let common = ["method", "token"];
    let expected: [(Filled, &[&str]); 9] = [
        (&[], &["data.channel", "data.documents", "data.messageType", "data.text", "data.thread"]),
        (
            &[("data.messageType", "messageBlock")],
            &["data.blockContent", "data.channel", "data.documents", "data.messageType", "data.thread"],
        ),
        (&[method("conversations.create")], &["data.newChannelName", "data.visibility"]),
        (&[method("conversations.invite")], &["data.channelId", "data.channelType", "data.users"]),
        (
            &[method("conversations.invite"), ("data.channelType", "channelName")],
            &["data.channelName", "data.channelType", "data.users"],
        ),
        (&[method("reactions.add")], &["data.channel", "data.emoji", "data.timestamp"]),
        (&[method("pins.add")], &["data.channel", "data.timestamp"]),
        (&[method("pins.remove")], &["data.channel", "data.timestamp"]),
        // A message type left over from posting shows nothing for another method.
        (&[method("pins.add"), ("data.messageType", "plainText")], &["data.channel", "data.timestamp"]),
    ];
    for (values, own) in expected {
        let mut wanted: Vec<&str> = own.iter().chain(&common).copied().collect();
        wanted.sort();
        assert_eq!(inputs(values), wanted, "{values:?}");
    }

    // An unknown task type names the templates there are.
    let dir = tempfile::tempdir().unwrap();
    let output = herald_in(dir.path(), None, &["element-template", "io.camunda:slak:1"], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(r#"there are templates for ["slack", "io.camunda:slack:1"]"#),
        "{}",
        stderr(&output)
    );
}

/// What a field binds: an input's name, a header's key or a task definition's property.
fn bound_to(property: &Value) -> &str {
    let binding = &property["binding"];
    binding["name"].as_str().or(binding["key"].as_str()).or(binding["property"].as_str()).unwrap()
}

/// Values filled in a template's form, by what their fields bind.
type Filled<'a> = &'a [(&'a str, &'a str)];

/// The value Modeler writes for `property` with `values` filled in by what they bind: the
/// filled one, else the default.
fn value_of(property: &Value, values: Filled<'_>) -> Option<String> {
    let name = bound_to(property);
    let filled = values.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned());
    filled.or_else(|| property["value"].as_str().map(str::to_owned))
}

/// The fields of `template` whose condition holds with `values` filled in, as Modeler shows
/// and writes them.
fn active_fields<'a>(template: &'a Value, values: Filled<'_>) -> Vec<&'a Value> {
    let properties = template["properties"].as_array().unwrap();
    let by_id = |id: &str| {
        let property = properties.iter().find(|p| p["id"] == id).unwrap_or_else(|| panic!("no field `{id}`"));
        value_of(property, values)
    };
    let holds = |condition: &Value| {
        let met = |simple: &Value| {
            let value = by_id(simple["property"].as_str().unwrap());
            match (&simple["equals"], simple["oneOf"].as_array()) {
                (Value::String(wanted), _) => value.as_deref() == Some(wanted.as_str()),
                (_, Some(list)) => list.iter().any(|v| value.as_deref() == v.as_str()),
                _ => panic!("unexpected condition {simple}"),
            }
        };
        match condition["allMatch"].as_array() {
            Some(all) => all.iter().all(met),
            None => met(condition),
        }
    };
    properties.iter().filter(|p| p.get("condition").is_none_or(holds)).collect()
}

/// A service task as Camunda Modeler writes it from `template` with `values` filled in (by
/// what they bind): every field shown with a value (filled or default) becomes its binding.
fn task_from_template(template: &Value, values: Filled<'_>) -> String {
    let mut definition = String::new();
    let (mut inputs, mut headers) = (String::new(), String::new());
    for property in active_fields(template, values) {
        let Some(value) = value_of(property, values) else {
            continue;
        };
        let (name, value) = (bound_to(property), xml_attr(&value));
        match property["binding"]["type"].as_str().unwrap() {
            "zeebe:taskDefinition" => definition += &format!(" {name}=\"{value}\""),
            "zeebe:input" => inputs += &format!("<zeebe:input source=\"{value}\" target=\"{name}\" />\n"),
            "zeebe:taskHeader" => headers += &format!("<zeebe:header key=\"{name}\" value=\"{value}\" />\n"),
            other => panic!("unexpected binding {other}"),
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\" xmlns:zeebe=\"http://camunda.org/schema/zeebe/1.0\" id=\"d\">\n<bpmn:process id=\"from_template\" isExecutable=\"true\">\n<bpmn:startEvent id=\"start\" />\n<bpmn:sequenceFlow id=\"f1\" sourceRef=\"start\" targetRef=\"notify\" />\n<bpmn:serviceTask id=\"notify\" zeebe:modelerTemplate=\"{}\">\n<bpmn:extensionElements>\n<zeebe:taskDefinition{definition} />\n<zeebe:ioMapping>\n{inputs}</zeebe:ioMapping>\n<zeebe:taskHeaders>\n{headers}</zeebe:taskHeaders>\n</bpmn:extensionElements>\n</bpmn:serviceTask>\n<bpmn:sequenceFlow id=\"f2\" sourceRef=\"notify\" targetRef=\"end\" />\n<bpmn:endEvent id=\"end\" />\n</bpmn:process>\n</bpmn:definitions>\n",
        template["id"].as_str().unwrap()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_made_from_the_element_template_runs() {
    let template = element_template(&[]).await;
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let xml = task_from_template(
        &template,
        &[
            ("channel", "#general"),
            ("text", "Hello {{ name }}"),
            ("color", "good"),
            ("resultVariable", "posted"),
            ("resultExpression", "={postedTs: response.ts}"),
        ],
    );
    let flow = dir.path().join("from-template.bpmn");
    std::fs::write(&flow, xml).unwrap();
    let args = ["run", flow.to_str().unwrap(), "--var", "name=Ada", "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let record = json_record(&output);
    let messages = sandbox.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].channel_name.as_deref(), Some("general"));
    assert_eq!(record["variables"]["posted"]["ts"], messages[0].ts);
    assert_eq!(record["variables"]["postedTs"], messages[0].ts);
    assert!(messages[0].attachments.as_ref().unwrap().to_string().contains("Hello Ada"));
}

/// The token Camunda's template asks for, `{{secrets.SLACK_TOKEN}}`.
const CAMUNDA_TOKEN: (&str, &str) = ("SLACK_TOKEN", "xoxb-5555-6666-camundatoken");

#[tokio::test(flavor = "multi_thread")]
async fn a_task_made_from_camundas_slack_template_runs() {
    let template = element_template(&["io.camunda:slack:1"]).await;
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let xml = task_from_template(
        &template,
        &[
            ("token", "{{secrets.SLACK_TOKEN}}"),
            ("data.channel", "#general"),
            ("data.text", "=\"Hello \" + name"),
            ("resultVariable", "posted"),
            ("resultExpression", "={messageTs: response.ts}"),
        ],
    );
    let flow = dir.path().join("from-template.bpmn");
    std::fs::write(&flow, xml).unwrap();
    let args = ["run", flow.to_str().unwrap(), "--var", "name=Ada", "--json"];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[CAMUNDA_TOKEN]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let record = json_record(&output);
    let posts = posts(&sandbox);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].header("authorization"), Some(format!("Bearer {}", CAMUNDA_TOKEN.1).as_str()));
    let messages = sandbox.messages();
    assert_eq!(messages[0].channel_name.as_deref(), Some("general"));
    assert_eq!(messages[0].text, "Hello Ada");
    assert_eq!(record["variables"]["posted"]["message"]["text"], "Hello Ada");
    assert_eq!(record["variables"]["messageTs"], messages[0].ts);
}

/// `herald validate` of a task made from Camunda's Slack template with `values`.
async fn validate_from_camunda_template(template: &Value, values: Filled<'_>) {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("from-template.bpmn");
    let token = [("token", "{{secrets.SLACK_TOKEN}}")];
    std::fs::write(&flow, task_from_template(template, &[&token[..], values].concat())).unwrap();
    let output = herald_in(dir.path(), None, &["validate", flow.to_str().unwrap()], &[CAMUNDA_TOKEN]).await;
    assert_eq!(output.status.code(), Some(0), "{values:?}: {}", stderr(&output));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_message_made_from_camundas_slack_template_validates() {
    let template = element_template(&["io.camunda:slack:1"]).await;
    let blocks = "=[{type: \"section\", text: {type: \"mrkdwn\", text: \"Shipped\"}}]";
    let documents = "=[{\"camunda.document.type\": \"inline\", \"name\": \"notes.txt\", \"content\": \"Shipped\"}]";
    let cases: [Filled; 3] = [
        &[("data.channel", "ops"), ("data.text", "Shipped"), ("data.thread", "1700000000.000100")],
        &[("data.channel", "@Ada Lovelace"), ("data.text", "Shipped"), ("data.documents", documents)],
        &[("data.channel", "C0123ABCD"), ("data.messageType", "messageBlock"), ("data.blockContent", blocks)],
    ];
    for values in cases {
        validate_from_camunda_template(&template, values).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_method_made_from_camundas_slack_template_validates() {
    let template = element_template(&["io.camunda:slack:1"]).await;
    let (channel, ts) = (("data.channel", "C0123ABCD"), ("data.timestamp", "1700000000.000100"));
    let cases: [Filled; 7] = [
        &[("method", "conversations.create"), ("data.newChannelName", "release-42")],
        &[("method", "conversations.create"), ("data.newChannelName", "release-42"), ("data.visibility", "PRIVATE")],
        &[
            ("method", "conversations.invite"),
            ("data.channelId", "C0123ABCD"),
            ("data.users", "U0123ABCD,ada@example.com"),
        ],
        &[
            ("method", "conversations.invite"),
            ("data.channelType", "channelName"),
            ("data.channelName", "release-42"),
            ("data.users", "=[\"U0123ABCD\"]"),
        ],
        &[("method", "reactions.add"), channel, ts, ("data.emoji", "eyes")],
        &[("method", "pins.add"), channel, ts],
        &[("method", "pins.remove"), channel, ts],
    ];
    for values in cases {
        validate_from_camunda_template(&template, values).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_suggests_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(examples().join("invoice-issued.bpmn")).unwrap();
    let typos = text
        .replacen(r#"target="channel""#, r#"target="chanel""#, 1)
        .replacen(r#"<zeebe:taskDefinition type="slack""#, r#"<zeebe:taskDefinition type="slak""#, 1)
        .replacen("=invoice.amount &gt; 10000", "=(invoice.amount &gt; 10000", 1);
    let flow = dir.path().join("typos.bpmn");
    std::fs::write(&flow, &typos).unwrap();
    let output = herald_in(dir.path(), None, &["validate", flow.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(2));
    let errors = stderr(&output);
    let line = |needle: &str| typos.lines().position(|l| l.contains(needle)).unwrap() + 1;
    // All at once, each with its place.
    assert!(
        errors.contains(&format!("typos.bpmn:{}:", line("=(invoice"))) && errors.contains("FEEL syntax error"),
        "{errors}"
    );
    assert!(errors.contains("no connector for task type `slak`; did you mean `slack`?"), "{errors}");
    let fixed_type = typos.replacen(r#"type="slak""#, r#"type="slack""#, 1).replacen(
        "=(invoice.amount &gt; 10000",
        "=abss(invoice.amount) &gt; 10000",
        1,
    );
    std::fs::write(&flow, &fixed_type).unwrap();
    let output = herald_in(dir.path(), None, &["validate", flow.to_str().unwrap()], &[]).await;
    let errors = stderr(&output);
    assert!(errors.contains(&format!("typos.bpmn:{}:", line(r#"target="chanel""#))), "{errors}");
    assert!(
        errors.contains("[notify_billing] input `chanel`: unknown input `chanel`; did you mean `channel`?"),
        "{errors}"
    );
    // A FEEL function that does not exist is found before the run, not during it.
    assert!(
        errors.contains(&format!("typos.bpmn:{}:", line("=(invoice")))
            && errors.contains("FEEL: there is no function `abss`; did you mean `abs`?"),
        "{errors}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn preview_shows_each_message_and_path_and_sends_nothing() {
    // Slack is configured: the preview must still not send to it.
    let sandbox = SlackSandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let flow = examples().join("invoice-issued.bpmn");
    let vars = examples().join("invoice-issued.vars.json");
    let args = ["preview", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap()];
    let output = herald_in(dir.path(), Some(&sandbox.api_url()), &args, &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let shown = stdout(&output);
    assert!(
        shown.contains("#billing · herald\n  Invoice INV-2026-0042 issued to Bright & Co <Berlin>: 12500 EUR"),
        "{shown}"
    );
    assert!(shown.contains("→ amount_check took flow large_amount"), "{shown}");
    assert!(shown.contains("#finance-alerts · herald"), "{shown}");
    assert!(shown.ends_with("preview: nothing was sent to Slack\n"), "{shown}");
    assert!(sandbox.requests().is_empty(), "the preview reached the configured Slack");
    let kept: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|name| name != CACHE_DIR)
        .collect();
    assert!(kept.is_empty(), "the preview kept state: {kept:?}");

    // Block Kit shows as Slack would render it.
    let flow = examples().join("event-announcement.bpmn");
    let vars = examples().join("event-announcement.vars.json");
    let output =
        herald_in(dir.path(), None, &["preview", flow.to_str().unwrap(), "--vars", vars.to_str().unwrap()], &[]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("#announcements · herald"), "{}", stdout(&output));
}
