//! The built-in functions, a file per kind of value they work on, each with its parameters' names
//! as Camunda's reference gives them, so calls may name their arguments. Like FEEL operators they
//! return null for arguments of the wrong type; only an unknown name, a wrong number of
//! arguments, a name no parameter has, a missing [`Context`](crate::Context) or an exhausted
//! budget is an error.

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
use super::eval::{Evaluator, Passed};
use super::value::Val;

/// What a built-in does with its arguments (a count within its arity).
type Body = for<'a> fn(&Evaluator<'a>, &[Val<'a>]) -> Result<Val<'a>, FeelError>;

/// A built-in function: its name (words separated by single spaces), its parameters, and its
/// implementation.
pub(super) struct Builtin {
    name: &'static str,
    /// The parameters' names as a call names them, comma-separated: `a|b` is one parameter with
    /// two names, a trailing `?` marks an optional one, `+` one that takes the rest of the
    /// arguments (at least one), `*` the rest (any number).
    parameters: &'static str,
    function: Body,
}

/// A built-in with its parameters (see [`Builtin::parameters`]).
const fn builtin(name: &'static str, parameters: &'static str, function: Body) -> Builtin {
    Builtin { name, parameters, function }
}

/// One parameter of a built-in.
struct Parameter {
    names: Vec<&'static str>,
    optional: bool,
    /// The least number of arguments it takes when it takes the rest of them.
    rest: Option<usize>,
}

impl Builtin {
    fn parameters(&self) -> Vec<Parameter> {
        self.parameters
            .split(", ")
            .filter(|spec| !spec.is_empty())
            .map(|spec| {
                let (spec, optional) = spec.strip_suffix('?').map_or((spec, false), |spec| (spec, true));
                let (spec, rest) = match (spec.strip_suffix('+'), spec.strip_suffix('*')) {
                    (Some(spec), _) => (spec, Some(1)),
                    (_, Some(spec)) => (spec, Some(0)),
                    _ => (spec, None),
                };
                Parameter { names: spec.split('|').collect(), optional, rest }
            })
            .collect()
    }

    /// How many positional arguments it takes.
    fn arity(&self) -> RangeInclusive<usize> {
        let parameters = self.parameters();
        let required = parameters.iter().map(|p| if p.optional { 0 } else { p.rest.unwrap_or(1) }).sum();
        let most = if parameters.iter().any(|p| p.rest.is_some()) { usize::MAX } else { parameters.len() };
        required..=most
    }

    /// Named arguments in parameter order, or `None` when a name is none of this built-in's.
    /// A missing parameter is null, or left out when it is optional and no later one is given,
    /// as in Camunda; a list given for the rest of the arguments is spread over them.
    fn bind<'a>(&self, named: &[(&str, Val<'a>)]) -> Option<Vec<Val<'a>>> {
        let parameters = self.parameters();
        let mut slots: Vec<Option<Val<'a>>> = vec![None; parameters.len()];
        for (name, value) in named {
            let position = parameters.iter().position(|p| p.names.contains(name))?;
            if slots[position].replace(value.clone()).is_some() {
                return None;
            }
        }
        let required = parameters.iter().filter(|p| !p.optional && p.rest.is_none()).count();
        let given = slots.iter().rposition(Option::is_some).map_or(0, |last| last + 1);
        let mut values = Vec::with_capacity(parameters.len());
        for (slot, parameter) in slots.into_iter().zip(&parameters).take(given.max(required)) {
            match (slot, parameter.rest) {
                // `append(list: [1], items: [2, 3])`; a lone rest parameter (`sum(list: …)`)
                // takes a list as it is.
                (Some(value), Some(_)) if parameters.len() > 1 => match value.items() {
                    Some(items) => values.extend(items),
                    None => values.push(value),
                },
                (Some(value), _) => values.push(value),
                (None, Some(_)) => {}
                (None, None) => values.push(Val::Null),
            }
        }
        Some(values)
    }
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

/// The built-ins' names, each once, for the parser to recognise names that contain keywords
/// (`get or else`) and for validation to find unknown functions.
pub(super) fn names() -> impl Iterator<Item = &'static str> {
    // A name's overloads are adjacent in its table.
    let mut previous = "";
    all().map(|builtin| builtin.name).filter(move |name| std::mem::replace(&mut previous, name) != *name)
}

