//! herald's exit codes: 0 completed, 1 failed or incident, 2 invalid input.

use std::process::ExitCode;

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
                eprintln!("error: {}", shown(&format!("{err:#}")));
                ExitCode::from(EXIT_INVALID)
            }
            Exit::Failed(err) => {
                if let Some(err) = err {
                    eprintln!("error: {}", shown(&format!("{err:#}")));
                }
                ExitCode::from(EXIT_FAILED)
            }
        }
    }
}
