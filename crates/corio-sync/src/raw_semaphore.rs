//! The first come, first served permit counter behind [`Lock`], [`Semaphore`],
//! [`Condition`] and the queues.
//!
//! # Invariants
//!
//! `state` packs the number of free permits (`state >> SHIFT`) with two flags:
//! `WAITERS` (someone is queued) and `CLOSED` (every acquisition fails).
//!
//! * The fast paths (`try_acquire`, the fast half of `release`) change `state`
//!   only by a compare-and-swap that expects `WAITERS` to be clear. So while
//!   `WAITERS` is set, `state` changes only under the `queue` mutex.
//! * Under the `queue` mutex, `WAITERS` is set exactly when `queue.waiters` is
//!   not empty. Newcomers therefore never take permits ahead of a queued
//!   waiter: that is the FIFO promise, and it also keeps a large
//!   `acquire_many` from being starved by small ones.
//! * Listeners are created, granted (notified) and discarded only under the
//!   `queue` mutex, in the order of `queue.waiters`. The first listener that is
//!   not yet notified therefore always belongs to the front entry of
//!   `queue.waiters`, and one `notify_additional(k)` wakes exactly the `k`
//!   waiters that were just granted.
//! * Permits are handed over, not put back for anyone to grab: a granted
//!   waiter owns its permits from the moment it is notified. A waiter dropped
//!   after that gives them back through `grant`, which hands them to the next
//!   waiter, so a cancelled acquisition never leaks permits or a wake-up.
//!
//! [`Lock`]: crate::Lock
//! [`Semaphore`]: crate::Semaphore
//! [`Condition`]: crate::Condition

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use event_listener::{Event, EventListener, IntoNotification, Listener};

use crate::primitive::{AtomicUsize, Mutex, Ordering, lock};

const WAITERS: usize = 1;
const CLOSED: usize = 2;
const SHIFT: u32 = 2;
const ONE: usize = 1 << SHIFT;

/// The largest number of permits a semaphore can hold.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> SHIFT;

/// A FIFO semaphore whose acquisitions may be closed (used by the queues'
/// shutdown).
pub(crate) struct RawSemaphore {
    state: AtomicUsize,
    queue: Mutex<WaitQueue>,
    event: Event,
}

/// The queued acquisitions, oldest first: `(ticket, permits wanted)`.
struct WaitQueue {
    waiters: VecDeque<(u64, usize)>,
    next_ticket: u64,
}

/// The semaphore was closed before the permits could be acquired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// The state of one acquisition, kept inside a future. The future must call
/// [`RawSemaphore::cancel`] from its `Drop`.
pub(crate) struct Acquire {
    permits: usize,
    wait: Option<(EventListener, u64)>,
}

impl Acquire {
    /// An acquisition of `permits` permits that has not started yet.
    pub(crate) fn new(permits: usize) -> Self {
        Self {
            permits,
            wait: None,
        }
    }

    /// The number of permits this acquisition asks for.
    pub(crate) fn permits(&self) -> usize {
        self.permits
    }

    /// Whether this acquisition sits in the wait queue.
    pub(crate) fn is_queued(&self) -> bool {
        self.wait.is_some()
    }
}

impl fmt::Debug for Acquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.permits)
            .field("queued", &self.wait.is_some())
            .finish()
    }
}

