//! Waiting for children to exit, without a thread per child and without
//! reaping anyone else's.
//!
//! Each child gets a [`Watch`] at spawn. Where the kernel has
//! `pidfd_open` (Linux 5.3 and later), the watch is a pidfd registered with
//! the reactor: it becomes readable when the child exits, and only then is
//! the child reaped, with `waitpid(pid, WNOHANG)` through
//! [`std::process::Child::try_wait`]. Elsewhere, the watch listens for
//! `SIGCHLD` through the signal module's single handler, and every waiting
//! child re-checks itself with `try_wait` when one arrives.
//!
//! Only our own pids are ever waited for (never `waitpid(-1)`), so children
//! that other code spawned with `std::process` are left alone. A child
//! dropped before it was reaped is handed, with its pidfd, to the
//! process-wide reaper of [`orphans`](crate::orphans), which needs no
//! runtime.

use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::process::ExitStatus;
use std::sync::atomic::{AtomicBool, Ordering};

use corio_reactor::Async;

use crate::pidfd;
use crate::signal::Signals;

/// Set once `pidfd_open` turned out to be unavailable.
static NO_PIDFD: AtomicBool = AtomicBool::new(false);

/// How the exit of one child is noticed.
pub(crate) enum Watch {
    Pidfd(Async<OwnedFd>),
    Sigchld,
}

impl fmt::Debug for Watch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Watch::Pidfd(_) => "Pidfd",
            Watch::Sigchld => "Sigchld",
        })
    }
}

impl Watch {
    /// Starts watching the child `pid`, which must not be reaped yet.
    pub(crate) fn new(pid: u32) -> Watch {
        if NO_PIDFD.load(Ordering::Relaxed) {
            return Watch::Sigchld;
        }
        match pidfd::open(pid).and_then(Async::new) {
            Ok(fd) => Watch::Pidfd(fd),
            Err(e) => {
                if matches!(e.raw_os_error(), Some(libc::ENOSYS | libc::EPERM)) {
                    NO_PIDFD.store(true, Ordering::Relaxed);
                }
                Watch::Sigchld
            }
        }
    }
}

/// Waits until `child` exits and reaps it.
///
/// Cancel-safe: nothing is reaped unless the status is returned.
pub(crate) async fn wait(child: &mut std::process::Child, watch: &Watch) -> io::Result<ExitStatus> {
    match watch {
        Watch::Pidfd(fd) => {
            std::future::poll_fn(|cx| {
                fd.poll_read_with(cx, |_| match child.try_wait() {
                    Ok(Some(status)) => Ok(status),
                    Ok(None) => Err(io::ErrorKind::WouldBlock.into()),
                    Err(e) => Err(e),
                })
            })
            .await
        }
        Watch::Sigchld => {
            // Listen first, then check: an exit between the two is seen.
            let mut sigchld = Signals::new([libc::SIGCHLD])?;
            loop {
                if let Some(status) = child.try_wait()? {
                    return Ok(status);
                }
                sigchld.recv().await;
            }
        }
    }
}

/// Hands `child`, dropped before anyone reaped it, to the process-wide
/// reaper ([`orphans`](crate::orphans)), which reaps it once it exits.
pub(crate) fn adopt(mut child: std::process::Child, watch: Watch) {
    // Exited already (or not ours to reap any more): nothing to hand over.
    if !matches!(child.try_wait(), Ok(None)) {
        return;
    }
    let pid = child.id();
    let pidfd = match watch {
        // Taken out of the runtime's reactor, which may be gone by the time
        // the child exits. Should that fail (the descriptor is closed then),
        // a new pidfd is safe to open: the child is not reaped yet.
        Watch::Pidfd(fd) => fd.into_inner().ok().or_else(|| pidfd::open(pid).ok()),
        Watch::Sigchld => None,
    };
    crate::orphans::adopt(child, pidfd);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sigchld_fallback_reaps_the_child() {
        let status = corio_executor::run(async {
            let mut child = std::process::Command::new("sh")
                .args(["-c", "exit 5"])
                .spawn()
                .unwrap();
            wait(&mut child, &Watch::Sigchld).await.unwrap()
        });
        assert_eq!(status.code(), Some(5));
    }
}
