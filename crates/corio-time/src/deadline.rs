//! `Deadline`: one deadline shared by a whole block of awaits.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use corio_reactor::Timer;

use crate::Elapsed;

#[derive(Debug)]
struct State {
    when: Option<Instant>,
    generation: u64,
    wakers: Vec<Waker>,
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
                wakers: Vec::new(),
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
        for waker in wakers {
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

    /// Whether a block under this deadline was cancelled because it passed;
    /// asyncio's `Timeout.expired()`.
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
        // SAFETY: as above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(output) = future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        {
            let mut state = this.deadline.lock();
            if this.generation != Some(state.generation) {
                this.generation = Some(state.generation);
                match state.when {
                    Some(when) => this.timer.set_at(when),
                    None => this.timer = Timer::never(),
                }
            }
            if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                state.wakers.push(cx.waker().clone());
            }
        }
        match Pin::new(&mut this.timer).poll(cx) {
            Poll::Ready(_) => {
                let mut state = this.deadline.lock();
                state.expired = true;
                state.wakers.retain(|w| !w.will_wake(cx.waker()));
                Poll::Ready(Err(Elapsed::new()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
