//! Time for corio: `sleep`, `timeout`, reschedulable deadlines, intervals.
//!
//! The counterpart of asyncio's `asyncio.sleep`, `asyncio.timeout`,
//! `asyncio.timeout_at`, `asyncio.wait_for` and `loop.time()`:
//!
//! - [`sleep`], [`sleep_until`]: wait, with sub-millisecond precision;
//! - [`timeout`], [`timeout_at`]: bound one future, [`Elapsed`] on expiry;
//!   the future is dropped then, which for a plain future is asyncio's
//!   `wait_for`;
//! - [`wait_for`]: bound a task; on expiry it is cancelled and awaited until
//!   it is gone (asyncio's `wait_for` on a task), through [`Cancellable`];
//! - [`Deadline`]: one deadline over a whole block of awaits, movable while
//!   it runs (`async with asyncio.timeout() as cm: cm.reschedule(...)`);
//! - [`interval`], [`interval_at`]: a periodic [`Stream`](futures_lite::Stream)
//!   with a defined [`MissedTickBehavior`];
//! - [`now`]: the loop's clock.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//!
//! corio::run(async {
//!     let start = corio::time::now();
//!     corio::sleep(Duration::from_millis(2)).await;
//!     let r = corio::timeout(Duration::from_millis(2), corio::sleep(Duration::from_secs(1))).await;
//!     assert!(r.is_err());
//!     assert!(corio::time::now() - start >= Duration::from_millis(4));
//! });
//! ```
//!
//! # When not to use it
//!
//! For time measurements that do not wait, `std::time::Instant` is all you
//! need; everything here must run inside a corio runtime.
#![deny(unsafe_code)]

#[allow(unsafe_code)]
mod deadline;
mod interval;
mod sleep;
#[allow(unsafe_code)]
mod timeout;
mod wait_for;

pub use deadline::{Deadline, DeadlineRun};
pub use interval::{Interval, MissedTickBehavior, interval, interval_at};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, Timeout, timeout, timeout_at};
pub use wait_for::{Cancellable, ChildOutput, WaitFor, wait_for};

use std::time::Instant;

/// The event loop's clock; asyncio's `loop.time()`.
///
/// A monotonic [`Instant`]: the clock every timer in corio is measured
/// against.
///
/// # Examples
///
/// ```
/// let t0 = corio::time::now();
/// let t1 = corio::time::now();
/// assert!(t1 >= t0);
/// ```
pub fn now() -> Instant {
    Instant::now()
}
