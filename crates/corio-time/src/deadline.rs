//! `Deadline`: one deadline shared by a whole block of awaits.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker, ready};
use std::time::{Duration, Instant};

use corio_reactor::Timer;
use slab::Slab;

use crate::Elapsed;

#[derive(Debug)]
struct State {
    when: Option<Instant>,
    /// Bumped by every reschedule, which wakes (and forgets) every waker.
    generation: u64,
    /// One waker per running block, removed when the block ends, so a
    /// long-lived deadline holds nothing for blocks that are gone.
    wakers: Slab<Waker>,
    expired: bool,
}

/// A deadline that spans several awaits and can be moved while they run;
/// asyncio's `async with asyncio.timeout(...) as cm` block, with
/// `cm.reschedule()` and `cm.expired()`.
///
/// [`run`](Deadline::run) wraps a block of code (an `async` block awaiting
/// as many things as it likes); the block is cancelled with [`Elapsed`] when
/// the deadline passes. The deadline is a cheap clonable handle: code inside
/// the block (or anywhere else) can [`reschedule`](Deadline::reschedule) it,
/// earlier or later, and the running block follows at once.
///
/// # Nested deadlines
///
/// Each time the block is polled, the deadline is checked first. So when
/// this deadline and a [`timeout`](crate::timeout) or `Deadline` nested
/// inside the block expire at the same instant (or have both passed by the
/// time the task runs again), the outer one reports `Err(Elapsed)`; the
/// inner block is dropped without reporting. asyncio has the same rule: an
/// inner `timeout` block passes on a cancellation it did not cause. Both
/// deadlines are then [`expired`](Deadline::expired), as in asyncio: each
/// passed while a block ran under it.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use corio::time::Deadline;
///
/// corio::run(async {
///     let deadline = Deadline::after(Duration::from_millis(100));
///     let result = deadline
///         .run(async {
///             corio::sleep(Duration::from_millis(2)).await;
///             // Needs more time than planned: extend the whole block.
///             deadline.reschedule(Some(Instant::now() + Duration::from_secs(1)));
///             corio::sleep(Duration::from_millis(150)).await;
///             "done"
///         })
///         .await;
///     assert_eq!(result, Ok("done"));
///     assert!(!deadline.expired());
/// });
/// ```
#[derive(Clone)]
pub struct Deadline {
    state: Arc<Mutex<State>>,
}

impl fmt::Debug for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Deadline")
            .field("when", &state.when)
            .field("expired", &state.expired)
            .finish()
    }
}

impl Deadline {
    /// A deadline at `when` (`None`: no deadline, until rescheduled);
    /// `asyncio.timeout_at(when)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = corio::time::Deadline::at(None);
    /// assert_eq!(d.when(), None);
    /// ```
    pub fn at(when: Option<Instant>) -> Deadline {
        Deadline {
            state: Arc::new(Mutex::new(State {
                when,
                generation: 0,
                wakers: Slab::new(),
                expired: false,
            })),
        }
    }

    /// A deadline `duration` from now; `asyncio.timeout(delay)`.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = corio::time::Deadline::after(std::time::Duration::from_secs(1));
    /// assert!(d.when().is_some());
    /// ```
    pub fn after(duration: Duration) -> Deadline {
        Deadline::at(Instant::now().checked_add(duration))
    }

