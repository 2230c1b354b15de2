//! Sending a signal to one process or to a process group.
//!
//! # Invariants
//!
//! - `process` is only called for a child that has not been reaped, so its
//!   pid still names that child (a zombie keeps its pid until reaped).

use std::io;

fn check(pid: libc::pid_t, sig: i32) -> io::Result<()> {
    // SAFETY: kill(2) takes two integers and touches no memory of ours.
    if unsafe { libc::kill(pid, sig) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn to_pid(pid: u32) -> io::Result<libc::pid_t> {
    libc::pid_t::try_from(pid)
        .ok()
        .filter(|&p| p > 0)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))
}

/// Sends `sig` to the process `pid`.
pub(crate) fn process(pid: u32, sig: i32) -> io::Result<()> {
    check(to_pid(pid)?, sig)
}

/// Sends `sig` to every process of the group `pgid`.
pub(crate) fn group(pgid: u32, sig: i32) -> io::Result<()> {
    check(-to_pid(pgid)?, sig)
}
