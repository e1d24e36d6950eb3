//! `validate`: every design-time problem with a step's inputs at once, without rendering.

use crate::config::{Inputs, Issue, People};
use crate::template;
use crate::values;

/// The problems with the step configuration `config`; empty when it is valid.
///
/// An input whose value is `null` is computed by an expression at run time: it is present,
/// only its value is unknown, so it is never reported missing.
pub fn validate(config: &str) -> Vec<Issue> {
    let computed = computed_inputs(config);
    let inputs = Inputs::read(config);
    // A verbatim step's inputs are not templates.
    let syntax: Vec<Issue> = inputs
        .templates()
        .filter(|_| !inputs.config.verbatim)
        .filter_map(|(input, source)| template::check_syntax(input, source).err())
        .map(Issue::from)
        .collect();
    let overridden = webhook_overrides(&inputs);
    let people = literal_people(&inputs);
    let mut issues = inputs.issues;
    // `text` is also where a message without any content is reported, and `channel` where
    // a message without a destination is.
    let is_computed = |name: &str| computed.iter().any(|input| input == name);
    issues.retain(|issue| {
        let computed_here = is_computed(&issue.field);
        let present_but_computed = (issue.field == "text" && is_computed("blocks"))
            || (issue.field == "channel" && is_computed("webhook_url"));
        !(computed_here || present_but_computed)
    });
    issues.extend(people);
    issues.extend(syntax);
    issues.extend(overridden);
    issues.extend(blank_token(config));
    issues
}

/// A `token` given blank: the step would send no token, where leaving the input out uses
/// the host's default.
fn blank_token(config: &str) -> Option<Issue> {
    let config = serde_json::from_str::<serde_json::Value>(config).ok()?;
    let token = config.get("token")?.as_str()?;
    token.trim().is_empty().then(|| {
        Issue::new("token", "`token` is blank: leave it out to use the default token, or give `{{secrets.NAME}}`")
    })
}

/// The problems with `mention` and `users` written without template markup, which are
/// known already.
fn literal_people(inputs: &Inputs) -> Vec<Issue> {
    let config = &inputs.config;
    [("mention", &config.mention), ("users", &config.users)]
        .into_iter()
        .filter_map(|(input, people)| match people {
            Some(People::Template(source)) if !source.contains("{{") && !source.contains("{%") => {
                values::people(input, std::slice::from_ref(source)).err()
            }
            _ => None,
        })
        .collect()
}

/// The inputs an incoming webhook ignores: an app's webhook always posts as the app.
fn webhook_overrides(inputs: &Inputs) -> Vec<Issue> {
    let config = &inputs.config;
    if config.webhook_url.is_none() {
        return Vec::new();
    }
    [
        ("username", config.username.is_some()),
        ("icon_emoji", config.icon_emoji.is_some()),
        ("icon_url", config.icon_url.is_some()),
    ]
    .into_iter()
    .filter(|(_, given)| *given)
    .map(|(input, _)| {
        Issue::new(
            input,
            format!(
                "an incoming webhook posts with the name and icon of its app: `{input}` would \
                 be ignored; remove it, or post with the Web API (`channel` and `token`)"
            ),
        )
    })
    .collect()
}

/// The names of the inputs given as `null`.
fn computed_inputs(config: &str) -> Vec<String> {
    match serde_json::from_str::<serde_json::Value>(config) {
        Ok(serde_json::Value::Object(object)) => {
            object.into_iter().filter(|(_, value)| value.is_null()).map(|(name, _)| name).collect()
        }
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_listed() {
        let issues = validate(r##"{"chanel": "#x", "text": "Hi {{ name }", "thread": "{% if %}", "token": 1}"##);
        let fields: Vec<&str> = issues.iter().map(|issue| issue.field.as_str()).collect();
        assert_eq!(fields, ["chanel", "token", "channel", "text", "thread"]);
        assert!(issues[3].message.contains("line 1"), "{}", issues[3].message);
    }

    #[test]
    fn a_blank_token_or_channel_is_reported() {
        let issues = validate(r#"{"channel": "   ", "text": "hi", "token": "  "}"#);
        let fields: Vec<&str> = issues.iter().map(|issue| issue.field.as_str()).collect();
        assert_eq!(fields, ["channel", "token"]);
        assert!(issues[1].message.contains("leave it out"), "{}", issues[1].message);
        assert!(validate(r##"{"channel": "#x", "text": "hi", "token": "herald-secret-0a"}"##).is_empty());
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
    fn new_inputs_are_checked() {
        let issues = validate(
            r##"{"channel": "#x", "text": "hi", "color": "red", "on_overflow": "drop",
                 "unfurl_links": "yes", "reply_broadcast": true, "mention": "bob",
                 "update_key": "{{ id"}"##,
        );
        let fields: Vec<&str> = issues.iter().map(|issue| issue.field.as_str()).collect();
        assert_eq!(fields, ["color", "on_overflow", "unfurl_links", "mention", "update_key"]);
    }

    #[test]
    fn a_webhook_needs_no_channel_and_ignores_overrides() {
        let hook = r#"{"webhook_url": "herald-secret-0a1b", "text": "hi", "username": "x"}"#;
        let issues = validate(hook);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].field, "username");
        assert!(validate(r#"{"webhook_url": null, "text": "hi"}"#).is_empty());
        let issues = validate(r#"{"webhook_url": "ftp://x", "text": "hi"}"#);
        assert_eq!(issues[0].field, "webhook_url");
        let issues = validate(r#"{"webhook_url": "herald-secret-1", "text": "hi", "update_key": "k"}"#);
        assert_eq!(issues[0].field, "update_key");
    }

    #[test]
    fn a_valid_step_has_no_issues() {
        let config = r##"{"channel": "#billing", "text": "Invoice {{ invoice.number }}",
                          "token": "{{secrets.SLACK_BOT_TOKEN}}"}"##;
        assert!(validate(config).is_empty());
    }
}
