//! Booleans, null handling, and Camunda's connector error helpers.

use std::rc::Rc;

use super::{Builtin, boolean, builtin};
use crate::compare::equals;
use crate::error::FeelError;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    builtin("not", "negand", |_, a| Ok(boolean(a[0].as_bool().map(|b| !b)))),
    builtin("is defined", "value", |_, a| Ok(Val::Bool(!a[0].is_null()))),
    builtin("get or else", "value, default", |_, a| Ok(if a[0].is_null() { a[1].clone() } else { a[0].clone() })),
    // `assert(value, condition, cause?)`: the value when the condition holds, else a failure.
    builtin("assert", "value, condition, cause?", |_, a| {
        if a[1].as_bool() == Some(true) {
            return Ok(a[0].clone());
        }
        let cause = a.get(2).and_then(Val::as_str).unwrap_or("the condition is not true");
        Err(FeelError::evaluation(format!("assertion failed: {cause}")))
    }),
    // `is(a, b)`: whether both are of one type and equal.
    // `is(a, b)`: the same type and value, where dates and times must also have the same offset
    // or zone (`@"10:00:00+01:00"` is not `@"09:00:00Z"`, although they are equal).
    builtin("is", "value1, value2", |ev, a| {
        Ok(Val::Bool(match (&a[0], &a[1]) {
            (Val::Temporal(x), Val::Temporal(y)) => x.kind() == y.kind() && x.feel_string() == y.feel_string(),
            (x, y) => x.kind() == y.kind() && equals(ev, x, y)? == Some(true),
        }))
    }),
    // Camunda's connector error helpers, for a task's `errorExpression`.
    // Camunda's tag for values an AI agent fills in: the value as it is; the rest describes it to
    // the agent's integration.
    builtin("fromAi", "value, description?, type?, schema?, options?", |_, a| Ok(a[0].clone())),
    builtin("bpmnError", "code, message, variables?", |_, a| {
        let variables = a.get(2).cloned().unwrap_or_else(|| Val::context(Vec::new()));
        Ok(Val::context(vec![
            (Rc::from("errorType"), Val::string("bpmnError")),
            (Rc::from("code"), a[0].clone()),
            (Rc::from("message"), a[1].clone()),
            (Rc::from("variables"), variables),
        ]))
    }),
    builtin("jobError", "message, variables?, retries?, retryBackoff?", |_, a| {
        Ok(Val::context(vec![(Rc::from("errorType"), Val::string("jobError")), (Rc::from("message"), a[0].clone())]))
    }),
];
