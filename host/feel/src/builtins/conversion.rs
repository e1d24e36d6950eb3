//! Conversions between kinds of value, and to and from JSON text.

use std::rc::Rc;

use super::{Builtin, between, one};
use crate::error::FeelError;
use crate::eval::Evaluator;
use crate::number;
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    one("string", string),
    between("number", 1, 3, |_, a| {
        Ok(match &a[0] {
            Val::Number(n) => Val::Number(n.clone()),
            other => match other.as_str() {
                Some(text) => separated_number(text, a.get(1), a.get(2)),
                None => Val::Null,
            },
        })
    }),
    // `context(entries)`: the reverse of `get entries`, from `{key, value}` contexts.
    one("context", |_, a| {
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
    one("to json", |ev, a| {
        let json = ev.json(&a[0])?;
        Ok(Val::string(json.to_string()))
    }),
    one("from json", |ev, a| {
        let Some(text) = a[0].as_str() else { return Ok(Val::Null) };
        ev.build(text.len())?;
        Ok(serde_json::from_str(text).map_or(Val::Null, Val::from_json_owned))
    }),
];

/// Strings as they are, numbers and booleans as written, dates, times and durations in ISO-8601,
/// lists and contexts as JSON.
fn string<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    Ok(match &a[0] {
        Val::Null => Val::Null,
        Val::Temporal(t) => Val::string(t.to_string()),
        other => match other.as_str() {
            Some(s) => Val::string(s),
            None => Val::string(ev.json(other)?.to_string()),
        },
    })
}

/// Parses a FEEL number written with `grouping` between groups of digits and `decimal` as the
/// decimal point (when given).
fn separated_number<'a>(text: &str, grouping: Option<&Val<'a>>, decimal: Option<&Val<'a>>) -> Val<'a> {
    fn separator<'v>(value: Option<&'v Val<'_>>) -> Option<Option<&'v str>> {
        match value {
            None | Some(Val::Null) => Some(None),
            Some(value) => value.as_str().filter(|s| [" ", ",", "."].contains(s)).map(Some),
        }
    }
    let (Some(grouping), Some(decimal)) = (separator(grouping), separator(decimal)) else { return Val::Null };
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
