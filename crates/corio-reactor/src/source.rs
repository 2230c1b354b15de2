//! One file descriptor registered with the reactor, and its readiness.
//!
//! Sources are registered edge-triggered: the kernel reports each *change*
//! to readable or writable once, and never needs re-arming. The source keeps
//! what it was told in `state`: a readable bit, a writable bit, a sticky
//! read-closed bit (the peer shut its side down: every later read returns
//! at once), and a sequence number that every event bumps. An operation that hits
//! `WouldBlock` clears its bit only if no event arrived since it last looked
//! (same sequence), so an event racing with the failed attempt is never lost.
//! Wakers are stored per direction under a small mutex; the reactor sets the
//! bits *before* taking the wakers and a waiter re-checks the bits *after*
//! storing its waker, so one of the two always sees the other.

use std::os::fd::RawFd;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};

pub(crate) const READ: usize = 0;
pub(crate) const WRITE: usize = 1;

const READABLE: usize = 1;
const WRITABLE: usize = 2;
const READ_CLOSED: usize = 4;
const FLAGS: usize = 7;
const SEQ_ONE: usize = 8;

#[derive(Debug)]
pub(crate) struct Source {
    pub(crate) fd: RawFd,
    pub(crate) key: usize,
    state: AtomicUsize,
    wakers: Mutex<[Vec<Waker>; 2]>,
}

fn bit(dir: usize) -> usize {
    if dir == READ { READABLE } else { WRITABLE }
}

impl Source {
    pub(crate) fn new(fd: RawFd, key: usize) -> Source {
        Source {
            fd,
            key,
            // Optimistic start: the first operation is simply attempted.
            state: AtomicUsize::new(READABLE | WRITABLE),
            wakers: Mutex::new([Vec::new(), Vec::new()]),
        }
    }

    /// Called by the reactor for each event; collects the wakers to wake.
    pub(crate) fn set_ready(
        &self,
        readable: bool,
        writable: bool,
        read_closed: bool,
        out: &mut Vec<Waker>,
    ) {
        let mut bits = 0;
        if readable {
            bits |= READABLE;
        }
        if writable {
            bits |= WRITABLE;
        }
        if read_closed {
            bits |= READ_CLOSED | READABLE;
        }
        if bits == 0 {
            return;
        }
        let mut cur = self.state.load(Ordering::Acquire);
        loop {
            let next = ((cur & !FLAGS).wrapping_add(SEQ_ONE)) | (cur & FLAGS) | bits;
            match self
                .state
                .compare_exchange_weak(cur, next, Ordering::SeqCst, Ordering::Acquire)
            {
                Ok(_) => break,
                Err(actual) => cur = actual,
            }
        }
        let mut wakers = self.lock_wakers();
        if readable {
            out.append(&mut wakers[READ]);
        }
        if writable {
            out.append(&mut wakers[WRITE]);
        }
    }

    /// A snapshot of the state, to hand back to [`Source::clear`].
    pub(crate) fn snapshot(&self) -> usize {
        self.state.load(Ordering::Acquire)
    }

    pub(crate) fn is_ready(snapshot: usize, dir: usize) -> bool {
        snapshot & bit(dir) != 0
    }

    /// Whether the peer has shut down its sending side (seen in `snapshot`).
    pub(crate) fn is_read_closed(snapshot: usize) -> bool {
        snapshot & READ_CLOSED != 0
    }

    /// Forgets readiness in `dir`, unless an event arrived after `snapshot`.
    pub(crate) fn clear(&self, snapshot: usize, dir: usize) {
        let _ = self.state.compare_exchange(
            snapshot,
            snapshot & !bit(dir),
            Ordering::SeqCst,
            Ordering::Relaxed,
        );
    }

    /// Ready if `dir` is ready; otherwise registers the waker and re-checks.
    pub(crate) fn poll_ready(&self, dir: usize, cx: &mut Context<'_>) -> Poll<()> {
        if Source::is_ready(self.snapshot(), dir) {
            return Poll::Ready(());
        }
        {
            let mut wakers = self.lock_wakers();
            let list = &mut wakers[dir];
            if !list.iter().any(|w| w.will_wake(cx.waker())) {
                list.push(cx.waker().clone());
            }
        }
        if self.state.load(Ordering::SeqCst) & bit(dir) != 0 {
            return Poll::Ready(());
        }
        Poll::Pending
    }

    fn lock_wakers(&self) -> std::sync::MutexGuard<'_, [Vec<Waker>; 2]> {
        self.wakers.lock().unwrap_or_else(|e| e.into_inner())
    }
}
