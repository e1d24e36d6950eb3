//! FEEL equality and ordering of values.

use std::cmp::Ordering;

use super::error::FeelError;
use super::eval::Evaluator;
use super::number;
use super::temporal;
use super::value::{Kind, Val};

/// FEEL equality: null equals only null, numbers compare numerically (`1 = 1.0`), lists and
/// contexts compare element by element (as in Camunda, elements of different types make them
/// unequal), and values of different types are incomparable (`None`).
/// Every value compared counts as a step: shared values can make a small expression describe a
/// huge one.
pub(super) fn equals<'a>(ev: &Evaluator<'a>, left: &Val<'a>, right: &Val<'a>) -> Result<Option<bool>, FeelError> {
    ev.step()?;
    let (a, b) = (left.kind(), right.kind());
    Ok(match (a, b) {
        (Kind::Null, Kind::Null) => Some(true),
        (Kind::Null, _) | (_, Kind::Null) => Some(false),
        (Kind::Number, Kind::Number) | (Kind::String, Kind::String) => order(left, right).map(Ordering::is_eq),
        (Kind::Boolean, Kind::Boolean) => Some(left.as_bool() == right.as_bool()),
        (Kind::List, Kind::List) => {
            let (x, y) = (left.items().unwrap_or_default(), right.items().unwrap_or_default());
            if x.len() != y.len() {
                return Ok(Some(false));
            }
            for (x, y) in x.iter().zip(&y) {
                if equals(ev, x, y)? != Some(true) {
                    return Ok(Some(false));
                }
            }
            Some(true)
        }
        (Kind::Context, Kind::Context) => {
            let (x, y) = (left.entries().unwrap_or_default(), right.entries().unwrap_or_default());
            if x.len() != y.len() {
                return Ok(Some(false));
            }
            for (key, x) in &x {
                let same = match right.get(key) {
                    Some(y) => equals(ev, x, &y)?,
                    None => Some(false),
                };
                if same != Some(true) {
                    return Ok(Some(false));
                }
            }
            Some(true)
        }
        (Kind::Range, Kind::Range) => match (left, right) {
            (Val::Range(x), Val::Range(y)) => {
                let bound = |p: &Option<Val<'a>>, q: &Option<Val<'a>>| match (p, q) {
                    (None, None) => Ok(Some(true)),
                    (Some(p), Some(q)) => equals(ev, p, q),
                    _ => Ok(Some(false)),
                };
                let same_closure = Some(x.start_closed == y.start_closed && x.end_closed == y.end_closed);
                all([bound(&x.start, &y.start)?, bound(&x.end, &y.end)?, same_closure].into_iter())
            }
            _ => None,
        },
        (Kind::Function, _) | (_, Kind::Function) => None,
        _ if a == b || (left.as_temporal().is_some() && right.as_temporal().is_some()) => {
            order(left, right).map(Ordering::is_eq)
        }
        _ => None,
    })
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

/// The order of two numbers, two strings, or two dates, times or durations of one type; anything
/// else is unordered.
pub(super) fn order(left: &Val<'_>, right: &Val<'_>) -> Option<Ordering> {
    match (left, right) {
        (Val::Number(a), Val::Number(b)) => number::compare(a, b),
        (Val::Temporal(a), Val::Temporal(b)) => temporal::compare(a, b),
        _ => Some(left.as_str()?.cmp(right.as_str()?)),
    }
}
