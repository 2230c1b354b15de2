//! `sleep` and `sleep_until`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use corio_reactor::Timer;

/// Waits for `duration`; `asyncio.sleep(delay)`.
///
/// Precision is sub-millisecond: a 200 µs sleep takes about 200 µs (plus
/// scheduling latency), it is not rounded up to a whole millisecond.
/// As in asyncio, a sleep always gives the other tasks a turn, even when
/// it has nothing to wait for: `sleep(Duration::ZERO)` is `asyncio.sleep(0)`,
/// the same yield as [`corio::yield_now`](https://docs.rs/corio).
///
/// # Cancel safety
///
/// Cancel-safe: dropping it just removes the timer.
///
/// # Panics
///
/// Polling it outside a corio runtime panics: await it inside `corio::run`.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// corio::run(async {
///     let start = Instant::now();
///     corio::sleep(Duration::from_millis(5)).await;
///     assert!(start.elapsed() >= Duration::from_millis(5));
/// });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        timer: Timer::after(duration),
        polled: false,
    }
}

/// Waits until `deadline`; if it has passed, only yields once (as
/// [`sleep`] does).
///
/// # Cancel safety
///
/// Cancel-safe.
///
/// # Panics
///
/// Polling it outside a corio runtime panics.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
///
/// corio::run(async {
///     let deadline = Instant::now() + Duration::from_millis(3);
///     corio::time::sleep_until(deadline).await;
///     assert!(Instant::now() >= deadline);
/// });
/// ```
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        timer: Timer::at(deadline),
        polled: false,
    }
}

/// Future returned by [`sleep`] and [`sleep_until`].
#[must_use = "futures do nothing unless you .await or poll them"]
#[derive(Debug)]
pub struct Sleep {
    timer: Timer,
    /// Whether it was polled before: the first poll never completes it.
    polled: bool,
}

impl Sleep {
    /// When the sleep ends (`None` if the duration was too large to
    /// represent: such a sleep never ends).
    ///
    /// # Examples
    ///
    /// ```
    /// let s = corio::sleep(std::time::Duration::from_secs(1));
    /// assert!(s.deadline().is_some());
    /// ```
    pub fn deadline(&self) -> Option<Instant> {
        self.timer.deadline()
    }

    /// Moves the end of the sleep to `deadline`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// # corio::run(async {
    /// let mut s = corio::sleep(Duration::from_secs(3600));
    /// s.reset(Instant::now() + Duration::from_millis(1));
    /// s.await;
    /// # });
    /// ```
    pub fn reset(&mut self, deadline: Instant) {
        self.timer.set_at(deadline);
    }

    /// Whether the deadline has passed.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(corio::sleep(std::time::Duration::ZERO).is_elapsed());
    /// ```
    pub fn is_elapsed(&self) -> bool {
        self.timer.deadline().is_some_and(|d| Instant::now() >= d)
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let first = !std::mem::replace(&mut self.polled, true);
        let done = Pin::new(&mut self.timer).poll(cx).is_ready();
        if done && first {
            // Due already (a zero or past deadline): yield once, as
            // asyncio's `sleep(0)` does, and complete on the next poll.
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    }
}
