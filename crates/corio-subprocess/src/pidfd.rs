//! `pidfd_open(2)`: a file descriptor that becomes readable when a process
//! exits, so the reactor can watch children without a thread or SIGCHLD.
//!
//! # Invariants
//!
//! - `open` is called only with the pid of a child that has not been reaped
//!   yet, so the pid cannot have been reused by another process.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};

/// Opens a pidfd for `pid` (close-on-exec, as the kernel always makes it).
///
/// Fails with `ENOSYS` on kernels older than 5.3, or `EPERM` where a
/// seccomp filter forbids the call; callers then fall back to SIGCHLD.
pub(crate) fn open(pid: u32) -> io::Result<OwnedFd> {
    let pid = libc::pid_t::try_from(pid)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "pid out of range"))?;
    // Non-blocking from the start (`PIDFD_NONBLOCK`, which is `O_NONBLOCK`;
    // Linux 5.10+) saves the reactor two `fcntl` calls; older kernels
    // refuse the flag with EINVAL and get the plain call.
    let mut fd = -1;
    for flags in [libc::O_NONBLOCK, 0] {
        // SAFETY: pidfd_open takes a pid and a flags word and returns a new
        // descriptor or -1; it touches no memory of ours.
        fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, flags) };
        if fd >= 0 {
            break;
        }
        let err = io::Error::last_os_error();
        if flags == 0 || err.raw_os_error() != Some(libc::EINVAL) {
            return Err(err);
        }
    }
    let fd = libc::c_int::try_from(fd)
        .map_err(|_| io::Error::other("pidfd_open returned an invalid descriptor"))?;
    // SAFETY: the call succeeded, so `fd` is a new descriptor that nothing
    // else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}