impl RawSemaphore {
    /// A semaphore holding `permits` free permits.
    pub(crate) fn new(permits: usize) -> Self {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore holds at most {MAX_PERMITS} permits, got {permits}"
        );
        Self {
            state: AtomicUsize::new(permits << SHIFT),
            queue: Mutex::new(WaitQueue {
                waiters: VecDeque::new(),
                next_ticket: 0,
            }),
            event: Event::new(),
        }
    }

    /// The number of free permits.
    pub(crate) fn available(&self) -> usize {
        self.state.load(Ordering::Acquire) >> SHIFT
    }

    /// Whether an acquisition is queued.
    pub(crate) fn has_waiters(&self) -> bool {
        self.state.load(Ordering::Acquire) & WAITERS != 0
    }

    /// Whether [`close`](Self::close) was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.state.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Takes the single permit of a lock: one compare-and-swap.
    #[inline]
    pub(crate) fn try_lock(&self) -> bool {
        self.state
            .compare_exchange(ONE, 0, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Gives back the single permit of a lock: one compare-and-swap when
    /// nobody waits.
    #[inline]
    pub(crate) fn unlock(&self) {
        if self
            .state
            .compare_exchange(0, ONE, Ordering::Release, Ordering::Relaxed)
            .is_err()
        {
            self.release_slow(1);
        }
    }

    /// Takes `n` permits if they are free and nobody is queued.
    #[inline]
    pub(crate) fn try_acquire(&self, n: usize) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        loop {
            if s & (WAITERS | CLOSED) != 0 || (s >> SHIFT) < n {
                return false;
            }
            match self.state.compare_exchange_weak(
                s,
                s - (n << SHIFT),
                Ordering::Acquire,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => s = actual,
            }
        }
    }

    /// Adds `n` permits, handing them to queued waiters first.
    #[inline]
    pub(crate) fn release(&self, n: usize) {
        let mut s = self.state.load(Ordering::Relaxed);
        while s & WAITERS == 0 {
            let next = add_permits(s, n);
            match self
                .state
                .compare_exchange_weak(s, next, Ordering::Release, Ordering::Relaxed)
            {
                Ok(_) => return,
                Err(actual) => s = actual,
            }
        }
        self.release_slow(n);
    }

    /// Adds `n` permits unless that would make more than `bound` free.
    /// Returns whether the permits were added.
    pub(crate) fn release_bounded(&self, n: usize, bound: usize) -> bool {
        let mut s = self.state.load(Ordering::Relaxed);
        while s & WAITERS == 0 {
            if (s >> SHIFT).saturating_add(n) > bound {
                return false;
            }
            match self.state.compare_exchange_weak(
                s,
                add_permits(s, n),
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return true,
                Err(actual) => s = actual,
            }
        }
        let mut queue = lock(&self.queue);
        if self.available().saturating_add(n) > bound {
            return false;
        }
        self.grant(&mut queue, n);
        true
    }

    #[cold]
    fn release_slow(&self, n: usize) {
        let mut queue = lock(&self.queue);
        self.grant(&mut queue, n);
    }

    /// Adds `n` permits and hands out as many as the front waiters can take,
    /// in order. Runs under the queue mutex.
    fn grant(&self, queue: &mut WaitQueue, n: usize) {
        let mut s = self.state.load(Ordering::Acquire);
        loop {
            let mut free = add_permits(s, n) >> SHIFT;
            let mut granted = 0;
            if s & CLOSED == 0 {
                for &(_, wanted) in &queue.waiters {
                    if wanted > free {
                        break;
                    }
                    free -= wanted;
                    granted += 1;
                }
            }
            let waiters = if queue.waiters.len() > granted {
                WAITERS
            } else {
                0
            };
            let next = (free << SHIFT) | (s & CLOSED) | waiters;
            match self
                .state
                .compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => {
                    if granted > 0 {
                        queue.waiters.drain(..granted);
                        self.event.notify(granted.additional());
                    }
                    return;
                }
                Err(actual) => s = actual,
            }
        }
    }

    /// Polls an acquisition: takes the permits at once when it may, or joins
    /// the back of the queue and waits to be granted.
    pub(crate) fn poll_acquire(
        &self,
        acquire: &mut Acquire,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), Closed>> {
        if acquire.wait.is_none() {
            if self.try_acquire(acquire.permits) {
                return Poll::Ready(Ok(()));
            }
            match self.enqueue(acquire.permits) {
                Ok(None) => return Poll::Ready(Ok(())),
                Ok(Some(wait)) => acquire.wait = Some(wait),
                Err(closed) => return Poll::Ready(Err(closed)),
            }
        }
        let (listener, _) = acquire.wait.as_mut().expect("the acquisition is queued");
        match Pin::new(listener).poll(cx) {
            Poll::Ready(()) => {
                acquire.wait = None;
                // A grant and a close both notify; a waiter woken by either
                // after the close reports the close (its permits, if any, no
                // longer matter once nobody can acquire).
                if self.is_closed() {
                    Poll::Ready(Err(Closed))
                } else {
                    Poll::Ready(Ok(()))
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }

    /// Joins the queue, unless the permits can be taken after all.
    #[cold]
    fn enqueue(&self, n: usize) -> Result<Option<(EventListener, u64)>, Closed> {
        let mut queue = lock(&self.queue);
        let mut s = self.state.load(Ordering::Acquire);
        loop {
            if s & CLOSED != 0 {
                return Err(Closed);
            }
            let next = if s & WAITERS == 0 && (s >> SHIFT) >= n {
                s - (n << SHIFT)
            } else {
                s | WAITERS
            };
            match self
                .state
                .compare_exchange(s, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if next & WAITERS == 0 => return Ok(None),
                Ok(_) => break,
                Err(actual) => s = actual,
            }
        }
        let ticket = queue.next_ticket;
        queue.next_ticket += 1;
        queue.waiters.push_back((ticket, n));
        Ok(Some((self.event.listen(), ticket)))
    }

    /// Withdraws an acquisition whose future is dropped. Permits it was
    /// granted but never used go to the next waiter.
    pub(crate) fn cancel(&self, acquire: &mut Acquire) {
        let Some((listener, ticket)) = acquire.wait.take() else {
            return;
        };
        let mut queue = lock(&self.queue);
        if listener.discard() {
            if !self.is_closed() {
                self.grant(&mut queue, acquire.permits);
            }
        } else {
            if let Some(at) = queue.waiters.iter().position(|&(t, _)| t == ticket) {
                queue.waiters.remove(at);
            }
            // The withdrawn waiter may have been the one holding smaller
            // requests back, or the last one queued.
            self.grant(&mut queue, 0);
        }
    }

    /// Fails every queued and future acquisition.
    pub(crate) fn close(&self) {
        let mut queue = lock(&self.queue);
        queue.waiters.clear();
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        self.event.notify(usize::MAX.additional());
    }
}

impl fmt::Debug for RawSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawSemaphore")
            .field("available", &self.available())
            .field("has_waiters", &self.has_waiters())
            .field("closed", &self.is_closed())
            .finish()
    }
}

