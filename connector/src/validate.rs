//! `validate`: every design-time problem with a step's inputs at once, without rendering.

use crate::config::{Inputs, Issue};
use crate::template;

/// The problems with the step configuration `config`; empty when it is valid.
pub fn validate(config: &str) -> Vec<Issue> {
    let inputs = Inputs::read(config);
    let syntax: Vec<Issue> = inputs
        .templates()
        .filter_map(|(input, source)| template::check_syntax(input, source).err())
        .map(Issue::from)
        .collect();
    let mut issues = inputs.issues;
    issues.extend(syntax);
    issues
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
    fn a_valid_step_has_no_issues() {
        assert!(validate(r##"{"channel": "#billing", "text": "Invoice {{ invoice.number }}", "token": "{{secrets.SLACK_BOT_TOKEN}}"}"##).is_empty());
    }
}
