//! Zeebe's variable mappings, as Camunda 8 applies them. A task's inputs make its local
//! scope: the process variables with each input over them, in order (an input sees the ones
//! before it). Its output mappings, when it has any, decide what of that scope, its results
//! added, becomes process variables: nothing else of it does.

use serde_json::{Map, Value};

use herald_bpmn::{InputMapping, OutputMapping, Source};
use herald_feel::{Context, FeelError};

/// A mapping whose source could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MappingError {
    /// An input's source failed.
    #[error("input `{target}` failed: {source}")]
    Input {
        /// The input's target.
        target: String,
        /// FEEL's error.
        source: FeelError,
    },
    /// An output mapping's source failed.
    #[error("output mapping to `{target}` failed: {source}")]
    Output {
        /// The output's target.
        target: String,
        /// FEEL's error.
        source: FeelError,
    },
}

/// A task's local scope: `variables`, and over them its inputs, each evaluated in the scope
/// the ones before it made (a literal is a string, never a template).
pub(crate) fn local_scope(
    variables: &Map<String, Value>,
    inputs: &[InputMapping],
    context: &Context,
) -> Result<Map<String, Value>, MappingError> {
    let mut scope = Value::Object(variables.clone());
    for input in inputs {
        let value = value_of(&input.source, &scope, context)
            .map_err(|source| MappingError::Input { target: input.target.clone(), source })?;
        insert_path(object(&mut scope), &input.target, value);
    }
    let Value::Object(scope) = scope else { unreachable!("the scope stays an object") };
    Ok(scope)
}

/// Evaluates `outputs` in order in the local scope `local` (an output sees the targets of the
/// ones before it) and sets each target in `variables`: a dotted target sets one property of
/// the variable, keeping the others.
pub(crate) fn map_outputs(
    outputs: &[OutputMapping],
    local: Map<String, Value>,
    variables: &mut Map<String, Value>,
    context: &Context,
) -> Result<(), MappingError> {
    let mut scope = Value::Object(local);
    for output in outputs {
        let value = value_of(&output.source, &scope, context)
            .map_err(|source| MappingError::Output { target: output.target.clone(), source })?;
        insert_path(object(&mut scope), &output.target, value.clone());
        insert_path(variables, &output.target, value);
    }
    Ok(())
}

fn value_of(source: &Source, scope: &Value, context: &Context) -> Result<Value, FeelError> {
    match source {
        Source::Expression(expression) => expression.evaluate_in(scope, context),
        Source::Literal(text) => Ok(Value::String(text.clone())),
    }
}

fn object(scope: &mut Value) -> &mut Map<String, Value> {
    match scope {
        Value::Object(map) => map,
        _ => unreachable!("a scope is an object"),
    }
}

/// Sets `a.b.c` in `map`: into the objects already on the path, creating (or replacing what
/// is not an object) the others, as Zeebe does for a mapping's target.
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
    use serde_json::json;

    use super::*;
    use crate::evaluation::feel_context;
    use herald_bpmn::Position;
    use herald_feel::Expression;

    const AT: Position = Position { line: 1, column: 1 };

    fn feel(text: &str) -> Source {
        Source::Expression(Expression::parse(text).unwrap())
    }

    fn object_of(value: Value) -> Map<String, Value> {
        let Value::Object(map) = value else { panic!("an object") };
        map
    }

    #[test]
    fn inputs_see_the_variables_and_the_inputs_before_them() {
        let inputs = [
            InputMapping { target: "rate".into(), source: feel("base * 2"), position: AT },
            InputMapping { target: "data.total".into(), source: feel("amount * rate"), position: AT },
            InputMapping {
                target: "data.note".into(),
                source: Source::Literal("{{ not a template }}".into()),
                position: AT,
            },
        ];
        let variables = object_of(json!({"base": 2, "amount": 10}));
        let scope = local_scope(&variables, &inputs, &feel_context("t", 0)).unwrap();
        assert_eq!(
            Value::Object(scope),
            json!({"base": 2, "amount": 10, "rate": 4, "data": {"total": 40, "note": "{{ not a template }}"}})
        );
    }

    #[test]
    fn outputs_set_only_their_targets_and_a_dotted_target_keeps_the_other_properties() {
        let outputs = [
            OutputMapping { target: "order.status".into(), source: feel("response.status"), position: AT },
            OutputMapping { target: "copy".into(), source: feel("order.status"), position: AT },
            OutputMapping { target: "flag.on".into(), source: feel("true"), position: AT },
        ];
        let mut variables = object_of(json!({"order": {"id": "A-1", "status": "new"}, "flag": "not an object"}));
        let local = object_of(json!({"response": {"status": "shipped", "secret": "x"}}));
        map_outputs(&outputs, local, &mut variables, &feel_context("t", 0)).unwrap();
        assert_eq!(
            Value::Object(variables),
            json!({"order": {"id": "A-1", "status": "shipped"}, "copy": "shipped", "flag": {"on": true}}),
            "an output sees the targets before it; the rest of the local scope stays out"
        );
    }

    #[test]
    fn a_failing_source_names_its_target() {
        let failing = || feel("assert(1, false)");
        let inputs = [InputMapping { target: "x".into(), source: failing(), position: AT }];
        let err = local_scope(&Map::new(), &inputs, &feel_context("t", 0)).unwrap_err();
        assert!(err.to_string().starts_with("input `x` failed: "), "{err}");
        let outputs = [OutputMapping { target: "y.z".into(), source: failing(), position: AT }];
        let mut variables = Map::new();
        let err = map_outputs(&outputs, Map::new(), &mut variables, &feel_context("t", 0)).unwrap_err();
        assert!(err.to_string().starts_with("output mapping to `y.z` failed: "), "{err}");
        assert!(variables.is_empty());
    }
}
