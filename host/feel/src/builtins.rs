//! The built-in functions. Like FEEL operators they return null for arguments of the wrong type;
//! only an unknown name or a wrong number of arguments is an error.

use std::cmp::Ordering;
use std::ops::RangeInclusive;

use serde_json::{Map, Number, Value, json};

use super::ast::Arithmetic;
use super::compare::{equals, order};
use super::error::FeelError;
use super::number;

/// A built-in function: its name (words separated by single spaces), how many arguments it
/// takes, and its implementation, which receives a count within that range.
struct Builtin {
    name: &'static str,
    arity: RangeInclusive<usize>,
    function: fn(&[&Value]) -> Value,
}

static BUILTINS: &[Builtin] = &[
    Builtin { name: "not", arity: 1..=1, function: |a| a[0].as_bool().map_or(Value::Null, |b| Value::Bool(!b)) },
    Builtin { name: "is defined", arity: 1..=1, function: |a| Value::Bool(!a[0].is_null()) },
    Builtin { name: "get or else", arity: 2..=2, function: |a| if a[0].is_null() { a[1] } else { a[0] }.clone() },
    Builtin { name: "string", arity: 1..=1, function: string },
    Builtin { name: "number", arity: 1..=1, function: to_number },
    Builtin { name: "upper case", arity: 1..=1, function: |a| text(a[0], str::to_uppercase) },
    Builtin { name: "lower case", arity: 1..=1, function: |a| text(a[0], str::to_lowercase) },
    Builtin {
        name: "string length",
        arity: 1..=1,
        function: |a| a[0].as_str().map_or(Value::Null, |s| Value::from(s.chars().count())),
    },
    Builtin { name: "contains", arity: 2..=2, function: |a| texts(a, |s, t| s.contains(t)) },
    Builtin { name: "starts with", arity: 2..=2, function: |a| texts(a, |s, t| s.starts_with(t)) },
    Builtin { name: "ends with", arity: 2..=2, function: |a| texts(a, |s, t| s.ends_with(t)) },
    Builtin { name: "substring", arity: 2..=3, function: substring },
    Builtin {
        name: "count",
        arity: 1..=1,
        function: |a| a[0].as_array().map_or(Value::Null, |list| Value::from(list.len())),
    },
    Builtin {
        name: "list contains",
        arity: 2..=2,
        function: |a| {
            a[0].as_array().map_or(Value::Null, |list| Value::Bool(list.iter().any(|e| equals(e, a[1]) == Some(true))))
        },
    },
    Builtin { name: "sum", arity: 1..=usize::MAX, function: sum },
    Builtin { name: "min", arity: 1..=usize::MAX, function: |a| extreme(a, Ordering::Less) },
    Builtin { name: "max", arity: 1..=usize::MAX, function: |a| extreme(a, Ordering::Greater) },
    Builtin {
        name: "abs",
        arity: 1..=1,
        function: |a| numeric(a[0], |n| number::unary(n, i64::checked_abs, f64::abs)),
    },
    Builtin { name: "floor", arity: 1..=1, function: |a| numeric(a[0], |n| number::unary(n, Some, f64::floor)) },
    Builtin { name: "ceiling", arity: 1..=1, function: |a| numeric(a[0], |n| number::unary(n, Some, f64::ceil)) },
    // Camunda's connector error helpers, for a task's `errorExpression`.
    Builtin {
        name: "bpmnError",
        arity: 2..=3,
        function: |a| {
            let variables = a.get(2).map_or(Value::Object(Map::new()), |v| (*v).clone());
            json!({"errorType": "bpmnError", "code": a[0], "message": a[1], "variables": variables})
        },
    },
    Builtin { name: "jobError", arity: 1..=4, function: |a| json!({"errorType": "jobError", "message": a[0]}) },
];

/// The built-ins' names, for the parser to recognise names that contain keywords (`get or else`).
pub(super) fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|builtin| builtin.name)
}

