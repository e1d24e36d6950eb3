//! The syntax tree the parser builds and the evaluator walks.

use serde_json::Value;

use super::temporal::Temporal;
use super::value::Kind;

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
    /// `@"2020-04-06"`: a date, time, date-time or duration literal; `None` (null, as in Camunda)
    /// when the text is none, such as `@"2024-06-31"`.
    Temporal(Option<Temporal>),
    /// A call by name: a function defined in the expression when one of that name is in scope,
    /// else a built-in; `column` locates the name for error messages.
    Call {
        name: String,
        column: usize,
        arguments: Arguments,
    },
    /// A call of whatever `target` evaluates to (`ctx.f(1)`, `(function(x) x)(1)`).
    Apply {
        target: Box<Expr>,
        column: usize,
        arguments: Arguments,
    },
    /// `function(a, b) body`.
    Function {
        parameters: Vec<String>,
        body: Box<Expr>,
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
    /// `for a in A, b in B return body`: the body for every combination, in order.
    For {
        iterations: Vec<(String, Domain)>,
        body: Box<Expr>,
    },
    /// `some a in A satisfies c` (`every` when `every`).
    Quantified {
        every: bool,
        iterations: Vec<(String, Domain)>,
        condition: Box<Expr>,
    },
    /// `value between low and high`.
    Between {
        value: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `value in tests`: true when any of the tests passes.
    In {
        value: Box<Expr>,
        tests: Vec<Test>,
    },
    /// `value instance of type`.
    InstanceOf {
        value: Box<Expr>,
        type_name: TypeName,
    },
    /// `[a..b]`, `(a..b)`, `]a..b[` and mixes: an interval; `< b`, `>= a` and the like as
    /// expressions are intervals with no start or no end.
    Range {
        start: Option<Box<Expr>>,
        start_closed: bool,
        end: Option<Box<Expr>>,
        end_closed: bool,
    },
}

/// The arguments of a call.
#[derive(Debug, Clone)]
pub(super) enum Arguments {
    /// `f(1, 2)`.
    Positional(Vec<Expr>),
    /// `f(b: 2, a: 1)`: by parameter name, in the order written.
    Named(Vec<(String, Expr)>),
}

impl Arguments {
    /// The argument expressions, in the order written.
    pub(super) fn exprs(&self) -> Vec<&Expr> {
        match self {
            Arguments::Positional(arguments) => arguments.iter().collect(),
            Arguments::Named(arguments) => arguments.iter().map(|(_, argument)| argument).collect(),
        }
    }
}

/// What an iteration variable runs over: a list, or the whole numbers `from..to` (counting down
/// when `to` is less).
#[derive(Debug, Clone)]
pub(super) enum Domain {
    List(Expr),
    Numbers(Expr, Expr),
}

/// One unary test, with `?` standing for the value tested.
#[derive(Debug, Clone)]
pub(super) enum Test {
    /// `< 10`, `>= x`, `= 1`, `!= 2`.
    Compare(Comparison, Expr),
    /// An expression: a range or list the value must be in, a boolean when it mentions `?`,
    /// otherwise a value the value must equal.
    Matches { expr: Expr, mentions_question: bool },
    /// `not(t, …)`: none of the tests passes.
    Not(Vec<Test>),
}

/// A type `instance of` checks for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum TypeName {
    /// `Any`: every value but null.
    Any,
    /// One kind of value (`Null` for `null`).
    Kind(Kind),
    /// `list<T>`: a list whose elements are all of type T.
    List(Box<TypeName>),
    /// `context<a: T, …>`: a context with (at least) these entries, of these types.
    Context(Vec<(String, TypeName)>),
    /// `function<T, …> -> R`: a function of that many parameters (functions defined in FEEL
    /// declare no types, so only the count is checked).
    Function(Vec<TypeName>, Box<TypeName>),
    /// `range<T>`: a range whose bounds are of type T.
    Range(Box<TypeName>),
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
    /// `**`.
    Power,
}

impl Expr {
    /// The expressions directly inside this one.
    pub(super) fn children(&self) -> Vec<&Expr> {
        let mut children = Vec::new();
        match self {
            Expr::Literal(_) | Expr::Temporal(_) | Expr::Name(_) => {}
            Expr::List(items) => children.extend(items),
            Expr::Context(entries) => children.extend(entries.iter().map(|(_, value)| value)),
            Expr::Access(target, steps) => {
                children.push(&**target);
                children.extend(steps.iter().filter_map(|step| match step {
                    Step::Select(selector) => Some(selector),
                    Step::Field(_) => None,
                }));
            }
            Expr::Call { arguments, .. } => children.extend(arguments.exprs()),
            Expr::Apply { target, arguments, .. } => {
                children.push(&**target);
                children.extend(arguments.exprs());
            }
            Expr::Function { body, .. } => children.push(&**body),
            Expr::Negate(operand) => children.push(&**operand),
            Expr::Binary { first, rest } => {
                children.push(&**first);
                children.extend(rest.iter().map(|(_, operand)| operand));
            }
            Expr::If { condition, then, otherwise } => children.extend([&**condition, &**then, &**otherwise]),
            Expr::For { iterations, body: last } | Expr::Quantified { iterations, condition: last, .. } => {
                for (_, domain) in iterations {
                    match domain {
                        Domain::List(list) => children.push(list),
                        Domain::Numbers(from, to) => children.extend([from, to]),
                    }
                }
                children.push(&**last);
            }
            Expr::Between { value, low, high } => children.extend([&**value, &**low, &**high]),
            Expr::In { value, tests } => {
                children.push(&**value);
                let mut pending: Vec<&Test> = tests.iter().collect();
                while let Some(test) = pending.pop() {
                    match test {
                        Test::Compare(_, operand) | Test::Matches { expr: operand, .. } => children.push(operand),
                        Test::Not(inner) => pending.extend(inner),
                    }
                }
            }
            Expr::InstanceOf { value, .. } => children.push(&**value),
            Expr::Range { start, end, .. } => children.extend(start.iter().chain(end).map(|bound| &**bound)),
        }
        children
    }

    /// Every expression in this one, itself included, without recursion.
    pub(super) fn descendants(&self) -> Vec<&Expr> {
        let mut all = vec![self];
        let mut next = 0;
        while let Some(expr) = all.get(next) {
            let children = expr.children();
            all.extend(children);
            next += 1;
        }
        all
    }

    /// Whether `?` (the value a unary test tests) appears in this expression.
    pub(super) fn mentions_question(&self) -> bool {
        self.descendants().iter().any(|expr| matches!(expr, Expr::Name(name) if name == "?"))
    }

    /// The names this expression binds anywhere: context keys, function parameters and iteration
    /// variables.
    pub(super) fn bound_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        for expr in self.descendants() {
            match expr {
                Expr::Context(entries) => names.extend(entries.iter().map(|(key, _)| key.as_str())),
                Expr::Function { parameters, .. } => names.extend(parameters.iter().map(String::as_str)),
                Expr::For { iterations, .. } | Expr::Quantified { iterations, .. } => {
                    names.extend(iterations.iter().map(|(name, _)| name.as_str()));
                }
                _ => {}
            }
        }
        names
    }
}
