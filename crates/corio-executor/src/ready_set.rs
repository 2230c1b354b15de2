//! A fixed set of futures polled in place, where only the futures that were
//! woken are polled again.
//!
//! `gather`, `try_gather`, `as_completed` and `wait` all drive many futures
//! from one task. Polling every future on every wake-up would cost O(n²)
//! polls for n futures that finish one by one; instead each future gets its
//! own waker, which records the future's index in a shared ready list and
//! wakes the task driving the set. The set then polls exactly the futures in
//! that list. Every future is polled once up front, in input order.
//!
//! # Invariants
//!
//! - `futures` is a pinned boxed slice that is never resized, reallocated or
//!   reordered: a future stays at the same address from its first poll until
//!   it is dropped in place (its slot is set to `None`) or the set is dropped.
//!   This is what makes handing out `Pin<&mut F>` for one slot sound.
//! - `queued[i]` is true while index `i` sits in the ready list, so a future
//!   woken many times is listed once. The driver clears it just before it
//!   polls the future, so a wake-up during that poll lists it again.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};

use corio_reactor::coop;

/// State shared between the set and the wakers of its futures.
struct Shared {
    queued: Box<[AtomicBool]>,
    inner: Mutex<Ready>,
}

/// The ready list, and the waker of the task driving the set.
struct Ready {
    list: Vec<usize>,
    driver: Option<Waker>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Ready> {
        // A panic never happens while the lock is held (only pushes and
        // waker moves), so a poisoned lock still holds consistent data.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The waker of one future of the set.
struct SlotWaker {
    index: usize,
    shared: Arc<Shared>,
}

impl Wake for SlotWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let shared = &self.shared;
        if shared.queued[self.index].swap(true, Ordering::AcqRel) {
            return;
        }
        let driver = {
            let mut ready = shared.lock();
            ready.list.push(self.index);
            ready.driver.take()
        };
        // Woken outside the lock: the driver may run at once on another
        // thread and take the lock itself.
        if let Some(driver) = driver {
            driver.wake();
        }
    }
}

/// Futures polled in place, each polled again only after it was woken.
pub(crate) struct ReadySet<F: Future> {
    futures: Pin<Box<[Option<F>]>>,
    wakers: Box<[Waker]>,
    shared: Arc<Shared>,
    /// Index of the next future that has never been polled.
    first_pass: usize,
    /// Indices taken from the ready list, polled front to back.
    batch: Vec<usize>,
    batch_pos: usize,
    /// Futures not finished yet.
    remaining: usize,
    /// Polls since the set last returned `Pending` to its driver.
    polls: usize,
}

impl<F: Future> ReadySet<F> {
    /// Collects the futures; none is polled yet.
    pub(crate) fn new(futures: impl IntoIterator<Item = F>) -> ReadySet<F> {
        let futures: Box<[Option<F>]> = futures.into_iter().map(Some).collect();
        let len = futures.len();
        let shared = Arc::new(Shared {
            queued: (0..len).map(|_| AtomicBool::new(false)).collect(),
            inner: Mutex::new(Ready {
                list: Vec::new(),
                driver: None,
            }),
        });
        let wakers = (0..len)
            .map(|index| {
                Waker::from(Arc::new(SlotWaker {
                    index,
                    shared: shared.clone(),
                }))
            })
            .collect();
        ReadySet {
            futures: Box::into_pin(futures),
            wakers,
            shared,
            first_pass: 0,
            batch: Vec::new(),
            batch_pos: 0,
            remaining: len,
            polls: 0,
        }
    }

    /// How many futures the set was built with.
    pub(crate) fn len(&self) -> usize {
        self.futures.len()
    }

    /// How many futures have not finished yet.
    pub(crate) fn remaining(&self) -> usize {
        self.remaining
    }

    /// The slot of future `index`, pinned.
    fn slot(&mut self, index: usize) -> Pin<&mut Option<F>> {
        // SAFETY: see the module invariants: the boxed slice is pinned and
        // never moves or changes length, so each element is pinned too; the
        // returned reference gives no way to move the element out of place
        // (only `Pin::set`, which drops it in place).
        unsafe {
            let slice = self.futures.as_mut().get_unchecked_mut();
            Pin::new_unchecked(&mut slice[index])
        }
    }

