//! The process-wide reaper of dropped children.
//!
//! A [`Child`](crate::Child) dropped before it was reaped is handed over
//! here with its pidfd, and a thread of the reaper's own reaps it when it
//! exits. The thread belongs to no runtime, so a child is reaped within
//! moments of its exit whether or not the runtime that spawned it is still
//! running (a task in that runtime would be dropped with it, and the
//! zombie would stay).
//!
//! The reaper exists only while it has orphans: the first orphan starts
//! the thread and the exit of the last one ends it, closing its poller, so
//! a program that drops no children never sees it, and one whose orphans
//! are all gone keeps nothing of it. While it runs, the thread sleeps in one
//! blocking wait of a `polling` poller on the orphans' pidfds, which
//! become readable when their process exits: each exit costs one wake-up
//! and one `waitpid(pid, WNOHANG)`, and nothing runs in between. Where
//! pidfds are missing (kernels before 5.3, some seccomp filters), the
//! thread waits on the signal handler's `SIGCHLD` pipe instead and
//! re-checks those orphans on each `SIGCHLD`; it keeps corio's `SIGCHLD`
//! handler installed only while it has such orphans.
//!
//! Only the pids handed over are waited for, each by its own pid (never
//! `waitpid(-1)`), so a child that `std::process` or any other code is
//! still waiting for is never taken from it.
//!
//! # Invariants
//!
//! - All of the reaper's state is behind `REAPER`'s lock; the thread waits
//!   without it and handles what it was woken for under it.
//! - While the state has a poller, every orphan's pidfd is registered with
//!   it, and the `SIGCHLD` pipe is registered exactly while `sigchld` holds
//!   a claim. A pidfd is deleted from the poller before it is closed
//!   ([`State::forget`]); the `SIGCHLD` pipe is never closed.
//! - A state with a poller has a thread waiting on that poller. Whoever
//!   leaves the state without orphans drops it (under the lock) and wakes
//!   the thread, which ends once it finds that its poller is no longer the
//!   state's. So an orphan added under the lock is always seen by a live
//!   thread, or starts a new one.
//! - A state without a poller (the poller or the thread could not be
//!   created) is retried by the next orphan and by every `Command::spawn`.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use polling::{Event, Events, Poller};

use crate::handler;
use crate::signal::HandlerClaim;

/// The poller key of the `SIGCHLD` pipe; pids (at most 2^22) never reach
/// it. (`usize::MAX` is `polling`'s own.)
const SIGCHLD_KEY: usize = usize::MAX - 1;

/// What the thread needs: a few frames of `polling` and `waitpid`.
const STACK_SIZE: usize = 256 * 1024;

/// How long the thread pauses after a failed wait, so that an error that
/// keeps coming back (none is known) costs no CPU.
const RETRY_AFTER: Duration = Duration::from_millis(100);

static REAPER: Mutex<Option<State>> = Mutex::new(None);

/// A child that nobody holds any more, waiting to be reaped.
struct Orphan {
    child: std::process::Child,
    pidfd: Option<OwnedFd>,
}

struct State {
    /// The process this state belongs to (see [`lock`]).
    owner: u32,
    orphans: HashMap<u32, Orphan>,
    /// The poller the thread waits on; `None` while no thread could start.
    poller: Option<Arc<Poller>>,
    /// Held while the thread listens for `SIGCHLD`.
    sigchld: Option<HandlerClaim>,
}

/// Locks the reaper's state.
fn lock() -> MutexGuard<'static, Option<State>> {
    let mut guard = REAPER.lock().unwrap_or_else(PoisonError::into_inner);
    if guard
        .as_ref()
        .is_some_and(|s| s.owner != std::process::id())
    {
        // A process forked from one with orphans inherited them, but they
        // are its siblings, not its children, and the thread did not
        // survive the fork. The poller's registrations are shared with the
        // parent's poller: dropping it here would delete them there, so the
        // inherited state is forgotten instead.
        std::mem::forget(guard.take());
    }
    guard
}

