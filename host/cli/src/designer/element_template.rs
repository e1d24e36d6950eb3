//! A Camunda 8 element template generated from a connector's `describe()`: one form field
//! per input, bound to its `zeebe:input`, with label, description, type, constraints and
//! group, the task type binding and the result variable.

use serde_json::{Map, Value, json};

use herald_runtime::ConnectorInfo;

/// Camunda's published JSON Schema of element templates.
const SCHEMA: &str = "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json";

/// The template of the connector `info` serving task type `task_type`.
pub fn element_template(task_type: &str, info: &ConnectorInfo) -> Value {
    let schema: Value = serde_json::from_str(&info.config_schema).unwrap_or(Value::Null);
    let inputs = schema["properties"].as_object().cloned().unwrap_or_default();
    let required = form_required(&schema);
    let mut groups: Vec<String> = Vec::new();
    let mut properties = vec![json!({
        "type": "Hidden",
        "value": task_type,
        "binding": {"type": "zeebe:taskDefinition", "property": "type"},
    })];
    for (name, input) in &inputs {
        let group = input["x-group"].as_str().filter(|g| !g.is_empty()).unwrap_or("Inputs");
        if !groups.iter().any(|g| g == group) {
            groups.push(group.to_owned());
        }
        properties.push(field(name, input, &group_id(group), required.contains(name)));
    }
    properties.push(json!({
        "label": "Result variable",
        "description": "The process variable that receives the step's output",
        "group": "output",
        "type": "String",
        "binding": {"type": "zeebe:taskHeader", "key": "resultVariable"},
    }));
    let mut group_list: Vec<Value> = groups.iter().map(|g| json!({"id": group_id(g), "label": g})).collect();
    group_list.push(json!({"id": "output", "label": "Output"}));
    json!({
        "$schema": SCHEMA,
        "name": format!("{} (herald)", schema["title"].as_str().unwrap_or(&info.name)),
        "id": format!("io.herald.{task_type}"),
        "version": 1,
        "description": info.description,
        "appliesTo": ["bpmn:Task"],
        "elementType": {"value": "bpmn:ServiceTask"},
        "groups": group_list,
        "properties": properties,
    })
}

/// One form field for the input `name`.
fn field(name: &str, input: &Value, group: &str, required: bool) -> Value {
    let mut field = Map::new();
    field.insert("label".into(), input.get("title").cloned().unwrap_or_else(|| json!(name)));
    if let Some(description) = input.get("description") {
        field.insert("description".into(), description.clone());
    }
    field.insert("group".into(), json!(group));
    let choices = choices(input);
    let kind = if !choices.is_empty() {
        "Dropdown"
    } else if name == "text" || types(input).iter().any(|t| t == "array" || t == "object") {
        "Text"
    } else {
        "String"
    };
    field.insert("type".into(), json!(kind));
    if kind == "Dropdown" {
        field.insert("choices".into(), Value::Array(choices.iter().map(|c| json!({"name": c, "value": c})).collect()));
    } else {
        // A designer may type `=expression` instead of a literal, as in any Zeebe input.
        field.insert("feel".into(), json!("optional"));
    }
    field.insert("binding".into(), json!({"type": "zeebe:input", "name": name}));
    match input.get("default") {
        Some(Value::String(text)) => {
            field.insert("value".into(), json!(text));
        }
        Some(Value::Bool(flag)) => {
            field.insert("value".into(), json!(flag.to_string()));
        }
        _ => {}
    }
    // Left empty, an optional input is not written at all.
    let optional = !required && !field.contains_key("value");
    let mut constraints = Map::new();
    if required {
        constraints.insert("notEmpty".into(), json!(true));
    }
    if let Some(pattern) = input.get("pattern").and_then(Value::as_str) {
        // Camunda checks the pattern against the whole value; an expression is exempt.
        let bare = pattern.trim_start_matches('^').trim_end_matches('$');
        constraints.insert(
            "pattern".into(),
            json!({"value": format!("^(=.*|{bare})$"), "message": format!("must match {pattern}")}),
        );
    }
    if optional {
        field.insert("optional".into(), json!(true));
        // Camunda asks an optional field's constraints to allow it empty.
        if !constraints.is_empty() {
            constraints.insert("notEmpty".into(), json!(false));
        }
    }
    if !constraints.is_empty() {
        field.insert("constraints".into(), Value::Object(constraints));
    }
    Value::Object(field)
}

/// The JSON types an input takes.
fn types(input: &Value) -> Vec<String> {
    match &input["type"] {
        Value::String(t) => vec![t.clone()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

/// The values a closed input takes: its `enum`, or `true`/`false` for a flag.
fn choices(input: &Value) -> Vec<String> {
    let text = |list: &Value| {
        list.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>()
    };
    if input.get("enum").is_some() {
        return text(&input["enum"]);
    }
    if let Some(alternatives) = input["anyOf"].as_array() {
        if alternatives.iter().any(|a| a["type"] == "boolean") {
            return vec!["true".into(), "false".into()];
        }
        // Named values or a pattern (a colour name or `#RRGGBB`): the form offers the names.
        if let Some(named) = alternatives.iter().find(|a| a.get("enum").is_some()) {
            return text(&named["enum"]);
        }
    }
    Vec::new()
}

/// The inputs a form asks for: those the schema requires, and of each `anyOf` of
/// requirements the first (`channel` of channel-or-webhook, `text` of text-or-blocks).
fn form_required(schema: &Value) -> Vec<String> {
    let names = |list: &Value| {
        list.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_owned).collect::<Vec<_>>()
    };
    let mut required = names(&schema["required"]);
    for rule in schema["allOf"].as_array().into_iter().flatten() {
        if let Some(first) = rule["anyOf"].as_array().and_then(|alternatives| alternatives.first()) {
            required.extend(names(&first["required"]));
        }
    }
    required
}

fn group_id(label: &str) -> String {
    label.to_ascii_lowercase().replace(' ', "-")
}
