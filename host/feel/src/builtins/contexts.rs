//! Context functions.

use std::rc::Rc;

use super::{Builtin, builtin, elements};
use crate::error::FeelError;
use crate::eval::{Evaluator, MAX_VALUE_DEPTH, nested_too_deep};
use crate::value::Val;

pub(super) static BUILTINS: &[Builtin] = &[
    // `get value(context, key)`, or with a list of keys, the entry at that path.
    builtin("get value", "m|context, key|keys", |_, a| {
        let Some(keys) = keys(&a[1]).filter(|keys| !keys.is_empty()) else { return Ok(Val::Null) };
        let mut value = a[0].clone();
        for key in keys {
            value = value.get(&key).unwrap_or(Val::Null);
        }
        Ok(value)
    }),
    builtin("get entries", "m|context", |_, a| {
        let Some(entries) = a[0].entries() else { return Ok(Val::Null) };
        let pairs = entries
            .into_iter()
            .map(|(key, value)| Val::context(vec![(Rc::from("key"), Val::String(key)), (Rc::from("value"), value)]));
        Ok(Val::list(pairs.collect()))
    }),
    builtin("context put", "context, key|keys, value", context_put),
    // The name Camunda used before `context put`.
    builtin("put", "context, key|keys, value", context_put),
    builtin("context merge", "contexts+", context_merge),
    // The name Camunda used before `context merge`.
    builtin("put all", "contexts+", context_merge),
];

/// `context put(context, keys, value)`: `context` with `value` at the path `keys`.
fn context_put<'a>(ev: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    match keys(&a[1]) {
        Some(keys) if keys.len() > MAX_VALUE_DEPTH => Err(nested_too_deep()),
        Some(keys) if !keys.is_empty() => put(ev, &a[0], &keys, a[2].clone()),
        _ => Ok(Val::Null),
    }
}

/// `context merge(contexts)`: the entries of all, later ones replacing earlier ones.
fn context_merge<'a>(_: &Evaluator<'a>, a: &[Val<'a>]) -> Result<Val<'a>, FeelError> {
    let mut merged: Vec<(Rc<str>, Val<'_>)> = Vec::new();
    for context in elements(a) {
        let Some(entries) = context.entries() else { return Ok(Val::Null) };
        for (key, value) in entries {
            set(&mut merged, key, value);
        }
    }
    Ok(Val::context(merged))
}

/// A key, or a list of keys (a path); `None` when any is not a string.
fn keys(value: &Val<'_>) -> Option<Vec<Rc<str>>> {
    match value.items() {
        Some(items) => items.iter().map(|key| key.as_str().map(Rc::from)).collect(),
        None => Some(vec![Rc::from(value.as_str()?)]),
    }
}

/// Sets `key` in place of an entry of that name, or after the others.
fn set<'a>(entries: &mut Vec<(Rc<str>, Val<'a>)>, key: Rc<str>, value: Val<'a>) {
    match entries.iter_mut().find(|(k, _)| *k == key) {
        Some(entry) => entry.1 = value,
        None => entries.push((key, value)),
    }
}

/// `context` with `value` at the path `keys`, making contexts along the way as needed.
fn put<'a>(ev: &Evaluator<'a>, context: &Val<'a>, keys: &[Rc<str>], value: Val<'a>) -> Result<Val<'a>, FeelError> {
    ev.step()?;
    let Some(mut entries) = context.entries() else { return Ok(Val::Null) };
    let Some((key, rest)) = keys.split_first() else { return Ok(value) };
    let value = if rest.is_empty() {
        value
    } else {
        let inner =
            context.get(key).filter(|inner| inner.entries().is_some()).unwrap_or_else(|| Val::context(Vec::new()));
        put(ev, &inner, rest, value)?
    };
    set(&mut entries, key.clone(), value);
    Ok(Val::context(entries))
}