/// Hands `child`, which nobody holds any more and which has not been
/// reaped, to the reaper; `pidfd` is its pidfd where there is one.
pub(crate) fn adopt(child: std::process::Child, pidfd: Option<OwnedFd>) {
    let pid = child.id();
    let mut guard = lock();
    let state = guard.get_or_insert_with(|| State {
        owner: std::process::id(),
        orphans: HashMap::new(),
        poller: None,
        sigchld: None,
    });
    state.orphans.insert(pid, Orphan { child, pidfd });
    if state.poller.is_some() {
        state.watch(pid);
    } else {
        state.start();
    }
    // Checked after the watch is set up, so an exit just before it is seen.
    state.check(pid, false);
    settle(&mut guard);
}

/// Retries orphans that no thread waits for, and starts one for them.
///
/// Does nothing (one uncontended lock) unless starting a thread failed
/// before.
pub(crate) fn sweep() {
    let mut guard = lock();
    let Some(state) = guard.as_mut() else {
        return;
    };
    if state.poller.is_some() {
        return;
    }
    state.start();
    let pids: Vec<u32> = state.orphans.keys().copied().collect();
    for pid in pids {
        state.check(pid, false);
    }
    settle(&mut guard);
}

/// Ends what is no longer needed: the `SIGCHLD` claim once no orphan
/// lacks a pidfd, and the whole state, thread included, once no orphan
/// is left.
fn settle(guard: &mut Option<State>) {
    let Some(state) = guard.as_mut() else {
        return;
    };
    if state.orphans.is_empty() {
        if let Some(poller) = state.poller.as_ref() {
            // The thread wakes, finds its poller gone, and ends.
            let _ = poller.notify();
        }
        *guard = None;
    } else if state.sigchld.is_some() && state.orphans.values().all(|o| o.pidfd.is_some()) {
        if let (Some(poller), Ok(pipe)) = (state.poller.as_ref(), handler::sigchld_read_end()) {
            let _ = poller.delete(pipe);
        }
        state.sigchld = None;
    }
}

impl State {
    /// Starts the thread and watches every orphan with its poller. On
    /// failure the state stays without a poller, to be retried.
    fn start(&mut self) {
        let Ok(poller) = Poller::new().map(Arc::new) else {
            return;
        };
        let theirs = Arc::clone(&poller);
        let started = std::thread::Builder::new()
            .name("corio-reaper".into())
            .stack_size(STACK_SIZE)
            .spawn(move || run(theirs));
        if started.is_err() {
            return;
        }
        self.poller = Some(poller);
        let pids: Vec<u32> = self.orphans.keys().copied().collect();
        for pid in pids {
            self.watch(pid);
        }
    }

    /// Registers the orphan `pid` with the poller: its pidfd, or else the
    /// `SIGCHLD` pipe.
    fn watch(&mut self, pid: u32) {
        let (Some(poller), Some(orphan)) = (self.poller.as_ref(), self.orphans.get_mut(&pid))
        else {
            return;
        };
        if let Some(fd) = orphan.pidfd.as_ref() {
            // SAFETY: the pidfd is deleted from the poller before it is
            // closed (see the invariants).
            if unsafe { poller.add(fd, Event::readable(key(pid))) }.is_ok() {
                return;
            }
            // Never registered, so it may simply close.
            orphan.pidfd = None;
        }
        self.listen_sigchld();
    }

    /// Registers the `SIGCHLD` pipe with the poller and claims corio's
    /// handler, unless that is done already.
    fn listen_sigchld(&mut self) {
        let Some(poller) = self.poller.as_ref() else {
            return;
        };
        if self.sigchld.is_some() {
            return;
        }
        // The pipe first: the handler writes to it once the claim holds.
        let Ok(pipe) = handler::sigchld_read_end() else {
            return;
        };
        let Ok(claim) = HandlerClaim::new(libc::SIGCHLD) else {
            return;
        };
        // SAFETY: the `SIGCHLD` pipe is never closed (see the invariants).
        if unsafe { poller.add(&pipe, Event::readable(SIGCHLD_KEY)) }.is_ok() {
            self.sigchld = Some(claim);
        }
    }

