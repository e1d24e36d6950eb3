//! Conversions between kinds of value, and to and from JSON text.

use std::fmt::Write as _;
use std::rc::Rc;

use super::{Builtin, builtin};
use crate::error::FeelError;
use crate::eval::Evaluator;
use crate::number;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    builtin("string", "from", string),
    builtin("number", "from, grouping separator?, decimal separator?", |_, a| {
        Ok(a[0].as_str().map_or(Val::Null, |text| separated_number(text, a.get(1), a.get(2))))
    }),
    // `context(entries)`: the reverse of `get entries`, from `{key, value}` contexts.
    builtin("context", "entries", |_, a| {
        let Some(items) = a[0].items() else { return Ok(Val::Null) };
        let mut entries: Vec<(Rc<str>, Val<'_>)> = Vec::new();
        for item in items {
            let (Some(key), Some(value)) = (item.get("key"), item.get("value")) else { return Ok(Val::Null) };
            let Some(key) = key.as_str().map(Rc::from) else { return Ok(Val::Null) };
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key, value)),
            }
        }
        Ok(Val::context(entries))
    }),
    builtin("to json", "value", |ev, a| {
        let json = to_json(ev, &a[0])?;
        Ok(Val::string(json.to_string()))
    }),
    builtin("from json", "json", |ev, a| {
        let Some(text) = a[0].as_str() else { return Ok(Val::Null) };
        ev.build(text.len())?;
        Ok(serde_json::from_str(text).map_or(Val::Null, Val::from_json_owned))
    }),
];

/// `value` as `to json` writes it: the JSON of the evaluation's result, but as in Camunda a
/// function or a range is its text (`"function(a, b)"`, `"[1..10)"`).
fn to_json<'a>(ev: &Evaluator<'a>, value: &Val<'a>) -> Result<serde_json::Value, FeelError> {
    Ok(match value {
        Val::Function(_) | Val::Range(_) => {
            let mut text = String::new();
            write(ev, value, &mut text)?;
            serde_json::Value::String(text)
        }
        Val::List(items) => {
            ev.build(24)?;
            serde_json::Value::Array(items.iter().map(|item| to_json(ev, item)).collect::<Result<_, _>>()?)
        }
        Val::Context(entries) => {
            let mut map = serde_json::Map::new();
            for (key, entry) in entries.iter() {
                ev.build(key.len() + 4)?;
                map.insert(key.to_string(), to_json(ev, entry)?);
            }
            serde_json::Value::Object(map)
        }
        other => ev.json(other)?,
    })
}

/// `string(from)`: a string as it is, anything else as Camunda writes it (see [`write`]).
fn string<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    Ok(match &a[0] {
        Val::Null => Val::Null,
        other => match other.as_str() {
            Some(s) => Val::string(s),
            None => {
                let mut text = String::new();
                write(ev, other, &mut text)?;
                Val::string(text)
            }
        },
    })
}

/// Writes `value` as Camunda's `string()` does: numbers and booleans as written, dates, times
/// and durations in ISO-8601 (a named zone as `@Europe/Paris`), lists `[1, "a"]` and contexts
/// `{a:1, b:"x"}` with their strings quoted, ranges `[1..10)`, functions `function(a, b)`.
/// Every value written counts as a step and its text as built.
fn write<'a>(ev: &Evaluator<'a>, value: &Val<'a>, out: &mut String) -> Result<(), FeelError> {
    ev.step()?;
    let before = out.len();
    match value {
        Val::Null => out.push_str("null"),
        Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Val::Number(n) => out.push_str(&n.to_string()),
        Val::Temporal(t) => out.push_str(&t.feel_string()),
        Val::Function(function) => {
            let _ = write!(out, "function({})", function.parameters.join(", "));
        }
        Val::Range(range) => {
            out.push(if range.start_closed { '[' } else { '(' });
            write(ev, range.start.as_ref().unwrap_or(&Val::Null), out)?;
            out.push_str("..");
            write(ev, range.end.as_ref().unwrap_or(&Val::Null), out)?;
            out.push(if range.end_closed { ']' } else { ')' });
        }
        other => {
            if let Some(text) = other.as_str() {
                let _ = write!(out, "\"{text}\"");
            } else if let Some(items) = other.items() {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write(ev, item, out)?;
                }
                out.push(']');
            } else if let Some(entries) = other.entries() {
                out.push('{');
                for (i, (key, entry)) in entries.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(key);
                    out.push(':');
                    write(ev, entry, out)?;
                }
                out.push('}');
            }
        }
    }
    ev.build(out.len() - before)
}

/// Parses a FEEL number written with `grouping` between groups of digits and `decimal` as the
/// decimal point (when given).
fn separated_number<'a>(text: &str, grouping: Option<&Val<'a>>, decimal: Option<&Val<'a>>) -> Val<'a> {
    fn separator<'v>(value: Option<&'v Val<'_>>, allowed: &[&str]) -> Option<Option<&'v str>> {
        match value {
            None | Some(Val::Null) => Some(None),
            Some(value) => value.as_str().filter(|s| allowed.contains(s)).map(Some),
        }
    }
    // As in Camunda: groups are separated by a space, a comma or a dot, decimals by a comma or
    // a dot.
    let (Some(grouping), Some(decimal)) = (separator(grouping, &[" ", ",", "."]), separator(decimal, &[",", "."]))
    else {
        return Val::Null;
    };
    if grouping.is_some() && grouping == decimal {
        return Val::Null;
    }
    let mut normal = match grouping {
        Some(grouping) => text.replace(grouping, ""),
        None => text.to_owned(),
    };
    if let Some(decimal) = decimal {
        normal = normal.replace(decimal, ".");
    }
    number::parse(&normal).map_or(Val::Null, Val::from_json_owned)
}
