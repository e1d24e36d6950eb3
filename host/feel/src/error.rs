//! The error type shared by parsing and evaluation.

/// Why a FEEL expression could not be parsed or evaluated.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FeelError {
    /// The text is not a FEEL expression.
    #[error("FEEL syntax error at column {column}: {message}")]
    Syntax {
        /// The 1-based character column in the source where the problem starts.
        column: usize,
        /// What is wrong there.
        message: String,
    },
    /// The expression is well-formed but cannot be evaluated (unknown function, wrong arity,
    /// too many evaluation steps or bytes of values built).
    #[error("FEEL evaluation error: {message}")]
    Evaluation {
        /// What went wrong.
        message: String,
    },
    /// The expression calls `now()`, `today()`, `uuid()` or `random number()` but was evaluated
    /// without a [`Context`](crate::Context) to give it the time and a random source.
    #[error("FEEL evaluation error: `{function}()` needs the time and a random source: evaluate with a Context")]
    NeedsContext {
        /// The function called.
        function: String,
    },
}

impl FeelError {
    /// A syntax error at `column`.
    pub(super) fn syntax(column: usize, message: impl Into<String>) -> Self {
        Self::Syntax { column, message: message.into() }
    }

    /// An evaluation error.
    pub(super) fn evaluation(message: impl Into<String>) -> Self {
        Self::Evaluation { message: message.into() }
    }
}
