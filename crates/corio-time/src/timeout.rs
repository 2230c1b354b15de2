//! `timeout` and `timeout_at`.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio_reactor::Timer;

/// The error of a future that did not finish before its deadline;
/// asyncio's `TimeoutError`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let err = corio::timeout(Duration::from_millis(1), std::future::pending::<()>())
///         .await
///         .unwrap_err();
///     assert_eq!(err.to_string(), "deadline has elapsed");
/// });
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Elapsed(());

impl Elapsed {
    pub(crate) fn new() -> Elapsed {
        Elapsed(())
    }
}

impl fmt::Debug for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Elapsed")
    }
}

impl fmt::Display for Elapsed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("deadline has elapsed")
    }
}

impl std::error::Error for Elapsed {}

impl From<Elapsed> for std::io::Error {
    fn from(e: Elapsed) -> std::io::Error {
        std::io::Error::new(std::io::ErrorKind::TimedOut, e)
    }
}

/// Runs `future` with a time limit; `async with asyncio.timeout(d)`, and
/// `asyncio.wait_for(aw, d)` for a plain future.
///
/// Gives `Ok(output)` if the future completes within `duration`, otherwise
/// `Err(Elapsed)`, and the future is dropped (cancelled) then: by the time
/// `Err(Elapsed)` comes back, its `Drop` has run. Dropping is a plain
/// future's whole cancellation, so for a plain future this already is
/// asyncio's `wait_for`. A [`Task`](corio_executor::Task) is different:
/// dropping its handle detaches it and it keeps running; use
/// [`wait_for`](crate::wait_for) to cancel it on expiry and wait until it
/// is gone.
///
/// The clock starts at the first poll. A future that is ready at once
/// never touches the timer machinery, so a timeout that does not fire costs
/// almost nothing. A zero `duration` has expired before the first poll: the
/// future is dropped without being polled (asyncio's `wait_for(aw, 0)`).
///
/// # Nested timeouts
///
/// The deadline is checked before `future` is polled. So when timeouts are
/// nested and expire at the same instant (or have both expired by the time
/// the task runs again), the outermost one reports `Err(Elapsed)`, and the
/// inner ones are dropped without reporting: the same rule as asyncio's,
/// where an inner `timeout` block that sees a cancellation it did not
/// cause passes it on. This holds for any mix of `timeout`, [`timeout_at`]
/// and [`Deadline::run`](crate::Deadline::run).
///
/// # Cancel safety
///
/// As cancel-safe as `future` itself.
///
/// # Panics
///
/// Polling it outside a corio runtime panics (when it has to wait).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
///
/// corio::run(async {
///     let fast = corio::timeout(Duration::from_secs(1), async { 7 }).await;
///     assert_eq!(fast, Ok(7));
///
///     let slow = corio::timeout(Duration::from_millis(2), corio::sleep(Duration::from_secs(60))).await;
///     assert!(slow.is_err());
/// });
/// ```
pub fn timeout<F: Future>(duration: Duration, future: F) -> Timeout<F> {
    Timeout {
        future,
        limit: Limit::After(duration),
        timer: None,
    }
}

/// Runs `future` until `deadline`; `asyncio.timeout_at`.
///
/// As [`timeout`], with an absolute deadline on the loop's clock
/// ([`now`](crate::now)). A deadline that has already passed at the first
/// poll gives `Err(Elapsed)` without polling the future. Nested timeouts
/// follow [`timeout`]'s rule: the outermost expired one reports.
///
/// # Cancel safety
///
/// As cancel-safe as `future` itself.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// corio::run(async {
///     let deadline = Instant::now() + Duration::from_millis(2);
///     let r = corio::time::timeout_at(deadline, std::future::pending::<()>()).await;
///     assert!(r.is_err());
/// });
/// ```
pub fn timeout_at<F: Future>(deadline: Instant, future: F) -> Timeout<F> {
    Timeout {
        future,
        limit: Limit::At(deadline),
        timer: None,
    }
}

#[derive(Debug, Clone, Copy)]
enum Limit {
    After(Duration),
    At(Instant),
}

/// Future returned by [`timeout`] and [`timeout_at`].
#[must_use = "futures do nothing unless you .await or poll them"]
pub struct Timeout<F> {
    future: F,
    limit: Limit,
    timer: Option<Timer>,
}

impl<F> fmt::Debug for Timeout<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timeout")
            .field("limit", &self.limit)
            .finish_non_exhaustive()
    }
}

impl<F: Future> Future for Timeout<F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `future` is structurally pinned (never moved out of the
        // pinned `Timeout`); `timer` and `limit` are not pinned (`Timer` is
        // `Unpin`) and are only accessed through `&mut`.
        let this = unsafe { self.get_unchecked_mut() };
        // The deadline is checked before the future is polled: when an outer
        // and an inner timeout have both expired, the outer one reports
        // `Elapsed` and the inner one never sees its own expiry.
        if this.expired(cx) {
            return Poll::Ready(Err(Elapsed::new()));
        }
        // SAFETY: as above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(output) = future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        if this.timer.is_none() {
            // First pending poll: only now does the timeout cost a timer.
            let timer = this.timer.insert(match this.limit {
                Limit::After(d) => Timer::after(d),
                Limit::At(t) => Timer::at(t),
            });
            if Pin::new(timer).poll(cx).is_ready() {
                return Poll::Ready(Err(Elapsed::new()));
            }
        }
        Poll::Pending
    }
}

impl<F> Timeout<F> {
    /// Whether the deadline has passed; once the timer exists, polling it
    /// also registers the waker for the deadline.
    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        match &mut self.timer {
            Some(timer) => Pin::new(timer).poll(cx).is_ready(),
            // Before the first pending poll there is no timer yet; a zero
            // duration or a deadline in the past has expired already. A
            // positive duration cannot have, so that case reads no clock.
            None => match self.limit {
                Limit::After(d) => d.is_zero(),
                Limit::At(t) => Instant::now() >= t,
            },
        }
    }
}
