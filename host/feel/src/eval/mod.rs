//! Evaluates a syntax tree against JSON variables with FEEL's null semantics: whatever cannot be
//! computed (a missing variable, a type mismatch) is null rather than an error. Iteration, unary
//! tests and type checks have files of their own.

mod iteration;
mod types;
mod unary_tests;

use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use std::rc::Rc;

use serde_json::{Map, Number, Value};

use super::Context;
use super::ast::{Arguments, Arithmetic, BinaryOp, Comparison, Expr, Step};
use super::builtins;
use super::compare::{equals, order};
use super::error::FeelError;
use super::number;
use super::temporal::{self, Property};
use super::value::{Function, Overflow, Val, to_json};

/// How many nodes one evaluation may visit. A filter evaluates its condition once per element,
/// so nested filters take time exponential in their depth; this bounds hostile ones.
const MAX_STEPS: usize = 1_000_000;

/// How many bytes of values (about their size as JSON) one evaluation may build or copy.
/// Each step is cheap, but a step may copy a value: `{a: x + x, b: a + a, …}` doubles with every
/// entry; this bounds its memory and time. Twice an instance's variables, so an expression may
/// copy all of them.
pub(super) const MAX_BUILT_BYTES: usize = 32 << 20;

/// How deep evaluation may recurse. The parser bounds the tree's height (128), but a function
/// that calls itself recurses once more per call; a level takes up to about 4.5 KiB of stack in
/// a debug build, so this stays well inside a 2 MiB thread stack.
const MAX_DEPTH: usize = 256;

/// How deeply values built by an evaluation may nest lists and contexts. Writing a value out,
/// comparing and dropping it recurse once per level; FEEL nests values deeper than its
/// expressions only through `partial` and `context put`'s keys, which are held to this.
pub(super) const MAX_VALUE_DEPTH: usize = 256;

/// Evaluates `expr` with `variables` (a JSON object) in scope, and `context` (if any) as the
/// source of the time and of randomness.
pub(super) fn evaluate(expr: &Expr, variables: &Value, context: Option<&Context>) -> Result<Value, FeelError> {
    let evaluator = Evaluator {
        frames: RefCell::new(vec![Frame { binding: Binding::Variables(variables.as_object()), parent: None }]),
        steps: Cell::new(0),
        built: Cell::new(0),
        depth: Cell::new(0),
        functions_made: Cell::new(0),
        context: context.copied(),
        draws: Cell::new(0),
    };
    let value = evaluator.eval(expr, 0)?;
    evaluator.result(&value)
}

