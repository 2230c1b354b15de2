//! One file descriptor registered with the reactor, and its readiness.
//!
//! Sources are registered edge-triggered: the kernel reports each *change*
//! to readable or writable once, and never needs re-arming. The source keeps
//! what it was told in `state`: a readable bit, a writable bit, a sticky
//! read-closed bit (the peer shut its side down: every later read returns
//! at once), and a sequence number that every event bumps. An operation that hits
//! `WouldBlock` clears its bit only if no event arrived since it last looked
//! (same sequence), so an event racing with the failed attempt is never lost.
//! Wakers are stored per direction under a small mutex (the first one
//! inline, as one task per direction is the rule); the reactor sets the
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
    state: AtomicUsize,
    wakers: Mutex<[Waiters; 2]>,
}

/// The tasks waiting for one direction: the first inline, any others in a
/// vector that stays unallocated while there are none.
#[derive(Debug, Default)]
struct Waiters {
    first: Option<Waker>,
    rest: Vec<Waker>,
}

impl Waiters {
    fn add(&mut self, waker: &Waker) {
        match &self.first {
            None => self.first = Some(waker.clone()),
            Some(first) if first.will_wake(waker) => {}
            Some(_) => {
                if !self.rest.iter().any(|w| w.will_wake(waker)) {
                    self.rest.push(waker.clone());
                }
            }
        }
    }

    #[inline]
    fn take_into(&mut self, out: &mut Vec<Waker>) {
        if let Some(first) = self.first.take() {
            out.push(first);
            if !self.rest.is_empty() {
                out.append(&mut self.rest);
            }
        }
    }
}

fn bit(dir: usize) -> usize {
    if dir == READ { READABLE } else { WRITABLE }
}

impl Source {
    pub(crate) fn new(fd: RawFd) -> Source {
        Source {
            fd,
            // Optimistic start: the first operation is simply attempted.
            state: AtomicUsize::new(READABLE | WRITABLE),
            wakers: Mutex::new([Waiters::default(), Waiters::default()]),
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
            wakers[READ].take_into(out);
        }
        if writable {
            wakers[WRITE].take_into(out);
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

    /// Drops every stored waker: the source is being deregistered, so no
    /// one waits on it any more. Its memory outlives the deregistration
    /// (until the reactor's next poll), but the wakers must not: each holds
    /// a task, the task its runtime, and the runtime this reactor, a cycle
    /// that would keep all of them alive once no poll comes any more.
    pub(crate) fn forget_wakers(&self) {
        let mut stale = Vec::new();
        {
            let mut wakers = self.lock_wakers();
            wakers[READ].take_into(&mut stale);
            wakers[WRITE].take_into(&mut stale);
        }
        // Dropped outside the lock: a waker's drop may free a task.
        drop(stale);
    }

    /// Ready if `dir` is ready; otherwise registers the waker and re-checks.
    pub(crate) fn poll_ready(&self, dir: usize, cx: &mut Context<'_>) -> Poll<()> {
        if Source::is_ready(self.snapshot(), dir) {
            return Poll::Ready(());
        }
        {
            self.lock_wakers()[dir].add(cx.waker());
        }
        if self.state.load(Ordering::SeqCst) & bit(dir) != 0 {
            return Poll::Ready(());
        }
        Poll::Pending
    }

    fn lock_wakers(&self) -> std::sync::MutexGuard<'_, [Waiters; 2]> {
        self.wakers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize;
    use std::task::Wake;

    struct Count(AtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(AtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    #[test]
    fn every_distinct_waiter_is_woken_once_per_event() {
        let source = Source::new(-1);
        // A fresh source starts ready; a `WouldBlock` clears the bit.
        source.clear(source.snapshot(), READ);
        source.clear(source.snapshot(), WRITE);
        let (a, wa) = waker();
        let (b, wb) = waker();
        let (c, wc) = waker();
        for w in [&wa, &wb, &wa, &wc, &wb] {
            assert!(
                source
                    .poll_ready(READ, &mut Context::from_waker(w))
                    .is_pending()
            );
        }
        let (w, ww) = waker();
        assert!(
            source
                .poll_ready(WRITE, &mut Context::from_waker(&ww))
                .is_pending()
        );

        let mut out = Vec::new();
        source.set_ready(true, false, false, &mut out);
        assert_eq!(
            out.len(),
            3,
            "the inline waiter and the two others, once each"
        );
        out.drain(..).for_each(Waker::wake);
        assert_eq!([&a, &b, &c].map(|c| c.0.load(Ordering::SeqCst)), [1, 1, 1]);
        assert!(
            source
                .poll_ready(READ, &mut Context::from_waker(&wa))
                .is_ready()
        );

        // The writer was left alone, and a later writable event finds it.
        assert_eq!(w.0.load(Ordering::SeqCst), 0);
        source.set_ready(false, true, false, &mut out);
        assert_eq!(out.len(), 1);
        out.drain(..).for_each(Waker::wake);
        assert_eq!(w.0.load(Ordering::SeqCst), 1);

        // Emptied lists take new waiters inline again.
        source.clear(source.snapshot(), READ);
        assert!(
            source
                .poll_ready(READ, &mut Context::from_waker(&wc))
                .is_pending()
        );
        source.set_ready(true, false, false, &mut out);
        assert_eq!(out.len(), 1);
    }
}