    /// Polls future `index` once with its own waker; drops it when it is done.
    fn poll_one(&mut self, index: usize) -> Poll<F::Output> {
        self.polls += 1;
        let waker = self.wakers[index].clone();
        let mut slot = self.slot(index);
        let Some(future) = slot.as_mut().as_pin_mut() else {
            // Finished already: a stale wake-up.
            return Poll::Pending;
        };
        let output = future.poll(&mut Context::from_waker(&waker));
        if output.is_ready() {
            // Dropped right away, so its resources go as soon as it is done.
            slot.set(None);
            self.remaining -= 1;
        }
        output
    }

    /// The next future to finish, with its index; `None` once all finished.
    ///
    /// Polls only futures that were never polled or were woken since their
    /// last poll. To stay fair to the other tasks, after about one poll per
    /// future it yields (wakes itself and returns `Pending`).
    pub(crate) fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<(usize, F::Output)>> {
        let budget = self.len().max(32);
        loop {
            if self.remaining == 0 {
                return Poll::Ready(None);
            }
            // Out of turns, or out of the task's cooperative budget (every
            // future that needs a unit of it would only wake itself and
            // return `Pending`, which polled over and over makes the total
            // quadratic): yield, and pick up where it stopped.
            if self.polls >= budget || !coop::has_budget() {
                self.polls = 0;
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let index = if self.first_pass < self.len() {
                self.first_pass += 1;
                self.first_pass - 1
            } else if self.batch_pos < self.batch.len() {
                self.batch_pos += 1;
                let index = self.batch[self.batch_pos - 1];
                self.shared.queued[index].store(false, Ordering::Release);
                index
            } else {
                self.batch.clear();
                self.batch_pos = 0;
                let mut ready = self.shared.lock();
                if ready.list.is_empty() {
                    match &ready.driver {
                        Some(w) if w.will_wake(cx.waker()) => {}
                        _ => ready.driver = Some(cx.waker().clone()),
                    }
                    self.polls = 0;
                    return Poll::Pending;
                }
                std::mem::swap(&mut ready.list, &mut self.batch);
                continue;
            };
            if let Poll::Ready(output) = self.poll_one(index) {
                return Poll::Ready(Some((index, output)));
            }
        }
    }

    /// The futures that have not finished, with their indices, in input order.
    pub(crate) fn into_remaining(self) -> Vec<(usize, F)>
    where
        F: Unpin,
    {
        let futures = Pin::into_inner(self.futures);
        futures
            .into_vec()
            .into_iter()
            .enumerate()
            .filter_map(|(index, future)| future.map(|f| (index, f)))
            .collect()
    }
}

// The futures are pinned through `futures` (a pinned box), never through
// the set itself, so the set may move freely.
impl<F: Future> Unpin for ReadySet<F> {}

impl<F: Future> fmt::Debug for ReadySet<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadySet")
            .field("len", &self.len())
            .field("remaining", &self.remaining)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Pending until its flag is set; counts its polls.
    struct Gate {
        open: Arc<AtomicBool>,
        waker: Arc<Mutex<Option<Waker>>>,
        polls: Arc<AtomicUsize>,
    }

    impl Future for Gate {
        type Output = ();
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            self.polls.fetch_add(1, Ordering::SeqCst);
            if self.open.load(Ordering::SeqCst) {
                Poll::Ready(())
            } else {
                *self.waker.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    #[test]
    fn only_woken_futures_are_polled_again() {
        let polls = Arc::new(AtomicUsize::new(0));
        let gates: Vec<_> = (0..4)
            .map(|_| Gate {
                open: Arc::new(AtomicBool::new(false)),
                waker: Arc::new(Mutex::new(None)),
                polls: polls.clone(),
            })
            .collect();
        let handles: Vec<_> = gates
            .iter()
            .map(|g| (g.open.clone(), g.waker.clone()))
            .collect();
        let mut set = ReadySet::new(gates);
        let cx = &mut Context::from_waker(Waker::noop());
        assert!(set.poll_next(cx).is_pending());
        assert_eq!(polls.load(Ordering::SeqCst), 4);

        handles[2].0.store(true, Ordering::SeqCst);
        let waker = handles[2].1.lock().unwrap().take().unwrap();
        waker.wake_by_ref();
        waker.wake();
        assert!(matches!(set.poll_next(cx), Poll::Ready(Some((2, ())))));
        assert_eq!(polls.load(Ordering::SeqCst), 5);
        assert!(set.poll_next(cx).is_pending());
        assert_eq!(set.remaining(), 3);
        assert_eq!(set.len(), 4);
    }
}
