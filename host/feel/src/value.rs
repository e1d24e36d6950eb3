//! The values an evaluation works on: JSON's, plus FEEL's own (dates, times, durations, ranges and
//! functions), which become JSON only at the edge.

use std::rc::Rc;

use serde_json::{Map, Number, Value};

use super::ast::Expr;
use super::temporal::Temporal;

/// A FEEL value. Every clone is cheap: lists, contexts and strings are shared, and JSON taken from
/// the variables is borrowed rather than copied, so a path into large variables costs nothing.
#[derive(Debug, Clone)]
pub(super) enum Val<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Rc<str>),
    /// A string, list or context borrowed from the variables or the expression; never a null,
    /// boolean or number (those are copied into their own variants).
    Json(&'a Value),
    List(Rc<Vec<Val<'a>>>),
    /// A context built by the evaluation, its entries in order.
    Context(Rc<Vec<(Rc<str>, Val<'a>)>>),
    Temporal(Temporal),
    Range(Rc<Range<'a>>),
    Function(Rc<Function<'a>>),
}

/// An interval; a missing end is unbounded (`< 10` is a range with no start).
#[derive(Debug, Clone)]
pub(super) struct Range<'a> {
    pub(super) start: Option<Val<'a>>,
    pub(super) start_closed: bool,
    pub(super) end: Option<Val<'a>>,
    pub(super) end_closed: bool,
}

/// A function defined in the expression (`function(a, b) a + b`), with the scope it was defined in.
#[derive(Debug)]
pub(super) struct Function<'a> {
    pub(super) parameters: &'a [String],
    pub(super) body: &'a Expr,
    /// The frame of the evaluation's scope arena the body sees, beyond its parameters.
    pub(super) frame: usize,
}

/// What kind a value is, for type checks (`instance of`) and error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Null,
    Boolean,
    Number,
    String,
    List,
    Context,
    Date,
    Time,
    DateTime,
    DaysTimeDuration,
    YearsMonthsDuration,
    Range,
    Function,
}

impl<'a> Val<'a> {
    /// A JSON value, borrowed where it is large.
    pub(super) fn from_json(value: &'a Value) -> Self {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Number(n.clone()),
            Value::String(_) | Value::Array(_) | Value::Object(_) => Val::Json(value),
        }
    }

    /// An owned JSON value.
    pub(super) fn from_json_owned(value: Value) -> Self {
        match value {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(b),
            Value::Number(n) => Val::Number(n),
            Value::String(s) => Val::string(s),
            Value::Array(items) => Val::list(items.into_iter().map(Val::from_json_owned).collect()),
            Value::Object(entries) => Val::context(
                entries.into_iter().map(|(key, value)| (Rc::from(key.as_str()), Val::from_json_owned(value))).collect(),
            ),
        }
    }

    /// A string value.
    pub(super) fn string(text: impl Into<Rc<str>>) -> Self {
        Val::String(text.into())
    }

    /// A list value.
    pub(super) fn list(items: Vec<Val<'a>>) -> Self {
        Val::List(Rc::new(items))
    }

    /// A context value.
    pub(super) fn context(entries: Vec<(Rc<str>, Val<'a>)>) -> Self {
        Val::Context(Rc::new(entries))
    }

    /// A number from an integer count or position.
    pub(super) fn count(n: usize) -> Self {
        Val::Number(Number::from(n as u64))
    }

    /// What kind of value this is.
    pub(super) fn kind(&self) -> Kind {
        match self {
            Val::Null => Kind::Null,
            Val::Bool(_) => Kind::Boolean,
            Val::Number(_) => Kind::Number,
            Val::String(_) | Val::Json(Value::String(_)) => Kind::String,
            Val::List(_) | Val::Json(Value::Array(_)) => Kind::List,
            Val::Context(_) | Val::Json(Value::Object(_)) => Kind::Context,
            // `from_json` keeps scalars out of `Json`; should one slip in, it reads as null.
            Val::Json(_) => Kind::Null,
            Val::Temporal(t) => t.kind(),
            Val::Range(_) => Kind::Range,
            Val::Function(_) => Kind::Function,
        }
    }

    pub(super) fn is_null(&self) -> bool {
        self.kind() == Kind::Null
    }

    pub(super) fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub(super) fn as_number(&self) -> Option<&Number> {
        match self {
            Val::Number(n) => Some(n),
            _ => None,
        }
    }

    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Val::String(s) => Some(s),
            Val::Json(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_temporal(&self) -> Option<&Temporal> {
        match self {
            Val::Temporal(t) => Some(t),
            _ => None,
        }
    }

    /// The number of elements of a list.
    pub(super) fn len(&self) -> Option<usize> {
        match self {
            Val::List(items) => Some(items.len()),
            Val::Json(Value::Array(items)) => Some(items.len()),
            _ => None,
        }
    }

    /// The elements of a list (cheap clones).
    pub(super) fn items(&self) -> Option<Vec<Val<'a>>> {
        match self {
            Val::List(items) => Some(items.as_ref().clone()),
            Val::Json(Value::Array(items)) => Some(items.iter().map(Val::from_json).collect()),
            _ => None,
        }
    }

    /// The element at a 0-based position of a list.
    pub(super) fn item(&self, position: usize) -> Option<Val<'a>> {
        match self {
            Val::List(items) => items.get(position).cloned(),
            Val::Json(Value::Array(items)) => items.get(position).map(Val::from_json),
            _ => None,
        }
    }

    /// The entries of a context, in order (cheap clones).
    pub(super) fn entries(&self) -> Option<Vec<(Rc<str>, Val<'a>)>> {
        match self {
            Val::Context(entries) => Some(entries.as_ref().clone()),
            Val::Json(Value::Object(entries)) => {
                Some(entries.iter().map(|(key, value)| (Rc::from(key.as_str()), Val::from_json(value))).collect())
            }
            _ => None,
        }
    }

    /// A context's entry `key`; `None` when this is no context or has no such entry.
    pub(super) fn get(&self, key: &str) -> Option<Val<'a>> {
        match self {
            Val::Context(entries) => entries.iter().rev().find(|(k, _)| &**k == key).map(|(_, v)| v.clone()),
            Val::Json(Value::Object(entries)) => entries.get(key).map(Val::from_json),
            _ => None,
        }
    }

    /// About how many bytes building this value took, not counting values it shares.
    pub(super) fn shallow_size(&self) -> usize {
        match self {
            Val::String(s) => s.len() + 2,
            Val::List(items) => items.len() * 8 + 2,
            Val::Context(entries) => entries.iter().map(|(key, _)| key.len() + 12).sum::<usize>() + 2,
            _ => 8,
        }
    }
}

