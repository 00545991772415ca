//! The `alphasweep` binary: parse, run, print the error chain, exit non-zero on failure.
//! The command line (`cli`) parses and prints; the work is the library's (`alphasweep::study`).

mod cli;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
