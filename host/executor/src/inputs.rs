//! Turns a task's `zeebe:input` mappings into the connector's configuration object.

use serde_json::{Map, Value};

use herald_bpmn::{InputMapping, Source};
use herald_core::StepError;
use herald_engine::insert_path;
use herald_runtime::Credential;
use herald_secrets::{Vault, referenced_names, whole_reference};

/// A connector's configuration for one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// The inputs by name.
    pub inputs: Map<String, Value>,
    /// The top-level inputs an expression computed: data, never to be rendered as templates.
    pub computed: Vec<String>,
}

/// What is wrong with where `input` names a secret, or with the shape of a credential it
/// gives: a secret goes only in a credential input, and only whole (never inside a longer
/// value, a URL say); a credential that is not a secret has the shape its connector declares.
pub fn credential_issue(input: &InputMapping, credentials: &[Credential]) -> Option<String> {
    let Source::Literal(text) = &input.source else {
        return None;
    };
    let top = input.target.split('.').next().unwrap_or_default();
    let Some(credential) = credentials.iter().find(|c| c.name == top) else {
        let name = referenced_names(text).into_iter().next()?;
        return Some(format!(
            "input `{}` names the secret `{name}`, but secrets go only in credential inputs ({}) and are never sent in a message",
            input.target,
            credentials.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", "),
        ));
    };
    if whole_reference(text).is_some() {
        return None;
    }
    if let Some(name) = referenced_names(text).into_iter().next() {
        return Some(format!(
            "input `{}` names the secret `{name}` inside a longer value; a credential input is one whole secret (`{{{{secrets.{name}}}}}`) or a value without secrets",
            input.target,
        ));
    }
    shape_issue(credential, &input.target, text)
}

/// Why `value` of the credential input `target` does not have its declared shape.
fn shape_issue(credential: &Credential, target: &str, value: &str) -> Option<String> {
    let pattern = credential.pattern().filter(|_| !credential.fits(value))?;
    Some(format!(
        "input `{target}` must be a secret (`{{{{secrets.NAME}}}}`) or match `{pattern}`, the shape its connector declares"
    ))
}

