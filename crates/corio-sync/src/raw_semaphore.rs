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
//! * Each queued acquisition owns one slot of `queue.slots`, from the poll
//!   that queues it until the poll that sees it granted (or closed) or its
//!   cancellation; nobody else frees it, so an index never points at a slot
//!   reused by someone else. `queue.waiters` lists the slots still waiting,
//!   oldest first.
//! * Permits are handed over, not put back for anyone to grab: a granted
//!   waiter owns its permits from the moment its slot says so. A waiter
//!   dropped after that gives them back through `grant`, which hands them to
//!   the next waiter, so a cancelled acquisition never leaks permits or a
//!   wake-up.
//! * Wakers are called after the mutex is released, so a waker that panics
//!   or takes long holds nothing up.
//!
//! [`Lock`]: crate::Lock
//! [`Semaphore`]: crate::Semaphore
//! [`Condition`]: crate::Condition

use std::collections::VecDeque;
use std::fmt;
use std::task::{Context, Poll, Waker};

use crate::primitive::{AtomicUsize, Mutex, Ordering, lock};
use crate::slab::Slab;
use crate::wakeups::Wakeups;

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
}

/// The queued acquisitions.
struct WaitQueue {
    /// The slots still waiting, oldest first: `(slot, permits wanted)`.
    waiters: VecDeque<(usize, usize)>,
    /// One per queued acquisition (see the invariants).
    slots: Slab<Slot>,
}

/// Where one queued acquisition stands.
enum Slot {
    /// Waiting for permits; the waker of the task to tell.
    Waiting(Waker),
    /// Its permits were handed over.
    Granted,
    /// The semaphore was closed while it waited.
    Closed,
}

/// The semaphore was closed before the permits could be acquired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// The state of one acquisition, kept inside a future. The future must call
/// [`RawSemaphore::cancel`] from its `Drop`.
pub(crate) struct Acquire {
    permits: usize,
    /// The slot it owns while queued.
    slot: Option<usize>,
}

impl Acquire {
    /// An acquisition of `permits` permits that has not started yet.
    pub(crate) fn new(permits: usize) -> Self {
        Self {
            permits,
            slot: None,
        }
    }

    /// The number of permits this acquisition asks for.
    pub(crate) fn permits(&self) -> usize {
        self.permits
    }

    /// Whether this acquisition sits in the wait queue.
    pub(crate) fn is_queued(&self) -> bool {
        self.slot.is_some()
    }
}

impl fmt::Debug for Acquire {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("permits", &self.permits)
            .field("queued", &self.slot.is_some())
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
                slots: Slab::new(),
            }),
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
        let wakeups = self.grant(&mut queue, n);
        drop(queue);
        wakeups.wake();
        true
    }

    #[cold]
    fn release_slow(&self, n: usize) {
        let mut queue = lock(&self.queue);
        let wakeups = self.grant(&mut queue, n);
        drop(queue);
        wakeups.wake();
    }

    /// Adds `n` permits and hands out as many as the front waiters can take,
    /// in order. Runs under the queue mutex; the caller wakes the granted
    /// waiters once it is released.
    fn grant(&self, queue: &mut WaitQueue, n: usize) -> Wakeups {
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
                    let mut wakeups = Wakeups::default();
                    for (index, _) in queue.waiters.drain(..granted) {
                        if let Slot::Waiting(waker) =
                            std::mem::replace(&mut queue.slots[index], Slot::Granted)
                        {
                            wakeups.push(waker);
                        }
                    }
                    return wakeups;
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
        let Some(index) = acquire.slot else {
            if self.try_acquire(acquire.permits) {
                return Poll::Ready(Ok(()));
            }
            return match self.enqueue(acquire.permits, cx.waker()) {
                Ok(None) => Poll::Ready(Ok(())),
                Ok(Some(index)) => {
                    acquire.slot = Some(index);
                    Poll::Pending
                }
                Err(closed) => Poll::Ready(Err(closed)),
            };
        };
        let mut queue = lock(&self.queue);
        if let Slot::Waiting(waker) = &mut queue.slots[index] {
            if !waker.will_wake(cx.waker()) {
                waker.clone_from(cx.waker());
            }
            return Poll::Pending;
        }
        let granted = matches!(queue.slots.remove(index), Slot::Granted);
        drop(queue);
        acquire.slot = None;
        // A waiter granted before a close reports the close too: its
        // permits no longer matter once nobody can acquire.
        if granted && !self.is_closed() {
            Poll::Ready(Ok(()))
        } else {
            Poll::Ready(Err(Closed))
        }
    }

    /// Joins the queue, unless the permits can be taken after all. Returns
    /// the slot it waits in.
    #[cold]
    fn enqueue(&self, n: usize, waker: &Waker) -> Result<Option<usize>, Closed> {
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
        let index = queue.slots.insert(Slot::Waiting(waker.clone()));
        queue.waiters.push_back((index, n));
        Ok(Some(index))
    }

    /// Withdraws an acquisition whose future is dropped. Permits it was
    /// granted but never used go to the next waiter.
    #[inline]
    pub(crate) fn cancel(&self, acquire: &mut Acquire) {
        if let Some(index) = acquire.slot.take() {
            self.withdraw(index, acquire.permits);
        }
    }

    #[cold]
    fn withdraw(&self, index: usize, permits: usize) {
        let mut queue = lock(&self.queue);
        let wakeups = match queue.slots.remove(index) {
            Slot::Granted => {
                if self.is_closed() {
                    Wakeups::default()
                } else {
                    self.grant(&mut queue, permits)
                }
            }
            Slot::Waiting(_) => {
                if let Some(at) = queue.waiters.iter().position(|&(i, _)| i == index) {
                    queue.waiters.remove(at);
                }
                // The withdrawn waiter may have been the one holding smaller
                // requests back, or the last one queued.
                self.grant(&mut queue, 0)
            }
            Slot::Closed => Wakeups::default(),
        };
        drop(queue);
        wakeups.wake();
    }

    /// Fails every queued and future acquisition.
    pub(crate) fn close(&self) {
        let mut guard = lock(&self.queue);
        let queue = &mut *guard;
        let mut wakeups = Wakeups::default();
        for (index, _) in queue.waiters.drain(..) {
            if let Slot::Waiting(waker) = std::mem::replace(&mut queue.slots[index], Slot::Closed) {
                wakeups.push(waker);
            }
        }
        self.state.fetch_or(CLOSED, Ordering::AcqRel);
        self.state.fetch_and(!WAITERS, Ordering::AcqRel);
        drop(guard);
        wakeups.wake();
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
