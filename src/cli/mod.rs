//! Command-line arguments and the commands they run.

mod args;
mod commands;
mod compare;
mod progress;
mod rare;
mod review;
mod sweep;

use clap::Parser;

pub use args::Cli;

/// An error for the user: printed once, mapped to an exit code.
pub struct CliError {
    pub message: String,
    pub exit_code: u8,
}

impl CliError {
    /// The scenario or the arguments are wrong: exit 2, nothing written.
    pub fn usage(message: impl std::fmt::Display) -> Self {
        CliError {
            message: message.to_string(),
            exit_code: 2,
        }
    }

    /// Anything else went wrong: exit 1.
    pub fn failed(message: impl std::fmt::Display) -> Self {
        CliError {
            message: message.to_string(),
            exit_code: 1,
        }
    }
}

/// Worker threads that cannot start are a failure of the machine, not of the arguments.
impl From<rayon::ThreadPoolBuildError> for CliError {
    fn from(e: rayon::ThreadPoolBuildError) -> Self {
        CliError::failed(format!("cannot start worker threads: {e}"))
    }
}

impl From<nines::montecarlo::PairingError> for CliError {
    fn from(e: nines::montecarlo::PairingError) -> Self {
        CliError::failed(e)
    }
}

impl From<nines::report::OutputError> for CliError {
    fn from(e: nines::report::OutputError) -> Self {
        CliError::failed(e)
    }
}

impl From<nines::scenario::ScenarioError> for CliError {
    fn from(e: nines::scenario::ScenarioError) -> Self {
        CliError::usage(e)
    }
}

/// Parses the arguments and runs the command.
pub fn main() -> Result<(), CliError> {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; clap prints and chooses the code (2 for usage).
            let _ = e.print();
            if e.use_stderr() {
                return Err(CliError {
                    message: "see `nines --help`".into(),
                    exit_code: 2,
                });
            }
            return Ok(());
        }
    };
    commands::dispatch(cli)
}