/// Evaluates FEEL sources, keeps literals, fills the connector's schema defaults, and
/// replaces secret references in what the designer wrote (literals and defaults, never
/// computed data) by placeholders.
pub fn configuration(
    inputs: &[InputMapping],
    variables: &Map<String, Value>,
    defaults: &Map<String, Value>,
    credentials: &[Credential],
    vault: &Vault,
    context: &herald_feel::Context,
) -> Result<Configuration, StepError> {
    if let Some(message) = inputs.iter().find_map(|input| credential_issue(input, credentials)) {
        return Err(StepError::Input { message });
    }
    // Made only when an expression needs it: literals do not read the variables.
    let mut scope = None;
    let mut config = Map::new();
    let mut computed = Vec::new();
    let conceal = |text: &str| vault.conceal(text).map_err(|err| StepError::Input { message: err.to_string() });
    for input in inputs {
        let top = input.target.split('.').next().unwrap_or_default().to_owned();
        let value = match &input.source {
            Source::Literal(text) => {
                computed.retain(|name| *name != top);
                Value::String(conceal(text)?)
            }
            Source::Expression(expression) => {
                if !computed.contains(&top) {
                    computed.push(top);
                }
                let scope = scope.get_or_insert_with(|| Value::Object(variables.clone()));
                let value = expression
                    .evaluate_in(scope, context)
                    .map_err(|err| StepError::Input { message: format!("input `{}`: {err}", input.target) })?;
                // Computed data is never a secret, so a computed credential has its shape.
                let credential = credentials.iter().find(|c| input.target == c.name);
                if let (Some(credential), Some(text)) = (credential, value.as_str())
                    && let Some(message) = shape_issue(credential, &input.target, text)
                {
                    return Err(StepError::Input { message });
                }
                value
            }
        };
        insert_path(&mut config, &input.target, value);
    }
    for (name, default) in defaults {
        if !config.contains_key(name) {
            let value = match default {
                Value::String(text) => Value::String(conceal(text)?),
                other => other.clone(),
            };
            config.insert(name.clone(), value);
        }
    }
    Ok(Configuration { inputs: config, computed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_bpmn::Position;
    use herald_feel::Expression;
    use serde_json::json;
    use std::collections::HashMap;

    const AT: Position = Position { line: 1, column: 1 };

    fn credential(name: &str) -> Credential {
        Credential::new(name, None).unwrap()
    }

    /// [`configuration`] at a fixed time.
    fn configure(
        inputs: &[InputMapping],
        variables: &Map<String, Value>,
        defaults: &Map<String, Value>,
        credentials: &[Credential],
        vault: &Vault,
    ) -> Result<Configuration, StepError> {
        configuration(inputs, variables, defaults, credentials, vault, &herald_engine::feel_context("test", 0))
    }
    #[test]
    fn literals_expressions_nested_targets_defaults_and_secrets() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![
            InputMapping { target: "channel".into(), source: Source::Literal("#billing".into()), position: AT },
            InputMapping {
                target: "data.amount".into(),
                source: Source::Expression(Expression::parse("amount * 2").unwrap()),
                position: AT,
            },
        ];
        let variables = json!({"amount": 21}).as_object().unwrap().clone();
        let defaults = json!({"token": "{{secrets.TOKEN}}", "channel": "#general"}).as_object().unwrap().clone();
        let config = configure(&inputs, &variables, &defaults, &[credential("token")], &vault).unwrap();
        assert_eq!(config.computed, ["data"]);
        let config = config.inputs;
        assert_eq!(config["channel"], "#billing");
        assert_eq!(config["data"], json!({"amount": 42}));
        let token = config["token"].as_str().unwrap();
        assert!(token.starts_with("herald-secret-"), "{token}");
        assert_eq!(vault.reveal(token), "xoxb-1");
    }

    #[test]
    fn computed_data_is_never_taken_for_a_secret_reference() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![InputMapping {
            target: "text".into(),
            source: Source::Expression(Expression::parse("note").unwrap()),
            position: AT,
        }];
        let variables = json!({"note": "{{secrets.TOKEN}}"}).as_object().unwrap().clone();
        let config = configure(&inputs, &variables, &Map::new(), &[], &vault).unwrap();
        assert_eq!(config.inputs["text"], "{{secrets.TOKEN}}");
        assert_eq!(config.computed, ["text"]);
    }

    #[test]
    fn a_missing_secret_fails_the_inputs() {
        let vault = Vault::with_values(HashMap::new());
        let inputs = vec![InputMapping {
            target: "token".into(),
            source: Source::Literal("{{secrets.NONE}}".into()),
            position: AT,
        }];
        let err = configure(&inputs, &Map::new(), &Map::new(), &[credential("token")], &vault).unwrap_err();
        assert!(matches!(err, StepError::Input { ref message } if message.contains("NONE")), "{err:?}");
    }

    #[test]
    fn a_secret_outside_a_credential_input_is_refused() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![InputMapping {
            target: "text".into(),
            source: Source::Literal("hi {{secrets.TOKEN}}".into()),
            position: AT,
        }];
        let err = configure(&inputs, &Map::new(), &Map::new(), &[credential("token")], &vault).unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot compute the inputs: input `text` names the secret `TOKEN`, but secrets go only in credential inputs (`token`) and are never sent in a message"
        );
    }

    #[test]
    fn a_credential_is_a_whole_secret_or_has_its_declared_shape() {
        let vault = Vault::with_values(HashMap::from([("OTHER".to_owned(), "any-value".to_owned())]));
        let hook = Credential::new("webhook_url", Some("^https://hooks\\.example/services/")).unwrap();
        let literal = |text: &str| {
            vec![InputMapping { target: "webhook_url".into(), source: Source::Literal(text.into()), position: AT }]
        };
        let run =
            |inputs: &[InputMapping]| configure(inputs, &Map::new(), &Map::new(), std::slice::from_ref(&hook), &vault);
        assert!(run(&literal("{{secrets.OTHER}}")).is_ok());
        assert!(run(&literal("https://hooks.example/services/T1/B1/x")).is_ok());
        let err = run(&literal("https://hooks.example/services/x?text={{secrets.OTHER}}")).unwrap_err();
        assert!(err.to_string().contains("names the secret `OTHER` inside a longer value"), "{err}");
        let err = run(&literal("http://{{secrets.OTHER}}@hooks.example/services/x")).unwrap_err();
        assert!(err.to_string().contains("inside a longer value"), "{err}");
        let err = run(&literal("https://slack.example/api/chat.postMessage?channel=C1")).unwrap_err();
        assert!(
            err.to_string()
                .contains("must be a secret (`{{secrets.NAME}}`) or match `^https://hooks\\.example/services/`"),
            "{err}"
        );
        let computed = vec![InputMapping {
            target: "webhook_url".into(),
            source: Source::Expression(Expression::parse("\"http://elsewhere.example/\"").unwrap()),
            position: AT,
        }];
        assert!(run(&computed).unwrap_err().to_string().contains("the shape its connector declares"));
    }
}
