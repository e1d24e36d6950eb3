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
#[cfg(test)]
mod tests;

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
    pub fn evaluate(&self, variables: &Value) -> Result<Value, FeelError> {
        eval::evaluate(&self.root, variables)
    }
}

/// Whether a value counts as a true condition (only JSON `true` does).
pub fn is_true(value: &Value) -> bool {
    matches!(value, Value::Bool(true))
}
