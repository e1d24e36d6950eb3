//! A Camunda 8 element template generated from a connector's `describe()`: one form field
//! per input, bound to its `zeebe:input`, with label, description, type, constraints and
//! group; the frame ([`super::template`]) adds the task type and the job's fields.

use serde_json::{Value, json};

use herald_runtime::ConnectorInfo;

use super::template::{Property, Template};

/// The template of the connector `info` serving task type `task_type`.
pub fn element_template(task_type: &str, info: &ConnectorInfo) -> Value {
    let schema: Value = serde_json::from_str(&info.config_schema).unwrap_or(Value::Null);
    let inputs = schema["properties"].as_object().cloned().unwrap_or_default();
    let required = form_required(&schema);
    let mut groups: Vec<(String, String)> = Vec::new();
    let mut fields = Vec::new();
    for (name, input) in &inputs {
        let group = input["x-group"].as_str().filter(|g| !g.is_empty()).unwrap_or("Inputs");
        if !groups.iter().any(|(_, label)| label == group) {
            groups.push((group_id(group), group.to_owned()));
        }
        fields.push(field(name, input, &group_id(group), required.contains(name)));
    }
    Template {
        id: &format!("io.herald.{task_type}"),
        // 2: the result expression, error expression and retry fields.
        version: 2,
        name: &format!("{} (herald)", schema["title"].as_str().unwrap_or(&info.name)),
        description: &info.description,
        task_type,
        groups,
        fields,
    }
    .build()
}

/// One form field for the input `name`.
fn field(name: &str, input: &Value, group: &str, required: bool) -> Value {
    let choices = choices(input);
    let kind = if !choices.is_empty() {
        "Dropdown"
    } else if name == "text" || types(input).iter().any(|t| t == "array" || t == "object") {
        "Text"
    } else {
        "String"
    };
    let mut field = Property::input(kind, name)
        .with("label", input.get("title").cloned().unwrap_or_else(|| json!(name)))
        .with("group", group);
    if let Some(description) = input.get("description") {
        field = field.with("description", description.clone());
    }
    if kind == "Dropdown" {
        let choices: Vec<(&str, &str)> = choices.iter().map(|c| (c.as_str(), c.as_str())).collect();
        field = field.choices(&choices);
    } else {
        // A designer may type `=expression` instead of a literal, as in any Zeebe input.
        field = field.feel("optional");
    }
    let default = match input.get("default") {
        Some(Value::String(text)) => Some(text.clone()),
        Some(Value::Bool(flag)) => Some(flag.to_string()),
        _ => None,
    };
    // Left empty, an optional input is not written at all.
    let optional = !required && default.is_none();
    if let Some(default) = default {
        field = field.with("value", default);
    }
    if required {
        field = field.required();
    }
    if let Some(pattern) = input.get("pattern").and_then(Value::as_str) {
        // Camunda checks the pattern against the whole value; an expression is exempt.
        let bare = pattern.trim_start_matches('^').trim_end_matches('$');
        field = field.pattern(&format!("^(=.*|{bare})$"), &format!("must match {pattern}"));
    }
    if optional {
        field = field.optional();
    }
    field.build()
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
