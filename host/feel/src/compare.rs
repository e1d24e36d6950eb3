//! FEEL equality and ordering of values.

use std::cmp::Ordering;

use serde_json::Value;

use super::number;

/// FEEL equality: null equals only null, numbers compare numerically (`1 = 1.0`), lists and
/// contexts compare element by element, and values of different types are incomparable (`None`).
pub(super) fn equals(left: &Value, right: &Value) -> Option<bool> {
    match (left, right) {
        (Value::Null, Value::Null) => Some(true),
        (Value::Null, _) | (_, Value::Null) => Some(false),
        (Value::Number(a), Value::Number(b)) => Some(number::compare(a, b) == Some(Ordering::Equal)),
        (Value::String(a), Value::String(b)) => Some(a == b),
        (Value::Bool(a), Value::Bool(b)) => Some(a == b),
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => all(a.iter().zip(b).map(|(x, y)| equals(x, y))),
        (Value::Object(a), Value::Object(b)) if a.len() == b.len() => {
            all(a.iter().map(|(key, x)| b.get(key).map_or(Some(false), |y| equals(x, y))))
        }
        (Value::Array(_), Value::Array(_)) | (Value::Object(_), Value::Object(_)) => Some(false),
        _ => None,
    }
}

/// Three-valued conjunction of element comparisons: any `false` wins over any `None`.
fn all(outcomes: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut result = Some(true);
    for outcome in outcomes {
        match outcome {
            Some(false) => return Some(false),
            None => result = None,
            Some(true) => {}
        }
    }
    result
}

/// The order of two numbers or two strings; anything else is unordered.
pub(super) fn order(left: &Value, right: &Value) -> Option<Ordering> {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => number::compare(a, b),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}