/// Calls the built-in `name` (found at `column`) with `arguments`.
pub(super) fn call(name: &str, column: usize, arguments: &[&Value]) -> Result<Value, FeelError> {
    let builtin = BUILTINS
        .iter()
        .find(|builtin| builtin.name == name)
        .ok_or_else(|| FeelError::evaluation(format!("unknown function `{name}` at column {column}")))?;
    if !builtin.arity.contains(&arguments.len()) {
        return Err(FeelError::evaluation(format!(
            "function `{name}` at column {column} takes {}, not {}",
            describe(&builtin.arity),
            arguments.len()
        )));
    }
    Ok((builtin.function)(arguments))
}

/// "1 argument", "2 or 3 arguments", "at least 1 argument".
fn describe(arity: &RangeInclusive<usize>) -> String {
    let plural = |n: usize| if n == 1 { "argument" } else { "arguments" };
    match (*arity.start(), *arity.end()) {
        (min, usize::MAX) => format!("at least {min} {}", plural(min)),
        (min, max) if min == max => format!("{min} {}", plural(min)),
        (min, max) => format!("{min} to {max} {}", plural(max)),
    }
}

/// Strings as they are, numbers and booleans as written, lists and contexts as JSON.
fn string(a: &[&Value]) -> Value {
    match a[0] {
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        other => Value::String(other.to_string()),
    }
}

/// Parses a string as a FEEL number; numbers pass through.
fn to_number(a: &[&Value]) -> Value {
    match a[0] {
        Value::String(s) => number::parse(s).unwrap_or(Value::Null),
        Value::Number(n) => Value::Number(n.clone()),
        _ => Value::Null,
    }
}

fn text(value: &Value, f: fn(&str) -> String) -> Value {
    value.as_str().map_or(Value::Null, |s| Value::String(f(s)))
}

fn texts(a: &[&Value], test: fn(&str, &str) -> bool) -> Value {
    match (a[0], a[1]) {
        (Value::String(s), Value::String(t)) => Value::Bool(test(s, t)),
        _ => Value::Null,
    }
}

fn numeric(value: &Value, f: impl Fn(&Number) -> Value) -> Value {
    value.as_number().map_or(Value::Null, f)
}

/// `substring(string, start position, length?)`: 1-based, a negative start counts from the end.
fn substring(a: &[&Value]) -> Value {
    let (Some(s), Some(start)) = (a[0].as_str(), a[1].as_i64()) else {
        return Value::Null;
    };
    let length = match a.get(2) {
        None => usize::MAX,
        Some(length) => match length.as_u64() {
            Some(length) => usize::try_from(length).unwrap_or(usize::MAX),
            None => return Value::Null,
        },
    };
    if start == 0 {
        return Value::Null;
    }
    let chars = i64::try_from(s.chars().count()).unwrap_or(i64::MAX);
    let from = if start > 0 { start - 1 } else { chars + start }.clamp(0, chars);
    Value::String(s.chars().skip(usize::try_from(from).unwrap_or(usize::MAX)).take(length).collect())
}

/// The elements of a single list argument, or else the arguments themselves (`sum(1, 2)`).
fn elements<'v>(a: &[&'v Value]) -> Vec<&'v Value> {
    match a {
        [Value::Array(list)] => list.iter().collect(),
        _ => a.to_vec(),
    }
}

/// The sum of numbers; null for an empty list or any non-number.
fn sum(a: &[&Value]) -> Value {
    let mut total: Option<Value> = None;
    for element in elements(a) {
        total = Some(match (total, element) {
            (None, Value::Number(n)) => Value::Number(n.clone()),
            (Some(Value::Number(t)), Value::Number(n)) => number::arithmetic(Arithmetic::Add, &t, n),
            _ => return Value::Null,
        });
    }
    total.unwrap_or(Value::Null)
}

/// The least (`Less`) or greatest (`Greater`) element; null for an empty list or incomparable elements.
fn extreme(a: &[&Value], wanted: Ordering) -> Value {
    elements(a)
        .into_iter()
        .try_fold(None, |best: Option<&Value>, element| {
            let ordering = order(element, best.unwrap_or(element))?;
            Some(if best.is_none() || ordering == wanted { Some(element) } else { best })
        })
        .flatten()
        .map_or(Value::Null, Clone::clone)
}
