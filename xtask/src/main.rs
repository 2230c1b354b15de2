//! Project chores for corio, run as `cargo xtask <task>`.
//!
//! Each task is a module: [`tidy`] checks the rules the compiler cannot,
//! [`mod@bench`] runs the bench suite and writes its report. Cargo is invoked
//! through `$CARGO`, and the repository root is found from this package's
//! manifest directory, so the tasks work from any directory.

#![forbid(unsafe_code)]
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on stdout and stderr"
)]

mod bench;
mod chart;
mod code;
mod estimates;
mod json;
mod metadata;
mod report;
mod tidy;

use std::error::Error;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <task> [args]

tasks:
  tidy    check the rules the compiler cannot: crate ranks, no todo!,
          unsafe only in listed modules, SAFETY comments, README commands
  bench   run the bench suite against tokio and smol and write the report
          (cargo xtask bench --help for its arguments)
  help    print this text";

fn main() -> ExitCode {
    match try_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn try_main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = project_root();
    match args.first().map(String::as_str) {
        Some("tidy") => tidy::run(&root),
        Some("bench") if args[1..].iter().any(|a| a == "--help" || a == "-h") => {
            println!("{}", bench::HELP);
            Ok(())
        }
        Some("bench") => bench::run(&root, &bench::Options::parse(&args[1..])?),
        None | Some("help" | "--help" | "-h") => {
            println!("{HELP}");
            Ok(())
        }
        Some(other) => Err(format!("unknown task `{other}`\n\n{HELP}").into()),
    }
}

/// The workspace root: the parent of this package's directory.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The cargo that runs xtask, so that toolchain overrides carry over.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}
