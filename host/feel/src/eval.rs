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

/// How many bytes of values (about their size as JSON) one evaluation may build or copy.
/// Each step is cheap, but a step may copy a value: `{a: x + x, b: a + a, …}` or
/// `{a: [x, x], b: [a, a], …}` doubles with every entry; this bounds its memory and time.
/// Twice an instance's variables, so an expression may copy all of them.
const MAX_BUILT_BYTES: usize = 32 << 20;

/// Evaluates `expr` with `variables` (a JSON object) in scope.
pub(super) fn evaluate(expr: &Expr, variables: &Value) -> Result<Value, FeelError> {
    let budget = Budget::default();
    let root = Scope { entries: variables.as_object(), item: None, parent: None, budget: &budget };
    budget.own(eval(expr, &root)?)
}

/// What one evaluation has used so far, shared by every scope.
#[derive(Default)]
struct Budget {
    /// Nodes visited.
    steps: Cell<usize>,
    /// Bytes of values built or copied.
    built: Cell<usize>,
}

impl Budget {
    /// Counts one visited node, failing once the evaluation has visited too many.
    fn step(&self) -> Result<(), FeelError> {
        let steps = self.steps.get() + 1;
        if steps > MAX_STEPS {
            return Err(FeelError::evaluation(format!("expression needs more than {MAX_STEPS} evaluation steps")));
        }
        self.steps.set(steps);
        Ok(())
    }

    /// Counts `bytes` built, failing once the evaluation has built too much.
    fn build(&self, bytes: usize) -> Result<(), FeelError> {
        let built = self.built.get().saturating_add(bytes);
        if built > MAX_BUILT_BYTES {
            return Err(FeelError::evaluation(format!(
                "expression builds more than {} MiB of values",
                MAX_BUILT_BYTES >> 20
            )));
        }
        self.built.set(built);
        Ok(())
    }

    /// The value itself: taken when the evaluation made it (and counted it then), else a
    /// copy, counted.
    fn own(&self, value: Cow<'_, Value>) -> Result<Value, FeelError> {
        match value {
            Cow::Owned(value) => Ok(value),
            Cow::Borrowed(value) => {
                self.build(weight(value))?;
                Ok(value.clone())
            }
        }
    }
}

/// About the bytes `value` takes as JSON, counted up to just past what any evaluation may
/// build, so a huge value is not walked whole.
fn weight(value: &Value) -> usize {
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
        if total > MAX_BUILT_BYTES {
            break;
        }
    }
    total
}

/// The names an expression can see: the variables, and inside a filter the element's entries and
/// `item`, or inside a context literal its earlier entries.
struct Scope<'a> {
    entries: Option<&'a Map<String, Value>>,
    item: Option<&'a Value>,
    parent: Option<&'a Scope<'a>>,
    /// What the whole evaluation has used.
    budget: &'a Budget,
}

