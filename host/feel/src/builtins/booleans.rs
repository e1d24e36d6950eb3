//! Booleans, null handling, and Camunda's connector error helpers.

use std::rc::Rc;

use super::{Builtin, between, boolean, exactly, one};
use crate::compare::equals;
use crate::error::FeelError;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    one("not", |_, a| Ok(boolean(a[0].as_bool().map(|b| !b)))),
    one("is defined", |_, a| Ok(Val::Bool(!a[0].is_null()))),
    exactly("get or else", 2, |_, a| Ok(if a[0].is_null() { a[1].clone() } else { a[0].clone() })),
    // `assert(value, condition, cause?)`: the value when the condition holds, else a failure.
    between("assert", 2, 3, |_, a| {
        if a[1].as_bool() == Some(true) {
            return Ok(a[0].clone());
        }
        let cause = a.get(2).and_then(Val::as_str).unwrap_or("the condition is not true");
        Err(FeelError::evaluation(format!("assertion failed: {cause}")))
    }),
    // `is(a, b)`: whether both are of one type and equal.
    exactly("is", 2, |ev, a| Ok(Val::Bool(a[0].kind() == a[1].kind() && equals(ev, &a[0], &a[1])? == Some(true)))),
    // Camunda's connector error helpers, for a task's `errorExpression`.
    between("bpmnError", 2, 3, |_, a| {
        let variables = a.get(2).cloned().unwrap_or_else(|| Val::context(Vec::new()));
        Ok(Val::context(vec![
            (Rc::from("errorType"), Val::string("bpmnError")),
            (Rc::from("code"), a[0].clone()),
            (Rc::from("message"), a[1].clone()),
            (Rc::from("variables"), variables),
        ]))
    }),
    between("jobError", 1, 4, |_, a| {
        Ok(Val::context(vec![(Rc::from("errorType"), Val::string("jobError")), (Rc::from("message"), a[0].clone())]))
    }),
];
