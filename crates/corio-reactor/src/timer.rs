//! `Timer`: a future that completes at a point in time.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker, ready};
use std::time::{Duration, Instant};

use crate::coop;
use crate::reactor::Reactor;
use crate::timer_queue::TimerKey;

/// A future that completes at a deadline, with sub-millisecond precision.
///
/// The timer registers with the current reactor on its first pending poll,
/// so creating one costs nothing until it actually has to wait. It can be
/// moved to a new deadline with [`set_at`](Timer::set_at) or
/// [`set_after`](Timer::set_after), and dropping it cancels it. Output is the
/// deadline that was reached.
///
/// Most programs use `corio::sleep` or `corio::timeout`, which are built on it.
///
/// A pending poll panics on a reactor inherited through `fork()` (see
/// [`Reactor::is_inherited`]); dropping an inherited timer in the child
/// leaves the inherited reactor's timer queue (and its lock) alone.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use corio::reactor::Timer;
///
/// corio::run(async {
///     let start = Instant::now();
///     Timer::after(Duration::from_micros(200)).await;
///     assert!(start.elapsed() >= Duration::from_micros(200));
/// });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
#[derive(Debug)]
pub struct Timer {
    when: Option<Instant>,
    registration: Option<(Arc<Reactor>, TimerKey)>,
}

impl Timer {
    /// A timer that completes `duration` from now.
    ///
    /// A duration too large to represent never completes.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// corio::reactor::Timer::after(std::time::Duration::from_millis(1)).await;
    /// # });
    /// ```
    pub fn after(duration: Duration) -> Timer {
        Timer {
            when: Instant::now().checked_add(duration),
            registration: None,
        }
    }

    /// A timer that completes at `deadline` (at once if it has passed).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let deadline = std::time::Instant::now() + std::time::Duration::from_millis(1);
    /// assert_eq!(corio::reactor::Timer::at(deadline).await, deadline);
    /// # });
    /// ```
    pub fn at(deadline: Instant) -> Timer {
        Timer {
            when: Some(deadline),
            registration: None,
        }
    }

    /// A timer that never completes.
    ///
    /// # Examples
    ///
    /// ```
    /// let timer = corio::reactor::Timer::never();
    /// assert!(timer.deadline().is_none());
    /// ```
    pub fn never() -> Timer {
        Timer {
            when: None,
            registration: None,
        }
    }

    /// The deadline, or `None` for a timer that never completes.
    ///
    /// # Examples
    ///
    /// ```
    /// let deadline = std::time::Instant::now();
    /// assert_eq!(corio::reactor::Timer::at(deadline).deadline(), Some(deadline));
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.when
    }

    /// Moves the timer to complete at `deadline`, whether or not it already
    /// completed.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// # corio::run(async {
    /// let mut timer = corio::reactor::Timer::after(Duration::from_secs(3600));
    /// timer.set_at(Instant::now() + Duration::from_millis(1));
    /// (&mut timer).await;
    /// # });
    /// ```
    pub fn set_at(&mut self, deadline: Instant) {
        self.deregister();
        self.when = Some(deadline);
    }

    /// Moves the timer to complete `duration` from now.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut timer = corio::reactor::Timer::never();
    /// timer.set_after(std::time::Duration::from_millis(1));
    /// (&mut timer).await;
    /// # });
    /// ```
    pub fn set_after(&mut self, duration: Duration) {
        self.deregister();
        self.when = Instant::now().checked_add(duration);
    }

    fn deregister(&mut self) {
        if let Some((reactor, key)) = self.registration.take() {
            reactor.remove_timer(key);
        }
    }
}

impl Future for Timer {
    type Output = Instant;

    #[track_caller]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Instant> {
        let Some(when) = self.when else {
            return Poll::Pending;
        };
        ready!(coop::poll_proceed(cx));
        if Instant::now() >= when {
            self.deregister();
            return Poll::Ready(when);
        }
        match &self.registration {
            Some((reactor, key)) if reactor.set_timer_waker(*key, cx.waker()) => {}
            _ => {
                let reactor = match self.registration.take() {
                    Some((reactor, _)) => reactor,
                    None => Reactor::expect_current("a timer"),
                };
                let key = reactor.insert_timer(when, cx.waker());
                self.registration = Some((reactor, key));
            }
        }
        Poll::Pending
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        self.deregister();
    }
}

/// A deadline that joins the reactor's timer queue the moment it is made and
/// completes only when the reactor fires it: asyncio's queue of scheduled
/// callbacks.
///
/// A [`Timer`] compares its deadline with the clock when it is polled, so
/// of two timers already past due, the one polled first completes first. A
/// `ScheduledTimer` is ordered by the reactor instead: those made one after
/// another complete in deadline order, ties in the order they were made,
/// even when every deadline had passed before the reactor looked. It
/// completes after the reactor's next look at its timers, never inside the
/// poll that made it. Dropping it cancels it.
///
/// # Panics
///
/// [`new`](ScheduledTimer::new) panics outside a corio runtime.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// use corio::reactor::ScheduledTimer;
///
/// corio::run(async {
///     // Past due when made: it still waits for the reactor to fire it.
///     let past = Instant::now() - Duration::from_millis(5);
///     let timer = ScheduledTimer::new(past, std::task::Waker::noop());
///     assert_eq!(timer.await, past);
/// });
/// ```
#[must_use = "futures do nothing unless you .await or poll them"]
#[derive(Debug)]
pub struct ScheduledTimer {
    when: Instant,
    /// `None` once it fired.
    registration: Option<(Arc<Reactor>, TimerKey)>,
}

impl ScheduledTimer {
    /// Schedules a deadline at `when` with the current reactor; `waker` is
    /// woken when it fires (a poll replaces it with the poller's).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    ///
    /// corio::run(async {
    ///     let at = Instant::now();
    ///     let timer = corio::reactor::ScheduledTimer::new(at, std::task::Waker::noop());
    ///     assert_eq!(timer.await, at);
    /// });
    /// ```
    #[track_caller]
    pub fn new(when: Instant, waker: &Waker) -> ScheduledTimer {
        let reactor = Reactor::expect_current("a scheduled timer");
        let key = reactor.insert_timer(when, waker);
        ScheduledTimer {
            when,
            registration: Some((reactor, key)),
        }
    }

    /// The deadline.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    ///
    /// corio::run(async {
    ///     let at = Instant::now();
    ///     let timer = corio::reactor::ScheduledTimer::new(at, std::task::Waker::noop());
    ///     assert_eq!(timer.deadline(), at);
    /// });
    /// ```
    pub fn deadline(&self) -> Instant {
        self.when
    }
}

impl Future for ScheduledTimer {
    type Output = Instant;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Instant> {
        match &self.registration {
            // Still queued: make sure the poller is the one woken.
            Some((reactor, key)) if reactor.set_timer_waker(*key, cx.waker()) => Poll::Pending,
            _ => {
                self.registration = None;
                Poll::Ready(self.when)
            }
        }
    }
}

impl Drop for ScheduledTimer {
    fn drop(&mut self) {
        if let Some((reactor, key)) = self.registration.take() {
            reactor.remove_timer(key);
        }
    }
}
