//! FEEL (Friendly Enough Expression Language) with Camunda's semantics, for BPMN inputs written
//! `=…` and sequence-flow conditions, evaluated against JSON process variables.
//!
//! A hand-written subset: number, string, boolean and null literals; names and `a.b.c` paths
//! (a path on a list projects every element); list and context literals; `list[i]` (1-based,
//! negative from the end) and filters `list[amount > 10]` (with `item`); `=` `!=` `<` `<=` `>`
//! `>=`; `and` / `or` with three-valued logic; `+ - * /` and unary minus; string `+`;
//! `if … then … else …`; `//` and `/* */` comments; backtick names (`` `content-type` ``); and
//! the built-ins `not`, `is defined`, `get or else`, `string`, `number`, `upper case`,
//! `lower case`, `string length`, `contains`, `starts with`, `ends with`, `substring`, `count`,
//! `list contains`, `sum`, `min`, `max`, `abs`, `floor` and `ceiling`. Anything that cannot be
//! computed is null, as in FEEL; only an unknown function, a wrong argument count or an
//! evaluation past its budget (of steps, and of bytes of values it builds) fails.

mod ast;
mod builtins;
mod compare;
mod error;
mod eval;
mod lexer;
mod number;
mod parser;
mod temporal;
#[cfg(test)]
mod tests;
mod value;

use serde_json::Value;

pub use error::FeelError;

/// A parsed FEEL expression.
#[derive(Debug, Clone)]
pub struct Expression {
    root: ast::Expr,
}

impl Expression {
    /// Parses FEEL source text (without the leading `=`).
    pub fn parse(source: &str) -> Result<Expression, FeelError> {
        parser::parse(source).map(|root| Expression { root })
    }

    /// Evaluates against the process variables (a JSON object; anything else means no variables).
    /// Without a [`Context`], `now()`, `today()`, `uuid()` and `random number()` fail with
    /// [`FeelError::NeedsContext`].
    pub fn evaluate(&self, variables: &Value) -> Result<Value, FeelError> {
        eval::evaluate(&self.root, variables, None)
    }

    /// Evaluates against the process variables with `context` as the current time and the
    /// source of `uuid()` and `random number()`.
    pub fn evaluate_in(&self, variables: &Value, context: &Context) -> Result<Value, FeelError> {
        eval::evaluate(&self.root, variables, Some(context))
    }

    /// The names of the functions this expression calls that are neither built in nor defined in
    /// the expression itself, in order of first call, each once; evaluating such a call fails.
    pub fn unknown_functions(&self) -> Vec<String> {
        let bound = self.root.bound_names();
        let mut unknown: Vec<String> = Vec::new();
        for expr in self.root.descendants() {
            if let ast::Expr::Call { name, .. } = expr
                && !builtins::names().any(|builtin| builtin == name)
                && !bound.contains(&name.as_str())
                && !unknown.contains(name)
            {
                unknown.push(name.clone());
            }
        }
        unknown
    }
}

/// What an evaluation may know of the world beyond its variables, given by the caller so that
/// evaluation stays deterministic: the same expression, variables and context give the same value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The current time (`now()`, `today()`), in milliseconds since the Unix epoch.
    pub now_millis: i64,
    /// The UTC offset the current time is read at, in seconds east of UTC.
    pub offset_seconds: i32,
    /// The seed of `uuid()` and `random number()`: each evaluation draws the same sequence from
    /// the same seed, so a caller derives it from what identifies the evaluation (an instance
    /// and a step, say) to get values that differ between evaluations and repeat on replay.
    pub seed: u64,
}

/// Whether a value counts as a true condition (only JSON `true` does).
pub fn is_true(value: &Value) -> bool {
    matches!(value, Value::Bool(true))
}
