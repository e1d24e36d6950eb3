//! What a finished step leaves behind, as Camunda's connectors do: its output in the
//! `resultVariable`, the entries of the `resultExpression` merged into the variables (or,
//! when the task has output mappings, what they map), and the BPMN error (or job failure)
//! an `errorExpression` raises.

use serde_json::{Map, Value, json};

use herald_bpmn::ServiceTask;
use herald_core::StepError;
use herald_core::{StepRecord, StepStatus};
use herald_feel::{Context, Expression};

use crate::mapping::{self, MappingError};

/// Applies the task's result and error headers to a finished step and the variables.
pub fn apply(task: &ServiceTask, step: &mut StepRecord, variables: &mut Map<String, Value>, context: &Context) {
    if let Err(error) = keep_results(task, step, variables, context) {
        fail(step, error);
    }
    if let Some(expression) = &task.error_expression {
        match raised(expression, step, variables, context) {
            Ok(None) => {}
            Ok(Some(error)) | Err(error) => fail(step, error),
        }
    }
}

fn fail(step: &mut StepRecord, error: StepError) {
    step.status = StepStatus::Failed;
    step.error = Some(error);
}

/// The step's results, as a Camunda connector's job variables: `resultVariable` takes the
/// whole output, and `resultExpression`, which sees it as `response`, gives a context of
/// more. Without output mappings they all become process variables; with some, they join the
/// task's local scope (the variables, its inputs and, as for the result expression, the
/// output as `response`) and only what the mappings map does.
fn keep_results(
    task: &ServiceTask,
    step: &StepRecord,
    variables: &mut Map<String, Value>,
    context: &Context,
) -> Result<(), StepError> {
    let (StepStatus::Completed, Some(output)) = (step.status, &step.output) else {
        return Ok(());
    };
    let mut results = Map::new();
    if let Some(name) = task.result_variable() {
        results.insert(name.to_owned(), output.clone());
    }
    if let Some(expression) = &task.result_expression {
        let mut scope = variables.clone();
        scope.extend(results.clone());
        scope.insert("response".to_owned(), output.clone());
        match expression.evaluate_in(&Value::Object(scope), context) {
            Ok(Value::Object(entries)) => results.extend(entries),
            Ok(Value::Null) => {}
            Ok(other) => {
                return Err(StepError::Input {
                    message: format!(
                        "the resultExpression must give a context such as `{{ts: response.ts}}`, not `{other}`"
                    ),
                });
            }
            Err(err) => return Err(StepError::Input { message: format!("the resultExpression failed: {err}") }),
        }
    }
    if task.outputs.is_empty() {
        variables.extend(results);
        return Ok(());
    }
    let mapping_failed = |err: MappingError| StepError::Input { message: err.to_string() };
    let mut local = mapping::local_scope(variables, &task.inputs, context).map_err(mapping_failed)?;
    local.insert("response".to_owned(), output.clone());
    local.extend(results);
    // Mapped on a copy, so that a mapping that fails leaves none of the others set.
    let mut mapped = variables.clone();
    mapping::map_outputs(&task.outputs, local, &mut mapped, context).map_err(mapping_failed)?;
    *variables = mapped;
    Ok(())
}

/// The error an `errorExpression` raises: it sees the variables, `response` when the step
/// succeeded and `error` (`code`, `message`, `type`) when it failed.
fn raised(
    expression: &Expression,
    step: &StepRecord,
    variables: &mut Map<String, Value>,
    context: &Context,
) -> Result<Option<StepError>, StepError> {
    let mut extra = Vec::new();
    if let Some(output) = &step.output {
        extra.push(("response", output.clone()));
    }
    if let Some(error) = &step.error {
        extra.push(("error", error_context(error)));
    }
    let value = expression
        .evaluate_in(&with(variables, extra), context)
        .map_err(|err| StepError::Input { message: format!("the errorExpression failed: {err}") })?;
    let context = match value {
        Value::Null => return Ok(None),
        Value::Object(context) if context.is_empty() => return Ok(None),
        Value::Object(context) => context,
        other => return Err(not_an_error(&other)),
    };
    let text = |key: &str| context.get(key).and_then(Value::as_str).unwrap_or_default().to_owned();
    match context.get("errorType").and_then(Value::as_str) {
        Some("bpmnError") => {
            let code = text("code");
            if code.is_empty() {
                return Err(StepError::Input {
                    message: "the errorExpression raised a bpmnError without a code".into(),
                });
            }
            if let Some(Value::Object(more)) = context.get("variables") {
                variables.extend(more.clone());
            }
            Ok(Some(StepError::BpmnError { code, message: text("message") }))
        }
        Some("jobError") => Ok(Some(StepError::JobError { message: text("message") })),
        _ => Err(not_an_error(&Value::Object(context))),
    }
}

fn not_an_error(value: &Value) -> StepError {
    StepError::Input {
        message: format!(
            "the errorExpression must give null, bpmnError(code, message) or jobError(message), not `{value}`"
        ),
    }
}

/// The `error` an errorExpression sees. Its message starts with the code, so Camunda's
/// `starts with(error.message, "channel_not_found")` works here too.
fn error_context(error: &StepError) -> Value {
    let kind = serde_json::to_value(error).ok().and_then(|v| v.get("kind").cloned()).unwrap_or(Value::Null);
    let message = match error.code() {
        Some(code) => format!("{code}: {error}"),
        None => error.to_string(),
    };
    json!({"code": error.code(), "message": message, "type": kind})
}

