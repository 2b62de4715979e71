//! The `nines` command: a thin layer over the library that maps errors to the contract's exit
//! codes (0 done, 2 bad scenario or arguments, 1 anything else).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    match cli::main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", err.message);
            ExitCode::from(err.exit_code)
        }
    }
}
