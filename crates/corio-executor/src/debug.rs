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
