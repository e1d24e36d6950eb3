//! Every built-in function: the examples of Camunda's reference for each, by position and by
//! name, with the null cases, one file per family; and a check that every built-in and each of
//! its overloads has a case.

mod booleans;
mod contexts;
mod conversion;
mod lists;
mod numbers;
mod ranges;
mod strings;
mod temporal;

use serde_json::{Value, json};

use super::{context, eval, evaluation_error, variables};
use crate::ast::Expr;
use crate::{Expression, FeelError, builtin_names, builtins};

/// Evaluates each case with the test variables and context, comparing with its expected value.
fn check(cases: &[(&str, Value)]) {
    for (source, expected) in cases {
        let expression = Expression::parse(source).unwrap_or_else(|error| panic!("{source:?}: {error}"));
        let value =
            expression.evaluate_in(&variables(), &context()).unwrap_or_else(|error| panic!("{source:?}: {error}"));
        assert_eq!(&value, expected, "{source}");
    }
}

/// Every family's cases.
fn all_cases() -> Vec<(&'static str, Value)> {
    [
        booleans::cases(),
        contexts::cases(),
        conversion::cases(),
        lists::cases(),
        numbers::cases(),
        ranges::cases(),
        strings::cases(),
        temporal::cases(),
    ]
    .concat()
}

#[test]
fn every_builtin_and_each_of_its_overloads_has_a_case() {
    let mut called = Vec::new();
    for (source, _) in all_cases() {
        let expression = Expression::parse(source).unwrap_or_else(|error| panic!("{source:?}: {error}"));
        for expr in expression.parsed.root.descendants() {
            if let Expr::Call { name, arguments, .. } = expr
                && let Some(entry) = builtins::resolve(name, arguments)
            {
                called.push(entry);
            }
        }
    }
    for name in builtin_names() {
        assert!(called.iter().any(|(called, _)| *called == name), "no case calls `{name}`");
    }
    for (name, parameters) in builtins::entries() {
        assert!(called.contains(&(name, parameters)), "no case calls `{name}({parameters})`");
    }
}

#[test]
fn every_builtin_can_be_called_with_named_arguments() {
    let mut named = Vec::new();
    for (source, _) in all_cases() {
        for expr in Expression::parse(source).unwrap().parsed.root.descendants() {
            if let Expr::Call { name, arguments: crate::ast::Arguments::Named(_), .. } = expr {
                named.push(name.clone());
            }
        }
    }
    // Those without parameters, and Camunda's connector helpers, which take few.
    let exempt = ["now", "today", "uuid", "random number", "jobError"];
    for name in builtin_names().filter(|name| !exempt.contains(name)) {
        assert!(named.iter().any(|called| called == name), "no case calls `{name}` with named arguments");
    }
}

#[test]
fn named_arguments_that_name_no_parameter_are_errors() {
    assert_eq!(
        evaluation_error("abs(x: 1)"),
        "function `abs` at column 1 has no parameters named `x` (its parameters: n|number)"
    );
    assert_eq!(
        evaluation_error("substring(text: \"a\", start position: 1)"),
        "function `substring` at column 1 has no parameters named `text`, `start position` (its parameters: \
         string, start position, length?)"
    );
    assert_eq!(evaluation_error("{f: function(a) a}.f(b: 1)"), "function `f` at column 21 has no parameter `b`");
    // A parameter not given is null, as in Camunda.
    assert_eq!(eval("{f: function(a, b) [a, b]}.f(b: 1)"), json!([null, 1]));
    assert_eq!(eval("substring(string: \"abc\")"), Value::Null);
}

#[test]
fn builtins_take_their_documented_argument_counts() {
    assert_eq!(evaluation_error("modulo(1)"), "function `modulo` at column 1 takes 2 arguments, not 1");
    assert_eq!(evaluation_error("date(1, 2)"), "function `date` at column 1 takes 1 or 3 arguments, not 2");
    assert_eq!(evaluation_error("uuid(1)"), "function `uuid` at column 1 takes 0 arguments, not 1");
    assert_eq!(
        evaluation_error("string join([], \"a\", \"b\")"),
        "function `string join` at column 1 takes 1 to 2 or 4 arguments, not 3"
    );
    assert_eq!(
        evaluation_error("upper case(\"a\", \"b\")"),
        "function `upper case` at column 1 takes 1 argument, not 2"
    );
    assert_eq!(evaluation_error("substring(\"a\")"), "function `substring` at column 1 takes 2 to 3 arguments, not 1");
    assert_eq!(evaluation_error("sum()"), "function `sum` at column 1 takes at least 1 argument, not 0");
}

#[test]
fn uuid_and_random_numbers_come_from_the_context_seed() {
    let uuid = super::eval_in("uuid()");
    let text = uuid.as_str().unwrap();
    assert_eq!(super::eval_in("uuid()"), uuid, "the same seed gives the same value");
    let reseeded = crate::Context { seed: 43, ..context() };
    assert_ne!(Expression::parse("uuid()").unwrap().evaluate_in(&json!({}), &reseeded).unwrap(), uuid, "{text}");
    let random = super::eval_in("random number()");
    assert_eq!(super::eval_in("random number()"), random);
    for function in ["uuid", "random number", "now", "today"] {
        let error = Expression::parse(&format!("{function}()")).unwrap().evaluate(&json!({})).unwrap_err();
        assert_eq!(error, FeelError::NeedsContext { function: function.to_owned() });
    }
}
