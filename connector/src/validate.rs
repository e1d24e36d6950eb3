//! `validate`: every design-time problem with a step's inputs at once, without rendering.

use crate::config::{Inputs, Issue};
use crate::template;

/// The problems with the step configuration `config`; empty when it is valid.
///
/// An input whose value is `null` is computed by an expression at run time: it is present,
/// only its value is unknown, so it is never reported missing.
pub fn validate(config: &str) -> Vec<Issue> {
    let computed = computed_inputs(config);
    let inputs = Inputs::read(config);
    let syntax: Vec<Issue> = inputs
        .templates()
        .filter_map(|(input, source)| template::check_syntax(input, source).err())
        .map(Issue::from)
        .collect();
    let mut issues = inputs.issues;
    // `text` is also where a message without any content is reported.
    let content_computed = computed.iter().any(|name| name == "blocks");
    issues.retain(|issue| {
        let computed_here = computed.contains(&issue.field);
        let content_missing_but_computed = issue.field == "text" && content_computed;
        !(computed_here || content_missing_but_computed)
    });
    issues.extend(syntax);
    issues
}

/// The names of the inputs given as `null`.
fn computed_inputs(config: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(config) {
        Ok(serde_json::Value::Object(object)) => object
            .into_iter()
            .filter(|(_, value)| value.is_null())
            .map(|(name, _)| name)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed() {
        let issues = validate(
            r##"{"chanel": "#x", "text": "Hi {{ name }", "thread": "{% if %}", "token": 1}"##,
        );
        let fields: Vec<&str> = issues.iter().map(|issue| issue.field.as_str()).collect();
        assert_eq!(fields, ["chanel", "token", "channel", "text", "thread"]);
        assert!(
            issues[3].message.contains("line 1"),
            "{}",
            issues[3].message
        );
    }

    #[test]
    fn inputs_computed_at_run_time_are_present() {
        assert!(validate(r#"{"channel": null, "text": "hi"}"#).is_empty());
        assert!(validate(r##"{"channel": "#x", "blocks": null}"##).is_empty());
        let issues = validate(r#"{"channel": null}"#);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, "text");
    }

    #[test]
    fn a_valid_step_has_no_issues() {
        let config = r##"{"channel": "#billing", "text": "Invoice {{ invoice.number }}",
                          "token": "{{secrets.SLACK_BOT_TOKEN}}"}"##;
        assert!(validate(config).is_empty());
    }
}
