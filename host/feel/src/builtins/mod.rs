//! The built-in functions, a file per kind of value they work on. Like FEEL operators they
//! return null for arguments of the wrong type; only an unknown name, a wrong number of
//! arguments, a missing [`Context`](crate::Context) or an exhausted budget is an error.

mod booleans;
mod contexts;
mod conversion;
mod lists;
mod numbers;
mod ranges;
mod strings;
mod temporal;

use std::ops::RangeInclusive;

use super::error::FeelError;
use super::eval::Evaluator;
use super::value::Val;

/// What a built-in does with its arguments (a count within its arity).
type Body = for<'a> fn(&Evaluator<'a>, &[Val<'a>]) -> Result<Val<'a>, FeelError>;

/// A built-in function: its name (words separated by single spaces), how many arguments it
/// takes, and its implementation.
pub(super) struct Builtin {
    name: &'static str,
    arity: RangeInclusive<usize>,
    function: Body,
}

/// One argument.
const fn one(name: &'static str, function: Body) -> Builtin {
    Builtin { name, arity: 1..=1, function }
}

/// Exactly `n` arguments.
const fn exactly(name: &'static str, n: usize, function: Body) -> Builtin {
    Builtin { name, arity: n..=n, function }
}

/// `min` to `max` arguments.
const fn between(name: &'static str, min: usize, max: usize, function: Body) -> Builtin {
    Builtin { name, arity: min..=max, function }
}

/// Every table of built-ins.
fn all() -> impl Iterator<Item = &'static Builtin> {
    [
        booleans::BUILTINS,
        strings::BUILTINS,
        lists::BUILTINS,
        numbers::BUILTINS,
        contexts::BUILTINS,
        conversion::BUILTINS,
        temporal::BUILTINS,
        ranges::BUILTINS,
    ]
    .into_iter()
    .flatten()
}

/// The built-ins' names, for the parser to recognise names that contain keywords (`get or else`)
/// and for validation to find unknown functions.
pub(super) fn names() -> impl Iterator<Item = &'static str> {
    all().map(|builtin| builtin.name)
}

/// Calls the built-in `name` (found at `column`) with `arguments`. A name may have several
/// entries that differ in arity (`date(text)` and `date(year, month, day)`); the first whose
/// arity fits is called.
pub(super) fn call<'a>(
    ev: &Evaluator<'a>,
    name: &str,
    column: usize,
    arguments: &[Val<'a>],
) -> Result<Val<'a>, FeelError> {
    let mut named = all().filter(|builtin| builtin.name == name).peekable();
    let Some(first) = named.peek().map(|builtin| &builtin.arity) else {
        return Err(FeelError::evaluation(format!("unknown function `{name}` at column {column}")));
    };
    let first = first.clone();
    match named.find(|builtin| builtin.arity.contains(&arguments.len())) {
        Some(builtin) => (builtin.function)(ev, arguments),
        None => Err(FeelError::evaluation(format!(
            "function `{name}` at column {column} takes {}, not {}",
            describe(&first),
            arguments.len()
        ))),
    }
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

/// The elements of a single list argument, or else the arguments themselves (`sum(1, 2)`).
fn elements<'a>(a: &[Val<'a>]) -> Vec<Val<'a>> {
    match a {
        [single] => single.items().unwrap_or_else(|| vec![single.clone()]),
        _ => a.to_vec(),
    }
}

/// A whole-number argument.
fn integer(value: &Val<'_>) -> Option<i64> {
    super::eval::whole(value)
}

/// A boolean as a value, null for `None`.
fn boolean<'a>(value: Option<bool>) -> Val<'a> {
    value.map_or(Val::Null, Val::Bool)
}
