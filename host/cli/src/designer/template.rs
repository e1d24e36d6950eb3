//! What the element templates herald prints share: a field builder, and the frame around a
//! template's own fields: the task type, and the job's result, error and retry fields.

use serde_json::{Map, Value, json};

/// Camunda's published JSON Schema of element templates.
const SCHEMA: &str = "https://unpkg.com/@camunda/zeebe-element-templates-json-schema/resources/schema.json";

/// One form field of a template, built up key by key.
pub(super) struct Property(Map<String, Value>);

impl Property {
    /// A field of `kind` (`String`, `Text`, `Dropdown`, `Hidden`) bound to the input `target`.
    pub fn input(kind: &str, target: &str) -> Self {
        Self::bound(kind, json!({"type": "zeebe:input", "name": target}))
    }

    /// A field of `kind` bound to the task header `key`.
    pub fn header(kind: &str, key: &str) -> Self {
        Self::bound(kind, json!({"type": "zeebe:taskHeader", "key": key}))
    }

    fn bound(kind: &str, binding: Value) -> Self {
        Self(Map::from_iter([("type".into(), json!(kind)), ("binding".into(), binding)]))
    }

    /// Sets `key` to `value`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.0.insert(key.into(), value.into());
        self
    }

    /// The label and description the designer reads, and the group the field shows in.
    pub fn text(self, label: &str, description: &str, group: &str) -> Self {
        self.with("label", label).with("description", description).with("group", group)
    }

    /// The dropdown's choices, as (label, value).
    pub fn choices(self, choices: &[(&str, &str)]) -> Self {
        let choices: Vec<Value> = choices.iter().map(|(name, value)| json!({"name": name, "value": value})).collect();
        self.with("choices", choices)
    }

    /// May be written as `=expression` (`optional`) or must be (`required`).
    pub fn feel(self, feel: &str) -> Self {
        self.with("feel", feel)
    }

    /// The field must be filled.
    pub fn required(self) -> Self {
        self.constraint("notEmpty", json!(true))
    }

    /// The whole value must match `regex` (Camunda anchors nothing itself).
    pub fn pattern(self, regex: &str, message: &str) -> Self {
        self.constraint("pattern", json!({"value": regex, "message": message}))
    }

    fn constraint(mut self, key: &str, value: Value) -> Self {
        let constraints = self.0.entry("constraints").or_insert_with(|| json!({}));
        constraints[key] = value;
        self
    }

    /// Left empty, the field is not written at all.
    pub fn optional(self) -> Self {
        let constraints = self.0.contains_key("constraints");
        let field = self.with("optional", true);
        // Camunda asks an optional field's constraints to allow it empty.
        if constraints { field.constraint("notEmpty", json!(false)) } else { field }
    }

    /// The field as JSON.
    pub fn build(self) -> Value {
        Value::Object(self.0)
    }
}

/// A template's own part: [`Template::build`] puts the task type before its fields, and
/// the job's result, error and retry fields and their groups after them.
pub(super) struct Template<'a> {
    /// The template's id, which Modeler writes on each task made from it.
    pub id: &'a str,
    /// Raised when the fields change, so Modeler offers to update tasks made from an older one.
    pub version: u32,
    /// The name in Modeler's template list.
    pub name: &'a str,
    /// What the template is for.
    pub description: &'a str,
    /// The `zeebe:taskDefinition` type of its tasks.
    pub task_type: &'a str,
    /// The groups of `fields`, as (id, label).
    pub groups: Vec<(String, String)>,
    /// The template's own fields.
    pub fields: Vec<Value>,
}

impl Template<'_> {
    /// The template as JSON.
    pub fn build(self) -> Value {
        let job_groups = [("output", "Output"), ("errors", "Errors"), ("retries", "Retries")];
        let groups: Vec<Value> = (self.groups.iter().map(|(id, label)| (id.as_str(), label.as_str())))
            .chain(job_groups)
            .map(|(id, label)| json!({"id": id, "label": label}))
            .collect();
        let task_type = json!({
            "type": "Hidden",
            "value": self.task_type,
            "binding": {"type": "zeebe:taskDefinition", "property": "type"},
        });
        let properties: Vec<Value> = [task_type].into_iter().chain(self.fields).chain(job_fields()).collect();
        json!({
            "$schema": SCHEMA,
            "name": self.name,
            "id": self.id,
            "version": self.version,
            "description": self.description,
            "appliesTo": ["bpmn:Task"],
            "elementType": {"value": "bpmn:ServiceTask"},
            "groups": groups,
            "properties": properties,
        })
    }
}

/// What herald does with the step's outcome, as README's BPMN binding describes the task's
/// headers and retries.
fn job_fields() -> Vec<Value> {
    let attempts = Property::bound("String", json!({"type": "zeebe:taskDefinition", "property": "retries"}))
        .text("Attempts", "How many times the step is tried in all, the first time included", "retries")
        .with("value", "3")
        .pattern("^[1-9][0-9]*$", "a whole number, at least 1");
    vec![
        Property::header("String", "resultVariable")
            .text("Result variable", "The process variable that receives the step's output", "output")
            .optional()
            .build(),
        Property::header("Text", "resultExpression")
            .text(
                "Result expression",
                "A FEEL context computed from `response`, the step's output: each of its entries becomes a \
                 process variable, e.g. ={id: response.id}",
                "output",
            )
            .feel("required")
            .optional()
            .build(),
        Property::header("Text", "errorExpression")
            .text(
                "Error expression",
                "FEEL evaluated after the step, with `response` when it succeeded or `error` (code, message, \
                 type) when it failed: bpmnError(code, message) raises a BPMN error that an error boundary \
                 event with that code catches, jobError(message) fails the step with an incident, null keeps \
                 the outcome",
                "errors",
            )
            .feel("required")
            .optional()
            .build(),
        attempts.build(),
        Property::header("String", "retryBackoff")
            .text(
                "Retry backoff",
                "The wait before the first retry, an ISO 8601 duration such as PT5S (PT1S when empty); it \
                 doubles at each further retry and is never shorter than what the service asks for",
                "retries",
            )
            .pattern(
                r"^P([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?(T([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$",
                "an ISO 8601 duration such as PT5S",
            )
            .optional()
            .build(),
    ]
}
