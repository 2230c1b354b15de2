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
//! dropped before it was reaped is handed to a detached task that waits
//! for it; outside a runtime, or when that task is dropped with its
//! runtime, it joins the orphan list, which every spawn sweeps.

use std::fmt;
use std::io;
use std::os::fd::OwnedFd;
use std::process::ExitStatus;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use corio_reactor::Async;

use crate::pidfd;
use crate::signal::Signals;

/// Set once `pidfd_open` turned out to be unavailable.
static NO_PIDFD: AtomicBool = AtomicBool::new(false);

/// Children dropped before they were reaped, and not watched by any task.
static ORPHANS: Mutex<Vec<std::process::Child>> = Mutex::new(Vec::new());

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

/// Reaps `child` in the background once it exits (it was dropped before
/// anyone waited for it).
pub(crate) fn adopt(mut child: std::process::Child, watch: Watch) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let mut guard = Orphan(Some(child));
    match corio_executor::Handle::try_current() {
        Some(handle) => {
            drop(handle.spawn(async move {
                if let Some(child) = guard.0.as_mut() {
                    if wait(child, &watch).await.is_ok() {
                        drop(guard.0.take());
                    }
                }
            }));
        }
        None => drop(guard),
    }
}

/// Retries every orphan, keeping those still running.
pub(crate) fn sweep() {
    let mut orphans = ORPHANS.lock().unwrap_or_else(|e| e.into_inner());
    orphans.retain_mut(|c| matches!(c.try_wait(), Ok(None)));
}

/// Owns a child until it is reaped; if dropped first (its task was dropped
/// with the runtime), the child goes to the orphan list.
struct Orphan(Option<std::process::Child>);

impl Drop for Orphan {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            if matches!(child.try_wait(), Ok(None)) {
                ORPHANS
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push(child);
            }
        }
    }
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

    #[test]
    fn orphans_are_reaped_by_a_sweep() {
        let child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        drop(Orphan(Some(child)));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            sweep();
            let left = ORPHANS.lock().unwrap().iter().any(|c| c.id() == pid);
            if !left || std::time::Instant::now() > deadline {
                assert!(!left, "orphan {pid} was never reaped");
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}