/// The variables with some names added (shadowing variables of the same name).
fn with(variables: &Map<String, Value>, extra: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    let mut scope = variables.clone();
    scope.extend(extra.into_iter().map(|(name, value)| (name.to_owned(), value)));
    Value::Object(scope)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::feel_context;

    use herald_bpmn::{InputMapping, OutputMapping, Position, Source};
    use herald_core::FailureInfo;

    fn task(result: Option<&str>, error: Option<&str>) -> ServiceTask {
        ServiceTask {
            task_type: "slack".into(),
            retries: 1,
            inputs: Vec::new(),
            outputs: Vec::new(),
            headers: [("resultVariable".to_owned(), "posted".to_owned())].into(),
            result_expression: result.map(|e| Expression::parse(e).unwrap()),
            error_expression: error.map(|e| Expression::parse(e).unwrap()),
        }
    }

    fn step(output: Option<Value>, error: Option<StepError>) -> StepRecord {
        let status = if error.is_some() { StepStatus::Failed } else { StepStatus::Completed };
        StepRecord { status, attempts: 1, output, error, ..StepRecord::begun("notify", "slack") }
    }

    fn not_found() -> StepError {
        StepError::NotFound(FailureInfo {
            code: "channel_not_found".into(),
            message: "no #ops".into(),
            hint: "create it".into(),
        })
    }

    #[test]
    fn results_land_in_the_variable_and_the_expressions_entries() {
        let mut variables = Map::new();
        let mut done = step(Some(json!({"ts": "1.2", "channel": "C1"})), None);
        apply(
            &task(Some("{messageTs: response.ts, n: 1 + 1}"), None),
            &mut done,
            &mut variables,
            &feel_context("test", 0),
        );
        assert_eq!(done.status, StepStatus::Completed);
        assert_eq!(
            Value::Object(variables),
            json!({"posted": {"ts": "1.2", "channel": "C1"}, "messageTs": "1.2", "n": 2})
        );
    }

    #[test]
    fn with_output_mappings_the_results_and_inputs_are_local_and_only_the_mapped_ones_are_set() {
        let feel = |text: &str| Source::Expression(Expression::parse(text).unwrap());
        const AT: Position = Position { line: 1, column: 1 };
        let mut mapped = task(Some("{messageTs: response.ts}"), None);
        mapped.inputs =
            vec![InputMapping { target: "data.channel".into(), source: Source::Literal("#ops".into()), position: AT }];
        mapped.outputs = vec![
            OutputMapping { target: "post.ts".into(), source: feel("messageTs"), position: AT },
            OutputMapping { target: "post.asked".into(), source: feel("data.channel"), position: AT },
            OutputMapping { target: "post.channel".into(), source: feel("posted.channel"), position: AT },
            OutputMapping { target: "post.again".into(), source: feel("response.ts"), position: AT },
        ];
        let mut variables = Map::from_iter([("post".to_owned(), json!({"kept": true}))]);
        let mut done = step(Some(json!({"ts": "1.2", "channel": "C1"})), None);
        apply(&mapped, &mut done, &mut variables, &feel_context("test", 0));
        assert_eq!(done.status, StepStatus::Completed);
        assert_eq!(
            Value::Object(variables),
            json!({"post": {"kept": true, "ts": "1.2", "asked": "#ops", "channel": "C1", "again": "1.2"}}),
            "neither `posted`, `messageTs` nor `response` becomes a variable"
        );

        mapped.outputs.push(OutputMapping { target: "broken".into(), source: feel("assert(1, false)"), position: AT });
        let mut variables = Map::new();
        let mut done = step(Some(json!({"ts": "1.2", "channel": "C1"})), None);
        apply(&mapped, &mut done, &mut variables, &feel_context("test", 0));
        assert_eq!(done.status, StepStatus::Failed);
        assert!(done.error.unwrap().to_string().contains("output mapping to `broken` failed"));
        assert!(variables.is_empty(), "a failed mapping sets none of the others");
    }

    #[test]
    fn a_result_expression_that_is_not_a_context_fails_the_step() {
        let mut done = step(Some(json!({"ts": "1.2"})), None);
        apply(&task(Some("response.ts"), None), &mut done, &mut Map::new(), &feel_context("test", 0));
        assert_eq!(done.status, StepStatus::Failed);
        assert!(done.error.unwrap().to_string().contains("must give a context"));
    }

    #[test]
    fn an_error_expression_turns_a_failure_into_a_bpmn_error_with_variables() {
        let mut variables = Map::new();
        let mut failed = step(None, Some(not_found()));
        let expression = r#"if is defined(error) and starts with(error.message, "channel_not_found") then bpmnError("MISSING", error.message, {why: error.code}) else null"#;
        apply(&task(None, Some(expression)), &mut failed, &mut variables, &feel_context("test", 0));
        let Some(StepError::BpmnError { code, message }) = failed.error else { panic!("{:?}", failed.error) };
        assert_eq!(code, "MISSING");
        assert!(message.starts_with("channel_not_found: no #ops"), "{message}");
        assert_eq!(variables["why"], "channel_not_found");
    }

    #[test]
    fn an_error_expression_can_fail_a_success_and_leave_other_failures_alone() {
        let expression = r#"if response.ts = "1.2" then jobError("unexpected ts") else null"#;
        let mut done = step(Some(json!({"ts": "1.2"})), None);
        apply(&task(None, Some(expression)), &mut done, &mut Map::new(), &feel_context("test", 0));
        assert_eq!(done.error, Some(StepError::JobError { message: "unexpected ts".into() }));

        let mut failed = step(None, Some(not_found()));
        apply(&task(None, Some("null")), &mut failed, &mut Map::new(), &feel_context("test", 0));
        assert_eq!(failed.error, Some(not_found()));
    }
}
