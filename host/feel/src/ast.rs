//! The syntax tree the parser builds and the evaluator walks.

use serde_json::Value;

/// A FEEL expression node.
#[derive(Debug, Clone)]
pub(super) enum Expr {
    /// A number, string, boolean or null literal.
    Literal(Value),
    /// A variable (or, inside a filter or context literal, an entry in scope).
    Name(String),
    List(Vec<Expr>),
    /// `{key: value, …}`; later entries can refer to earlier ones.
    Context(Vec<(String, Expr)>),
    /// `target` followed by `.name` and `[selector]` steps, applied left to right.
    Access(Box<Expr>, Vec<Step>),
    /// A built-in function call; `column` locates the name for error messages.
    Call {
        name: String,
        column: usize,
        arguments: Vec<Expr>,
    },
    Negate(Box<Expr>),
    /// `first op e op e …` with operators of one precedence, applied left to right. Chains stay
    /// flat so that long ones (`a or b or …`) do not deepen the tree.
    Binary {
        first: Box<Expr>,
        rest: Vec<(BinaryOp, Expr)>,
    },
    If {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
}

/// One step of an [`Expr::Access`] chain.
#[derive(Debug, Clone)]
pub(super) enum Step {
    /// `.name`; on a list it projects every element.
    Field(String),
    /// `[selector]`: a number selects one element, anything else filters.
    Select(Expr),
}

/// An infix operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum BinaryOp {
    Or,
    And,
    Compare(Comparison),
    Arithmetic(Arithmetic),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Comparison {
    Equal,
    NotEqual,
    Less,
    LessEqual,
    Greater,
    GreaterEqual,
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Arithmetic {
    Add,
    Subtract,
    Multiply,
    Divide,
}