/// Calls the built-in `name` (found at `column`). A name may have several entries, overloads
/// that differ in their parameters (`date(from)` and `date(year, month, day)`): positional
/// arguments call the first whose arity fits, named ones the first that has every name given.
pub(super) fn call<'a>(
    ev: &Evaluator<'a>,
    name: &str,
    column: usize,
    arguments: Passed<'a>,
) -> Result<Val<'a>, FeelError> {
    let overloads: Vec<&Builtin> = all().filter(|builtin| builtin.name == name).collect();
    if overloads.is_empty() {
        return Err(FeelError::evaluation(format!("unknown function `{name}` at column {column}")));
    }
    match arguments {
        Passed::Positional(values) => match overloads.iter().find(|builtin| builtin.arity().contains(&values.len())) {
            Some(builtin) => (builtin.function)(ev, &values),
            None => {
                let arities: Vec<_> = overloads.iter().map(|builtin| builtin.arity()).collect();
                Err(FeelError::evaluation(format!(
                    "function `{name}` at column {column} takes {}, not {}",
                    describe(&arities),
                    values.len()
                )))
            }
        },
        Passed::Named(named) => match overloads.iter().find_map(|builtin| Some((builtin, builtin.bind(&named)?))) {
            Some((builtin, values)) => (builtin.function)(ev, &values),
            None => {
                let given: Vec<String> = named.iter().map(|(name, _)| format!("`{name}`")).collect();
                let known: Vec<&str> = overloads.iter().map(|builtin| builtin.parameters).collect();
                Err(FeelError::evaluation(format!(
                    "function `{name}` at column {column} has no parameters named {} (its parameters: {})",
                    given.join(", "),
                    known.join("; ")
                )))
            }
        },
    }
}

/// Every built-in as its name and parameters, each overload once.
#[cfg(test)]
pub(super) fn entries() -> impl Iterator<Item = (&'static str, &'static str)> {
    all().map(|builtin| (builtin.name, builtin.parameters))
}

/// The entry (name and parameters) a call of `name` with `arguments` resolves to, if any.
#[cfg(test)]
pub(super) fn resolve(name: &str, arguments: &super::ast::Arguments) -> Option<(&'static str, &'static str)> {
    use super::ast::Arguments;
    let builtin = all().filter(|builtin| builtin.name == name).find(|builtin| match arguments {
        Arguments::Positional(values) => builtin.arity().contains(&values.len()),
        Arguments::Named(named) => {
            let named: Vec<(&str, Val<'_>)> = named.iter().map(|(name, _)| (name.as_str(), Val::Null)).collect();
            builtin.bind(&named).is_some()
        }
    })?;
    Some((builtin.name, builtin.parameters))
}

/// "1 argument", "1 or 3 arguments", "2 to 4 arguments", "at least 1 argument".
fn describe(arities: &[RangeInclusive<usize>]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut last = 0;
    for arity in arities {
        let part = match (*arity.start(), *arity.end()) {
            (min, usize::MAX) => format!("at least {min}"),
            (min, max) if min == max => min.to_string(),
            (min, max) => format!("{min} to {max}"),
        };
        if !parts.contains(&part) {
            parts.push(part);
            // "at least 1 argument", "2 to 4 arguments": the noun agrees with the last number.
            last = if *arity.end() == usize::MAX { *arity.start() } else { *arity.end() };
        }
    }
    let noun = if last == 1 { "argument" } else { "arguments" };
    format!("{} {noun}", parts.join(" or "))
}

/// The elements of a single list argument, or else the arguments themselves (`sum(1, 2)`).
fn elements<'a>(a: &[Val<'a>]) -> Vec<Val<'a>> {
    match a {
        [single] => single.items().unwrap_or_else(|| vec![single.clone()]),
        _ => a.to_vec(),
    }
}

/// A number argument as a whole number, its fraction dropped as Camunda's `intValue` drops it
/// (`substring("foobar", 3, 3.8)` takes 3 characters).
fn integer(value: &Val<'_>) -> Option<i64> {
    let n = value.as_number()?;
    n.as_i64().or_else(|| n.as_f64().map(f64::trunc).filter(|x| x.abs() < 9e18).map(|x| x as i64))
}

/// A boolean as a value, null for `None`.
fn boolean<'a>(value: Option<bool>) -> Val<'a> {
    value.map_or(Val::Null, Val::Bool)
}