    /// Reaps the orphan `pid` if it has exited; else, with `rearm`, watches
    /// its pidfd again (its event has been delivered).
    fn check(&mut self, pid: u32, rearm: bool) {
        let Some(orphan) = self.orphans.get_mut(&pid) else {
            return;
        };
        match orphan.child.try_wait() {
            Ok(None) => {
                if let (true, Some(poller), Some(fd)) =
                    (rearm, self.poller.as_ref(), orphan.pidfd.as_ref())
                {
                    let _ = poller.modify(fd, Event::readable(key(pid)));
                }
            }
            // Reaped now; or (an error: `ECHILD`) reaped by someone else
            // already, when `SIGCHLD` is ignored or a `waitpid(-1)` took it.
            Ok(Some(_)) | Err(_) => self.forget(pid),
        }
    }

    /// Removes the orphan `pid`, deleting its pidfd from the poller before
    /// closing it.
    fn forget(&mut self, pid: u32) {
        let Some(orphan) = self.orphans.remove(&pid) else {
            return;
        };
        if let (Some(poller), Some(fd)) = (self.poller.as_ref(), orphan.pidfd.as_ref()) {
            let _ = poller.delete(fd);
        }
    }
}

fn key(pid: u32) -> usize {
    pid as usize
}

/// The reaper thread: waits on `poller` and reaps what it reports, until
/// the state lets the poller go.
fn run(poller: Arc<Poller>) {
    let mut events = Events::new();
    loop {
        events.clear();
        let (failed, interrupted) = match poller.wait(&mut events, None) {
            Ok(_) => (false, false),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => (false, true),
            Err(_) => {
                std::thread::sleep(RETRY_AFTER);
                (true, false)
            }
        };
        let mut guard = lock();
        let Some(state) = guard.as_mut() else {
            return;
        };
        if !state
            .poller
            .as_ref()
            .is_some_and(|p| Arc::ptr_eq(p, &poller))
        {
            return;
        }
        // A signal may have interrupted the wait: it may be `SIGCHLD`.
        let mut sigchld = interrupted;
        for event in events.iter() {
            if event.key == SIGCHLD_KEY {
                sigchld = true;
            } else if let Ok(pid) = u32::try_from(event.key) {
                state.check(pid, true);
            }
        }
        if sigchld && state.sigchld.is_some() {
            // Drained before the checks: a `SIGCHLD` after them leaves a
            // new byte, and with it a new event.
            handler::drain_sigchld();
            if let Ok(pipe) = handler::sigchld_read_end() {
                let _ = poller.modify(pipe, Event::readable(SIGCHLD_KEY));
            }
        }
        let pids: Vec<u32> = state
            .orphans
            .iter()
            .filter(|(_, o)| failed || (sigchld && o.pidfd.is_none()))
            .map(|(&pid, _)| pid)
            .collect();
        for pid in pids {
            state.check(pid, true);
        }
        settle(&mut guard);
        if guard.is_none() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    /// Whether `pid` is still an orphan of the reaper.
    fn held(pid: u32) -> bool {
        lock()
            .as_ref()
            .is_some_and(|s| s.orphans.contains_key(&pid))
    }

    fn wait_released(pid: u32) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while held(pid) {
            assert!(Instant::now() < deadline, "orphan {pid} was never reaped");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn an_orphan_with_a_pidfd_is_reaped_without_a_runtime() {
        let child = std::process::Command::new("sleep")
            .arg("0.1")
            .spawn()
            .unwrap();
        let pid = child.id();
        let pidfd = crate::pidfd::open(pid).ok();
        adopt(child, pidfd);
        wait_released(pid);
    }

    #[test]
    fn an_orphan_without_a_pidfd_is_reaped_on_sigchld() {
        let child = std::process::Command::new("sleep")
            .arg("0.1")
            .spawn()
            .unwrap();
        let pid = child.id();
        adopt(child, None);
        wait_released(pid);
    }
}
