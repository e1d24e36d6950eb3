//! FEEL (Friendly Enough Expression Language) with Camunda's semantics, for BPMN inputs written
//! `=…` and sequence-flow conditions, evaluated against JSON process variables.
//!
//! Hand-written, over values of its own that become JSON only at the edge (dates, times and
//! durations as ISO-8601 text, functions as null, a range as a context of its bounds).
//!
//! The grammar is DMN 1.5's FEEL, read as Camunda 8 reads it where they differ: number literals
//! (`1`, `2.5`, `.5`, `1.2e3`), strings with `\"`, `\n`, `\t`, `\u00e9`, `\U01F40E` and UTF-16
//! pairs, booleans and null; `@"…"` date, time, date-time and duration literals (zones as `Z`,
//! `+01:00`, `@Europe/Paris` or `+01:00[Europe/Paris]`); names of one or several words (`first
//! name`, `decision A 2.1`) and backtick names; `a.b.c` paths (a path on a list projects every
//! element; dates, times and durations have properties such as `.year` and `.time offset`, ranges
//! `.start` and `.end included`); list and context literals (a key is a name, a string, or as in
//! Camunda any text before its `:`); `list[i]` (1-based, negative from the end) and filters
//! `list[amount > 10]` (with `item`, hidden by an element's own `item` entry); `=` `!=` `<` `<=`
//! `>` `>=`; `and` / `or` with three-valued logic; `+ - * / **` and unary minus on numbers, strings
//! (`+`), dates, times and durations; `if … then … else …`; `for a in A, b in 1..3 return …` with
//! `partial`; `some`/`every … in … satisfies …`; `x between a and b`; `x in` unary tests (`< 5`,
//! `[1..10)`, `(1, 2, 3)`, a list, `not(…)`, expressions with `?`); ranges `[a..b]`, `(a..b]`,
//! `]a..b[`, `[a..b[`, and `< b`, `>= a` as values; `x instance of` a type, including `list<T>`,
//! `context<k: T>`, `range<T>` and `function<T> -> R`; function definitions `function(a, b: number)
//! a + b` (closures, callable from context entries, recursive within bounds, types read but not
//! checked); calls with positional or named arguments (`f(b: 2, a: 1)`), of built-ins, of functions
//! by path (`ctx.f(1)`) and of what a call returns (`f()(1)`); `//` and `/* */` comments.
//!
//! The built-ins are every function of Camunda 8's FEEL reference, each with the parameter names
//! the reference gives them (for named arguments): boolean (`not`, `is defined`, `get or else`,
//! `assert`), string (`substring`, `string length`, `upper case`, `lower case`, `substring
//! before`/`after`, `contains`, `starts with`, `ends with`, `matches`, `replace`, `split`,
//! `extract`, `trim`, `uuid`, `to base64`, `from base64`, `is blank`), list (`list contains`,
//! `count`, `min`, `max`, `sum`, `product`, `mean`, `median`, `stddev`, `mode`, `all`/`and`,
//! `any`/`or`, `sublist`, `append`, `concatenate`, `insert before`, `remove`, `reverse`, `index
//! of`, `union`, `distinct values`, `duplicate values`, `flatten`, `sort`, `string join`, `is
//! empty`, `partition`), numeric (`decimal` with an optional rounding mode, `floor`, `ceiling`,
//! `abs`, `modulo`, `sqrt`, `log`, `exp`, `odd`, `even`, `round up`/`down`/`half up`/`half
//! down`, `random number`), context (`get value`, `get entries`, `context put`/`put`, `context
//! merge`/`put all`), conversion (`string`, `number`, `context`, `date`, `time`, `date and time`,
//! `duration`, `years and months duration`, `from json`, `to json`), temporal (`now`, `today`,
//! `day of week`, `day of year`, `week of year`, `month of year`, `last day of month`), range
//! (`before` … `coincides`), and `fromAi`; DMN 1.5's `is`, `list replace` and `range`; and
//! Camunda's connector error helpers `bpmnError` and `jobError`. `builtins/` holds them by kind;
//! `tests/builtins/` has each one's examples from the reference, and a test that every built-in
//! has a case.
//!
//! Where DMN and Camunda differ, this follows Camunda: a value that is not a list is no
//! singleton list (`5[1]` is null), a non-boolean `if` condition takes the `else` branch, a
//! filter keeps the elements whose condition is true, `abs(number: -1)` is 1. Not covered:
//! decimal numbers beyond `f64` (integers are exact `i64`; other results are rounded to 15
//! significant digits), external (Java) functions, regular-expression back-references and XPath
//! character-class subtraction, years beyond ±9999, `24:00:00`, and DMN names holding `-`, `+`,
//! `/` or keywords, which need backticks (`` `a-b` ``).
//!
//! The DMN TCK's FEEL test cases run with `cargo run -p herald-feel --example tck -- PATH`, PATH a
//! checkout of <https://github.com/dmn-tck/tck> or a folder in it; see `examples/tck.rs`.
//!
//! Anything that cannot be computed is null, as in FEEL. Only these fail: an unknown function, a
//! wrong argument count or a named argument no parameter has, calling a non-function, a failed
//! `assert`, `now()`/`today()`/`uuid()`/`random number()` without a [`Context`]
//! ([`FeelError::NeedsContext`]), and an evaluation past its budget: of steps (a million), of
//! bytes of values it builds (32 MiB), of recursion depth (256 levels: about a hundred calls of a
//! function that calls itself), or of the depth of the values it builds (256 levels, which only
//! `partial` and `context put` could pass). Evaluation reads no clock and no randomness of its
//! own: the caller passes them in a [`Context`], so an evaluation can be replayed.

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
    /// Shared, so that a flow's expressions are cheap to clone and small to hold.
    parsed: std::sync::Arc<Parsed>,
}

