//! Human-readable progress and summaries of a run.

use std::time::Duration;

use serde_json::{Map, Value};

use herald_bpmn::{Element, ElementKind, SequenceFlow};
use herald_executor::{InstanceRecord, InstanceState, Observer, StepError, StepRecord, StepStatus};
use herald_secrets::mask;

/// Prints each step and gateway decision as it happens.
pub struct Progress {
    /// Whether to print at all (`--json` keeps stdout for the record).
    pub enabled: bool,
}

impl Progress {
    fn line(&self, text: String) {
        if self.enabled {
            println!("{}", shown(&text));
        }
    }
}

/// `text` as herald prints it: secret placeholders masked, and control characters (but line
/// breaks and tabs) escaped, so that data cannot drive the terminal. JSON text passes
/// unchanged but for the placeholders: its strings have their control characters escaped.
pub fn shown(text: &str) -> String {
    let masked = mask(text);
    let mut out = String::with_capacity(masked.len());
    for c in masked.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out += &format!("\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// A step's output on one line: its plain fields, and the names of those that hold more
/// (`{"ok":true,"channel":"C1","ts":"1.2"} (+ message)`); `--json` and `show` give it whole.
fn output_line(output: &serde_json::Value) -> String {
    let serde_json::Value::Object(fields) = output else {
        return output.to_string();
    };
    let (plain, nested): (serde_json::Map<_, _>, serde_json::Map<_, _>) =
        fields.clone().into_iter().partition(|(_, value)| !(value.is_object() || value.is_array()));
    if plain.is_empty() || nested.is_empty() {
        return output.to_string();
    }
    let more: Vec<&str> = nested.keys().map(String::as_str).collect();
    format!("{} (+ {})", serde_json::Value::Object(plain), more.join(", "))
}

fn attempts(n: u32) -> String {
    if n == 1 { "1 attempt".into() } else { format!("{n} attempts") }
}

impl Observer for Progress {
    fn retrying(&self, task: &Element, attempt: u32, error: &StepError, delay: Duration) {
        self.line(format!(
            "  ↻ {} attempt {attempt} failed: {error}; retrying in {:.1} s",
            task.id,
            delay.as_secs_f64()
        ));
    }

    fn settling(&self, task: &Element, wait: Duration) {
        self.line(format!(
            "  ⏳ {} was under way when herald stopped: waiting {:.1} s until what it sent can no longer land, then looking for it",
            task.id,
            wait.as_secs_f64()
        ));
    }

    fn deferred(&self, task: &Element, wait: Duration) {
        self.line(format!("  ⏳ {} waits {:.1} s for its throttle window to end", task.id, wait.as_secs_f64()));
    }

    fn waiting(&self, timer: &Element, duration: Duration) {
        self.line(format!("⏲ {} waits {:.1} s", timer.id, duration.as_secs_f64()));
    }

    fn step_finished(&self, task: &Element, record: &StepRecord) {
        let label = task.name.as_deref().map(|n| format!(" \"{n}\"")).unwrap_or_default();
        match record.status {
            StepStatus::Completed => {
                let output = record.output.as_ref().map(output_line).unwrap_or_default();
                self.line(format!(
                    "✓ {}{label} ({}) completed after {}: {output}",
                    record.id,
                    record.task_type,
                    attempts(record.attempts)
                ));
            }
            // The incident line that follows says why; a finished step is never running.
            StepStatus::Failed | StepStatus::Running => {
                self.line(format!(
                    "✗ {}{label} ({}) failed after {}",
                    record.id,
                    record.task_type,
                    attempts(record.attempts)
                ));
                if let Some(StepError::EgressDenied { .. }) = record.error {
                    self.line(
                        "  hint: SLACK_API_URL points the Slack connector at another Slack-compatible server".into(),
                    );
                }
            }
        }
    }

    fn gateway_taken(&self, gateway: &Element, flow: &SequenceFlow) {
        self.line(format!("→ {} took flow {}", gateway.id, flow.id));
    }

    fn script_evaluated(&self, script: &Element, variables: &Map<String, Value>) {
        let ElementKind::ScriptTask(task) = &script.kind else {
            return;
        };
        let label = script.name.as_deref().map(|n| format!(" \"{n}\"")).unwrap_or_default();
        let set: Vec<&str> = if task.outputs.is_empty() {
            vec![task.result_variable.as_str()]
        } else {
            task.outputs.iter().map(|output| output.target.as_str()).collect()
        };
        let shown: Vec<String> = set
            .iter()
            .map(|path| {
                let mut names = path.split('.');
                let top = names.next().and_then(|name| variables.get(name));
                let value = top.and_then(|top| names.try_fold(top, |value, name| value.get(name)));
                format!("{path} = {}", value.unwrap_or(&Value::Null))
            })
            .collect();
        self.line(format!("✓ {}{label} (script) set {}", script.id, shown.join(", ")));
    }
}

/// The closing line of a run.
pub fn summary(record: &InstanceRecord) -> String {
    match (&record.state, &record.incident) {
        (InstanceState::Incident, Some(incident)) => {
            format!(
                "instance {} stopped with an incident at {}:\n  {}",
                record.instance, incident.element, incident.message
            )
        }
        (state, _) => format!(
            "instance {} {}",
            record.instance,
            serde_json::to_value(state).unwrap_or_default().as_str().unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_placeholders_masked() {
        let placeholder = format!("herald-secret-{}", "0123456789abcdef".repeat(2));
        assert_eq!(
            shown(&format!("a\u{1b}[31mred\r\n\tb {placeholder}\u{7f}")),
            "a\\u{1b}[31mred\\u{d}\n\tb [secret]\\u{7f}"
        );
    }

    #[test]
    fn an_output_is_summed_up_by_its_plain_fields() {
        use serde_json::json;
        let posted = json!({"ok": true, "channel": "C1", "ts": "1.2", "message": {"text": "long"}, "files": ["F1"]});
        assert_eq!(output_line(&posted), r#"{"ok":true,"channel":"C1","ts":"1.2"} (+ message, files)"#);
        // Nothing plain to show, or nothing held back: the output as it is.
        assert_eq!(output_line(&json!({"channel": {"id": "C1"}})), r#"{"channel":{"id":"C1"}}"#);
        assert_eq!(output_line(&json!({"ok": true})), r#"{"ok":true}"#);
        assert_eq!(output_line(&json!([1])), "[1]");
    }
}