#[track_caller]
fn add_permits(state: usize, n: usize) -> usize {
    match (state >> SHIFT).checked_add(n) {
        Some(total) if total <= MAX_PERMITS => state + (n << SHIFT),
        _ => panic!("a semaphore holds at most {MAX_PERMITS} permits"),
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::task::Waker;

    fn poll(sem: &RawSemaphore, acquire: &mut Acquire) -> Poll<Result<(), Closed>> {
        sem.poll_acquire(acquire, &mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn fast_paths_count_permits() {
        let sem = RawSemaphore::new(3);
        assert!(sem.try_acquire(2));
        assert!(!sem.try_acquire(2));
        assert_eq!(sem.available(), 1);
        sem.release(1);
        assert_eq!(sem.available(), 2);
    }

    #[test]
    fn large_request_blocks_later_small_ones() {
        let sem = RawSemaphore::new(1);
        let mut big = Acquire::new(3);
        assert!(poll(&sem, &mut big).is_pending());
        assert!(sem.has_waiters());
        // One permit is free, but the big request came first.
        assert!(!sem.try_acquire(1));
        let mut small = Acquire::new(1);
        assert!(poll(&sem, &mut small).is_pending());
        sem.release(2);
        assert_eq!(poll(&sem, &mut big), Poll::Ready(Ok(())));
        assert!(poll(&sem, &mut small).is_pending());
        sem.release(1);
        assert_eq!(poll(&sem, &mut small), Poll::Ready(Ok(())));
        assert!(!sem.has_waiters());
    }

    #[test]
    fn cancelled_head_lets_the_next_one_in() {
        let sem = RawSemaphore::new(1);
        let mut big = Acquire::new(5);
        let mut small = Acquire::new(1);
        assert!(poll(&sem, &mut big).is_pending());
        assert!(poll(&sem, &mut small).is_pending());
        sem.cancel(&mut big);
        assert_eq!(poll(&sem, &mut small), Poll::Ready(Ok(())));
        assert_eq!(sem.available(), 0);
    }

    #[test]
    fn cancelled_grant_moves_on() {
        let sem = RawSemaphore::new(0);
        let mut first = Acquire::new(1);
        let mut second = Acquire::new(1);
        assert!(poll(&sem, &mut first).is_pending());
        assert!(poll(&sem, &mut second).is_pending());
        sem.release(1);
        sem.cancel(&mut first);
        assert_eq!(poll(&sem, &mut second), Poll::Ready(Ok(())));
        sem.release(1);
        assert_eq!(sem.available(), 1);
    }

    #[test]
    fn close_fails_waiters_and_newcomers() {
        let sem = RawSemaphore::new(0);
        let mut waiter = Acquire::new(1);
        assert!(poll(&sem, &mut waiter).is_pending());
        sem.close();
        assert_eq!(poll(&sem, &mut waiter), Poll::Ready(Err(Closed)));
        let mut late = Acquire::new(1);
        assert_eq!(poll(&sem, &mut late), Poll::Ready(Err(Closed)));
        sem.release(1);
        assert!(!sem.try_acquire(1));
    }

    #[test]
    fn bounded_release_refuses_overflow() {
        let sem = RawSemaphore::new(2);
        assert!(!sem.release_bounded(1, 2));
        assert!(sem.try_acquire(1));
        assert!(sem.release_bounded(1, 2));
        assert_eq!(sem.available(), 2);
    }
}
