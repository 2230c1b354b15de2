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

/// Runs `future` with a time limit; `asyncio.wait_for` /
/// `async with asyncio.timeout(d)`.
///
/// Gives `Ok(output)` if the future completes within `duration`, otherwise
/// `Err(Elapsed)`, and the future is dropped (cancelled) then. The clock
/// starts at the first poll. A future that is ready at once never touches
/// the timer machinery, so a timeout that does not fire costs almost
/// nothing.
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
        // SAFETY: as above.
        let future = unsafe { Pin::new_unchecked(&mut this.future) };
        if let Poll::Ready(output) = future.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let timer = this.timer.get_or_insert_with(|| match this.limit {
            Limit::After(d) => Timer::after(d),
            Limit::At(t) => Timer::at(t),
        });
        match Pin::new(timer).poll(cx) {
            Poll::Ready(_) => Poll::Ready(Err(Elapsed::new())),
            Poll::Pending => Poll::Pending,
        }
    }
}