    /// A deadline that is not set yet; `asyncio.timeout(None)`.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio::time::Deadline::never().when().is_none());
    /// ```
    pub fn never() -> Deadline {
        Deadline::at(None)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current deadline; asyncio's `Timeout.when()`.
    ///
    /// # Examples
    ///
    /// ```
    /// let at = std::time::Instant::now();
    /// assert_eq!(corio::time::Deadline::at(Some(at)).when(), Some(at));
    /// ```
    pub fn when(&self) -> Option<Instant> {
        self.lock().when
    }

    /// Moves the deadline (`None` removes it); blocks running under it
    /// follow immediately. asyncio's `Timeout.reschedule()`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    ///
    /// corio::run(async {
    ///     let deadline = corio::time::Deadline::never();
    ///     let r = deadline
    ///         .run(async {
    ///             deadline.reschedule(Some(Instant::now() + Duration::from_millis(2)));
    ///             std::future::pending::<()>().await
    ///         })
    ///         .await;
    ///     assert!(r.is_err());
    ///     assert!(deadline.expired());
    /// });
    /// ```
    pub fn reschedule(&self, when: Option<Instant>) {
        let wakers = {
            let mut state = self.lock();
            state.when = when;
            state.generation += 1;
            if when.is_none_or(|w| w > Instant::now()) {
                state.expired = false;
            }
            std::mem::take(&mut state.wakers)
        };
        for (_, waker) in wakers {
            waker.wake();
        }
    }

    /// Moves the deadline to `duration` from now.
    ///
    /// # Examples
    ///
    /// ```
    /// let d = corio::time::Deadline::never();
    /// d.reschedule_after(std::time::Duration::from_secs(1));
    /// assert!(d.when().is_some());
    /// ```
    pub fn reschedule_after(&self, duration: Duration) {
        self.reschedule(Instant::now().checked_add(duration));
    }

    /// Whether this deadline passed while a block ran under it, so that the
    /// block did not finish; asyncio's `Timeout.expired()`.
    ///
    /// It is set when a block reports `Err(Elapsed)`, and also when a block
    /// is dropped unfinished after the deadline passed (an outer timeout
    /// that expired at the same time reported instead, see [nested
    /// deadlines](Deadline#nested-deadlines)). Rescheduling the deadline into
    /// the future clears it.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let d = corio::time::Deadline::after(std::time::Duration::from_millis(1));
    /// assert!(!d.expired());
    /// let _ = d.run(std::future::pending::<()>()).await;
    /// assert!(d.expired());
    /// # });
    /// ```
    pub fn expired(&self) -> bool {
        self.lock().expired
    }

    /// Runs `future` under this deadline: `Err(Elapsed)` (and the future
    /// dropped) if the deadline passes first.
    ///
    /// A deadline that has already passed when the run is first polled
    /// gives `Err(Elapsed)` without polling `future`. See the [nested
    /// deadlines](Deadline#nested-deadlines) rule.
    ///
    /// # Cancel safety
    ///
    /// As cancel-safe as `future`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// corio::run(async {
    ///     let d = corio::time::Deadline::after(Duration::from_secs(5));
    ///     assert_eq!(d.run(async { 1 }).await, Ok(1));
    /// });
    /// ```
    pub fn run<F: Future>(&self, future: F) -> DeadlineRun<F> {
        DeadlineRun {
            future,
            deadline: self.clone(),
            timer: Timer::never(),
            generation: None,
            waker: None,
            finished: false,
        }
    }
}

impl State {
    /// Forgets the waker a block registered, if the deadline still holds it.
    fn unregister(&mut self, waker: &mut Option<(u64, usize)>) {
        if let Some((generation, key)) = waker.take() {
            if generation == self.generation {
                self.wakers.try_remove(key);
                if self.wakers.is_empty() && self.wakers.capacity() > 64 {
                    // No key of this generation is held any more.
                    self.wakers = Slab::new();
                }
            }
        }
    }
}

/// Future returned by [`Deadline::run`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct DeadlineRun<F> {
    future: F,
    deadline: Deadline,
    timer: Timer,
    generation: Option<u64>,
    /// Where this block's waker sits in the deadline's list: the list's
    /// generation (a reschedule empties it) and the key.
    waker: Option<(u64, usize)>,
    finished: bool,
}

impl<F> fmt::Debug for DeadlineRun<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeadlineRun")
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl<F: Future> Future for DeadlineRun<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned and never moved; the other
        // fields are `Unpin` and only used through `&mut`.
        let this = unsafe { self.get_unchecked_mut() };
        {
            let mut state = this.deadline.lock();
            if this.generation != Some(state.generation) {
                this.generation = Some(state.generation);
                match state.when {
                    Some(when) => this.timer.set_at(when),
                    None => this.timer = Timer::never(),
                }
            }
            // Registered before the block runs, so that a reschedule made
            // by the block itself wakes this task to pick it up.
            match this.waker {
                Some((generation, key)) if generation == state.generation => {
                    if let Some(w) = state.wakers.get_mut(key) {
                        if !w.will_wake(cx.waker()) {
                            w.clone_from(cx.waker());
                        }
                    }
                }
                _ => {
                    let key = state.wakers.insert(cx.waker().clone());
                    this.waker = Some((state.generation, key));
                }
            }
        }
        // The deadline is checked before the block is polled: when this
        // deadline and one nested inside the block have both passed, this
        // one, the outer, reports `Elapsed`, and the inner one never sees
        // its own expiry.
        if Pin::new(&mut this.timer).poll(cx).is_ready() {
            let mut state = this.deadline.lock();
            state.expired = true;
            state.unregister(&mut this.waker);
            this.finished = true;
            return Poll::Ready(Err(Elapsed::new()));
        }
        // SAFETY: as above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        let output = ready!(future.poll(cx));
        this.finished = true;
        this.deadline.lock().unregister(&mut this.waker);
        Poll::Ready(Ok(output))
    }
}

impl<F> Drop for DeadlineRun<F> {
    fn drop(&mut self) {
        // A block that started and is dropped unfinished after the deadline
        // passed was cut short by it, even if an outer timeout reported.
        if self.finished || self.generation.is_none() {
            return;
        }
        let mut state = self.deadline.lock();
        state.unregister(&mut self.waker);
        if state.when.is_some_and(|when| when <= Instant::now()) {
            state.expired = true;
        }
    }
}