impl<'a> Scope<'a> {
    /// A scope that sees `entries` and `item` before the names of `self`.
    fn inner(&'a self, entries: Option<&'a Map<String, Value>>, item: Option<&'a Value>) -> Self {
        Scope { entries, item, parent: Some(self), budget: self.budget }
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
    scope.budget.step()?;
    Ok(match expr {
        Expr::Literal(value) => Cow::Borrowed(value),
        Expr::Name(name) => scope.lookup(name).map_or_else(null, Cow::Borrowed),
        Expr::List(items) => {
            let items = items.iter().map(|item| scope.budget.own(eval(item, scope)?));
            Cow::Owned(Value::Array(items.collect::<Result<_, FeelError>>()?))
        }
        Expr::Context(entries) => Cow::Owned(context(entries, scope)?),
        Expr::Access(target, steps) => {
            let mut value = eval(target, scope)?;
            for step in steps {
                value = match step {
                    Step::Field(name) => path(value, name, scope.budget)?,
                    Step::Select(selector) => index(value, selector, scope)?,
                };
            }
            value
        }
        Expr::Call { name, column, arguments } => {
            let arguments = arguments.iter().map(|argument| eval(argument, scope)).collect::<Result<Vec<_>, _>>()?;
            let arguments: Vec<&Value> = arguments.iter().map(Cow::as_ref).collect();
            let result = builtins::call(name, *column, &arguments)?;
            scope.budget.build(weight(&result))?;
            Cow::Owned(result)
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
        Expr::If { condition, then, otherwise } => {
            let branch = if is_true(&*eval(condition, scope)?) { then } else { otherwise };
            eval(branch, scope)?
        }
    })
}

/// Builds a context literal; each entry sees the ones before it.
fn context<'a>(entries: &'a [(String, Expr)], scope: &Scope<'a>) -> Result<Value, FeelError> {
    let mut context = Map::new();
    for (key, expr) in entries {
        let inner = scope.inner(Some(&context), None);
        let value = scope.budget.own(eval(expr, &inner)?)?;
        context.insert(key.clone(), value);
    }
    Ok(Value::Object(context))
}

/// `target.name`: a context's entry, or the entry of every element of a list (copied, and
/// counted in `budget`).
fn path<'a>(target: Cow<'a, Value>, name: &str, budget: &Budget) -> Result<Cow<'a, Value>, FeelError> {
    Ok(match target {
        Cow::Borrowed(Value::Object(entries)) => entries.get(name).map_or_else(null, Cow::Borrowed),
        Cow::Borrowed(Value::Array(items)) => Cow::Owned(Value::Array(
            items.iter().map(|item| budget.own(path(Cow::Borrowed(item), name, budget)?)).collect::<Result<_, _>>()?,
        )),
        Cow::Borrowed(_) => null(),
        Cow::Owned(Value::Object(mut entries)) => entries.remove(name).map_or_else(null, Cow::Owned),
        Cow::Owned(other) => Cow::Owned(budget.own(path(Cow::Borrowed(&other), name, budget)?)?),
    })
}

/// `target[selector]`: when the selector is a number (evaluated in the outer scope) it picks an
/// element, 1-based and negative from the end; otherwise it is a filter condition evaluated with
/// each element's entries and `item` in scope.
fn index<'a>(target: Cow<'a, Value>, selector: &'a Expr, scope: &Scope<'a>) -> Result<Cow<'a, Value>, FeelError> {
    let Value::Array(items) = target.as_ref() else {
        return Ok(null());
    };
    if let Value::Number(n) = eval(selector, scope)?.as_ref() {
        let Some(position) = position(n, items.len()) else {
            return Ok(null());
        };
        return Ok(match target {
            Cow::Borrowed(list) => list.get(position).map_or_else(null, Cow::Borrowed),
            Cow::Owned(mut list) => list.get_mut(position).map_or_else(null, |element| Cow::Owned(element.take())),
        });
    }
    let mut kept = Vec::new();
    for item in items {
        let inner = scope.inner(item.as_object(), Some(item));
        if is_true(&*eval(selector, &inner)?) {
            kept.push(scope.budget.own(Cow::Borrowed(item))?);
        }
    }
    Ok(Cow::Owned(Value::Array(kept)))
}

/// The 0-based position of FEEL index `n` in a list of `len` elements, if it is one.
/// (Bounds are left to `Value::get`; index 0 maps past the end.)
fn position(n: &Number, len: usize) -> Option<usize> {
    let index = n.as_i64()?;
    let zero_based = if index > 0 { index - 1 } else { i64::try_from(len).ok()? + index };
    usize::try_from(zero_based).ok()
}

/// `left op right`, evaluating `right` only when it can change the result.
fn binary<'a>(op: BinaryOp, left: &Value, right: &'a Expr, scope: &Scope<'a>) -> Result<Value, FeelError> {
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
        BinaryOp::Arithmetic(arithmetic) => {
            let right = eval(right, scope)?;
            if let (Arithmetic::Add, Value::String(a), Value::String(b)) = (arithmetic, left, right.as_ref()) {
                // Counted before it is made: a concatenation may double a string.
                scope.budget.build(a.len() + b.len())?;
            }
            calculate(arithmetic, left, &right)
        }
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
        (Value::String(a), Value::String(b)) if arithmetic == Arithmetic::Add => Value::String(format!("{a}{b}")),
        _ => Value::Null,
    }
}
