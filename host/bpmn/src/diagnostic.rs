//! A problem in a flow file, located by line and column.

use std::fmt;
use std::path::PathBuf;

/// A 1-based line and column in a flow file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

/// One problem found in a flow, with where it is and what to do.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The flow file.
    pub file: PathBuf,
    /// Where in the file.
    pub position: Position,
    /// The id of the BPMN element concerned, when there is one.
    pub element: Option<String>,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.position.line, self.position.column)?;
        if let Some(element) = &self.element {
            write!(f, "[{element}] ")?;
        }
        f.write_str(&self.message)
    }
}

/// Why a flow could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The flow file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file was read but has problems; all of them are listed.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
}
