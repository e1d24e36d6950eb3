//! Evaluates a syntax tree against JSON variables with FEEL's null semantics: whatever cannot be
//! computed (a missing variable, a type mismatch) is null rather than an error.

use std::borrow::Cow;
use std::cell::Cell;
use std::cmp::Ordering;

use serde_json::{Map, Number, Value};

use super::ast::{Arithmetic, BinaryOp, Comparison, Expr, Step};
use super::builtins;
use super::compare::{equals, order};
use super::error::FeelError;
use super::{is_true, number};

/// How many nodes one evaluation may visit. A filter evaluates its condition once per element,
/// so nested filters take time exponential in their depth; this bounds hostile ones.
const MAX_STEPS: usize = 1_000_000;

/// Evaluates `expr` with `variables` (a JSON object) in scope.
pub(super) fn evaluate(expr: &Expr, variables: &Value) -> Result<Value, FeelError> {
    let steps = Cell::new(0);
    let root = Scope {
        entries: variables.as_object(),
        item: None,
        parent: None,
        steps: &steps,
    };
    Ok(eval(expr, &root)?.into_owned())
}

/// The names an expression can see: the variables, and inside a filter the element's entries and
/// `item`, or inside a context literal its earlier entries.
struct Scope<'a> {
    entries: Option<&'a Map<String, Value>>,
    item: Option<&'a Value>,
    parent: Option<&'a Scope<'a>>,
    /// Nodes visited so far by the whole evaluation, shared by every scope.
    steps: &'a Cell<usize>,
}

impl<'a> Scope<'a> {
    /// A scope that sees `entries` and `item` before the names of `self`.
    fn inner(&'a self, entries: Option<&'a Map<String, Value>>, item: Option<&'a Value>) -> Self {
        Scope {
            entries,
            item,
            parent: Some(self),
            steps: self.steps,
        }
    }

    /// Counts one visited node, failing once the evaluation has visited too many.
    fn step(&self) -> Result<(), FeelError> {
        let steps = self.steps.get() + 1;
        if steps > MAX_STEPS {
            return Err(FeelError::evaluation(format!(
                "expression needs more than {MAX_STEPS} evaluation steps"
            )));
        }
        self.steps.set(steps);
        Ok(())
    }

    fn lookup(&self, name: &str) -> Option<&'a Value> {
        let mut scope = Some(self);
        while let Some(current) = scope {
            if let Some(value) = current.entries.and_then(|entries| entries.get(name)) {
                return Some(value);
            }
            if name == "item"
                && let Some(item) = current.item
            {
                return Some(item);
            }
            scope = current.parent;
        }
        None
    }
}

fn null<'a>() -> Cow<'a, Value> {
    Cow::Owned(Value::Null)
}

/// Evaluates to a value borrowed from the variables or the tree where possible, so paths into
/// large variables do not copy them.
fn eval<'a>(expr: &'a Expr, scope: &Scope<'a>) -> Result<Cow<'a, Value>, FeelError> {
    scope.step()?;
    Ok(match expr {
        Expr::Literal(value) => Cow::Borrowed(value),
        Expr::Name(name) => scope.lookup(name).map_or_else(null, Cow::Borrowed),
        Expr::List(items) => {
            let items = items.iter().map(|item| Ok(eval(item, scope)?.into_owned()));
            Cow::Owned(Value::Array(items.collect::<Result<_, FeelError>>()?))
        }
        Expr::Context(entries) => Cow::Owned(context(entries, scope)?),
        Expr::Access(target, steps) => {
            let mut value = eval(target, scope)?;
            for step in steps {
                value = match step {
                    Step::Field(name) => path(value, name),
                    Step::Select(selector) => index(value, selector, scope)?,
                };
            }
            value
        }
        Expr::Call {
            name,
            column,
            arguments,
        } => {
            let arguments = arguments
                .iter()
                .map(|argument| eval(argument, scope))
                .collect::<Result<Vec<_>, _>>()?;
            let arguments: Vec<&Value> = arguments.iter().map(Cow::as_ref).collect();
            Cow::Owned(builtins::call(name, *column, &arguments)?)
        }
        Expr::Negate(operand) => Cow::Owned(match eval(operand, scope)?.as_ref() {
            Value::Number(n) => number::negate(n),
            _ => Value::Null,
        }),
        Expr::Binary { first, rest } => {
            let mut value = eval(first, scope)?;
            for (op, operand) in rest {
                value = Cow::Owned(binary(*op, &value, operand, scope)?);
            }
            value
        }
        Expr::If {
            condition,
            then,
            otherwise,
        } => {
            let branch = if is_true(&*eval(condition, scope)?) {
                then
            } else {
                otherwise
            };
            eval(branch, scope)?
        }
    })
}

