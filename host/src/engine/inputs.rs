//! Turns a task's `zeebe:input` mappings into the connector's configuration object.

use serde_json::{Map, Value};

use super::step_error::StepError;
use crate::bpmn::{InputMapping, Source};
use crate::secrets::Vault;

/// Evaluates FEEL sources, keeps literals, fills the connector's schema defaults, and
/// replaces secret references by placeholders.
pub fn configuration(
    inputs: &[InputMapping],
    variables: &Map<String, Value>,
    defaults: &Map<String, Value>,
    vault: &Vault,
) -> Result<Map<String, Value>, StepError> {
    let scope = Value::Object(variables.clone());
    let mut config = Map::new();
    for input in inputs {
        let value = match &input.source {
            Source::Literal(text) => Value::String(text.clone()),
            Source::Expression(expression) => expression.evaluate(&scope).map_err(|err| StepError::Input {
                message: format!("input `{}`: {err}", input.target),
            })?,
        };
        insert_path(&mut config, &input.target, value);
    }
    for (name, default) in defaults {
        config.entry(name.clone()).or_insert_with(|| default.clone());
    }
    let mut config = Value::Object(config);
    conceal(&mut config, vault)?;
    match config {
        Value::Object(map) => Ok(map),
        _ => unreachable!("an object stays an object"),
    }
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

fn conceal(value: &mut Value, vault: &Vault) -> Result<(), StepError> {
    match value {
        Value::String(text) => {
            *text = vault.conceal(text).map_err(|err| StepError::Input { message: err.to_string() })?;
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| conceal(v, vault))?,
        Value::Object(map) => map.values_mut().try_for_each(|v| conceal(v, vault))?,
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
    Ok(())
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
        let config = configuration(&inputs, &variables, &defaults, &vault).unwrap();
        assert_eq!(config["channel"], "#billing");
        assert_eq!(config["data"], json!({"amount": 42}));
        let token = config["token"].as_str().unwrap();
        assert!(token.starts_with("herald-secret-"), "{token}");
        assert_eq!(vault.reveal(token), "xoxb-1");
    }

    #[test]
    fn a_missing_secret_fails_the_inputs() {
        let vault = Vault::with_values(HashMap::new());
        let inputs = vec![InputMapping { target: "token".into(), source: Source::Literal("{{secrets.NONE}}".into()), position: AT }];
        let err = configuration(&inputs, &Map::new(), &Map::new(), &vault).unwrap_err();
        assert!(matches!(err, StepError::Input { ref message } if message.contains("NONE")), "{err:?}");
    }
}