/// The names one frame of scope binds.
enum Binding<'a> {
    /// The process variables.
    Variables(Option<&'a Map<String, Value>>),
    /// Entries by name: a context literal's so far, a function's parameters, an iteration variable.
    Entries(Vec<(Rc<str>, Val<'a>)>),
    /// A filter's element: `item`, and its entries when it is a context.
    Item(Val<'a>),
}

/// A frame of scope: its names, then its parent's.
struct Frame<'a> {
    binding: Binding<'a>,
    parent: Option<usize>,
}

/// One evaluation's state: an arena of scope frames (a function keeps the index of the frame it
/// was defined in, so it can be called after that scope ends and can call itself), and what the
/// evaluation has used of its budgets.
pub(super) struct Evaluator<'a> {
    frames: RefCell<Vec<Frame<'a>>>,
    /// Nodes visited.
    steps: Cell<usize>,
    /// Bytes of values built or copied.
    built: Cell<usize>,
    /// Current recursion depth of `eval`.
    depth: Cell<usize>,
    /// Functions defined so far; while none was, frames can be freed when their scope ends.
    functions_made: Cell<usize>,
    context: Option<Context>,
    /// Values drawn from the random source so far.
    draws: Cell<u64>,
}

impl<'a> Evaluator<'a> {
    /// Counts one visited node, failing once the evaluation has visited too many.
    pub(super) fn step(&self) -> Result<(), FeelError> {
        let steps = self.steps.get() + 1;
        if steps > MAX_STEPS {
            return Err(FeelError::evaluation(format!("expression needs more than {MAX_STEPS} evaluation steps")));
        }
        self.steps.set(steps);
        Ok(())
    }

    /// Counts `bytes` built, failing once the evaluation has built too much.
    pub(super) fn build(&self, bytes: usize) -> Result<(), FeelError> {
        let built = self.built.get().saturating_add(bytes);
        if built > MAX_BUILT_BYTES {
            return Err(too_big());
        }
        self.built.set(built);
        Ok(())
    }

    /// The value as JSON, counting what writing it out builds.
    pub(super) fn json(&self, value: &Val<'a>) -> Result<Value, FeelError> {
        let mut room = MAX_BUILT_BYTES.saturating_sub(self.built.get());
        let before = room;
        let json = to_json(value, &mut room).map_err(|Overflow::Bytes| too_big())?;
        self.build(before - room)?;
        Ok(json)
    }

    /// The evaluation's result as JSON, held to the byte budget on its own: building it was
    /// counted already, but its parts may be shared (`[x, x, x]`), so writing it out may
    /// build more than that.
    fn result(&self, value: &Val<'a>) -> Result<Value, FeelError> {
        let mut room = MAX_BUILT_BYTES;
        to_json(value, &mut room).map_err(|Overflow::Bytes| too_big())
    }

    /// The caller's clock and random source, which `now()`, `today()`, `uuid()` and
    /// `random number()` need.
    pub(super) fn context(&self, function: &str) -> Result<Context, FeelError> {
        self.context.ok_or_else(|| FeelError::NeedsContext { function: function.to_owned() })
    }

    /// The next 64 random bits from the caller's seed (splitmix64: the same seed always gives
    /// the same sequence, so a replayed evaluation gives the same values).
    pub(super) fn random(&self, function: &str) -> Result<u64, FeelError> {
        let seed = self.context(function)?.seed;
        let draw = self.draws.get() + 1;
        self.draws.set(draw);
        let mut z = seed.wrapping_add(draw.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn push(&self, binding: Binding<'a>, parent: usize) -> usize {
        let mut frames = self.frames.borrow_mut();
        frames.push(Frame { binding, parent: Some(parent) });
        frames.len() - 1
    }

    /// Frees the frames from `mark` on when no function was defined since `functions` were (no
    /// function can refer to them).
    fn release(&self, mark: usize, functions: usize) {
        if self.functions_made.get() == functions {
            self.frames.borrow_mut().truncate(mark);
        }
    }

    fn lookup(&self, name: &str, frame: usize) -> Option<Val<'a>> {
        let frames = self.frames.borrow();
        let mut current = Some(frame);
        while let Some(index) = current {
            let frame = frames.get(index)?;
            let found = match &frame.binding {
                Binding::Variables(variables) => variables.and_then(|v| v.get(name)).map(Val::from_json),
                Binding::Entries(entries) => {
                    entries.iter().rev().find(|(key, _)| &**key == name).map(|(_, v)| v.clone())
                }
                // As in Camunda, an element's own entry `item` hides the element.
                Binding::Item(item) => item.get(name).or_else(|| (name == "item").then(|| item.clone())),
            };
            if found.is_some() {
                return found;
            }
            current = frame.parent;
        }
        None
    }

    /// Evaluates `expr` in the scope `frame`.
    #[inline(never)]
    pub(super) fn eval(&self, expr: &'a Expr, frame: usize) -> Result<Val<'a>, FeelError> {
        self.step()?;
        let depth = self.depth.get() + 1;
        if depth > MAX_DEPTH {
            return Err(FeelError::evaluation(format!(
                "expression recurses more than {MAX_DEPTH} levels deep (a function that calls itself?)"
            )));
        }
        self.depth.set(depth);
        let value = self.eval_node(expr, frame);
        self.depth.set(depth - 1);
        value
    }

    /// Evaluates one node. Each kind of node beyond the simplest has a function of its own, kept
    /// out of line: a debug build gives a function one stack slot per local of every match arm,
    /// and this one recurses once per level of the tree.
    fn eval_node(&self, expr: &'a Expr, frame: usize) -> Result<Val<'a>, FeelError> {
        match expr {
            Expr::Literal(value) => Ok(Val::from_json(value)),
            Expr::Temporal(value) => Ok(value.clone().map_or(Val::Null, Val::Temporal)),
            Expr::Name(name) => Ok(self.lookup(name, frame).unwrap_or(Val::Null)),
            Expr::List(items) => self.list_literal(items, frame),
            Expr::Context(entries) => self.context_literal(entries, frame),
            Expr::Access(target, steps) => self.access(target, steps, frame),
            Expr::Call { name, column, arguments } => self.call_by_name(name, *column, arguments, frame),
            Expr::Apply { target, column, arguments } => self.apply(target, *column, arguments, frame),
            Expr::Function { parameters, body } => {
                self.functions_made.set(self.functions_made.get() + 1);
                Ok(Val::Function(Rc::new(Function { parameters, body, frame })))
            }
            Expr::Negate(operand) => self.negate(operand, frame),
            Expr::Binary { first, rest } => self.chain(first, rest, frame),
            Expr::If { condition, then, otherwise } => self.conditional(condition, then, otherwise, frame),
            Expr::For { iterations, body } => self.for_each(iterations, body, frame),
            Expr::Quantified { every, iterations, condition } => self.quantified(*every, iterations, condition, frame),
            Expr::Between { value, low, high } => self.between(value, low, high, frame),
            Expr::In { value, tests } => {
                let value = self.eval(value, frame)?;
                Ok(self.any_test(&value, tests, frame)?.map_or(Val::Null, Val::Bool))
            }
            Expr::InstanceOf { value, type_name } => {
                let value = self.eval(value, frame)?;
                Ok(Val::Bool(self.conforms(&value, type_name)?))
            }
            Expr::Range { start, start_closed, end, end_closed } => {
                self.range(start.as_deref(), *start_closed, end.as_deref(), *end_closed, frame)
            }
        }
    }

    #[inline(never)]
    fn list_literal(&self, items: &'a [Expr], frame: usize) -> Result<Val<'a>, FeelError> {
        let items = items.iter().map(|item| self.eval(item, frame)).collect::<Result<Vec<_>, _>>()?;
        self.made(Val::list(items))
    }

    #[inline(never)]
    fn access(&self, target: &'a Expr, steps: &'a [Step], frame: usize) -> Result<Val<'a>, FeelError> {
        let mut value = self.eval(target, frame)?;
        for step in steps {
            value = match step {
                Step::Field(name) => self.path(value, name)?,
                Step::Select(selector) => self.select(value, selector, frame)?,
            };
        }
        Ok(value)
    }

    #[inline(never)]
    fn call_by_name(
        &self,
        name: &str,
        column: usize,
        arguments: &'a Arguments,
        frame: usize,
    ) -> Result<Val<'a>, FeelError> {
        let arguments = self.arguments(arguments, frame)?;
        match self.lookup(name, frame) {
            Some(Val::Function(function)) => self.call(&function, arguments, name, column),
            _ => self.made(builtins::call(self, name, column, arguments)?),
        }
    }

    #[inline(never)]
    fn apply(
        &self,
        target_expr: &'a Expr,
        column: usize,
        arguments: &'a Arguments,
        frame: usize,
    ) -> Result<Val<'a>, FeelError> {
        let target = self.eval(target_expr, frame)?;
        let arguments = self.arguments(arguments, frame)?;
        let Val::Function(function) = target else {
            return Err(FeelError::evaluation(format!("the value called at column {column} is not a function")));
        };
        self.call(&function, arguments, callee_name(target_expr), column)
    }

    #[inline(never)]
    fn negate(&self, operand: &'a Expr, frame: usize) -> Result<Val<'a>, FeelError> {
        Ok(match self.eval(operand, frame)? {
            Val::Number(n) => Val::from_json_owned(number::negate(&n)),
            Val::Temporal(t) => temporal::scale(&t, -1.0).map_or(Val::Null, Val::Temporal),
            _ => Val::Null,
        })
    }

    #[inline(never)]
    fn chain(&self, first: &'a Expr, rest: &'a [(BinaryOp, Expr)], frame: usize) -> Result<Val<'a>, FeelError> {
        let mut value = self.eval(first, frame)?;
        for (op, operand) in rest {
            value = self.binary(*op, value, operand, frame)?;
        }
        Ok(value)
    }

    #[inline(never)]
    fn conditional(
        &self,
        condition: &'a Expr,
        then: &'a Expr,
        otherwise: &'a Expr,
        frame: usize,
    ) -> Result<Val<'a>, FeelError> {
        let branch = if is_true_val(&self.eval(condition, frame)?) { then } else { otherwise };
        self.eval(branch, frame)
    }

    /// Counts a value the evaluation made.
    fn made(&self, value: Val<'a>) -> Result<Val<'a>, FeelError> {
        self.build(value.shallow_size())?;
        Ok(value)
    }

    fn arguments(&self, arguments: &'a Arguments, frame: usize) -> Result<Passed<'a>, FeelError> {
        Ok(match arguments {
            Arguments::Positional(arguments) => Passed::Positional(
                arguments.iter().map(|argument| self.eval(argument, frame)).collect::<Result<_, _>>()?,
            ),
            Arguments::Named(arguments) => Passed::Named(
                arguments
                    .iter()
                    .map(|(name, argument)| Ok((name.as_str(), self.eval(argument, frame)?)))
                    .collect::<Result<_, FeelError>>()?,
            ),
        })
    }

    /// Calls a function defined in the expression. Named arguments go to the parameters of
    /// their names; a parameter not given is null.
    pub(super) fn call(
        &self,
        function: &Function<'a>,
        arguments: Passed<'a>,
        name: &str,
        column: usize,
    ) -> Result<Val<'a>, FeelError> {
        let values = match arguments {
            Passed::Positional(values) if values.len() == function.parameters.len() => values,
            Passed::Positional(values) => {
                return Err(FeelError::evaluation(format!(
                    "function `{name}` at column {column} takes {} arguments, not {}",
                    function.parameters.len(),
                    values.len()
                )));
            }
            Passed::Named(named) => {
                let mut values = vec![Val::Null; function.parameters.len()];
                for (given, value) in named {
                    let Some(position) = function.parameters.iter().position(|p| p == given) else {
                        return Err(FeelError::evaluation(format!(
                            "function `{name}` at column {column} has no parameter `{given}`"
                        )));
                    };
                    values[position] = value;
                }
                values
            }
        };
        let entries = function.parameters.iter().map(|p| Rc::from(p.as_str())).zip(values).collect();
        let mark = self.frames.borrow().len();
        let functions = self.functions_made.get();
        let inner = self.push(Binding::Entries(entries), function.frame);
        let result = self.eval(function.body, inner);
        self.release(mark, functions);
        result
    }

    #[inline(never)]
    /// Builds a context literal; each entry sees the ones before it (and a function in an entry
    /// sees the whole context, so it can call itself).
    fn context_literal(&self, entries: &'a [(String, Expr)], frame: usize) -> Result<Val<'a>, FeelError> {
        let inner = self.push(Binding::Entries(Vec::new()), frame);
        for (key, expr) in entries {
            let value = self.eval(expr, inner)?;
            self.build(key.len() + 12)?;
            if let Some(Frame { binding: Binding::Entries(so_far), .. }) = self.frames.borrow_mut().get_mut(inner) {
                so_far.push((Rc::from(key.as_str()), value));
            }
        }
        let entries = match self.frames.borrow().get(inner) {
            Some(Frame { binding: Binding::Entries(entries), .. }) => entries.clone(),
            _ => Vec::new(),
        };
        Ok(Val::context(entries))
    }

    /// `target.name`: a context's entry, every list element's entry, a date's or duration's
    /// property, or a range's bound.
    fn path(&self, target: Val<'a>, name: &str) -> Result<Val<'a>, FeelError> {
        Ok(match &target {
            Val::Temporal(t) => match t.property(name) {
                Some(Property::Number(n)) => Val::Number(Number::from(n)),
                Some(Property::Text(text)) => Val::string(text),
                Some(Property::Temporal(t)) => Val::Temporal(t),
                Some(Property::Null) | None => Val::Null,
            },
            Val::Range(range) => match name {
                "start" => range.start.clone().unwrap_or(Val::Null),
                "end" => range.end.clone().unwrap_or(Val::Null),
                "start included" => Val::Bool(range.start_closed),
                "end included" => Val::Bool(range.end_closed),
                _ => Val::Null,
            },
            _ => match target.items() {
                Some(items) => {
                    let projected = items.into_iter().map(|item| self.path(item, name)).collect::<Result<_, _>>()?;
                    self.made(Val::list(projected))?
                }
                None => target.get(name).unwrap_or(Val::Null),
            },
        })
    }

    /// `target[selector]`: when the selector is a number (evaluated in the outer scope) it picks
    /// an element, 1-based and negative from the end; otherwise it is a filter condition
    /// evaluated with each element's entries and `item` in scope.
    fn select(&self, target: Val<'a>, selector: &'a Expr, frame: usize) -> Result<Val<'a>, FeelError> {
        let Some(len) = target.len() else {
            return Ok(Val::Null);
        };
        if let Val::Number(n) = self.eval(selector, frame)? {
            return Ok(position(&n, len).and_then(|p| target.item(p)).unwrap_or(Val::Null));
        }
        let mut kept = Vec::new();
        let mark = self.frames.borrow().len();
        let functions = self.functions_made.get();
        for item in target.items().unwrap_or_default() {
            let inner = self.push(Binding::Item(item.clone()), frame);
            if is_true_val(&self.eval(selector, inner)?) {
                kept.push(item);
            }
            self.release(mark, functions);
        }
        self.made(Val::list(kept))
    }

    /// `left op right`, evaluating `right` only when it can change the result.
    fn binary(&self, op: BinaryOp, left: Val<'a>, right: &'a Expr, frame: usize) -> Result<Val<'a>, FeelError> {
        Ok(match op {
            BinaryOp::And | BinaryOp::Or => {
                // `false and x` is false and `true or x` is true whatever x is, null included.
                let decisive = op == BinaryOp::Or;
                if left.as_bool() == Some(decisive) {
                    return Ok(Val::Bool(decisive));
                }
                let right = self.eval(right, frame)?;
                if right.as_bool() == Some(decisive) {
                    Val::Bool(decisive)
                } else if left.as_bool().is_some() && right.as_bool().is_some() {
                    Val::Bool(!decisive)
                } else {
                    Val::Null
                }
            }
            BinaryOp::Compare(comparison) => {
                let right = self.eval(right, frame)?;
                self.compare(comparison, &left, &right)?
            }
            BinaryOp::Arithmetic(arithmetic) => {
                let right = self.eval(right, frame)?;
                self.calculate(arithmetic, &left, &right)?
            }
        })
    }

    pub(super) fn compare(
        &self,
        comparison: Comparison,
        left: &Val<'a>,
        right: &Val<'a>,
    ) -> Result<Val<'a>, FeelError> {
        let outcome = match comparison {
            Comparison::Equal => equals(self, left, right)?,
            Comparison::NotEqual => equals(self, left, right)?.map(|equal| !equal),
            Comparison::Less => order(left, right).map(Ordering::is_lt),
            Comparison::LessEqual => order(left, right).map(Ordering::is_le),
            Comparison::Greater => order(left, right).map(Ordering::is_gt),
            Comparison::GreaterEqual => order(left, right).map(Ordering::is_ge),
        };
        Ok(outcome.map_or(Val::Null, Val::Bool))
    }

    /// Arithmetic on numbers, on dates, times and durations, or `+` on two strings; anything
    /// else is null.
    pub(super) fn calculate(
        &self,
        arithmetic: Arithmetic,
        left: &Val<'a>,
        right: &Val<'a>,
    ) -> Result<Val<'a>, FeelError> {
        use Arithmetic::{Add, Divide, Multiply, Subtract};
        Ok(match (left, right) {
            (Val::Number(a), Val::Number(b)) => Val::from_json_owned(number::arithmetic(arithmetic, a, b)),
            (Val::Temporal(a), Val::Temporal(b)) => match arithmetic {
                Add => temporal::add(a, b, false).map_or(Val::Null, Val::Temporal),
                Subtract => {
                    temporal::between(a, b).or_else(|| temporal::add(a, b, true)).map_or(Val::Null, Val::Temporal)
                }
                Divide => temporal::ratio(a, b).map_or(Val::Null, |x| Val::from_json_owned(number::float(x))),
                _ => Val::Null,
            },
            (Val::Temporal(t), Val::Number(n)) | (Val::Number(n), Val::Temporal(t)) => {
                let factor = n.as_f64().unwrap_or(f64::NAN);
                let scaled = match arithmetic {
                    Multiply => temporal::scale(t, factor),
                    Divide if matches!(left, Val::Temporal(_)) && factor != 0.0 => temporal::scale(t, 1.0 / factor),
                    _ => None,
                };
                scaled.map_or(Val::Null, Val::Temporal)
            }
            _ => match (left.as_str(), right.as_str()) {
                (Some(a), Some(b)) if arithmetic == Add => {
                    // Counted before it is made: a concatenation may double a string.
                    self.build(a.len() + b.len())?;
                    Val::string(format!("{a}{b}"))
                }
                _ => Val::Null,
            },
        })
    }
}