/// Where `to_json` stops and why.
pub(super) enum Overflow {
    /// The JSON would take more than the limit.
    Bytes,
}

/// The value as JSON, failing once it would take more than `limit` bytes (a shared value may be
/// far larger written out than held). Functions become null; dates, times and durations their
/// ISO-8601 text; a range a context of its bounds.
pub(super) fn to_json(value: &Val<'_>, limit: &mut usize) -> Result<Value, Overflow> {
    let spend = |bytes: usize, limit: &mut usize| {
        *limit = limit.checked_sub(bytes).ok_or(Overflow::Bytes)?;
        Ok(())
    };
    Ok(match value {
        Val::Null | Val::Function(_) => {
            spend(8, limit)?;
            Value::Null
        }
        Val::Bool(b) => {
            spend(8, limit)?;
            Value::Bool(*b)
        }
        Val::Number(n) => {
            spend(8, limit)?;
            Value::Number(n.clone())
        }
        Val::String(s) => {
            spend(s.len() + 2, limit)?;
            Value::String(s.to_string())
        }
        Val::Json(json) => {
            spend(weight(json, *limit), limit)?;
            (*json).clone()
        }
        Val::List(items) => {
            // What a list takes in memory rather than as text, so a list of lists of … costs
            // what building it would.
            spend(24, limit)?;
            Value::Array(items.iter().map(|item| to_json(item, limit)).collect::<Result<_, _>>()?)
        }
        Val::Context(entries) => {
            let mut map = Map::new();
            for (key, value) in entries.iter() {
                spend(key.len() + 4, limit)?;
                map.insert(key.to_string(), to_json(value, limit)?);
            }
            Value::Object(map)
        }
        Val::Temporal(t) => {
            let text = t.to_string();
            spend(text.len() + 2, limit)?;
            Value::String(text)
        }
        Val::Range(range) => {
            let bound = |bound: &Option<Val<'_>>, limit: &mut usize| match bound {
                Some(value) => to_json(value, limit),
                None => Ok(Value::Null),
            };
            let mut map = Map::new();
            map.insert("start".into(), bound(&range.start, limit)?);
            map.insert("startIncluded".into(), Value::Bool(range.start_closed));
            map.insert("end".into(), bound(&range.end, limit)?);
            map.insert("endIncluded".into(), Value::Bool(range.end_closed));
            Value::Object(map)
        }
    })
}

/// About the bytes `value` takes as JSON, counted up to just past `limit`, so a huge value is not
/// walked whole.
pub(super) fn weight(value: &Value, limit: usize) -> usize {
    let mut total = 0usize;
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        let own = match value {
            Value::String(text) => text.len() + 2,
            Value::Array(items) => {
                pending.extend(items);
                2
            }
            Value::Object(entries) => {
                pending.extend(entries.values());
                entries.keys().map(|key| key.len() + 4).sum::<usize>() + 2
            }
            _ => 8,
        };
        total += own;
        if total > limit {
            break;
        }
    }
    total
}
