//! Script tasks, evaluated as Camunda 8 evaluates a `zeebe:script`: the expression sees the
//! task's local scope (the variables and its inputs); its value goes to the result variable,
//! or, when the task has output mappings, into its local scope, and the mappings decide what
//! becomes process variables.

use serde_json::{Map, Value};

use herald_bpmn::ScriptTask;
use herald_feel::{Context, FeelError};

use crate::mapping::{self, MappingError};

/// Why a script task could not be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScriptError {
    /// The expression failed.
    #[error("the script failed: {0}")]
    Expression(FeelError),
    /// An input or an output mapping failed.
    #[error(transparent)]
    Mapping(#[from] MappingError),
}

/// Evaluates `script` and sets the variables it gives. On an error, the output mappings
/// before the one that failed are set: the caller keeps the variables from before.
pub(crate) fn evaluate(
    script: &ScriptTask,
    variables: &mut Map<String, Value>,
    context: &Context,
) -> Result<(), ScriptError> {
    let scope = Value::Object(mapping::local_scope(variables, &script.inputs, context)?);
    let value = script.expression.evaluate_in(&scope, context).map_err(ScriptError::Expression)?;
    if script.outputs.is_empty() {
        variables.insert(script.result_variable.clone(), value);
        return Ok(());
    }
    let Value::Object(mut local) = scope else { unreachable!("a local scope is an object") };
    local.insert(script.result_variable.clone(), value);
    mapping::map_outputs(&script.outputs, local, variables, context)?;
    Ok(())
}
