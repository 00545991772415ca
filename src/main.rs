//! The `alphasweep` binary: parse, run, print the error chain, exit non-zero on failure.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = alphasweep::cli::Cli::parse();
    match alphasweep::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