/// What to call a called expression in messages: `f` for `ctx.f(…)`, else "function".
fn callee_name(target: &Expr) -> &str {
    match target {
        Expr::Access(_, steps) => match steps.last() {
            Some(Step::Field(name)) => name,
            _ => "function",
        },
        _ => "function",
    }
}

/// The error of a value nested deeper than [`MAX_VALUE_DEPTH`].
pub(super) fn nested_too_deep() -> FeelError {
    FeelError::evaluation(format!("expression builds values nested more than {MAX_VALUE_DEPTH} levels deep"))
}

fn too_big() -> FeelError {
    FeelError::evaluation(format!("expression builds more than {} MiB of values", MAX_BUILT_BYTES >> 20))
}

fn is_true_val(value: &Val<'_>) -> bool {
    value.as_bool() == Some(true)
}

/// A number that is a whole `i64`.
pub(super) fn whole(value: &Val<'_>) -> Option<i64> {
    let n = value.as_number()?;
    n.as_i64().or_else(|| n.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 9e15).map(|x| x as i64))
}

/// The 0-based position of FEEL index `n` in a list of `len` elements, if it is one.
pub(super) fn position(n: &Number, len: usize) -> Option<usize> {
    let index = n.as_i64()?;
    let zero_based = if index > 0 { index - 1 } else { i64::try_from(len).ok()? + index };
    usize::try_from(zero_based).ok().filter(|&p| p < len)
}

/// The values a call passes: by position, or by parameter name.
pub(super) enum Passed<'a> {
    Positional(Vec<Val<'a>>),
    Named(Vec<(&'a str, Val<'a>)>),
}
