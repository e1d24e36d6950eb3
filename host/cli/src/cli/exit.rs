//! herald's exit codes: 0 completed, 1 failed or incident, 2 invalid input.

use std::process::ExitCode;

use herald_store::StateError;

use super::report::shown;

/// The instance failed or raised an incident, or a check failed.
pub const EXIT_FAILED: u8 = 1;
/// The input was invalid: an unreadable flow, bad variables, a file that is not a component.
pub const EXIT_INVALID: u8 = 2;

/// Why a command did not succeed.
#[derive(Debug)]
pub enum Exit {
    /// Bad input; the message says what and where.
    Invalid(anyhow::Error),
    /// The run failed; the message (possibly empty when already printed) says why.
    Failed(Option<anyhow::Error>),
}

impl Exit {
    /// Prints the error, if any, and returns the exit code.
    pub fn report(self) -> ExitCode {
        match self {
            Exit::Invalid(err) => {
                eprintln!("error: {}", shown(&chain(&err)));
                ExitCode::from(EXIT_INVALID)
            }
            Exit::Failed(err) => {
                if let Some(err) = err {
                    eprintln!("error: {}", shown(&chain(&err)));
                }
                ExitCode::from(EXIT_FAILED)
            }
        }
    }
}

impl From<StateError> for Exit {
    /// What the user named wrong (the directory, an instance) is invalid input; a database
    /// or file that fails is a failure, whatever the command.
    fn from(err: StateError) -> Self {
        match err {
            StateError::NoDefault
            | StateError::NoState { .. }
            | StateError::UnknownInstance { .. }
            | StateError::NewerSchema { .. } => Exit::Invalid(err.into()),
            _ => Exit::Failed(Some(err.into())),
        }
    }
}

/// The error and its causes, `: `-separated, up to the first cause the text already says:
/// many errors (the state's, SQLite's) repeat their source's message in their own, and so
/// have said what lies beneath it too.
fn chain(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            break;
        }
        if !text.is_empty() {
            text += ": ";
        }
        text += &cause;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_the_message_already_says_is_not_repeated() {
        let locked = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        let err = anyhow::Error::from(StateError::Database { path: "/s/herald.db".into(), source: locked });
        assert_eq!(chain(&err), "state database /s/herald.db: database is locked");
        let io = std::io::Error::other("disk full");
        assert_eq!(chain(&anyhow::Error::from(io).context("cannot save")), "cannot save: disk full");
    }

    #[test]
    fn a_failing_database_is_a_failure_and_a_wrong_directory_invalid_input() {
        let locked = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY), None);
        let database = StateError::Database { path: "/s/herald.db".into(), source: locked };
        assert!(matches!(Exit::from(database), Exit::Failed(Some(_))));
        assert!(matches!(Exit::from(StateError::NoState { path: "/typo".into() }), Exit::Invalid(_)));
    }
}
