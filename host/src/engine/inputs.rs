//! Turns a task's `zeebe:input` mappings into the connector's configuration object.

use serde_json::{Map, Value};

use super::step_error::StepError;
use crate::bpmn::{InputMapping, Source};
use crate::secrets::{Vault, referenced_names};

/// A connector's configuration for one step.
#[derive(Debug, Clone, PartialEq)]
pub struct Configuration {
    /// The inputs by name.
    pub inputs: Map<String, Value>,
    /// The top-level inputs an expression computed: data, never to be rendered as templates.
    pub computed: Vec<String>,
}

/// Why `input` may not name the secret it names: only credential inputs carry secrets, so no
/// secret can end up in a message.
pub fn misplaced_secret(input: &InputMapping, credentials: &[String]) -> Option<String> {
    let Source::Literal(text) = &input.source else { return None };
    let top = input.target.split('.').next().unwrap_or_default();
    if credentials.iter().any(|name| name == top) {
        return None;
    }
    let name = referenced_names(text).into_iter().next()?;
    Some(format!(
        "input `{}` names the secret `{name}`, but secrets go only in credential inputs ({}) and are never sent in a message",
        input.target,
        credentials.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
    ))
}

/// Evaluates FEEL sources, keeps literals, fills the connector's schema defaults, and
/// replaces secret references in what the designer wrote (literals and defaults, never
/// computed data) by placeholders.
pub fn configuration(
    inputs: &[InputMapping],
    variables: &Map<String, Value>,
    defaults: &Map<String, Value>,
    credentials: &[String],
    vault: &Vault,
) -> Result<Configuration, StepError> {
    if let Some(message) = inputs.iter().find_map(|input| misplaced_secret(input, credentials)) {
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
                expression.evaluate(scope).map_err(|err| StepError::Input {
                    message: format!("input `{}`: {err}", input.target),
                })?
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

/// Sets `a.b.c` in `map`, creating the intermediate objects (as Zeebe does for targets).
pub fn insert_path(map: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            map.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = map.entry(head.to_owned()).or_insert_with(|| Value::Object(Map::new()));
            if !child.is_object() {
                *child = Value::Object(Map::new());
            }
            if let Value::Object(child) = child {
                insert_path(child, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feel::Expression;
    use serde_json::json;
    use crate::bpmn::Position;
    use std::collections::HashMap;

    const AT: Position = Position { line: 1, column: 1 };

    #[test]
    fn literals_expressions_nested_targets_defaults_and_secrets() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![
            InputMapping { target: "channel".into(), source: Source::Literal("#billing".into()), position: AT },
            InputMapping { target: "data.amount".into(), source: Source::Expression(Expression::parse("amount * 2").unwrap()), position: AT },
        ];
        let variables = json!({"amount": 21}).as_object().unwrap().clone();
        let defaults = json!({"token": "{{secrets.TOKEN}}", "channel": "#general"}).as_object().unwrap().clone();
        let config = configuration(&inputs, &variables, &defaults, &["token".into()], &vault).unwrap();
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
        let inputs = vec![InputMapping { target: "text".into(), source: Source::Expression(Expression::parse("note").unwrap()), position: AT }];
        let variables = json!({"note": "{{secrets.TOKEN}}"}).as_object().unwrap().clone();
        let config = configuration(&inputs, &variables, &Map::new(), &[], &vault).unwrap();
        assert_eq!(config.inputs["text"], "{{secrets.TOKEN}}");
        assert_eq!(config.computed, ["text"]);
    }

    #[test]
    fn a_missing_secret_fails_the_inputs() {
        let vault = Vault::with_values(HashMap::new());
        let inputs = vec![InputMapping { target: "token".into(), source: Source::Literal("{{secrets.NONE}}".into()), position: AT }];
        let err = configuration(&inputs, &Map::new(), &Map::new(), &["token".into()], &vault).unwrap_err();
        assert!(matches!(err, StepError::Input { ref message } if message.contains("NONE")), "{err:?}");
    }

    #[test]
    fn a_secret_outside_a_credential_input_is_refused() {
        let vault = Vault::with_values(HashMap::from([("TOKEN".to_owned(), "xoxb-1".to_owned())]));
        let inputs = vec![InputMapping { target: "text".into(), source: Source::Literal("hi {{secrets.TOKEN}}".into()), position: AT }];
        let err = configuration(&inputs, &Map::new(), &Map::new(), &["token".into()], &vault).unwrap_err();
        assert_eq!(err.to_string(), "cannot compute the inputs: input `text` names the secret `TOKEN`, but secrets go only in credential inputs (`token`) and are never sent in a message");
    }
}