#[derive(Debug)]
struct Parsed {
    root: ast::Expr,
    /// The text it was parsed from, for [`Expression::with_literals`].
    source: Box<str>,
}

impl Expression {
    /// Parses FEEL source text (without the leading `=`).
    pub fn parse(source: &str) -> Result<Expression, FeelError> {
        parser::parse(source, None).map(|root| Expression::of(root, source))
    }

    /// The string literals the expression writes (not the text of temporal literals).
    pub fn string_literals(&self) -> impl Iterator<Item = &str> {
        self.parsed.root.descendants().into_iter().filter_map(|expr| match expr {
            ast::Expr::Literal(Value::String(text)) => Some(text.as_str()),
            _ => None,
        })
    }

    /// The same expression with each string literal replaced by what `rewrite` returns for
    /// it (`None` keeps it): how a host resolves references the designer wrote in literals
    /// without ever searching the data an evaluation reads.
    pub fn with_literals(&self, mut rewrite: impl FnMut(&str) -> Option<String>) -> Expression {
        let source = &self.parsed.source;
        Expression::of(parser::parse(source, Some(&mut rewrite)).expect("the source parsed before"), source)
    }

    fn of(root: ast::Expr, source: &str) -> Expression {
        Expression { parsed: std::sync::Arc::new(Parsed { root, source: source.into() }) }
    }

    /// Evaluates against the process variables (a JSON object; anything else means no variables).
    /// Without a [`Context`], `now()`, `today()`, `uuid()` and `random number()` fail with
    /// [`FeelError::NeedsContext`].
    pub fn evaluate(&self, variables: &Value) -> Result<Value, FeelError> {
        eval::evaluate(&self.parsed.root, variables, None)
    }

    /// Evaluates against the process variables with `context` as the current time and the
    /// source of `uuid()` and `random number()`.
    pub fn evaluate_in(&self, variables: &Value, context: &Context) -> Result<Value, FeelError> {
        eval::evaluate(&self.parsed.root, variables, Some(context))
    }

    /// The names of the functions this expression calls that are neither built in nor defined in
    /// the expression itself, in order of first call, each once; evaluating such a call fails.
    pub fn unknown_functions(&self) -> Vec<String> {
        let bound = self.parsed.root.bound_names();
        let mut unknown: Vec<String> = Vec::new();
        for expr in self.parsed.root.descendants() {
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

/// The names of FEEL's built-in functions, as a call writes them.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    builtins::names()
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
