//! Reporting of problems that have no caller to return an error to.

use std::io;

/// An error from the reactor's wait: it has no caller to go to, so it is
/// written to standard error rather than silently retried.
#[allow(
    clippy::print_stderr,
    reason = "a runtime fault with nobody to return it to"
)]
pub(crate) fn report_reactor_error(err: &io::Error) {
    eprintln!("corio: waiting for I/O events failed: {err}");
}

/// The end of a runtime ran past its `shutdown_timeout`: what was left is
/// dropped (tasks) or abandoned (blocking threads), and nobody is left to
/// tell but standard error.
#[allow(
    clippy::print_stderr,
    reason = "a shutdown fault with nobody to return it to"
)]
pub(crate) fn report_slow_shutdown(timeout: std::time::Duration, tasks: usize, threads: usize) {
    eprintln!(
        "corio: the runtime's shutdown_timeout ({timeout:?}) elapsed: {tasks} task(s) still \
         cleaning up were dropped, {threads} blocking call(s) still running were left to \
         finish on their own"
    );
}