/// Builds a context literal; each entry sees the ones before it.
fn context<'a>(entries: &'a [(String, Expr)], scope: &Scope<'a>) -> Result<Value, FeelError> {
    let mut context = Map::new();
    for (key, expr) in entries {
        let inner = scope.inner(Some(&context), None);
        let value = eval(expr, &inner)?.into_owned();
        context.insert(key.clone(), value);
    }
    Ok(Value::Object(context))
}

/// `target.name`: a context's entry, or the entry of every element of a list.
fn path<'a>(target: Cow<'a, Value>, name: &str) -> Cow<'a, Value> {
    match target {
        Cow::Borrowed(Value::Object(entries)) => entries.get(name).map_or_else(null, Cow::Borrowed),
        Cow::Borrowed(Value::Array(items)) => Cow::Owned(Value::Array(
            items
                .iter()
                .map(|item| path(Cow::Borrowed(item), name).into_owned())
                .collect(),
        )),
        Cow::Borrowed(_) => null(),
        Cow::Owned(Value::Object(mut entries)) => {
            entries.remove(name).map_or_else(null, Cow::Owned)
        }
        Cow::Owned(other) => Cow::Owned(path(Cow::Borrowed(&other), name).into_owned()),
    }
}

/// `target[selector]`: when the selector is a number (evaluated in the outer scope) it picks an
/// element, 1-based and negative from the end; otherwise it is a filter condition evaluated with
/// each element's entries and `item` in scope.
fn index<'a>(
    target: Cow<'a, Value>,
    selector: &'a Expr,
    scope: &Scope<'a>,
) -> Result<Cow<'a, Value>, FeelError> {
    let Value::Array(items) = target.as_ref() else {
        return Ok(null());
    };
    if let Value::Number(n) = eval(selector, scope)?.as_ref() {
        let Some(position) = position(n, items.len()) else {
            return Ok(null());
        };
        return Ok(match target {
            Cow::Borrowed(list) => list.get(position).map_or_else(null, Cow::Borrowed),
            Cow::Owned(mut list) => list
                .get_mut(position)
                .map_or_else(null, |element| Cow::Owned(element.take())),
        });
    }
    let mut kept = Vec::new();
    for item in items {
        let inner = scope.inner(item.as_object(), Some(item));
        if is_true(&*eval(selector, &inner)?) {
            kept.push(item.clone());
        }
    }
    Ok(Cow::Owned(Value::Array(kept)))
}

/// The 0-based position of FEEL index `n` in a list of `len` elements, if it is one.
/// (Bounds are left to `Value::get`; index 0 maps past the end.)
fn position(n: &Number, len: usize) -> Option<usize> {
    let index = n.as_i64()?;
    let zero_based = if index > 0 {
        index - 1
    } else {
        i64::try_from(len).ok()? + index
    };
    usize::try_from(zero_based).ok()
}

/// `left op right`, evaluating `right` only when it can change the result.
fn binary<'a>(
    op: BinaryOp,
    left: &Value,
    right: &'a Expr,
    scope: &Scope<'a>,
) -> Result<Value, FeelError> {
    Ok(match op {
        BinaryOp::And | BinaryOp::Or => {
            // `false and x` is false and `true or x` is true whatever x is, null included.
            let decisive = op == BinaryOp::Or;
            if left.as_bool() == Some(decisive) {
                return Ok(Value::Bool(decisive));
            }
            let right = eval(right, scope)?;
            if right.as_bool() == Some(decisive) {
                Value::Bool(decisive)
            } else if left.is_boolean() && right.is_boolean() {
                Value::Bool(!decisive)
            } else {
                Value::Null
            }
        }
        BinaryOp::Compare(comparison) => compare(comparison, left, &*eval(right, scope)?),
        BinaryOp::Arithmetic(arithmetic) => calculate(arithmetic, left, &*eval(right, scope)?),
    })
}

fn compare(comparison: Comparison, left: &Value, right: &Value) -> Value {
    let outcome = match comparison {
        Comparison::Equal => equals(left, right),
        Comparison::NotEqual => equals(left, right).map(|equal| !equal),
        Comparison::Less => order(left, right).map(Ordering::is_lt),
        Comparison::LessEqual => order(left, right).map(Ordering::is_le),
        Comparison::Greater => order(left, right).map(Ordering::is_gt),
        Comparison::GreaterEqual => order(left, right).map(Ordering::is_ge),
    };
    outcome.map_or(Value::Null, Value::Bool)
}

/// Arithmetic on numbers, or `+` on two strings; anything else is null.
fn calculate(arithmetic: Arithmetic, left: &Value, right: &Value) -> Value {
    match (left, right) {
        (Value::Number(a), Value::Number(b)) => number::arithmetic(arithmetic, a, b),
        (Value::String(a), Value::String(b)) if arithmetic == Arithmetic::Add => {
            Value::String(format!("{a}{b}"))
        }
        _ => Value::Null,
    }
}
