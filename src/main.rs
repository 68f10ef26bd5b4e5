//! The `rapport` program: parse the command line, run the command, print
//! any internal error with its chain of causes, and pick the exit status.

use std::process::ExitCode;

use clap::Parser;
use rapport::cli::Cli;
use rapport::commands::{self, EXIT_FAILURE};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
