//! `interval`: a periodic tick.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::{Duration, Instant};

use corio_reactor::Timer;
use futures_lite::Stream;

/// What an [`Interval`] does when ticks were missed (the consumer was busy
/// for longer than a period).
///
/// # Examples
///
/// ```
/// use corio::time::MissedTickBehavior;
///
/// let mut ticks = corio::time::interval(std::time::Duration::from_millis(10));
/// ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
/// assert_eq!(ticks.missed_tick_behavior(), MissedTickBehavior::Delay);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum MissedTickBehavior {
    /// Fire every missed tick at once, one after the other, then go back to
    /// the original schedule.
    Burst,
    /// Restart the schedule from the late tick: the next one comes a full
    /// period after it.
    Delay,
    /// Drop the missed ticks and keep the original schedule: the next tick
    /// is the first one of the schedule that is still in the future. The
    /// default.
    #[default]
    Skip,
}

/// A stream of instants, one per period.
///
/// Created by [`interval`] and [`interval_at`]. The first tick completes at
/// the start instant; later ticks follow every `period` after it. When the
/// consumer falls behind, [`MissedTickBehavior`] says what happens (by
/// default missed ticks are skipped, never bunched up).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use futures_lite::StreamExt;
///
/// corio::run(async {
///     let ticks: Vec<_> = corio::time::interval(Duration::from_millis(2)).take(3).collect().await;
///     assert_eq!(ticks.len(), 3);
///     assert!(ticks[2] - ticks[0] >= Duration::from_millis(4));
/// });
/// ```
#[derive(Debug)]
#[must_use = "streams do nothing unless polled"]
pub struct Interval {
    timer: Timer,
    next: Instant,
    period: Duration,
    behavior: MissedTickBehavior,
}

/// Ticks every `period`, the first tick at once.
///
/// # Panics
///
/// Panics if `period` is zero.
///
/// # Examples
///
/// ```
/// # corio::run(async {
/// let mut ticks = corio::time::interval(std::time::Duration::from_millis(1));
/// ticks.tick().await;
/// ticks.tick().await;
/// # });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    interval_at(Instant::now(), period)
}

/// Ticks every `period`, the first tick at `start`.
///
/// # Panics
///
/// Panics if `period` is zero.
///
/// # Examples
///
/// ```
/// use std::time::{Duration, Instant};
/// # corio::run(async {
/// let start = Instant::now() + Duration::from_millis(2);
/// let mut ticks = corio::time::interval_at(start, Duration::from_millis(1));
/// assert_eq!(ticks.tick().await, start);
/// # });
/// ```
#[track_caller]
pub fn interval_at(start: Instant, period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "an interval's period must be greater than zero"
    );
    Interval {
        timer: Timer::at(start),
        next: start,
        period,
        behavior: MissedTickBehavior::default(),
    }
}

impl Interval {
    /// Waits for the next tick and returns its scheduled instant.
    ///
    /// # Cancel safety
    ///
    /// Cancel-safe: a dropped `tick()` does not consume a tick.
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut ticks = corio::time::interval(std::time::Duration::from_millis(50));
    /// let first = ticks.tick().await;
    /// let second = ticks.tick().await;
    /// assert_eq!(second - first, std::time::Duration::from_millis(50));
    /// # });
    /// ```
    pub async fn tick(&mut self) -> Instant {
        std::future::poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick; see [`tick`](Interval::tick).
    ///
    /// # Examples
    ///
    /// ```
    /// # corio::run(async {
    /// let mut ticks = corio::time::interval(std::time::Duration::from_millis(1));
    /// std::future::poll_fn(|cx| ticks.poll_tick(cx)).await;
    /// # });
    /// ```
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        let scheduled = ready!(Pin::new(&mut self.timer).poll(cx));
        let now = Instant::now();
        let next = scheduled + self.period;
        self.next = if next > now {
            next
        } else {
            match self.behavior {
                MissedTickBehavior::Burst => next,
                MissedTickBehavior::Delay => now + self.period,
                MissedTickBehavior::Skip => {
                    let behind = (now - scheduled).as_nanos() / self.period.as_nanos();
                    let periods = u32::try_from(behind + 1).unwrap_or(u32::MAX);
                    scheduled + self.period * periods
                }
            }
        };
        self.timer.set_at(self.next);
        Poll::Ready(scheduled)
    }

    /// Restarts the schedule: the next tick comes one period from now.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ticks = corio::time::interval(std::time::Duration::from_secs(1));
    /// ticks.reset();
    /// ```
    pub fn reset(&mut self) {
        self.next = Instant::now() + self.period;
        self.timer.set_at(self.next);
    }

    /// The period.
    ///
    /// # Examples
    ///
    /// ```
    /// let ticks = corio::time::interval(std::time::Duration::from_secs(2));
    /// assert_eq!(ticks.period(), std::time::Duration::from_secs(2));
    /// ```
    pub fn period(&self) -> Duration {
        self.period
    }

    /// What happens to missed ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// let ticks = corio::time::interval(std::time::Duration::from_secs(2));
    /// assert_eq!(ticks.missed_tick_behavior(), corio::time::MissedTickBehavior::Skip);
    /// ```
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.behavior
    }

    /// Sets what happens to missed ticks.
    ///
    /// # Examples
    ///
    /// ```
    /// let mut ticks = corio::time::interval(std::time::Duration::from_secs(2));
    /// ticks.set_missed_tick_behavior(corio::time::MissedTickBehavior::Burst);
    /// ```
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.behavior = behavior;
    }
}

impl Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}
